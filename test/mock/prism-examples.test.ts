/**
 * The Prism mock is what frontend teams build against, so every state the spec names must be reachable
 * through it exactly as written, and must be an answer the app itself would be allowed to give.
 * Everything is enumerated from the bundled spec: a new example is covered by adding it to the spec.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import express, { type ErrorRequestHandler } from 'express';
import * as OpenApiValidator from 'express-openapi-validator';
import { loadSpec } from '../../src/http/openapi.ts';
import { loadContract, loadSpecDocument, resolve, specOperations, type Contract } from '../support/contract.ts';
import { startPrism, type RunningPrism } from '../support/prism.ts';

type Json = Record<string, unknown>;

const README = fileURLToPath(new URL('../../mocks/README.md', import.meta.url));
/** Any bearer token satisfies Prism's security check; it only looks for the header. */
const AUTHORIZATION = 'Bearer x';
const SESSION_COOKIE = '__Host-rapi_session=x';

interface MockCase {
  name: string;
  operationId: string;
  method: string;
  /** A concrete path, with required query parameters filled in. */
  url: string;
  status: number;
  mediaType: string | undefined;
  /** The named example, or undefined for a response with a single `example` or no body. */
  example: string | undefined;
  /** What the answer must be: the example's value, or undefined when the status has no body. */
  body: unknown;
  requestHeaders: Record<string, string>;
  requestBody: string | undefined;
  /** Example values of the response's required headers, for the app-side validation. */
  responseHeaders: Record<string, string>;
  /** The top-level schema of the body, followed through `$ref`s. */
  schema: Json | undefined;
}

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A valid value for a parameter or header from what the spec says about it, examples first. */
function sampleOf(document: Json, node: Json, at: string): unknown {
  if ('example' in node) return node.example;
  const named = isObject(node.examples) ? Object.values(node.examples)[0] : undefined;
  if (named !== undefined) return resolve(document, named, `${at}/examples`).value.value;
  if (!isObject(node.schema)) throw new Error(`${at} has no example and no schema to make a value from`);
  const schema = resolve(document, node.schema, `${at}/schema`).value;
  if ('example' in schema) return schema.example;
  if (Array.isArray(schema.examples)) return schema.examples[0];
  if ('default' in schema) return schema.default;
  if (Array.isArray(schema.enum)) return schema.enum[0];
  if ('const' in schema) return schema.const;
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  if (type === 'integer' || type === 'number') return typeof schema.minimum === 'number' ? schema.minimum : 1;
  if (type === 'boolean') return true;
  if (type === 'array' && isObject(schema.items)) return [sampleOf(document, { schema: schema.items }, `${at}/schema/items`)];
  return 'x';
}

const serialise = (value: unknown) => (Array.isArray(value) ? value.join(',') : String(value));

