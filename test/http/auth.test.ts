/**
 * The authentication middleware on its own: the spec's real operations, a real store and real tokens,
 * requests as Express hands them over. The API suites (test/api/auth.test.ts, session.test.ts) show the
 * same rules over HTTP; these cases reach each rule directly and cheaply.
 */
import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, test } from 'vitest';
import type { Request } from 'express';
import { createJwtService, type Scope } from '../../src/auth/jwt.ts';
import { ApiProblem } from '../../src/contract/problem.ts';
import { authenticate, identifyOperation, principalOf, type Principal } from '../../src/http/auth.ts';
import { loadSpec } from '../../src/http/openapi.ts';
import { indexOperations } from '../../src/http/operations.ts';
import { originMatcher } from '../../src/http/origins.ts';
import type { Store, User } from '../../src/store/types.ts';
import { TEST_SECRET_KEY } from '../support/databases.ts';
import { freshEmbeddedStore } from '../support/embedded.ts';

const TRUSTED = 'https://app.example.com';
const COOKIE = 'rapi_session';
const operations = indexOperations(loadSpec());
const jwt = createJwtService({ secret: 'jwt-secret-of-the-middleware-tests-0123456789', issuer: 'https://api.example.com', audience: 'repositories-api', ttlSeconds: 300 });

let store: Store;
let alice: User;
let bob: User;

beforeAll(async () => {
  store = await freshEmbeddedStore(TEST_SECRET_KEY);
  alice = await store.accounts.signIn('github', { id: '1', login: 'alice', name: null, avatar_url: null });
  bob = await store.accounts.signIn('github', { id: '2', login: 'bob', name: null, avatar_url: null });
});
afterAll(() => store.close());

const middleware = () => authenticate({ store, jwt, cookieName: COOKIE, trustedOrigins: originMatcher([TRUSTED]) });

interface Outcome {
  principal: Principal | undefined;
  problem: ApiProblem | undefined;
}

/** Runs the middleware on `method path` as the operation index names it, and says what it decided. */
async function authenticateRequest(
  method: string,
  path: string,
  options: { headers?: Record<string, string>; cookie?: unknown; withoutCookieParser?: boolean } = {},
): Promise<Outcome> {
  const req = {
    method,
    path,
    headers: options.headers ?? {},
    // cookie-parser gives every request a `cookies` object; without it there is none.
    ...(options.withoutCookieParser ? {} : { cookies: options.cookie === undefined ? {} : { [COOKIE]: options.cookie } }),
    operation: operations.find(method, path),
  } as unknown as Request;
  let passed: unknown = 'next was not called';
  await middleware()(req, {} as never, (error?: unknown) => {
    passed = error;
  });
  if (passed !== undefined && !(passed instanceof ApiProblem)) throw passed instanceof Error ? passed : new Error(String(passed));
  return { principal: req.principal, problem: passed };
}

async function signedIn(user: User, scopes: Scope[] = ['repos:read', 'repos:write']) {
  const { session, secret } = await store.sessions.create(user.id, scopes, 3600);
  const token = await jwt.issue({ userId: user.id, sessionId: session.id, scopes: ['repos:read', 'repos:write'] });
  return { session, secret, token };
}

function assertProblem(outcome: Outcome, status: number, code: string, detail?: string) {
  assert.equal(outcome.principal, undefined);
  assert.ok(outcome.problem, 'a problem was passed on');
  assert.equal(outcome.problem.status, status);
  assert.equal(outcome.problem.code, code);
  if (detail !== undefined) assert.equal(outcome.problem.detail, detail);
}

const UNAUTHORIZED = 'Missing, invalid or expired credentials.';

