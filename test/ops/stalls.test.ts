/**
 * When the service's own parts stall or go: Redis and PostgreSQL behind a loopback proxy this file
 * controls (the shared servers themselves are never touched). A stalled proxy holds every socket
 * open and forwards nothing, as a stopped process or a partition looks to a client; a proxy that is
 * down closes every connection and refuses new ones.
 *
 * The cache is a cache: with Redis stalled or gone, listings, `me`, connect and disconnect answer as
 * usual, one warning says so per outage, and a metric. Our storage failing is a 503
 * `STORAGE_UNAVAILABLE` with `Retry-After`, within its deadline; readiness says 503 within about a
 * second; and everything recovers by itself.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { generateRepos } from '../fakes/github/index.ts';
import { appFetch, startTestApp, type SignedIn, type TestApp } from '../support/harness.ts';
import { startStallProxy, type StallProxy } from '../support/stall-proxy.ts';
import { cookieOf } from '../support/sign-in.ts';
import { claimRedisDatabase, postgresSchema, postgresSkip, redisSkip, type PostgresSchema, type RedisDatabase } from './support.ts';

const REDIS_COMMAND_MS = 300;
const DB_CONNECT_MS = 500;
const DB_QUERY_MS = 1_000;
const READINESS_MS = 500;
/** What a stalled dependency may add to an answer, with room for a loaded machine. */
const BOUND_MS = DB_CONNECT_MS + DB_QUERY_MS + 2_500;

const skip = postgresSkip || redisSkip;
const repos = generateRepos(5, { owner: { login: 'stella' }, seed: 71 });

async function timed(run: () => Promise<Response>): Promise<{ res: Response; ms: number; body: string }> {
  const started = performance.now();
  const res = await run();
  const body = await res.text();
  return { res, ms: performance.now() - started, body };
}

