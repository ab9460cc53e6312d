import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, test } from 'vitest';
import createClient from 'openapi-fetch';
import { bearerToken, RENEW_PATH } from '../../clients/typescript/src/renew.ts';
import type { paths } from '../../src/api/schema.d.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { openDb } from '../../src/store/db.ts';
import { createStore } from '../../src/store/index.ts';
import { migrate } from '../../src/store/migrations.ts';
import { generateRepos } from '../fakes/github/index.ts';
import { appFetch, startTestApp, type SignedIn, type TestApp } from '../support/harness.ts';
import { impatientHosts } from '../support/deadlines.ts';
import { problemOf } from '../support/problems.ts';

async function startSignIn(t: TestApp, login: string) {
  const start = await appFetch(`${t.baseUrl}/api/v1/auth/github/login`, { redirect: 'manual' });
  assert.equal(start.status, 302);
  const oauthCookie = start.headers.getSetCookie().map((c) => c.split(';')[0] ?? '').find((c) => c.startsWith('__Host-rapi_oauth=')) ?? '';
  const authorize = new URL(start.headers.get('location') ?? '');
  authorize.searchParams.set('login', login);
  const approved = await appFetch(authorize, { redirect: 'manual' });
  return { start, authorize, oauthCookie, callback: new URL(approved.headers.get('location') ?? '') };
}

