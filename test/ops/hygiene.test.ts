/**
 * Secrets hygiene and browser-facing headers of the real process. Everything it writes at debug level
 * (stdout and stderr, across a crash and a restart) and every answer it gives is captured, and none
 * may carry a credential. Plus helmet's security headers on every answer, and CORS only for the
 * configured origins.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { generateRepos, startFakeGitHub, type FakeGitHub } from '../fakes/github/index.ts';
import {
  baseEnv,
  checkedFetch,
  killAll,
  OPS_CLIENT,
  startAppProcess,
  tempDataDir,
  type AppProcess,
  type Exchange,
  type SignedIn,
} from './support.ts';
import { apiClient, signIn } from '../support/client.ts';
import { assertEvery } from '../support/assertions.ts';

const ALLOWED = ['https://app.example.com', 'https://admin.example.com'];
const OTHERS = ['https://evil.example.com', 'https://app.example.com.evil.example', 'http://app.example.com', 'null'];

describe('secrets hygiene, security headers and CORS of the app process', () => {
  const secretKey = `hygiene-${randomBytes(24).toString('hex')}`;
  const githubToken = `gho_${randomBytes(18).toString('hex')}`;
  const repos = generateRepos(8, { owner: { login: 'kai' }, seed: 60 });
  const exchanges: Exchange[] = [];
  /** Every line of every run of the process. */
  const lines: string[] = [];
  let fake: FakeGitHub;
  let data: Awaited<ReturnType<typeof tempDataDir>>;
  let env: Record<string, string>;
  let app: AppProcess;
  let kai: SignedIn;
  /** A second sign-in whose callback is replayed: its code is a secret too. */
  let replayedCode = '';

  const recorded = { record: exchanges };
  const unchecked = checkedFetch({ record: exchanges, check: false });

  beforeAll(async () => {
    fake = await startFakeGitHub({ clientId: OPS_CLIENT.id, clientSecret: OPS_CLIENT.secret, users: [{ login: 'kai', token: githubToken, repos }] });
    data = await tempDataDir();
    env = {
      ...baseEnv(fake.baseUrl),
      DATA_DIR: data.dataDir,
      LOG_LEVEL: 'debug',
      SECRET_KEY: secretKey,
      GITHUB_TIMEOUT_MS: '1000',
      CORS_ORIGINS: ALLOWED.join(','),
    };
    app = await startAppProcess(env);
  });
  afterAll(async () => {
    await killAll();
    await fake?.close();
    await data?.cleanup();
  });

  test('sign-in, listing, connect, upstream failures, a crash and a restart all run as expected', async () => {
    kai = await signIn(app.baseUrl, 'kai', recorded);
    const bearer = apiClient(app.baseUrl, { token: kai.token }, recorded);
    const cookie = apiClient(app.baseUrl, { cookie: kai.cookie }, recorded);
    assert.equal((await bearer.GET('/api/v1/me')).data?.providers.find((p) => p.provider === 'github')?.token_status, 'valid');
    assert.equal((await cookie.GET('/api/v1/me')).response.status, 200);
    assert.equal((await bearer.GET('/api/v1/repos')).data?.total, repos.length);
    const repo = repos[0] ?? assert.fail('no fixture');
    assert.equal((await cookie.POST('/api/v1/connections', { body: { provider: 'github', repo_id: repo.id } })).response.status, 201);
    const other = repos[1] ?? assert.fail('no fixture');
    assert.equal((await bearer.POST('/api/v1/connections', { body: { provider: 'github', repo_id: other.id } })).response.status, 201);
    const path = { params: { path: { provider: 'github', repo_id: other.id } } } as const;
    assert.equal((await bearer.DELETE('/api/v1/connections/{provider}/{repo_id}', path)).response.status, 204);

    // A replayed callback: its sign-in state has been used.
    const start = await unchecked(`${app.baseUrl}/api/v1/auth/github/login`, { redirect: 'manual' });
    const oauthCookie = start.headers.getSetCookie().map((c) => c.split(';')[0] ?? '').find((c) => c.startsWith('__Host-rapi_oauth='));
    const authorize = new URL(start.headers.get('location') ?? '');
    authorize.searchParams.set('login', 'kai');
    const callback = (await fetch(authorize, { redirect: 'manual' })).headers.get('location') ?? assert.fail('no callback');
    replayedCode = new URL(callback).searchParams.get('code') ?? '';
    const fetchRecorded = checkedFetch(recorded);
    assert.equal((await fetchRecorded(callback, { headers: { cookie: oauthCookie ?? '' } })).status, 200);
    assert.equal((await fetchRecorded(callback, { headers: { cookie: oauthCookie ?? '' } })).status, 400, 'the sign-in state is used once');

    // GitHub failing in several ways.
    const refresh = { params: { query: { refresh: true } } } as const;
    fake.state.injectFault({ route: '/user/repos', kind: 500, times: 1 });
    assert.equal((await bearer.GET('/api/v1/repos', refresh)).response.status, 502);
    fake.state.injectFault({ route: '/user/repos', kind: 'badCredentials', times: 1 });
    assert.equal((await bearer.GET('/api/v1/repos', refresh)).error?.code, 'GITHUB_AUTH');
    fake.state.injectFault({ route: '/user/repos', kind: 'timeout', times: 1 });
    assert.equal((await bearer.GET('/api/v1/repos', refresh)).response.status, 504);
    fake.state.injectFault({ route: '/user', kind: 'reset', times: 1 });
    assert.equal((await bearer.GET('/api/v1/me')).data?.providers.find((p) => p.provider === 'github')?.token_status, 'unknown');
    // Credentials that do not work.
    assert.equal((await apiClient(app.baseUrl, { token: `${kai.token}x` }, recorded).GET('/api/v1/me')).response.status, 401);

    // A crash, and a restart on the same database: the process that answers the tests below.
    app.signal('SIGKILL');
    await app.exited;
    lines.push(...app.lines);
    app = await startAppProcess(env);
    const after = apiClient(app.baseUrl, { token: kai.token }, recorded);
    assert.equal((await after.GET('/api/v1/repos')).data?.repositories.find((r) => r.id === repo.id)?.is_connected, true);
    assert.equal((await apiClient(app.baseUrl, { cookie: kai.cookie }, recorded).GET('/api/v1/me')).response.status, 200);
  });

  test('every answer has the security headers: nosniff, HSTS, a content security policy, and no X-Powered-By', async () => {
    // An unknown path and a redirect too, not only the answers above.
    await unchecked(`${app.baseUrl}/api/v1/no-such-thing`);
    await unchecked(`${app.baseUrl}/api/v1/auth/github/login`, { redirect: 'manual' });
    const statuses = new Set(exchanges.map((e) => e.status));
    for (const status of [200, 201, 204, 302, 401, 403, 404, 502, 504]) assert.ok(statuses.has(status), `an answer with ${status} was checked`);
    for (const e of exchanges) {
      const where = `${e.method} ${new URL(e.url).pathname} (${e.status})`;
      assert.equal(e.headers.get('x-content-type-options'), 'nosniff', where);
      assert.match(e.headers.get('strict-transport-security') ?? '', /max-age=\d+/, where);
      assert.match(e.headers.get('content-security-policy') ?? '', /default-src 'none'/, where);
      assert.equal(e.headers.get('x-powered-by'), null, where);
    }
  });

  test('when the process runs, then Prometheus metrics answer on the metrics port it logs, and the API port answers 404 for /api/v1/metrics', async () => {
    const line = await app.waitForLine(/Prometheus metrics on http:\/\/127\.0\.0\.1:\d+\/metrics/);
    const url = /(http:\/\/127\.0\.0\.1:\d+\/metrics)/.exec(line)?.[1] ?? assert.fail(line);
    assert.notEqual(new URL(url).port, String(app.port));
    const metrics = await fetch(url);
    assert.equal(metrics.status, 200);
    assert.match(await metrics.text(), /^# TYPE http_requests_total counter/m);
    assert.equal((await unchecked(`${app.baseUrl}/api/v1/metrics`)).status, 404);
  });

  test('CORS: a listed origin gets itself back on preflights and requests, credentials allowed; other origins get nothing, and never *', async () => {
    const preflight = (origin: string) =>
      unchecked(`${app.baseUrl}/api/v1/repos`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' },
      });
    const simple = (origin: string, path = '/api/v1/health', headers: Record<string, string> = {}) =>
      unchecked(`${app.baseUrl}${path}`, { headers: { origin, ...headers } });
    const bearer = { authorization: `Bearer ${kai.token}` };

    for (const origin of ALLOWED) {
      const pre = await preflight(origin);
      assert.equal(pre.status, 204, origin);
      assert.equal(pre.headers.get('access-control-allow-origin'), origin);
      assert.equal(pre.headers.get('access-control-allow-credentials'), 'true');
      assert.match(pre.headers.get('access-control-allow-methods') ?? '', /GET/);
      assert.match(pre.headers.get('vary') ?? '', /Origin/i);
      for (const res of [await simple(origin), await simple(origin, '/api/v1/repos', bearer), await simple(origin, '/api/v1/repos')]) {
        assert.equal(res.headers.get('access-control-allow-origin'), origin, `${origin} ${res.url} ${res.status}`);
        assert.equal(res.headers.get('access-control-allow-credentials'), 'true');
        assert.match(res.headers.get('access-control-expose-headers') ?? '', /Retry-After/);
      }
    }
    for (const origin of OTHERS) {
      for (const res of [await preflight(origin), await simple(origin), await simple(origin, '/api/v1/repos', bearer)]) {
        assert.equal(res.headers.get('access-control-allow-origin'), null, `${origin} ${res.url} ${res.status}`);
        assert.equal(res.headers.get('access-control-allow-credentials'), null, `${origin} ${res.url} ${res.status}`);
      }
    }
    assertEvery(exchanges, (e) => e.headers.get('access-control-allow-origin') !== '*', 'never *');
  });

  test('no log line (both runs, debug level) and no answer above carries the GitHub token, the session cookie, the JWT, an OAuth code, the client secret or SECRET_KEY', async () => {
    assert.deepEqual(await app.stop(), { code: 0, signal: null });
    lines.push(...app.lines);
    const jwtSignature = kai.token.split('.')[2] ?? assert.fail('not a JWT');
    const secrets: Record<string, string> = {
      'the GitHub token': githubToken,
      'the session cookie value': kai.cookieValue,
      'the JWT': kai.token,
      "the JWT's signature": jwtSignature,
      'the OAuth code': kai.code,
      'the replayed OAuth code': replayedCode,
      'the OAuth client secret': OPS_CLIENT.secret,
      SECRET_KEY: secretKey,
    };
    for (const [name, value] of Object.entries(secrets)) assert.ok(value.length >= 16, `${name} is long enough to search for`);

    // The logs had something to say about every step, so their silence on secrets means something.
    assert.ok(lines.length >= 20, `${lines.length} log lines`);
    assert.ok(lines.some((l) => /auth\/github\/callback\?[^"]*code=(%5B|\[)redacted/.test(l)), 'the callback was logged, its code redacted');
    assert.ok(lines.some((l) => /"level":50/.test(l) && /GitHub/.test(l)), 'the upstream failure was logged as an error');
    for (const line of lines) {
      for (const [name, value] of Object.entries(secrets)) assert.ok(!line.includes(value), `a log line carries ${name}: ${line}`);
    }

    assert.ok(exchanges.length >= 15, `${exchanges.length} answers`);
    const callbacks = exchanges.filter((e) => e.url.includes('/auth/github/callback') && e.status === 200);
    assert.equal(callbacks.length, 2);
    for (const e of exchanges) {
      let body = e.body;
      let headers: string[] = [];
      e.headers.forEach((value, name) => headers.push(`${name}: ${value}`));
      if (callbacks.includes(e)) {
        // Sign-in delivers the JWT in its body and the session in its cookie: only there.
        const { access_token, ...rest } = JSON.parse(e.body) as { access_token: string };
        assert.equal(typeof access_token, 'string');
        body = JSON.stringify(rest);
        headers = headers.map((h) => (h.startsWith('set-cookie:') ? h.replace(/__Host-rapi_session=[^;,]*/g, '__Host-rapi_session=…') : h));
      }
      const text = `${headers.join('\n')}\n${body}`;
      for (const [name, value] of Object.entries(secrets)) assert.ok(!text.includes(value), `${e.method} ${e.url} (${e.status}) answers with ${name}`);
    }
  });
});
