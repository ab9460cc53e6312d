import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { Ajv } from 'ajv';
import type { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { FakeBitbucket } from '../fakes/bitbucket/index.ts';
import { startWorld } from './helpers.ts';

/**
 * The fake must answer like Bitbucket Cloud does, as Bitbucket describes it: bodies are checked
 * against the schemas of its published OpenAPI description (the subset in
 * test/fixtures/bitbucket-openapi.json), and the scopes each endpoint asks for are the ones the
 * description names. One known difference: a 403 for a missing scope carries `error.detail` as an
 * object (`granted`, `required`), as Bitbucket sends it, where the description says a string.
 */

type Json = Record<string, unknown>;

const spec = JSON.parse(await readFile(new URL('../fixtures/bitbucket-openapi.json', import.meta.url), 'utf8')) as Json;

/**
 * OpenAPI 3.0 schema → JSON Schema for Ajv: `$ref`s become local definitions (Bitbucket's schemas
 * are recursive: a repository's `parent` is a repository), `nullable` a null type, and what Ajv
 * does not know (`discriminator`, `example`, `x-*`) is dropped.
 */
function toJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (typeof node !== 'object' || node === null) return node;
  const obj = node as Json;
  if (typeof obj.$ref === 'string') return { $ref: `#/definitions/${obj.$ref.split('/').pop()}` };
  const out: Json = {};
  for (const [key, value] of Object.entries(obj)) {
    if (key === 'example' || key === 'discriminator' || key === 'nullable' || key === 'title' || key.startsWith('x-')) continue;
    out[key] = key === 'properties' ? Object.fromEntries(Object.entries(value as Json).map(([k, v]) => [k, toJsonSchema(v)])) : toJsonSchema(value);
  }
  if (obj.nullable !== true) return out;
  return { anyOf: [out, { type: 'null' }] };
}

const definitions = Object.fromEntries(Object.entries((spec.components as { schemas: Json }).schemas).map(([k, v]) => [k, toJsonSchema(v)]));
const ajv = new Ajv({ allErrors: true, strict: false });
addFormats.default(ajv);

function validator(path: string): ValidateFunction {
  const op = ((spec.paths as Json)[path] as Json).get as Json;
  const ok = (op.responses as Json)['200'] as Json;
  const schema = ((ok.content as Json)['application/json'] as Json).schema;
  return ajv.compile({ ...(toJsonSchema(schema) as Json), definitions });
}

function scopeOf(path: string): string {
  const op = ((spec.paths as Json)[path] as Json).get as { security: Array<Record<string, string[]>> };
  return op.security.find((s) => s.oauth2)?.oauth2?.[0] ?? '';
}

function assertValid(validate: ValidateFunction, value: unknown, what: string): void {
  assert.ok(validate(value), `${what} does not match Bitbucket's description:\n${ajv.errorsText(validate.errors, { separator: '\n' })}`);
}

let fake: FakeBitbucket;
let token: string;
const get = async (path: string, auth = token) => {
  const response = await fetch(new URL(path, fake.baseUrl), { headers: { authorization: `Bearer ${auth}` } });
  return { status: response.status, type: response.headers.get('content-type') ?? '', text: await response.text() };
};

beforeAll(async () => {
  ({ fake } = await startWorld());
  token = fake.state.issueTokens('ada').access_token;
});
afterAll(() => fake.close());