describe('GitHub sign-in', () => {
  let t: TestApp;
  beforeAll(async () => {
    // One test waits for GitHub's deadline on the code exchange to pass.
    t = await startTestApp({ fake: { users: [{ login: 'octocat', name: 'The Octocat' }] }, env: impatientHosts() });
  });
  afterAll(() => t.close());

  test('the login redirect carries state and an S256 PKCE challenge, and sets an HttpOnly Secure SameSite state cookie', async () => {
    const { start, authorize } = await startSignIn(t, 'octocat');
    assert.equal(authorize.origin, t.fake.baseUrl);
    assert.equal(authorize.pathname, '/login/oauth/authorize');
    assert.equal(authorize.searchParams.get('code_challenge_method'), 'S256');
    assert.match(authorize.searchParams.get('code_challenge') ?? '', /^[A-Za-z0-9_-]{43}$/);
    assert.ok((authorize.searchParams.get('state') ?? '').length >= 32);
    assert.equal(authorize.searchParams.get('redirect_uri'), `${t.baseUrl}/api/v1/auth/github/callback`);
    const cookie = start.headers.getSetCookie().find((c) => c.startsWith('__Host-rapi_oauth=')) ?? '';
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /Secure/);
    assert.match(cookie, /SameSite=Lax/);
  });

  test('when the callback completes, then a JWT answer and an HttpOnly session cookie, and me says who signed in', async () => {
    const { oauthCookie, callback } = await startSignIn(t, 'octocat');
    const done = await appFetch(callback, { headers: { cookie: oauthCookie } });
    assert.equal(done.status, 200);
    const body = (await done.json()) as { access_token: string; token_type: string; scope: string; user: { login: string } };
    assert.equal(body.token_type, 'Bearer');
    assert.equal(body.scope, 'repos:read repos:write');
    assert.equal(body.user.login, 'octocat');
    const session = done.headers.getSetCookie().find((c) => c.startsWith('__Host-rapi_session=')) ?? '';
    assert.match(session, /HttpOnly/);
    assert.match(session, /Secure/);
    assert.match(session, /SameSite=Lax/);
    const me = await t.client(body.access_token).GET('/api/v1/me');
    assert.equal(me.data?.user.name, 'The Octocat');
    assert.deepEqual(me.data?.providers.map((p) => [p.provider, p.token_status]), [['github', 'valid'], ['gitverse', 'not_linked'], ['gitlab', 'not_linked'], ['bitbucket', 'not_linked']]);
  });

  test('when the callback comes without the state cookie, then 400 VALIDATION_FAILED on query.state', async () => {
    const { callback } = await startSignIn(t, 'octocat');
    const res = await appFetch(callback);
    assert.equal(res.status, 400);
    const body = (await res.json()) as { code: string; field_errors: Record<string, string> };
    assert.equal(body.code, 'VALIDATION_FAILED');
    assert.ok(body.field_errors['query.state']);
  });

  test('when the state does not match the one that was started, then 400', async () => {
    const { oauthCookie, callback } = await startSignIn(t, 'octocat');
    callback.searchParams.set('state', 'not-the-state-we-sent');
    const res = await appFetch(callback, { headers: { cookie: oauthCookie } });
    assert.equal(res.status, 400);
  });

  test('when the user denies access on GitHub, then 401 UNAUTHORIZED', async () => {
    const { oauthCookie, authorize } = await startSignIn(t, 'octocat');
    const url = new URL(`${t.baseUrl}/api/v1/auth/github/callback`);
    url.searchParams.set('error', 'access_denied');
    url.searchParams.set('state', authorize.searchParams.get('state') ?? '');
    const res = await appFetch(url, { headers: { cookie: oauthCookie } });
    assert.equal(res.status, 401);
    assert.match(((await res.json()) as { detail: string }).detail, /denied/);
  });

  test('when the code was already used, then 401 UNAUTHORIZED', async () => {
    const first = await startSignIn(t, 'octocat');
    assert.equal((await appFetch(first.callback, { headers: { cookie: first.oauthCookie } })).status, 200);
    // The used code, brought back under a sign-in of its own (a fresh state): GitHub refuses it.
    const second = await startSignIn(t, 'octocat');
    second.callback.searchParams.set('code', first.callback.searchParams.get('code') ?? '');
    const again = await appFetch(second.callback, { headers: { cookie: second.oauthCookie } });
    assert.equal(again.status, 401);
  });

  test('when a completed sign-in is replayed with its state cookie, even with a fresh code for that state, then 400: the state is single-use', async () => {
    const { oauthCookie, callback, authorize } = await startSignIn(t, 'octocat');
    assert.equal((await appFetch(callback, { headers: { cookie: oauthCookie } })).status, 200);
    const approvedAgain = await appFetch(authorize, { redirect: 'manual' });
    const fresh = new URL(approvedAgain.headers.get('location') ?? '');
    assert.notEqual(fresh.searchParams.get('code'), callback.searchParams.get('code'));
    const replay = await appFetch(fresh, { headers: { cookie: oauthCookie } });
    assert.equal(replay.status, 400);
    assert.ok(((await replay.json()) as { field_errors: Record<string, string> }).field_errors['query.state']);
  });

  test('when GitHub fails during the code exchange, then 502 UPSTREAM_UNAVAILABLE', async () => {
    const { oauthCookie, callback } = await startSignIn(t, 'octocat');
    t.fake.state.injectFault({ route: '/login/oauth/access_token', kind: 503, times: 1 });
    const res = await appFetch(callback, { headers: { cookie: oauthCookie } });
    assert.equal(res.status, 502);
    assert.equal(((await res.json()) as { code: string }).code, 'UPSTREAM_UNAVAILABLE');
  });

  test('when GitHub does not answer the code exchange in time, then 504 UPSTREAM_TIMEOUT', async () => {
    const { oauthCookie, callback } = await startSignIn(t, 'octocat');
    t.fake.state.injectFault({ route: '/login/oauth/access_token', kind: 'timeout', times: 1 });
    const res = await appFetch(callback, { headers: { cookie: oauthCookie } });
    assert.equal(res.status, 504);
  });

  test('when GitHub revoked the token, then me reports it rejected while the app session stays valid', async () => {
    const signed = await t.signIn('octocat');
    t.fake.state.injectFault({ route: '/user', kind: 'badCredentials', times: 1 });
    const me = await signed.api.GET('/api/v1/me');
    assert.equal(me.response.status, 200);
    assert.equal(me.data?.providers[0]?.token_status, 'rejected');
  });
});