/** Every operation × status × named example of the spec, with a request Prism accepts for it. */
function mockCases(document: Json): MockCase[] {
  const cases: MockCase[] = [];
  for (const op of specOperations(document)) {
    const pathItem = resolve(document, (document.paths as Json)[op.path], `/paths/${op.path}`).value;
    const parameters = [...((pathItem.parameters ?? []) as unknown[]), ...((op.operation.parameters ?? []) as unknown[])].map(
      (p, i) => resolve(document, p, `${op.operationId}/parameters/${i}`).value,
    );
    let path = op.path;
    const query = new URLSearchParams();
    const requestHeaders: Record<string, string> = {};
    for (const parameter of parameters) {
      const where = `${op.operationId} parameter ${String(parameter.name)}`;
      if (parameter.in === 'path') path = path.replace(`{${String(parameter.name)}}`, encodeURIComponent(serialise(sampleOf(document, parameter, where))));
      else if (parameter.required !== true) continue;
      else if (parameter.in === 'query') query.set(String(parameter.name), serialise(sampleOf(document, parameter, where)));
      else if (parameter.in === 'header') requestHeaders[String(parameter.name)] = serialise(sampleOf(document, parameter, where));
    }
    const security = (op.operation.security ?? document.security ?? []) as Json[];
    if (security.length > 0 && !security.some((requirement) => Object.keys(requirement).length === 0)) {
      // The bearer token where the operation takes one; the session cookie where it takes only that.
      if (security.some((requirement) => 'bearerAuth' in requirement)) requestHeaders.authorization = AUTHORIZATION;
      else requestHeaders.cookie = SESSION_COOKIE;
    }

    let requestBody: string | undefined;
    if (op.operation.requestBody !== undefined) {
      const body = resolve(document, op.operation.requestBody, `${op.operationId}/requestBody`).value;
      const [mediaType, media] = Object.entries((body.content ?? {}) as Json)[0] ?? [];
      if (!mediaType || !isObject(media)) throw new Error(`${op.operationId}: a request body without content`);
      requestHeaders['content-type'] = mediaType;
      requestBody = JSON.stringify(sampleOf(document, media, `${op.operationId}/requestBody`));
    }
    const url = `${path}${query.size ? `?${query}` : ''}`;

    for (const [statusKey, { response, pointer }] of op.responses) {
      const status = Number(statusKey);
      if (!Number.isInteger(status)) throw new Error(`${op.operationId}: Prism cannot be asked for status ${statusKey}; name the status`);
      const responseHeaders: Record<string, string> = {};
      for (const [name, header] of Object.entries((response.headers ?? {}) as Json)) {
        const resolved = resolve(document, header, `${pointer}/headers/${name}`);
        if (resolved.value.required === true) responseHeaders[name] = serialise(sampleOf(document, resolved.value, resolved.pointer));
      }
      const base = { operationId: op.operationId, method: op.method.toUpperCase(), url, status, requestBody, responseHeaders };
      const content = Object.entries((response.content ?? {}) as Json);
      if (content.length === 0) {
        cases.push({ ...base, name: `${op.operationId} ${status} (no body)`, mediaType: undefined, example: undefined, body: undefined, requestHeaders, schema: undefined });
        continue;
      }
      for (const [mediaType, media] of content) {
        if (!isObject(media)) continue;
        const schema = isObject(media.schema) ? resolve(document, media.schema, `${pointer}/content/${mediaType}/schema`).value : undefined;
        const headers = { ...requestHeaders, accept: mediaType };
        const examples = Object.entries((media.examples ?? {}) as Json);
        if (examples.length === 0) {
          if (!('example' in media)) throw new Error(`${op.operationId} ${status} ${mediaType} has no example for Prism to answer with`);
          cases.push({ ...base, name: `${op.operationId} ${status} ${mediaType}`, mediaType, example: undefined, body: media.example, requestHeaders: headers, schema });
        }
        for (const [example, value] of examples) {
          const body = resolve(document, value, `${pointer}/content/${mediaType}/examples/${example}`).value.value;
          cases.push({ ...base, name: `${op.operationId} ${status} ${example}`, mediaType, example, body, requestHeaders: headers, schema });
        }
      }
    }
  }
  return cases;
}

const preferOf = (c: MockCase) => `code=${c.status}${c.example ? `, example=${c.example}` : ''}`;

const VALIDATOR_REJECTED = 'x-validator-rejected';

/**
 * A bare Express app behind the app's response validator: it answers whatever the request names,
 * and says so when the validator refuses the answer.
 */
