/**
 * The holes an outside review found: query strings as browsers write them, upstream values the spec
 * cannot hold, nullable dates and leap seconds, Retry-After bounds and an error handler that cannot
 * fall through, cross-site cookie writes, `__Host-` cookies, internal addresses in problems,
 * `Cache-Control: no-store`, HEAD and 405, metrics off the API port, bounded refreshes, and the smaller
 * items. Each case is named after what it proves.
 */
import assert from 'node:assert/strict';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, test, vi } from 'vitest';
import { issueDevToken } from '../../dev/dev-token.ts';
import { generateRepos, idFor, tokenFor } from '../fakes/github/index.ts';
import type { FakeRepo } from '../fakes/github/index.ts';
import { ApiProblem } from '../../src/contract/problem.ts';
import { createLogger } from '../../src/logger.ts';
import { checkObserved as checkAnswer } from '../support/checked.ts';
import { appFetch, startTestApp, type SignedIn, type TestApp } from '../support/harness.ts';
import { assertEvery } from '../support/assertions.ts';

interface ProblemBody {
  status: number;
  code: string;
  detail: string;
  retry_after?: number;
  provider?: string;
  request_id: string;
}

/** A repository of `login` with fields written over GitHub's rendering as they are. */
function oddRepo(login: string, id: number, name: string, raw: Record<string, unknown>): FakeRepo {
  const [base] = generateRepos(1, { owner: { login }, seed: id, firstId: id });
  return { ...(base ?? assert.fail()), name, owner: { login, id: idFor(login), type: 'User' }, raw };
}

async function problemOf(res: Response): Promise<ProblemBody> {
  assert.equal(res.headers.get('content-type')?.split(';')[0], 'application/problem+json');
  return (await res.json()) as ProblemBody;
}

/** A request the spec does not describe (a method a path lacks, a path it lacks): sent past the contract check. */
function rawRequest(url: string, method: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const freePort = async (): Promise<number> => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
};

