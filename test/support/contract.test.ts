import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { loadContract, loadSpecDocument, type Contract } from './contract.ts';

const problem = (status: number, code: string) => ({
  type: `/docs#section/${code.toLowerCase()}`,
  title: 'Too many requests',
  status,
  detail: 'Slow down.',
  code,
  request_id: 'req-1',
});

const repositoryPage = {
  repositories: [],
  total: 0,
  page: 1,
  per_page: 30,
  facets: { owner: [], kind: [], origin: [], provider: [], visibility: [] },
  providers: [{ provider: 'github', status: 'ok', problem: null, hints: [] }],
};
const json = { 'content-type': 'application/json; charset=utf-8' };
const listHeaders = { ...json, etag: 'W/"abc"', 'x-total-count': '0' };

describe('contract.check against the bundled spec', () => {
  let contract: Contract;
  let exercisedDir: string;

  beforeAll(async () => {
    exercisedDir = await mkdtemp(join(tmpdir(), 'contract-test-'));
    contract = await loadContract({ exercisedDir });
  });
  afterAll(() => rm(exercisedDir, { recursive: true, force: true }));

  it('when a listing matches the spec, then no errors and the pair is recorded for the coverage gate', async () => {
    const result = contract.check({ method: 'GET', path: '/api/v1/repos?page=1&per_page=30', status: 200, headers: listHeaders, body: repositoryPage });
    assert.deepEqual(result, { operationId: 'listRepositories', errors: [] });
    const lines = (await readFile(join(exercisedDir, `${process.pid}.jsonl`), 'utf8')).trim().split('\n');
    assert.deepEqual(JSON.parse(lines.at(-1) ?? ''), { operationId: 'listRepositories', status: '200' });
  });

  it('when a required property is missing or an unknown one is added, then both are named', () => {
    const { total: _total, ...withoutTotal } = repositoryPage;
    const { errors } = contract.check({ method: 'GET', path: '/api/v1/repos', status: 200, headers: listHeaders, body: { ...withoutTotal, extra: 1 } });
    assert.ok(errors.includes("body must have required property 'total'"), errors.join('\n'));
    assert.ok(errors.includes("body must NOT have additional properties ('extra')"), errors.join('\n'));
  });

  it('when a property has the wrong type, then the error names its place', () => {
    const { errors } = contract.check({ method: 'GET', path: '/api/v1/repos', status: 200, headers: listHeaders, body: { ...repositoryPage, page: '1' } });
    assert.ok(errors.includes('body/page must be integer'), errors.join('\n'));
  });

  it('when the status is not declared, then "undeclared status"', () => {
    const { operationId, errors } = contract.check({ method: 'GET', path: '/api/v1/repos', status: 418, headers: {}, body: undefined });
    assert.equal(operationId, 'listRepositories');
    assert.match(errors.join('\n'), /undeclared status 418/);
  });

  it('when the content type is not declared, then "undeclared content type"', () => {
    const { errors } = contract.check({ method: 'GET', path: '/api/v1/repos', status: 401, headers: { 'content-type': 'text/html' }, body: '<p>no</p>' });
    assert.match(errors.join('\n'), /undeclared content type text\/html/);
  });

  it('when a status declares no body, then an empty answer passes and a body fails', () => {
    const path = '/api/v1/connections/github/5?x=1';
    assert.deepEqual(contract.check({ method: 'DELETE', path, status: 204, headers: {}, body: undefined }).errors, []);
    const { errors } = contract.check({ method: 'DELETE', path, status: 204, headers: { 'content-type': 'text/plain' }, body: 'Gone' });
    assert.match(errors.join('\n'), /undeclared content type text\/plain .* declares no body/);
  });

  it('when a required header is missing or invalid, then it is named; integer headers are parsed', () => {
    const body = { ...problem(429, 'RATE_LIMITED'), retry_after: 42 };
    const check = (headers: Record<string, string>) =>
      contract.check({ method: 'GET', path: '/api/v1/repos', status: 429, headers: { 'content-type': 'application/problem+json', ...headers }, body }).errors;
    assert.deepEqual(check({ 'retry-after': '42' }), []);
    assert.deepEqual(check({}), ['missing required header retry-after']);
    assert.deepEqual(check({ 'retry-after': 'soon' }), ['header retry-after must be integer']);
    assert.match(check({ 'retry-after': '42', ratelimit: 'lots' }).join('\n'), /^header ratelimit must match pattern/);
  });

  it('when the answer is a fetch Response, then its Headers work as they are', async () => {
    const response = new Response(JSON.stringify(repositoryPage), { status: 200, headers: listHeaders });
    const result = contract.check({ method: 'GET', path: '/api/v1/repos', status: response.status, headers: response.headers, body: await response.json() });
    assert.deepEqual(result.errors, []);
  });

  it('when no operation matches, then operationId is undefined and the reason is given', () => {
    assert.deepEqual(contract.check({ method: 'GET', path: '/api/v1/nothing', status: 200, headers: {}, body: undefined }), {
      operationId: undefined,
      errors: ['no path of the spec matches /api/v1/nothing'],
    });
    const { operationId, errors } = contract.check({ method: 'POST', path: '/api/v1/me', status: 200, headers: {}, body: undefined });
    assert.equal(operationId, undefined);
    assert.match(errors.join('\n'), /no operation POST \/api\/v1\/me \(declared: GET\)/);
  });

  it('failed checks are not recorded; record refuses a pair the spec does not declare', async () => {
    contract.check({ method: 'GET', path: '/api/v1/health', status: 200, headers: json, body: { status: 'down' } });
    const recorded = await readFile(join(exercisedDir, `${process.pid}.jsonl`), 'utf8');
    assert.doesNotMatch(recorded, /getHealth/);
    assert.throws(() => contract.record('getHealth', 418), /declares no response 418 for getHealth/);
    contract.record('getHealth', 200);
    assert.match(await readFile(join(exercisedDir, `${process.pid}.jsonl`), 'utf8'), /\{"operationId":"getHealth","status":"200"\}/);
  });

  it('pairs() lists every (operationId, status) the spec declares', () => {
    const spec = loadSpecDocument() as { paths: Record<string, Record<string, { operationId: string; responses: Record<string, unknown> }>> };
    const expected = Object.values(spec.paths).flatMap((item) =>
      Object.values(item).flatMap((op) => Object.keys(op.responses).map((status) => ({ operationId: op.operationId, status }))),
    );
    assert.deepEqual(contract.pairs(), expected);
    assert.ok(contract.pairs().some((p) => p.operationId === 'listRepositories' && p.status === '304'));
  });
});