describe('authenticate: who calls', () => {
  test('when an operation needs no credentials, then the request passes without a principal', async () => {
    const outcome = await authenticateRequest('GET', '/api/v1/health');
    assert.deepEqual(outcome, { principal: undefined, problem: undefined });
  });

  test('when a protected operation gets no credentials, then 401 UNAUTHORIZED', async () => {
    assertProblem(await authenticateRequest('GET', '/api/v1/repos'), 401, 'UNAUTHORIZED', UNAUTHORIZED);
  });

  test('when a bearer token of a live session is sent, in any case of the scheme and with spaces around, then its user and scopes are the principal', async () => {
    const { token, session } = await signedIn(alice);
    for (const authorization of [`Bearer ${token}`, `bearer ${token}`, `BEARER ${token}`, `  Bearer ${token}  `]) {
      const { principal, problem } = await authenticateRequest('GET', '/api/v1/repos', { headers: { authorization } });
      assert.equal(problem, undefined, authorization);
      assert.equal(principal?.user.id, alice.id);
      assert.equal(principal?.session.id, session.id);
      assert.equal(principal?.via, 'bearer');
      assert.deepEqual(principal?.scopes, ['repos:read', 'repos:write']);
    }
  });

  test('when the Authorization header is not exactly one bearer token, then 401', async () => {
    const { token } = await signedIn(alice);
    for (const authorization of [`xBearer ${token}`, `Bearer ${token} extra`, `Bearer ${token}!`, 'Bearer ', `Token ${token}`, 'Basic YWxpY2U6c2VjcmV0']) {
      assertProblem(await authenticateRequest('GET', '/api/v1/repos', { headers: { authorization } }), 401, 'UNAUTHORIZED');
    }
  });

  test('when an Authorization header is sent, then it is the only credential looked at, even next to a live cookie', async () => {
    const { secret } = await signedIn(alice);
    assertProblem(await authenticateRequest('GET', '/api/v1/repos', { headers: { authorization: 'Basic YWxpY2U6c2VjcmV0' }, cookie: secret }), 401, 'UNAUTHORIZED');
  });

  test("when a token names another user's session, then 401", async () => {
    const { session } = await signedIn(alice);
    const token = await jwt.issue({ userId: bob.id, sessionId: session.id, scopes: ['repos:read', 'repos:write'] });
    assertProblem(await authenticateRequest('GET', '/api/v1/repos', { headers: { authorization: `Bearer ${token}` } }), 401, 'UNAUTHORIZED');
  });

  test('when the session of a token or a cookie is revoked, then 401', async () => {
    const { token, secret, session } = await signedIn(alice);
    await store.sessions.revoke(session.id);
    assertProblem(await authenticateRequest('GET', '/api/v1/repos', { headers: { authorization: `Bearer ${token}` } }), 401, 'UNAUTHORIZED');
    assertProblem(await authenticateRequest('GET', '/api/v1/repos', { cookie: secret }), 401, 'UNAUTHORIZED');
  });

  test('when a token claims scopes its session was not granted, then it only has the ones both name', async () => {
    const { token } = await signedIn(alice, ['repos:read']);
    const read = await authenticateRequest('GET', '/api/v1/repos', { headers: { authorization: `Bearer ${token}` } });
    assert.deepEqual(read.principal?.scopes, ['repos:read']);
    const write = await authenticateRequest('POST', '/api/v1/connections', { headers: { authorization: `Bearer ${token}` } });
    assertProblem(write, 403, 'FORBIDDEN', 'This operation needs the repos:write scope.');
  });

  test('when the session cookie of a live session is sent, then its user and its scopes are the principal', async () => {
    const { secret, session } = await signedIn(alice, ['repos:read']);
    const { principal, problem } = await authenticateRequest('GET', '/api/v1/repos', { cookie: secret });
    assert.equal(problem, undefined);
    assert.equal(principal?.user.id, alice.id);
    assert.equal(principal?.session.id, session.id);
    assert.equal(principal?.via, 'cookie');
    assert.deepEqual(principal?.scopes, ['repos:read']);
  });

  test('when the cookie is empty, unknown, too long or not text, then 401', async () => {
    for (const cookie of ['', 'not-a-session-secret', 'x'.repeat(257), ['a', 'b']]) {
      assertProblem(await authenticateRequest('GET', '/api/v1/repos', { cookie }), 401, 'UNAUTHORIZED', UNAUTHORIZED);
    }
  });

  test('when no cookie parser ran before it, then a request is judged by its Authorization header alone', async () => {
    const { token } = await signedIn(alice);
    const bearer = await authenticateRequest('GET', '/api/v1/repos', { headers: { authorization: `Bearer ${token}` }, withoutCookieParser: true });
    assert.equal(bearer.principal?.user.id, alice.id);
    assertProblem(await authenticateRequest('GET', '/api/v1/repos', { withoutCookieParser: true }), 401, 'UNAUTHORIZED', UNAUTHORIZED);
  });

  test('when an operation takes only the cookie, then a bearer token is refused with 401', async () => {
    const { token } = await signedIn(alice);
    assertProblem(await authenticateRequest('POST', '/api/v1/auth/token', { headers: { authorization: `Bearer ${token}` } }), 401, 'UNAUTHORIZED');
  });
});