describe('sign-in with a post-sign-in page configured', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ fake: { users: [{ login: 'octocat' }] }, env: { POST_LOGIN_REDIRECT: 'https://app.example.com/picker' } });
  });
  afterAll(() => t.close());

  test('when the callback completes, then 303 to that page with the session cookie', async () => {
    const { oauthCookie, callback } = await startSignIn(t, 'octocat');
    const res = await appFetch(callback, { headers: { cookie: oauthCookie }, redirect: 'manual' });
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), 'https://app.example.com/picker');
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('__Host-rapi_session=')) ?? '';
    const me = await appFetch(`${t.baseUrl}/api/v1/me`, { headers: { cookie: cookie.split(';')[0] ?? '' } });
    assert.equal(me.status, 200);
  });
});

describe('secrets at rest and in logs', () => {
  test('when SECRET_KEY changes between two starts, then calls that need the host token answer 401 SESSION_EXPIRED', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rapi-key-'));
    const users = [{ login: 'octocat' }];
    try {
      const first = await startTestApp({ fake: { users }, env: { DATA_DIR: dir, SECRET_KEY: 'first-secret-key-0123456789-abcdefghij', JWT_SECRET: 'jwt-secret-kept-0123456789-abcdefghijkl' } });
      const signed = await first.signIn('octocat');
      assert.equal((await signed.api.GET('/api/v1/repos')).response.status, 200);
      await first.close();

      const second = await startTestApp({ fake: { users }, env: { DATA_DIR: dir, SECRET_KEY: 'second-secret-key-0123456789-abcdefghi', JWT_SECRET: 'jwt-secret-kept-0123456789-abcdefghijkl' } });
      try {
        const attempts: Array<Record<string, string>> = [{ authorization: `Bearer ${signed.token}` }, { cookie: signed.cookie }];
        for (const headers of attempts) {
          const res = await appFetch(`${second.baseUrl}/api/v1/repos`, { headers });
          assert.equal(res.status, 401);
          const body = (await res.json()) as { code: string; detail: string };
          assert.equal(body.code, 'SESSION_EXPIRED');
          assert.equal(body.detail, 'Session expired — please log out and sign in again to reconnect your GitHub account.');
        }
        const me = await appFetch(`${second.baseUrl}/api/v1/me`, { headers: { cookie: signed.cookie } });
        assert.equal(((await me.json()) as { providers: Array<{ token_status: string }> }).providers[0]?.token_status, 'undecryptable');
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a full sign-in, listing and connect leave no token, cookie or OAuth code in any log line or in the database', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const db = await openDb({ dataDir: 'memory://' });
    await migrate(db);
    const t = await startTestApp({
      fake: { users: [{ login: 'octocat', token: 'gho_supersecrettoken0123456789' }] },
      overrides: { logger: createLogger('debug', sink), store: createStore(db, loadConfig({ NODE_ENV: 'test' }).secretKey) },
    });
    try {
      const { oauthCookie, callback } = await startSignIn(t, 'octocat');
      const code = callback.searchParams.get('code') ?? '';
      const done = await appFetch(callback, { headers: { cookie: oauthCookie } });
      const { access_token } = (await done.json()) as { access_token: string };
      const session = (done.headers.getSetCookie().find((c) => c.startsWith('__Host-rapi_session=')) ?? '').split(';')[0] ?? '';
      const api = t.client(access_token);
      const list = await api.GET('/api/v1/repos');
      assert.equal(list.response.status, 200);
      await appFetch(`${t.baseUrl}/api/v1/me`, { headers: { cookie: session } });
      t.fake.state.injectFault({ route: '/user/repos', kind: 500, times: 1 });
      await api.GET('/api/v1/repos', { params: { query: { refresh: true } } });

      const secrets = ['gho_supersecrettoken0123456789', access_token, session.split('=')[1] ?? '', oauthCookie.split('=')[1] ?? '', code, t.app.services.config.secretKey];
      assert.ok(lines.length > 5, 'the logs were captured');
      const log = lines.join('');
      for (const secret of secrets) {
        assert.ok(secret.length >= 10);
        assert.ok(!log.includes(secret), `a log line contains a secret: ${secret.slice(0, 6)}…`);
      }
      const rows = await Promise.all(
        ['users', 'host_tokens', 'sessions', 'installations'].map((table) => db.query(`SELECT * FROM ${table}`)),
      );
      const dump = JSON.stringify(rows);
      assert.ok(dump.includes('octocat'), 'the dump holds the data');
      assert.ok(!dump.includes('gho_supersecrettoken0123456789'), 'the host token is not in the database in plain text');
      assert.ok(!dump.includes(session.split('=')[1] ?? '###'), 'the session secret is not in the database');
    } finally {
      await t.close();
      await db.close();
    }
  });
});

describe('renewing the bearer token from the session', () => {
  const TRUSTED = 'http://localhost:5173';
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ fake: { users: [{ login: 'octocat' }] }, env: { CORS_ORIGINS: TRUSTED } });
  });
  afterAll(() => t.close());

  const renew = (headers: Record<string, string>) => appFetch(`${t.baseUrl}/api/v1/auth/token`, { method: 'POST', headers });

  /** A client as a browser page uses it with `credentials: 'include'`: the cookie goes with the renewal. */
  function browserClient(cookie: string) {
    const seen: string[] = [];
    let renewals = 0;
    const client = createClient<paths>({
      baseUrl: t.baseUrl,
      fetch: async (request: Request) => {
        if (new URL(request.url).pathname === RENEW_PATH) {
          renewals += 1;
          request.headers.set('cookie', cookie);
        }
        const res = await appFetch(request);
        seen.push(`${request.method} ${new URL(request.url).pathname} ${res.status}`);
        return res;
      },
    });
    return {
      client,
      seen,
      get renewals() {
        return renewals;
      },
    };
  }

  test('when a live session sends its cookie, then it gets a fresh bearer token with the session scopes that lists repositories', async () => {
    const { cookie } = await t.signIn('octocat');
    const res = await renew({ cookie });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    const body = (await res.json()) as { access_token: string; token_type: string; expires_in: number; scope: string };
    assert.equal(body.token_type, 'Bearer');
    assert.equal(body.scope, 'repos:read repos:write');
    assert.equal(body.expires_in, t.app.services.jwt.ttlSeconds);
    const listed = await t.client(body.access_token).GET('/api/v1/repos');
    assert.equal(listed.response.status, 200);
  });

  test('when the request comes from the API itself or a trusted origin, or from no browser at all, then it is answered', async () => {
    const { cookie } = await t.signIn('octocat');
    const answered: Record<string, string>[] = [{ origin: t.baseUrl, 'sec-fetch-site': 'same-origin' }, { origin: TRUSTED, 'sec-fetch-site': 'same-site' }, { 'sec-fetch-site': 'same-origin' }, { 'sec-fetch-site': 'none' }, {}];
    for (const headers of answered) {
      assert.equal((await renew({ cookie, ...headers })).status, 200, JSON.stringify(headers));
    }
  });

  test('when the request comes from another site, then it is refused with 403 CROSS_SITE_REQUEST and no token', async () => {
    const { cookie } = await t.signIn('octocat');
    const refused: Record<string, string>[] = [
      { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
      { origin: 'http://localhost:5174', 'sec-fetch-site': 'same-site' },
      { origin: 'null' },
      { 'sec-fetch-site': 'cross-site' },
      { 'sec-fetch-site': 'same-site' },
    ];
    for (const headers of refused) {
      const res = await renew({ cookie, ...headers });
      assert.equal(res.status, 403, JSON.stringify(headers));
      const body = (await res.json()) as { code: string; access_token?: string };
      assert.equal(body.code, 'CROSS_SITE_REQUEST');
      assert.equal(body.access_token, undefined);
    }
  });

  test('when the session is signed out, or only a bearer token is sent, then it is 401', async () => {
    const { cookie, token } = await t.signIn('octocat');
    assert.equal((await renew({ authorization: `Bearer ${token}` })).status, 401);
    assert.equal((await renew({ authorization: `Bearer ${token}`, cookie })).status, 401);
    assert.equal((await appFetch(`${t.baseUrl}/api/v1/auth/logout`, { method: 'POST', headers: { cookie } })).status, 204);
    assert.equal((await renew({ cookie })).status, 401);
  });

  test('when the client middleware gets a 401 with a stale token, then it renews once with the cookie and repeats the request', async () => {
    const { cookie } = await t.signIn('octocat');
    const browser = browserClient(cookie);
    const { client, seen } = browser;
    const tokens: string[] = [];
    client.use(bearerToken({ token: 'stale.token.value', onToken: (fresh) => tokens.push(fresh) }));
    const [first, second] = await Promise.all([client.GET('/api/v1/repos'), client.GET('/api/v1/me')]);
    assert.equal(first.response.status, 200);
    assert.equal(second.response.status, 200);
    assert.equal(browser.renewals, 1, seen.join('\n'));
    assert.equal(tokens.length, 1);
    const connected = await client.POST('/api/v1/connections', { body: { provider: 'github', repo_id: 1 } });
    assert.notEqual(connected.response.status, 401);
  });

  test('when the session is gone, then the middleware leaves the 401 as it was after one renewal attempt', async () => {
    const { cookie } = await t.signIn('octocat');
    await appFetch(`${t.baseUrl}/api/v1/auth/logout`, { method: 'POST', headers: { cookie } });
    const browser = browserClient(cookie);
    const { client } = browser;
    client.use(bearerToken({ token: 'stale.token.value' }));
    const { response, error } = await client.GET('/api/v1/repos');
    assert.equal(response.status, 401);
    assert.equal(error?.code, 'UNAUTHORIZED');
    assert.equal(browser.renewals, 1);
  });
});