describe('outside review: correctness', () => {
  let t: TestApp;
  let me: SignedIn;
  const repos = generateRepos(250, { owner: { login: 'octocat' }, seed: 12 });
  const dated = [
    oddRepo('dates', 9001, 'never-pushed', { pushed_at: null, created_at: null, updated_at: null }),
    oddRepo('dates', 9002, 'newest', { updated_at: '2026-02-01T00:00:00Z', created_at: '2020-01-01T00:00:00Z', pushed_at: '2026-01-31T00:00:00Z' }),
    oddRepo('dates', 9003, 'leap-second', { updated_at: '2016-12-31T23:59:60Z', created_at: '2016-12-31T23:59:60Z', pushed_at: '2016-12-31T23:59:60Z' }),
    oddRepo('dates', 9004, 'oldest', { updated_at: '2010-05-05T05:05:05Z', created_at: '2010-05-05T05:05:05Z', pushed_at: '2010-05-05T05:05:05Z' }),
  ];
  const odd = [
    oddRepo('oddity', 9101, 'odd-but-valid', {
      full_name: 'not-owner-slash-name',
      stargazers_count: -3,
      watchers_count: 1.5,
      size: -1,
      description: 'x'.repeat(5000),
      language: 'Type\nScript',
      default_branch: 'main\r\n',
    }),
  ];

  beforeAll(async () => {
    t = await startTestApp({
      fake: {
        users: [
          { login: 'octocat', repos },
          { login: 'dates', repos: dated },
          { login: 'oddity', repos: odd },
          { login: 'zero', repos: [oddRepo('zero', 9201, 'zero-id', { id: 0 })] },
          { login: 'spaced', repos: [oddRepo('spaced', 9301, 'spaced-login', { owner: { login: 'has space', id: 77, type: 'User' } })] },
        ],
      },
      env: { GITHUB_TIMEOUT_MS: '8000' },
    });
    me = await t.signIn('octocat');
  });
  afterAll(() => t.close());

  test('when q holds a space, then page 1 and the Link next URL followed as given are both 200, and the Link writes the space as %20', async () => {
    const first = await appFetch(`${t.baseUrl}/api/v1/repos?q=${encodeURIComponent('Data pipeline')}&per_page=5`, { headers: { authorization: `Bearer ${me.token}` } });
    assert.equal(first.status, 200);
    const body = (await first.json()) as { total: number; repositories: Array<{ description: string | null }> };
    assert.ok(body.total > 5, 'more than one page matches');
    assertEvery(body.repositories, (r) => r.description?.includes('Data pipeline'));
    const link = first.headers.get('link') ?? '';
    const next = /<([^>]+)>; rel="next"/.exec(link)?.[1] ?? assert.fail(`no next link in ${link}`);
    assert.match(next, /q=Data%20pipeline/);
    assert.doesNotMatch(link, /\+/);
    const second = await appFetch(`${t.baseUrl}${next}`, { headers: { authorization: `Bearer ${me.token}` } });
    assert.equal(second.status, 200, await second.clone().text());
    assert.equal(((await second.json()) as { page: number }).page, 2);
  });

  test('when the query string writes a space as + (as forms and URLSearchParams do), then 200 with the same answer as %20', async () => {
    const ask = (query: string) => appFetch(`${t.baseUrl}/api/v1/repos?${query}`, { headers: { authorization: `Bearer ${me.token}` } });
    const plus = await ask(new URLSearchParams({ q: 'Data pipeline', per_page: '5', page: '2' }).toString());
    assert.equal(plus.status, 200, await plus.clone().text());
    const encoded = await ask('q=Data%20pipeline&per_page=5&page=2');
    assert.deepEqual(await plus.json(), await encoded.json());
    // A reserved character sent bare is read as itself, as the URL standard reads it.
    assert.equal((await ask('q=a:b/c(d)&per_page=5')).status, 200);
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

  test('when GitHub sends GitHub-valid values outside our schema (full_name not owner/name, negative or fractional counts, long text, line breaks), then 200 with them normalised by the documented rules', async () => {
    const { api } = await t.signIn('oddity');
    const res = await api.GET('/api/v1/repos');
    assert.equal(res.response.status, 200, JSON.stringify(res.error));
    const [repo] = res.data?.repositories ?? assert.fail();
    assert.equal(repo?.full_name, 'oddity/odd-but-valid');
    assert.equal(repo?.stargazers_count, 0);
    assert.equal(repo?.watchers_count, 1);
    assert.equal(repo?.size, 0);
    assert.equal(repo?.description?.length, 4096);
    assert.equal(repo?.language, 'Type Script');
    assert.equal(repo?.default_branch, 'main ');
  });

  test('when GitHub sends a repository id of 0, then the listing is 502 naming the field, never 500; a connect stores nothing and the connections stay readable', async () => {
    const { api } = await t.signIn('zero');
    const list = await api.GET('/api/v1/repos');
    assert.equal(list.response.status, 502);
    assert.equal(list.error?.code, 'UPSTREAM_UNAVAILABLE');
    assert.match(list.error?.detail ?? '', /GitHub sent a repository this API cannot represent: id must be an integer of at least 1/);
    const connect = await api.POST('/api/v1/connections', { body: { provider: 'github', repo_id: 9201 } });
    assert.equal(connect.response.status, 502);
    const connections = await api.GET('/api/v1/connections');
    assert.equal(connections.response.status, 200);
    assert.deepEqual(connections.data?.connections, []);
  });

  test('when GitHub sends an owner login with a space, then 502 naming owner.login', async () => {
    const { api } = await t.signIn('spaced');
    const list = await api.GET('/api/v1/repos');
    assert.equal(list.response.status, 502);
    assert.match(list.error?.detail ?? '', /owner\.login/);
  });

  test('when GitHub sends null dates, then they are null in the answer (never 1970) and sort last in both directions', async () => {
    const { api } = await t.signIn('dates');
    for (const direction of ['desc', 'asc'] as const) {
      for (const sort of ['updated', 'created', 'pushed'] as const) {
        const res = await api.GET('/api/v1/repos', { params: { query: { sort, direction } } });
        assert.equal(res.response.status, 200);
        const names = res.data?.repositories.map((r) => r.name) ?? [];
        assert.equal(names.at(-1), 'never-pushed', `${sort} ${direction}: ${names.join(', ')}`);
      }
    }
    const all = (await api.GET('/api/v1/repos')).data?.repositories ?? [];
    const never = all.find((r) => r.name === 'never-pushed') ?? assert.fail();
    assert.deepEqual([never.created_at, never.updated_at, never.pushed_at], [null, null, null]);
    assert.ok(!JSON.stringify(all).includes('1970-01-01'));
  });

  test('when GitHub sends a leap second (23:59:60Z), then it is written as the second before it and sorts in place', async () => {
    const { api } = await t.signIn('dates');
    const res = await api.GET('/api/v1/repos', { params: { query: { sort: 'updated', direction: 'desc' } } });
    assert.deepEqual(res.data?.repositories.map((r) => r.name), ['newest', 'leap-second', 'oldest', 'never-pushed']);
    const leap = res.data?.repositories.find((r) => r.name === 'leap-second') ?? assert.fail();
    assert.equal(leap.updated_at, '2016-12-31T23:59:59Z');
    assert.equal(leap.pushed_at, '2016-12-31T23:59:59Z');
  });

  test('when GitHub answers Retry-After: 90000, then 429 problem+json with retry_after and Retry-After held to 86400, never HTML', async () => {
    t.fake.state.injectFault({ route: '/user/repos', kind: 'secondaryRateLimit', retryAfter: 90_000, times: 1 });
    const res = await appFetch(`${t.baseUrl}/api/v1/repos?refresh=true`, { headers: { authorization: `Bearer ${me.token}` } });
    assert.equal(res.status, 429);
    assert.equal(res.headers.get('retry-after'), '86400');
    const problem = await problemOf(res);
    assert.equal(problem.code, 'RATE_LIMITED');
    assert.equal(problem.retry_after, 86_400);
  });

  test('when GitHub sends its rate-limit reset in milliseconds, then 429 problem+json with a retry time within the bound, never HTML', async () => {
    t.fake.state.injectFault({ route: '/user/repos', kind: 'primaryRateLimit', resetInSeconds: 120, resetInMilliseconds: true, times: 1 });
    const res = await appFetch(`${t.baseUrl}/api/v1/repos?refresh=true`, { headers: { authorization: `Bearer ${me.token}` } });
    assert.equal(res.status, 429);
    const problem = await problemOf(res);
    assert.ok(problem.retry_after !== undefined && problem.retry_after >= 100 && problem.retry_after <= 121, `read as milliseconds: ${problem.retry_after}`);
    assert.equal(res.headers.get('retry-after'), String(problem.retry_after));
  });
});

describe('outside review: host values outside our schema with response validation off (production)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({
      fake: {
        users: [
          { login: 'oddity', repos: [oddRepo('oddity', 9401, 'odd', { full_name: 'x', stargazers_count: -1, created_at: null, updated_at: '2016-12-31T23:59:60Z' })] },
          { login: 'zero', repos: [oddRepo('zero', 9402, 'zero-id', { id: -5 })] },
        ],
      },
      env: { VALIDATE_RESPONSES: 'false' },
    });
  });
  afterAll(() => t.close());

  test('when response validation is off, then odd host values still come out spec-valid (every answer here is checked against the spec), and an unrepresentable one is a 502, not a spec-invalid 200', async () => {
    const odd = await t.signIn('oddity');
    const list = await odd.api.GET('/api/v1/repos');
    assert.equal(list.response.status, 200);
    const [repo] = list.data?.repositories ?? assert.fail();
    assert.deepEqual([repo?.full_name, repo?.stargazers_count, repo?.created_at, repo?.updated_at], ['oddity/odd', 0, null, '2016-12-31T23:59:59Z']);
    const zero = await t.signIn('zero');
    const bad = await zero.api.GET('/api/v1/repos');
    assert.equal(bad.response.status, 502);
    assert.match(bad.error?.detail ?? '', /\bid must be an integer of at least 1 \(repository "zero\/zero-id"\)/);
    const connect = await zero.api.POST('/api/v1/connections', { body: { provider: 'github', repo_id: 9402 } });
    assert.equal(connect.response.status, 502);
    assert.deepEqual((await zero.api.GET('/api/v1/connections')).data?.connections, []);
  });
});

