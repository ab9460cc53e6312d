import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { Ajv } from 'ajv';
import type { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import parseLinkHeader from 'parse-link-header';
import { generateRepos, startFakeGitHub } from '../fakes/github/index.ts';
import type { FakeAccount, FakeGitHub } from '../fakes/github/index.ts';

/**
 * The fake must answer like GitHub does, as GitHub itself describes it: bodies and documented
 * headers are checked against the api.github.com description published in @octokit/openapi.
 */

type Json = Record<string, unknown>;

const specPath = createRequire(import.meta.url).resolve('@octokit/openapi/generated/api.github.com.json');
const spec = JSON.parse(await readFile(specPath, 'utf8')) as Json;

function pointer(ref: string): unknown {
  assert.ok(ref.startsWith('#/'), `external $ref ${ref}`);
  return ref
    .slice(2)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<unknown>((node, key) => (node as Json)[key], spec);
}

/**
 * OpenAPI 3.0 schema → JSON Schema for Ajv: inline `$ref`s, turn `nullable` into a null type,
 * drop what Ajv does not know (`example`, `x-*`, and `discriminator`, which the `oneOf` it sits on
 * already decides: `public-user` forbids the extra properties of a private one).
 */
function toJsonSchema(node: unknown, seen: readonly string[] = []): unknown {
  if (Array.isArray(node)) return node.map((n) => toJsonSchema(n, seen));
  if (typeof node !== 'object' || node === null) return node;
  const obj = node as Json;
  if (typeof obj.$ref === 'string') {
    assert.ok(!seen.includes(obj.$ref), `recursive $ref ${obj.$ref}`);
    return toJsonSchema(pointer(obj.$ref), [...seen, obj.$ref]);
  }
  const out: Json = {};
  for (const [key, value] of Object.entries(obj)) {
    if (key === 'example' || key === 'discriminator' || key === 'nullable' || key.startsWith('x-')) continue;
    // `properties` maps names to schemas; its keys are data, not keywords.
    out[key] = key === 'properties'
      ? Object.fromEntries(Object.entries(value as Json).map(([k, v]) => [k, toJsonSchema(v, seen)]))
      : toJsonSchema(value, seen);
  }
  if (obj.nullable !== true) return out;
  if (typeof out.type === 'string') {
    out.type = [out.type, 'null'];
    if (Array.isArray(out.enum)) out.enum = [...out.enum, null];
    return out;
  }
  return { anyOf: [out, { type: 'null' }] };
}

const ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false });
addFormats.default(ajv);
// GitHub's headers use a `timestamp` format: Unix seconds.
ajv.addFormat('timestamp', { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= 0 });

interface Operation {
  body: ValidateFunction;
  headers: Map<string, ValidateFunction>;
}

function operation(path: string): Operation {
  const paths = spec.paths as Record<string, Record<string, Json>>;
  const ok = (paths[path]?.get?.responses as Record<string, Json>)['200'] as Json;
  const schema = ((ok.content as Json)['application/json'] as Json).schema;
  const headers = new Map<string, ValidateFunction>();
  for (const [name, header] of Object.entries((ok.headers ?? {}) as Json)) {
    const resolved = toJsonSchema(header) as Json;
    headers.set(name.toLowerCase(), ajv.compile(resolved.schema as Json));
  }
  return { body: ajv.compile(toJsonSchema(schema) as Json), headers };
}

/** GitHub's rate limit headers as the description names them, and as they travel on the wire. */
const rateHeaderSchemas = new Map(
  (['limit', 'remaining', 'reset'] as const).map((part) => [
    `x-ratelimit-${part}`,
    ajv.compile((toJsonSchema(((spec.components as Json).headers as Json)[`x-rate-limit-${part}`]) as Json).schema as Json),
  ]),
);

function assertValid(validate: ValidateFunction, value: unknown, what: string): void {
  const ok = validate(value);
  assert.ok(ok, `${what} does not match GitHub's description:\n${ajv.errorsText(validate.errors, { separator: '\n' })}`);
}

function assertRateHeaders(res: Response): void {
  for (const [name, validate] of rateHeaderSchemas) {
    const raw = res.headers.get(name);
    assert.ok(raw !== null, `missing ${name}`);
    assertValid(validate, Number(raw), `header ${name}`);
  }
  assert.match(res.headers.get('x-ratelimit-used') ?? '', /^\d+$/);
  assert.equal(res.headers.get('x-ratelimit-resource'), 'core');
}

let fake: FakeGitHub;
let account: FakeAccount;
const get = (path: string, headers: Record<string, string> = {}) =>
  fetch(new URL(path, fake.baseUrl), { headers: { authorization: `token ${account.token}`, accept: 'application/vnd.github+json', ...headers } });