describe('Redis and PostgreSQL stalled, gone and back', { skip: skip !== false }, () => {
  let pg: PostgresSchema;
  let redis: RedisDatabase;
  let pgProxy: StallProxy;
  let redisProxy: StallProxy;
  let t: TestApp;
  let user: SignedIn;
  const lines: Array<{ level: number; msg: string }> = [];

  beforeAll(async () => {
    pg = await postgresSchema();
    redis = await claimRedisDatabase();
    const pgUrl = new URL(pg.databaseUrl);
    const redisUrl = new URL(redis.url);
    pgProxy = await startStallProxy({ host: pgUrl.hostname, port: Number(pgUrl.port || 5432) });
    redisProxy = await startStallProxy({ host: redisUrl.hostname, port: Number(redisUrl.port || 6379) });
    const logger = pino(
      { level: 'info' },
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as { level: number; msg: string });
          done();
        },
      }),
    );
    t = await startTestApp({
      fake: { users: [{ login: 'stella', repos }] },
      env: {
        DATABASE_URL: pgProxy.through(pg.databaseUrl),
        REDIS_URL: redisProxy.through(redis.url),
        REDIS_COMMAND_TIMEOUT_MS: String(REDIS_COMMAND_MS),
        DATABASE_CONNECT_TIMEOUT_MS: String(DB_CONNECT_MS),
        DATABASE_QUERY_TIMEOUT_MS: String(DB_QUERY_MS),
        READINESS_TIMEOUT_MS: String(READINESS_MS),
        TOKEN_CHECK_TTL_SECONDS: '0',
      },
      overrides: { logger },
    });
    user = await t.signIn('stella');
  }, 60_000);

  afterAll(async () => {
    pgProxy?.pass();
    redisProxy?.pass();
    await t?.close();
    await pgProxy?.close();
    await redisProxy?.close();
    await redis?.release();
    await pg?.cleanup();
  });

  const api = (path: string, init: RequestInit = {}) =>
    appFetch(`${t.baseUrl}/api/v1${path}`, { ...init, headers: { authorization: `Bearer ${user.token}`, ...init.headers } });
  const connect = (repoId: number) =>
    api('/connections', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ provider: 'github', repo_id: repoId }) });
  const cacheWarnings = () => lines.filter((l) => l.level === 40 && /the cache is unavailable/.test(l.msg)).length;

  test('when Redis stalls, then listings, me, connect and disconnect answer as usual within the bound, readiness is 503 within about a second, one warning and a metric say so; when it answers again, everything recovers', async () => {
    const repoId = repos[0]!.id;
    assert.equal((await api('/repos?refresh=true')).status, 200);
    const warningsBefore = cacheWarnings();
    redisProxy.stall();
    try {
      for (const [what, run, status] of [
        ['a listing', () => api('/repos?refresh=true'), 200],
        ['a second listing', () => api('/repos?per_page=2'), 200],
        ['me', () => api('/me'), 200],
        ['connect', () => connect(repoId), 201],
        ['disconnect', () => api(`/connections/github/${repoId}`, { method: 'DELETE' }), 204],
      ] as const) {
        const { res, ms, body } = await timed(run);
        assert.equal(res.status, status, `${what}: ${body}`);
        assert.ok(ms < BOUND_MS, `${what} took ${Math.round(ms)} ms`);
      }
      const ready = await timed(() => appFetch(`${t.baseUrl}/api/v1/ready`));
      assert.equal(ready.res.status, 503);
      assert.equal((JSON.parse(ready.body) as { checks: { cache: string } }).checks.cache, 'failed');
      assert.ok(ready.ms < READINESS_MS + 1_000, `readiness took ${Math.round(ready.ms)} ms`);
      // One warning for the outage, not one per request (none here if a slow command had already begun one).
      assert.ok(cacheWarnings() - warningsBefore <= 1, JSON.stringify(lines.filter((l) => l.level >= 40)));
      assert.ok(cacheWarnings() >= 1);
      assert.equal((await t.app.services.metrics.cacheAvailable.get()).values[0]?.value, 0);
    } finally {
      redisProxy.pass();
    }
    await waitFor(async () => (await appFetch(`${t.baseUrl}/api/v1/ready`)).status === 200);
    // The guard tries the cache again after its pause: a listing then finds it answering.
    await waitFor(async () => {
      await (await api('/repos')).arrayBuffer();
      return (await t.app.services.metrics.cacheAvailable.get()).values[0]?.value === 1;
    });
    assert.ok(lines.some((l) => /the cache answers again/.test(l.msg)));
  }, 60_000);

  test('when Redis is gone, then listings and me answer at once from the host and the database', async () => {
    redisProxy.down();
    try {
      for (const path of ['/repos?refresh=true', '/me']) {
        const { res, ms, body } = await timed(() => api(path));
        assert.equal(res.status, 200, body);
        assert.ok(ms < BOUND_MS, `${path} took ${Math.round(ms)} ms`);
      }
    } finally {
      redisProxy.pass();
    }
  }, 30_000);

  test('when PostgreSQL stalls, then a listing is 503 STORAGE_UNAVAILABLE with Retry-After within the bound, readiness 503 within about a second; when it answers again, so does the listing', async () => {
    pgProxy.stall();
    try {
      const listing = await timed(() => api('/repos'));
      assert.equal(listing.res.status, 503, listing.body);
      const problem = JSON.parse(listing.body) as { code: string; retry_after: number };
      assert.equal(problem.code, 'STORAGE_UNAVAILABLE');
      assert.equal(listing.res.headers.get('retry-after'), String(problem.retry_after));
      assert.ok(listing.ms < BOUND_MS, `the listing took ${Math.round(listing.ms)} ms`);
      const ready = await timed(() => appFetch(`${t.baseUrl}/api/v1/ready`));
      assert.equal(ready.res.status, 503);
      assert.equal((JSON.parse(ready.body) as { checks: { database: string } }).checks.database, 'failed');
      assert.ok(ready.ms < READINESS_MS + 1_000, `readiness took ${Math.round(ready.ms)} ms`);
    } finally {
      pgProxy.pass();
    }
    await waitFor(async () => (await api('/repos')).status === 200);
    assert.equal((await appFetch(`${t.baseUrl}/api/v1/ready`)).status, 200);
  }, 60_000);

  test('when PostgreSQL is gone, then every operation that needs it answers 503 STORAGE_UNAVAILABLE with Retry-After, never 500', async () => {
    const repoId = repos[1]!.id;
    // A sign-in started while the database answered, to be completed while it does not.
    const start = await appFetch(`${t.baseUrl}/api/v1/auth/github/login`, { redirect: 'manual' });
    await start.arrayBuffer();
    const oauthCookie = cookieOf(start, '__Host-rapi_oauth') ?? cookieOf(start, 'rapi_oauth') ?? assert.fail('no state cookie');
    const authorize = new URL(start.headers.get('location') ?? '');
    authorize.searchParams.set('login', 'stella');
    const approved = await fetch(authorize, { redirect: 'manual' });
    await approved.arrayBuffer();
    const callback = approved.headers.get('location') ?? assert.fail('no callback');

    pgProxy.down();
    try {
      const cookie = { cookie: user.cookie, origin: t.baseUrl };
      const json = { 'content-type': 'application/json' };
      for (const [what, run] of [
        ['listRepositories', () => api('/repos')],
        ['lookupRepository', () => api(`/repos/lookup?url=${encodeURIComponent(`${t.fake.baseUrl}/stella/${repos[0]!.name}`)}`)],
        ['listConnections', () => api('/connections')],
        ['connectRepository', () => connect(repoId)],
        ['disconnectRepository', () => api(`/connections/github/${repoId}`, { method: 'DELETE' })],
        ['getMe', () => api('/me')],
        ['linkGitVerseToken', () => api('/me/providers/gitverse', { method: 'PUT', headers: json, body: JSON.stringify({ token: 'gv-token-0123456789' }) })],
        ['unlinkGitVerseToken', () => api('/me/providers/gitverse', { method: 'DELETE' })],
        ['signOut', () => api('/auth/logout', { method: 'POST' })],
        ['renewAccessToken', () => appFetch(`${t.baseUrl}/api/v1/auth/token`, { method: 'POST', headers: cookie })],
        ['completeGitHubSignIn', () => appFetch(callback, { headers: { cookie: oauthCookie } })],
        // Signed in, a sign-in looks up whom a host account it finds is to be linked to.
        ['startGitHubSignIn', () => appFetch(`${t.baseUrl}/api/v1/auth/github/login`, { headers: cookie, redirect: 'manual' })],
      ] as const) {
        const { res, ms, body } = await timed(run);
        assert.equal(res.status, 503, `${what}: ${body}`);
        assert.equal((JSON.parse(body) as { code: string }).code, 'STORAGE_UNAVAILABLE', what);
        assert.ok(Number(res.headers.get('retry-after')) >= 1, what);
        assert.ok(ms < BOUND_MS, `${what} took ${Math.round(ms)} ms`);
      }
    } finally {
      pgProxy.pass();
    }
    await waitFor(async () => (await api('/me')).status === 200);
  }, 60_000);
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  assert.fail('the service did not recover');
}