describe('contract.check with a document of its own', () => {
  const document = {
    openapi: '3.1.0',
    info: { title: 'Accounts', version: '1.0.0' },
    paths: {
      '/accounts/{id}': {
        put: {
          operationId: 'saveAccount',
          responses: {
            '200': {
              description: 'Saved.',
              headers: { 'Set-Cookie': { schema: { type: 'string', pattern: '^session=' } } },
              content: { 'application/json': { schema: { $ref: '#/components/schemas/Account' } } },
            },
            default: { description: 'Anything else.' },
          },
        },
      },
    },
    components: {
      schemas: {
        Secret: { type: 'string', writeOnly: true },
        Account: {
          type: 'object',
          additionalProperties: false,
          required: ['id', 'password', 'pin'],
          properties: { id: { type: 'integer', readOnly: true }, password: { type: 'string', writeOnly: true }, pin: { $ref: '#/components/schemas/Secret' } },
        },
      },
    },
  };

  it('a response must carry readOnly properties and must not carry writeOnly ones, even when required for requests', async () => {
    const contract = await loadContract({ document, exercisedDir: false });
    const check = (body: unknown) => contract.check({ method: 'PUT', path: '/accounts/7', status: 200, headers: { 'content-type': 'application/json' }, body }).errors;
    assert.deepEqual(check({ id: 7 }), []);
    assert.deepEqual(check({ id: 7, password: 'hunter2', pin: '1234' }), [
      'body/password must not be in a response (the property is writeOnly)',
      'body/pin must not be in a response (the property is writeOnly)',
    ]);
    assert.deepEqual(check({}), ["body must have required property 'id'"]);
  });

  it('when several cookies are set, then one of them must be the declared one', async () => {
    const contract = await loadContract({ document, exercisedDir: false });
    const check = (cookies: string[]) =>
      contract.check({ method: 'PUT', path: '/accounts/7', status: 200, headers: { 'content-type': 'application/json', 'set-cookie': cookies }, body: { id: 7 } }).errors;
    assert.deepEqual(check(['state=; Max-Age=0', 'session=abc; HttpOnly']), []);
    assert.deepEqual(check(['state=; Max-Age=0']), ['header set-cookie must match pattern "^session="']);
  });

  it('an undeclared status falls back to default', async () => {
    const contract = await loadContract({ document, exercisedDir: false });
    assert.deepEqual(contract.check({ method: 'PUT', path: '/accounts/7', status: 503, headers: {}, body: undefined }), { operationId: 'saveAccount', errors: [] });
  });
});