describe('fake Bitbucket conforms to Bitbucket Cloud’s OpenAPI description', () => {
  it('GET /2.0/user is a user', async () => {
    const res = await get('/2.0/user');
    assert.equal(res.status, 200);
    assertValid(validator('/user'), JSON.parse(res.text), 'the user');
  });

  it('GET /2.0/user/workspaces is a paginated_workspace_access, every page', async () => {
    const validate = validator('/user/workspaces');
    const page = JSON.parse((await get('/2.0/user/workspaces?pagelen=2')).text) as Json;
    assertValid(validate, page, 'page 1 of the workspaces');
    assert.equal(page.pagelen, 2);
    assert.equal(typeof page.next, 'string');
    const next = JSON.parse((await get(page.next as string)).text) as Json;
    assertValid(validate, next, 'page 2 of the workspaces');
    assert.equal(next.next, undefined);
  });

  it('GET /2.0/repositories/{workspace}?role=member is a paginated_repositories: 10 a page by default, 100 at most, absolute next', async () => {
    const validate = validator('/repositories/{workspace}');
    const first = JSON.parse((await get('/2.0/repositories/acme?role=member')).text) as Json;
    assertValid(validate, first, 'the first page');
    assert.equal((first.values as unknown[]).length, 10);
    const big = JSON.parse((await get('/2.0/repositories/acme?role=member&pagelen=500')).text) as Json;
    assert.equal(big.pagelen, 100);
    assert.equal((big.values as unknown[]).length, 100);
    assert.match(String(big.next), /^http:\/\/127\.0\.0\.1:\d+\/2\.0\/repositories\/acme\?/);
    let url: string | undefined = '/2.0/repositories/acme?role=member&pagelen=100';
    let pages = 0;
    while (url) {
      const page = JSON.parse((await get(url)).text) as Json;
      assertValid(validate, page, `page ${++pages}`);
      url = page.next as string | undefined;
    }
    assert.equal(pages, 3);
  });

  it('GET …/src redirects to the root listing, a paginated_treeentries; a file is its raw text', async () => {
    const repo = fake.state.workspaces.get('acme')?.repos.find((r) => r.files && r.files['package.json']);
    assert.ok(repo);
    const response = await fetch(new URL(`/2.0/repositories/acme/${repo.slug}/src`, fake.baseUrl), { headers: { authorization: `Bearer ${token}` }, redirect: 'manual' });
    assert.equal(response.status, 302);
    const location = response.headers.get('location') ?? '';
    assert.match(location, /\/src\/[0-9a-f]{40}\/$/);
    const root = JSON.parse((await get(location)).text) as Json;
    assertValid(validator('/repositories/{workspace}/{repo_slug}/src/{commit}/{path}'), root, 'the root listing');
    const file = await get(`${location}package.json`);
    assert.equal(file.status, 200);
    assert.equal(file.text, repo.files?.['package.json']);
  });

  it('failures are Bitbucket error objects; the removed endpoints answer 410', async () => {
    const validate = ajv.compile({ $ref: '#/definitions/error', definitions });
    for (const path of ['/2.0/workspaces', '/2.0/user/permissions/workspaces', '/2.0/repositories?role=member']) {
      const res = await get(path);
      assert.equal(res.status, 410, path);
      assertValid(validate, JSON.parse(res.text), `the 410 of ${path}`);
      // The description still lists them, marked deprecated.
      assert.equal((((spec.paths as Json)[path.replace('/2.0', '').replace(/\?.*/, '')] as Json).get as Json).deprecated, true);
    }
    const unauthenticated = await get('/2.0/user', 'not-a-token');
    assert.equal(unauthenticated.status, 401);
    assertValid(validate, JSON.parse(unauthenticated.text), 'the 401');
  });

  it('each endpoint asks for the OAuth scope the description names', async () => {
    const onlyAccount = fake.state.issueTokens('ada', ['account']).access_token;
    const onlyRepository = fake.state.issueTokens('ada', ['repository']).access_token;
    const cases = [
      ['/user', '/2.0/user'],
      ['/user/workspaces', '/2.0/user/workspaces'],
      ['/repositories/{workspace}', '/2.0/repositories/acme?role=member'],
    ] as const;
    for (const [path, url] of cases) {
      const scope = scopeOf(path);
      const other = scope === 'account' ? onlyRepository : onlyAccount;
      assert.equal((await get(url, other)).status, 403, `${url} without ${scope}`);
      assert.equal((await get(url, scope === 'account' ? onlyAccount : onlyRepository)).status, 200, `${url} with ${scope}`);
    }
  });
});