beforeAll(async () => {
  fake = await startFakeGitHub();
  // A varied set: own, organisation and shared repositories; forks, archived, no language, no license.
  account = fake.state.addUser({ login: 'mona', repos: generateRepos(250, { seed: 3, owner: { login: 'mona' } }) });
});
afterAll(() => fake.close());

describe('fake GitHub conforms to api.github.com’s OpenAPI description', () => {
  it('GET /user: 200 body is a private-user, with the rate limit headers GitHub documents', async () => {
    const op = operation('/user');
    const res = await get('/user');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    const body = (await res.json()) as Json;
    assertValid(op.body, body, 'GET /user body');
    assert.equal(body.user_view_type, 'private');
    for (const [name, validate] of op.headers) assertValid(validate, res.headers.get(name), `header ${name}`);
    assertRateHeaders(res);
    assert.equal(res.headers.get('x-oauth-scopes'), 'repo, read:user, user:email');
  });

  it('GET /user/repos: each page’s body is an array of repository, with a Link header of absolute URLs', async () => {
    const op = operation('/user/repos');
    assert.ok(op.headers.has('link'), 'the description documents Link');
    const base = new URL(fake.baseUrl);
    const expectedRels: Record<number, string[]> = { 1: ['next', 'last'], 2: ['prev', 'next', 'last', 'first'], 3: ['prev', 'first'] };
    for (const page of [1, 2, 3]) {
      const res = await get(`/user/repos?affiliation=owner,collaborator,organization_member&per_page=100&page=${page}`);
      assert.equal(res.status, 200);
      const body = await res.json();
      assertValid(op.body, body, `GET /user/repos page ${page} body`);
      assert.equal((body as unknown[]).length, page < 3 ? 100 : 50);
      for (const [name, validate] of op.headers) assertValid(validate, res.headers.get(name), `header ${name}`);
      assertRateHeaders(res);
      assert.match(res.headers.get('etag') ?? '', /^(W\/)?"[^"]+"$/);

      const links = parseLinkHeader(res.headers.get('link'));
      assert.ok(links);
      assert.deepEqual(Object.keys(links), expectedRels[page]);
      for (const link of Object.values(links)) {
        assert.ok(link);
        const url = new URL(link.url);
        assert.equal(url.origin, base.origin, 'absolute URL to the fake itself');
        assert.equal(url.searchParams.get('per_page'), '100');
        assert.equal(url.searchParams.get('affiliation'), 'owner,collaborator,organization_member');
      }
      if (links.last) assert.equal(links.last.page, '3');
    }
  });

  it('GET /user/repos with If-None-Match of the current ETag: 304, no body, rate limit headers still there', async () => {
    const first = await get('/user/repos?per_page=100');
    await first.arrayBuffer();
    const etag = first.headers.get('etag') ?? '';
    const res = await get('/user/repos?per_page=100', { 'if-none-match': etag });
    assert.equal(res.status, 304);
    assert.equal(await res.text(), '');
    assert.equal(res.headers.get('etag'), etag);
    assertRateHeaders(res);
  });

  it('the schemas bite: a repository without node_id, or with a string id, is rejected', async () => {
    const op = operation('/user/repos');
    const res = await get('/user/repos?per_page=1');
    const [repo] = (await res.json()) as Json[];
    assert.ok(repo);
    const { node_id: _nodeId, ...withoutNodeId } = repo;
    assert.equal(op.body([withoutNodeId]), false);
    assert.equal(op.body([{ ...repo, id: String(repo.id) }]), false);
    assert.equal(op.body([{ ...repo, html_url: 'not a uri' }]), false);
    assert.equal(op.body([repo]), true);
  });

  it('401 and 403 bodies are GitHub’s basic-error', async () => {
    const paths = spec.paths as Record<string, Record<string, Json>>;
    const responses = paths['/user/repos']?.get?.responses as Record<string, Json>;
    for (const status of ['401', '403'] as const) {
      const response = toJsonSchema(responses[status]) as Json;
      const validate = ajv.compile(((response.content as Json)['application/json'] as Json).schema as Json);
      if (status === '403') fake.state.injectFault({ route: '/user/repos', kind: 'missingScope', times: 1 });
      const res = status === '401'
        ? await fetch(new URL('/user/repos', fake.baseUrl), { headers: { authorization: 'token gho_not_a_real_token' } })
        : await get('/user/repos');
      assert.equal(res.status, Number(status));
      const body = (await res.json()) as Json;
      assertValid(validate, body, `${status} body`);
      assert.equal(typeof body.message, 'string');
      assert.equal(typeof body.documentation_url, 'string');
    }
  });
});