describe('outside review: the error handler itself', () => {
  let t: TestApp;
  let me: SignedIn;
  beforeAll(async () => {
    t = await startTestApp({
      fake: { users: [{ login: 'octocat', repos: generateRepos(3, { owner: { login: 'octocat' } }) }] },
      overrides: {
        handlers: {
          // A problem that breaks the spec (an empty detail), so sending it fails inside the error handler.
          listConnections: (_req, _res, next) => next(new ApiProblem(400, 'VALIDATION_FAILED', '')),
        },
      },
    });
    me = await t.signIn('octocat');
  });
  afterAll(() => t.close());

  test('when sending the problem fails inside the error handler, then the answer is still a problem+json 500 without a stack, never Express HTML', async () => {
    const res = await appFetch(`${t.baseUrl}/api/v1/connections`, { headers: { authorization: `Bearer ${me.token}` } });
    assert.equal(res.status, 500);
    const text = await res.clone().text();
    assert.doesNotMatch(text, /<html|<pre|at .*\.ts:\d+/i);
    const problem = await problemOf(res);
    assert.equal(problem.code, 'INTERNAL');
    assert.equal(problem.request_id, res.headers.get('x-request-id'));
  });
});

describe('outside review: security and HTTP hygiene', () => {
  let t: TestApp;
  let me: SignedIn;
  const trusted = 'https://app.example.com';
  beforeAll(async () => {
    t = await startTestApp({
      fake: { users: [{ login: 'octocat', repos: generateRepos(30, { owner: { login: 'octocat' }, seed: 3 }) }] },
      env: { CORS_ORIGINS: trusted, REFRESH_MIN_INTERVAL_SECONDS: '30' },
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

  test('when a path parameter is not valid percent-encoding, then a documented 400 VALIDATION_FAILED with one field error, never a 500', async () => {
    const res = await appFetch(`${t.baseUrl}/api/v1/connections/%E0%A4%A/42`, { method: 'DELETE', headers: { authorization: `Bearer ${me.token}` } });
    assert.equal(res.status, 400);
    const problem = (await problemOf(res)) as ProblemBody & { field_errors?: Record<string, string> };
    assert.equal(problem.code, 'VALIDATION_FAILED');
    assert.equal(Object.keys(problem.field_errors ?? {}).length, 1);
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

  test('when GitHub refuses the connection, then the 502 says which host failed and how in words, without its address; the address is logged with the request id', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const closed = await freePort();
    const down = await startTestApp({
      fake: { users: [{ login: 'octocat' }] },
      env: { GITHUB_API_URL: `http://127.0.0.1:${closed}` },
      overrides: { logger: createLogger('info', sink) },
    });
    try {
      const { token } = await issueDevToken(down.app.services.store, down.app.services.config, {
        login: 'octocat',
        githubId: idFor('octocat'),
        githubToken: tokenFor('octocat'),
        scopes: ['repos:read'],
      });
      const res = await appFetch(`${down.baseUrl}/api/v1/repos`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(res.status, 502);
      const problem = await problemOf(res);
      assert.equal(problem.detail, 'GitHub refused the connection while listing repositories (page 1).');
      assert.doesNotMatch(JSON.stringify(problem), /127\.0\.0\.1|ECONNREFUSED|:\d{4,5}/);
      const logged = lines.find((l) => l.includes(problem.request_id) && l.includes('ECONNREFUSED'));
      assert.ok(logged, 'the socket error is in the log under the request id');
    } finally {
      await down.close();
    }
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

  test('when HEAD is sent to health, ready, docs, the spec and the listing, then the GET status and headers come back without a body', async () => {
    for (const [path, headers] of [
      ['/api/v1/health', {}],
      ['/api/v1/ready', {}],
      ['/api/v1/openapi.json', {}],
      ['/docs', {}],
      ['/api/v1/repos', { authorization: `Bearer ${me.token}` }],
    ] as const) {
      // Uncompressed, so that the GET's body as read is the body as sent.
      const res = await appFetch(`${t.baseUrl}${path}`, { method: 'HEAD', headers: { ...headers, 'accept-encoding': 'identity' } });
      const get = await appFetch(`${t.baseUrl}${path}`, { headers: { ...headers, 'accept-encoding': 'identity' } });
      assert.equal(res.status, get.status, path);
      assert.equal(await res.text(), '', path);
      assert.equal(res.headers.get('content-type'), get.headers.get('content-type'), path);
      // The length the GET's body has, said without the body.
      assert.equal(res.headers.get('content-length'), String(Buffer.byteLength(await get.text())), path);
    }
  });

  test('when a path is asked with a method it does not have, then 405 METHOD_NOT_ALLOWED with an Allow header', async () => {
    const res = await rawRequest(`${t.baseUrl}/api/v1/health`, 'DELETE');
    assert.equal(res.status, 405);
    assert.equal(res.headers.allow, 'GET, HEAD');
    assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
    assert.equal((JSON.parse(res.body) as ProblemBody).code, 'METHOD_NOT_ALLOWED');
    const connections = await rawRequest(`${t.baseUrl}/api/v1/connections`, 'PATCH', { authorization: `Bearer ${me.token}` });
    assert.equal(connections.status, 405);
    assert.deepEqual(String(connections.headers.allow).split(', ').sort(), ['GET', 'HEAD', 'POST']);
  });

  test('when /api/v1/metrics is asked on the API port, then 404 and the spec does not list it; the metrics listener serves Prometheus text', async () => {
    const res = await rawRequest(`${t.baseUrl}/api/v1/metrics`, 'GET');
    assert.equal(res.status, 404);
    const spec = (await (await appFetch(`${t.baseUrl}/api/v1/openapi.json`)).json()) as { paths: Record<string, unknown> };
    assert.ok(!Object.keys(spec.paths).some((p) => p.includes('metrics')));
    const server: Server = createServer(t.app.metricsListener);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as AddressInfo).port;
      const metrics = await appFetch(`http://127.0.0.1:${port}/metrics`);
      assert.equal(metrics.status, 200);
      assert.match(await metrics.text(), /^# HELP http_requests_total/m);
      assert.equal((await appFetch(`http://127.0.0.1:${port}/api/v1/repos`)).status, 404);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  test('when refresh=true is sent again within the interval, then the git host is not asked again', async () => {
    await me.api.GET('/api/v1/repos', { params: { query: { refresh: true } } });
    t.fake.state.resetCounters();
    for (let i = 0; i < 5; i++) {
      const res = await me.api.GET('/api/v1/repos', { params: { query: { refresh: true } } });
      assert.equal(res.response.status, 200);
    }
    assert.equal(t.fake.state.counters.byRoute['/user/repos'] ?? 0, 0);
  });

  test('when connects name unknown repositories again and again, then the git host is re-listed at most once per interval', async () => {
    await me.api.GET('/api/v1/repos', { params: { query: { refresh: true } } });
    t.fake.state.resetCounters();
    for (let i = 0; i < 5; i++) {
      const res = await me.api.POST('/api/v1/connections', { body: { provider: 'github', repo_id: 123_000 + i } });
      assert.equal(res.response.status, 404);
    }
    assert.equal(t.fake.state.counters.byRoute['/user/repos'] ?? 0, 0);
  });
});

describe('outside review: refreshes against a failing host', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({
      fake: { users: [{ login: 'octocat', repos: generateRepos(20, { owner: { login: 'octocat' }, seed: 4 }) }] },
      env: { REFRESH_MIN_INTERVAL_SECONDS: '1' },
    });
  });
  afterAll(() => t.close());
  afterEach(() => {
    vi.useRealTimers();
  });

  test('when GitHub fails and refresh=true is repeated within the interval, then GitHub is asked once, and the listing read before is answered', async () => {
    const { api } = await t.signIn('octocat');
    assert.equal((await api.GET('/api/v1/repos')).response.status, 200);
    // The interval passes on the app's clock (vitest fakes `Date` alone: timers and sockets keep real time).
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 1_100);
    t.fake.state.injectFault({ route: '/user/repos', kind: 500 });
    t.fake.state.resetCounters();
    assert.equal((await api.GET('/api/v1/repos', { params: { query: { refresh: true } } })).response.status, 502);
    for (let i = 0; i < 5; i++) {
      const again = await api.GET('/api/v1/repos', { params: { query: { refresh: true } } });
      assert.equal(again.response.status, 200);
      assert.equal(again.data?.total, 20);
    }
    assert.equal(t.fake.state.counters.byRoute['/user/repos'], 1);
    t.fake.state.clearFaults();
  });
});

describe('outside review: smaller items', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { CORS_ORIGINS: 'https://app.example.com', RATE_LIMIT_PER_ADDRESS: '3' } });
  });
  afterAll(() => t.close());

  test('when the per-address budget is spent, then health and readiness probes still answer 200', async () => {
    let limited = false;
    for (let i = 0; i < 10 && !limited; i++) limited = (await appFetch(`${t.baseUrl}/api/v1/openapi.json`)).status === 429;
    assert.ok(limited, 'the budget is spent');
    for (let i = 0; i < 5; i++) {
      assert.equal((await appFetch(`${t.baseUrl}/api/v1/health`)).status, 200);
      assert.equal((await appFetch(`${t.baseUrl}/api/v1/ready`)).status, 200);
    }
  });

  test('when CORS is configured, then answers to an unlisted Origin, a listed one and none all carry Vary: Origin', async () => {
    for (const origin of ['https://evil.example.com', 'https://app.example.com', undefined]) {
      const res = await appFetch(`${t.baseUrl}/api/v1/health`, { headers: origin ? { origin } : {} });
      assert.match(res.headers.get('vary') ?? '', /\bOrigin\b/, String(origin));
    }
  });

  test('when the request line is larger than 16 KiB, then 431 as problem+json and the connection is closed, on every operation', async () => {
    for (const op of t.app.services.operations.all) {
      const path = op.template.replace('{provider}', 'github').replace('{repo_id}', '1');
      const answer = await rawRequest(`${t.baseUrl}${path}?q=${'a'.repeat(20_000)}`, op.method);
      assert.equal(answer.status, 431, `${op.method} ${path}`);
      assert.match(String(answer.headers['content-type']), /^application\/problem\+json/);
      assert.equal(answer.headers.connection, 'close');
      const problem = JSON.parse(answer.body) as ProblemBody;
      assert.equal(problem.code, 'REQUEST_HEADERS_TOO_LARGE');
      assert.equal(problem.request_id, answer.headers['x-request-id']);
      // The spec declares it on every operation: checked (and counted) like any answer.
      checkAnswer({ method: op.method, path, status: answer.status, headers: answer.headers as Record<string, string>, body: problem });
    }
  });
});