describe('authenticate: writes with the cookie come from trusted pages', () => {
  const crossSite = (from: string) => `This write is authenticated by the session cookie and comes from ${from}, which is not a trusted origin; nothing was changed.`;
  const writes: Array<[method: string, path: string]> = [
    ['POST', '/api/v1/connections'],
    ['PUT', '/api/v1/me/providers/gitverse'],
    ['DELETE', '/api/v1/connections/github/1'],
  ];

  test('the writes checked are not empty', () => {
    assert.ok(writes.length > 0);
  });

  test('when a write with the cookie comes from another origin, then 403 CROSS_SITE_REQUEST naming it', async () => {
    const { secret } = await signedIn(alice);
    for (const [method, path] of writes) {
      const outcome = await authenticateRequest(method, path, { cookie: secret, headers: { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' } });
      assertProblem(outcome, 403, 'CROSS_SITE_REQUEST', crossSite('https://evil.example'));
    }
  });

  test('when a write with the cookie names no origin but the browser says another site, then 403 saying so', async () => {
    const { secret } = await signedIn(alice);
    const fromAnotherSite: Array<Record<string, string>> = [{ 'sec-fetch-site': 'cross-site' }, { origin: '', 'sec-fetch-site': 'same-site' }];
    for (const headers of fromAnotherSite) {
      const outcome = await authenticateRequest('POST', '/api/v1/connections', { cookie: secret, headers });
      assertProblem(outcome, 403, 'CROSS_SITE_REQUEST', crossSite(`a page of another site (Sec-Fetch-Site: ${headers['sec-fetch-site']})`));
    }
  });

  test('when a write with the cookie comes from a trusted origin, the same origin, or no browser, then it passes', async () => {
    const { secret } = await signedIn(alice);
    const passing: Array<Record<string, string>> = [{ origin: TRUSTED, 'sec-fetch-site': 'cross-site' }, { 'sec-fetch-site': 'same-origin' }, { 'sec-fetch-site': 'none' }, { origin: '' }, {}];
    for (const headers of passing) {
      const outcome = await authenticateRequest('POST', '/api/v1/connections', { cookie: secret, headers });
      assert.equal(outcome.problem, undefined, JSON.stringify(headers));
      assert.equal(outcome.principal?.via, 'cookie');
    }
  });

  test('when a read with the cookie, or a write with a bearer token, comes from another site, then it passes', async () => {
    const { secret, token } = await signedIn(alice);
    const evil = { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' };
    assert.equal((await authenticateRequest('GET', '/api/v1/repos', { cookie: secret, headers: evil })).problem, undefined);
    assert.equal((await authenticateRequest('POST', '/api/v1/connections', { headers: { ...evil, authorization: `Bearer ${token}` } })).problem, undefined);
  });
});

describe('identifyOperation and principalOf', () => {
  test('the operation of a request is named before anything else runs', () => {
    const req = { method: 'GET', path: '/api/v1/repos' } as Request;
    let called = false;
    identifyOperation(operations)(req, {} as never, () => {
      called = true;
    });
    assert.ok(called);
    assert.equal(req.operation?.operationId, 'listRepositories');
  });

  test('paths are named in any letter case and with a trailing slash, as Express and the validator route them', () => {
    for (const path of ['/API/V1/REPOS', '/api/v1/Repos/', '/api/v1/repos']) {
      assert.equal(operations.find('GET', path)?.operationId, 'listRepositories', path);
    }
    const connection = operations.find('DELETE', '/Api/V1/Connections/github/42/');
    assert.equal(connection?.operationId, 'disconnectRepository');
    assert.deepEqual(operations.pathParams(connection!, '/Api/V1/Connections/github/42/'), { provider: 'github', repo_id: '42' });
    assert.equal(operations.find('HEAD', '/api/v1/health')?.operationId, 'getHealth');
    assert.equal(operations.find('PATCH', '/api/v1/repos'), undefined);
    assert.equal(operations.find('GET', '/api/v1/repos/x'), undefined);
  });

  test('a handler reached without a principal answers 401, never a principal of nobody', () => {
    assert.throws(() => principalOf({}), (error: unknown) => error instanceof ApiProblem && error.status === 401 && error.code === 'UNAUTHORIZED');
  });
});