async function startValidatedEcho(answers: Map<string, { status: number; headers: Record<string, string>; mediaType: string | undefined; body: unknown }>): Promise<{ baseUrl: string; server: Server }> {
  const app = express();
  app.use(
    OpenApiValidator.middleware({
      apiSpec: loadSpec() as never,
      validateRequests: false,
      validateResponses: true,
      validateSecurity: false,
    }),
  );
  app.use((req, res) => {
    const answer = answers.get(req.get('x-answer') ?? '');
    if (!answer) throw new Error(`no answer named ${req.get('x-answer')}`);
    res.status(answer.status).set(answer.headers);
    if (answer.mediaType === undefined) res.end();
    else if (typeof answer.body === 'string') res.type(answer.mediaType).send(answer.body);
    else res.type(answer.mediaType).json(answer.body);
  });
  const rejected: ErrorRequestHandler = (err: Error & { errors?: unknown }, _req, res, _next) => {
    res.status(500).set(VALIDATOR_REJECTED, 'true').json({ message: err.message, errors: err.errors });
  };
  app.use(rejected);
  const server = createHttpServer(app);
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return { baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

/** The example with its first required property removed, or undefined when the schema requires none. */
function corrupted(c: MockCase): { body: Json; removed: string } | undefined {
  const removed = Array.isArray(c.schema?.required) ? String(c.schema.required[0]) : undefined;
  if (!removed || !isObject(c.body)) return undefined;
  const { [removed]: _gone, ...body } = c.body;
  return { body, removed };
}

const document = loadSpecDocument();
const cases = mockCases(document);

/** The run's shared Prism mock. */
let prism: RunningPrism | undefined;
beforeAll(async () => {
  prism = await startPrism('mock');
});
afterAll(async () => {
  await prism?.stop();
});

describe('the Prism mock', () => {

  it('enumerates the states frontend teams rely on from the spec', () => {
    const named = new Set(cases.map((c) => c.example));
    const expected = ['typical', 'empty', 'long_page', 'mixed', 'partial', 'pending', 'unauthorized', 'session_expired', 'github_auth', 'rate_limited', 'upstream_unavailable', 'upstream_timeout', 'validation', 'repo_not_found'];
    assert.deepEqual(expected.filter((name) => !named.has(name)), []);
  });

  for (const c of cases) {
    it(`with Prefer: ${preferOf(c)}, ${c.method} ${c.url} answers ${c.status} and exactly the example (${c.name})`, async () => {
      assert.ok(prism);
      const res = await fetch(`${prism.baseUrl}${c.url}`, {
        method: c.method,
        redirect: 'manual',
        headers: { ...c.requestHeaders, prefer: preferOf(c) },
        ...(c.requestBody === undefined ? {} : { body: c.requestBody }),
      });
      const text = await res.text();
      assert.equal(res.status, c.status, `Prism answered ${res.status}: ${text}\n${res.headers.get('sl-violations') ?? ''}`);
      if (c.body === undefined) assert.equal(text, '');
      else if (typeof c.body === 'string') assert.equal(text, c.body);
      else assert.deepEqual(JSON.parse(text), c.body);
    });
  }
});

/** Where a header of the mock's answer says something the body also says, the two must agree. */
function headerDisagreements(headers: Headers, body: unknown): string[] {
  const wrong: string[] = [];
  const b = isObject(body) ? body : {};
  const total = headers.get('x-total-count');
  if (total !== null && Number(total) !== b.total) wrong.push(`X-Total-Count: ${total} but total ${String(b.total)}`);
  const link = headers.get('link');
  if (link !== null) {
    const { total: count, page, per_page: perPage } = b as { total?: number; page?: number; per_page?: number };
    if (typeof count !== 'number' || typeof page !== 'number' || typeof perPage !== 'number') wrong.push(`Link: ${link} but the body has no paging state`);
    else {
      const last = Math.max(1, Math.ceil(count / perPage));
      const expected = new Map<string, number>([
        ...(page > 1 ? [['first', 1], ['prev', page - 1]] as const : []),
        ...(page < last ? [['next', page + 1], ['last', last]] as const : []),
      ]);
      const seen = new Map<string, number>();
      for (const part of link.split(',')) {
        const match = /<([^>]+)>;\s*rel="([a-z]+)"/.exec(part.trim());
        if (!match?.[1] || !match[2]) { wrong.push(`Link part ${part} is not a link`); continue; }
        const url = new URL(match[1], 'http://mock.invalid');
        seen.set(match[2], Number(url.searchParams.get('page')));
        if (Number(url.searchParams.get('per_page')) !== perPage) wrong.push(`Link ${match[2]} has per_page ${url.searchParams.get('per_page')} but per_page ${perPage}`);
      }
      // A single page has no Link header at all.
      if (expected.size === 0) wrong.push(`Link: ${link} on the only page`);
      else if (JSON.stringify([...seen].sort()) !== JSON.stringify([...expected].sort())) wrong.push(`Link: ${link} but page ${page} of ${last}`);
    }
  }
  const retryAfter = headers.get('retry-after');
  if (retryAfter !== null && 'retry_after' in b && Number(retryAfter) !== b.retry_after) wrong.push(`Retry-After: ${retryAfter} but retry_after ${String(b.retry_after)}`);
  const requestId = headers.get('x-request-id');
  if (requestId !== null && 'request_id' in b && requestId !== b.request_id) wrong.push(`X-Request-Id: ${requestId} but request_id ${String(b.request_id)}`);
  const location = headers.get('location');
  if (location !== null && 'repo_id' in b && location !== `/api/v1/connections/${String(b.provider)}/${String(b.repo_id)}`) wrong.push(`Location: ${location} but ${String(b.provider)}/${String(b.repo_id)}`);
  return wrong;
}

describe("the mock's headers", () => {

  for (const c of cases) {
    it(`when the mock answers ${c.name}, then its headers agree with the body or are not sent`, async () => {
      assert.ok(prism);
      const res = await fetch(`${prism.baseUrl}${c.url}`, {
        method: c.method,
        redirect: 'manual',
        headers: { ...c.requestHeaders, prefer: preferOf(c) },
        ...(c.requestBody === undefined ? {} : { body: c.requestBody }),
      });
      const text = await res.text();
      assert.equal(res.status, c.status);
      const body = text !== '' && /json/.test(res.headers.get('content-type') ?? '') ? (JSON.parse(text) as unknown) : undefined;
      assert.deepEqual(headerDisagreements(res.headers, body), []);
    });
  }

  it('when a listing is many pages long, then the check above tells a wrong Link and total from right ones', () => {
    const body = { total: 241, page: 2, per_page: 5 };
    const right = new Headers({
      'x-total-count': '241',
      link: '</api/v1/repos?page=1&per_page=5>; rel="first", </api/v1/repos?page=1&per_page=5>; rel="prev", </api/v1/repos?page=3&per_page=5>; rel="next", </api/v1/repos?page=49&per_page=5>; rel="last"',
    });
    assert.deepEqual(headerDisagreements(right, body), []);
    assert.equal(headerDisagreements(new Headers({ 'x-total-count': '241' }), { total: 0, page: 1, per_page: 30 }).length, 1);
    const nine = new Headers({ link: '</api/v1/repos?page=2&per_page=30>; rel="next", </api/v1/repos?page=9&per_page=30>; rel="last"' });
    assert.equal(headerDisagreements(nine, { total: 3, page: 1, per_page: 30 }).length, 1);
  });
});

describe('every example is an answer the app may give', () => {
  const answers = new Map<string, { status: number; headers: Record<string, string>; mediaType: string | undefined; body: unknown }>();
  for (const c of cases) {
    answers.set(c.name, { status: c.status, headers: c.responseHeaders, mediaType: c.mediaType, body: c.body });
    const bad = corrupted(c);
    if (bad) answers.set(`${c.name} corrupted`, { status: c.status, headers: c.responseHeaders, mediaType: c.mediaType, body: bad.body });
  }
  let echo: { baseUrl: string; server: Server } | undefined;
  let contract: Contract | undefined;

  beforeAll(async () => {
    echo = await startValidatedEcho(answers);
    // The examples are not answers of the implementation: they must not count for the coverage gate.
    contract = await loadContract({ document, exercisedDir: false });
  });
  afterAll(async () => {
    echo?.server.closeAllConnections();
    await new Promise<void>((done) => (echo ? echo.server.close(() => done()) : done()));
  });

  const answer = async (c: MockCase, name: string) => {
    assert.ok(echo);
    const res = await fetch(`${echo.baseUrl}${c.url}`, { method: c.method, redirect: 'manual', headers: { ...c.requestHeaders, 'x-answer': name } });
    return { status: res.status, rejected: res.headers.get(VALIDATOR_REJECTED) === 'true', text: await res.text() };
  };
  const contractErrors = (c: MockCase, body: unknown) => {
    assert.ok(contract);
    const headers = { ...Object.fromEntries(Object.entries(c.responseHeaders).map(([k, v]) => [k.toLowerCase(), v])), ...(c.mediaType ? { 'content-type': c.mediaType } : {}) };
    return contract.check({ method: c.method, path: c.url, status: c.status, headers, body }).errors;
  };

  for (const c of cases) {
    const bad = corrupted(c);
    // express-openapi-validator leaves 5xx answers unchecked, so there only the contract can tell.
    const validated = c.status < 500;
    const control = !bad ? '' : validated ? `, and fails both without '${bad.removed}'` : `, and fails the contract without '${bad.removed}' (the app's validator does not check 5xx)`;
    it(`${c.name} passes the app's response validator and the contract${control}`, async () => {
      const good = await answer(c, c.name);
      assert.equal(good.rejected, false, `the app's validator rejected the example: ${good.text}`);
      assert.equal(good.status, c.status);
      assert.deepEqual(contractErrors(c, c.body), []);
      if (!bad) return;
      assert.ok(contractErrors(c, bad.body).includes(`body must have required property '${bad.removed}'`));
      if (!validated) return;
      const broken = await answer(c, `${c.name} corrupted`);
      assert.equal(broken.rejected, true, `the app's validator let through the example without '${bad.removed}'`);
      assert.match(broken.text, new RegExp(`required property '${bad.removed}'`));
    });
  }
});

describe('mocks/README.md', () => {
  it('shows the Prefer header of every state', () => {
    const readme = readFileSync(README, 'utf8');
    const rows = readme.split('\n').filter((line) => line.startsWith('|'));
    const missing = cases.filter((c) => !rows.some((row) => row.includes(`\`${c.operationId}\``) && row.includes(`\`Prefer: ${preferOf(c)}\``)));
    assert.deepEqual(missing.map((c) => c.name), [], 'add these rows to mocks/README.md');
  });
});