describe('cookie sessions: cross-site writes, __Host- cookies, no-store', () => {
  let t: TestApp;
  let me: SignedIn;
  const trusted = 'https://app.example.com';
  beforeAll(async () => {
    t = await startTestApp({
      fake: { users: [{ login: 'octocat', repos: generateRepos(30, { owner: { login: 'octocat' }, seed: 3 }) }] },
      env: { CORS_ORIGINS: trusted },
    });
    me = await t.signIn('octocat');
  });
  afterAll(() => t.close());

  const withCookie = (path: string, method: string, headers: Record<string, string> = {}) =>
    appFetch(`${t.baseUrl}${path}`, { method, headers: { cookie: me.cookie, ...headers } });

  test('when a cookie-authenticated sign-out comes from another origin with a form content type, then 403 CROSS_SITE_REQUEST and the session still works', async () => {
    const res = await withCookie('/api/v1/auth/logout', 'POST', { origin: 'https://evil.example.com', 'content-type': 'application/x-www-form-urlencoded' });
    assert.equal(res.status, 403);
    const problem = await problemOf(res);
    assert.equal(problem.code, 'CROSS_SITE_REQUEST');
    assert.equal((await withCookie('/api/v1/me', 'GET')).status, 200);
  });

  test('when a cookie-authenticated write comes from a sibling subdomain (Sec-Fetch-Site: same-site, no Origin), then 403 CROSS_SITE_REQUEST and nothing changes', async () => {
    const repoId = (await me.api.GET('/api/v1/repos')).data?.repositories[0]?.id ?? assert.fail();
    const res = await appFetch(`${t.baseUrl}/api/v1/connections`, {
      method: 'POST',
      headers: { cookie: me.cookie, 'sec-fetch-site': 'same-site', 'content-type': 'application/json' },
      body: JSON.stringify({ provider: 'github', repo_id: repoId }),
    });
    assert.equal(res.status, 403);
    assert.equal((await problemOf(res)).code, 'CROSS_SITE_REQUEST');
    const del = await withCookie(`/api/v1/connections/github/${repoId}`, 'DELETE', { origin: 'https://sub.example.com' });
    assert.equal(del.status, 403);
    assert.deepEqual((await me.api.GET('/api/v1/connections')).data?.connections, []);
  });

  test('when a cookie-authenticated write comes from a trusted origin or this service itself, or a bearer token comes from anywhere, then it is not refused', async () => {
    const repoId = (await me.api.GET('/api/v1/repos')).data?.repositories[1]?.id ?? assert.fail();
    const fromTrusted = await appFetch(`${t.baseUrl}/api/v1/connections`, {
      method: 'POST',
      headers: { cookie: me.cookie, origin: trusted, 'sec-fetch-site': 'same-site', 'content-type': 'application/json' },
      body: JSON.stringify({ provider: 'github', repo_id: repoId }),
    });
    assert.equal(fromTrusted.status, 201);
    assert.equal((await withCookie(`/api/v1/connections/github/${repoId}`, 'DELETE', { origin: new URL(t.baseUrl).origin })).status, 204);
    const bearer = await appFetch(`${t.baseUrl}/api/v1/connections/github/${repoId}`, { method: 'DELETE', headers: { authorization: `Bearer ${me.token}`, origin: 'https://evil.example.com' } });
    assert.equal(bearer.status, 404, 'not connected any more, and not refused as cross-site');
  });

  test('when cookies are Secure, then the session and sign-in state cookies are __Host- cookies (Secure, Path=/, no Domain), and a planted rapi_session does not authenticate', async () => {
    const start = await appFetch(`${t.baseUrl}/api/v1/auth/github/login`, { redirect: 'manual' });
    const oauth = start.headers.getSetCookie().find((c) => c.startsWith('__Host-rapi_oauth=')) ?? assert.fail('no __Host-rapi_oauth cookie');
    const signed = await t.signIn('octocat');
    const [name, secret] = signed.cookie.split('=');
    assert.equal(name, '__Host-rapi_session');
    for (const cookie of [oauth]) {
      assert.match(cookie, /; Secure/);
      assert.match(cookie, /; Path=\/(;|$)/);
      assert.doesNotMatch(cookie, /Domain=/i);
    }
    const planted = await appFetch(`${t.baseUrl}/api/v1/me`, { headers: { cookie: `rapi_session=${secret}` } });
    assert.equal(planted.status, 401);
  });

  test("when GitHub's denial redirect (error_description written with +) reaches the callback, then the documented 401", async () => {
    const start = await appFetch(`${t.baseUrl}/api/v1/auth/github/login`, { redirect: 'manual' });
    const oauthCookie = start.headers.getSetCookie().map((c) => c.split(';')[0] ?? '').find((c) => c.startsWith('__Host-rapi_oauth=')) ?? '';
    const authorize = new URL(start.headers.get('location') ?? '');
    authorize.searchParams.set('login', 'nobody-at-all');
    const denied = await appFetch(authorize, { redirect: 'manual' });
    const callback = denied.headers.get('location') ?? '';
    assert.match(callback, /error_description=The\+user\+has\+denied/, "GitHub's own encoding");
    const res = await appFetch(callback, { headers: { cookie: oauthCookie } });
    assert.equal(res.status, 401);
    const problem = await problemOf(res);
    assert.equal(problem.code, 'UNAUTHORIZED');
    assert.match(problem.detail, /denied/);
  });

  test('when an answer carries a token or a person\'s data (sign-in, me, connections), then Cache-Control: no-store', async () => {
    const start = await appFetch(`${t.baseUrl}/api/v1/auth/github/login`, { redirect: 'manual' });
    const oauthCookie = start.headers.getSetCookie().map((c) => c.split(';')[0] ?? '').find((c) => c.startsWith('__Host-rapi_oauth=')) ?? '';
    const authorize = new URL(start.headers.get('location') ?? '');
    authorize.searchParams.set('login', 'octocat');
    const approved = await appFetch(authorize, { redirect: 'manual' });
    const callback = await appFetch(approved.headers.get('location') ?? '', { headers: { cookie: oauthCookie } });
    assert.equal(callback.status, 200);
    assert.equal(callback.headers.get('cache-control'), 'no-store');
    assert.equal(callback.headers.get('pragma'), 'no-cache');
    const me2 = await me.api.GET('/api/v1/me');
    assert.equal(me2.response.headers.get('cache-control'), 'no-store');
    const connections = await me.api.GET('/api/v1/connections');
    assert.equal(connections.response.headers.get('cache-control'), 'no-store');
  });
});
