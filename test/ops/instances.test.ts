/**
 * Several instances behind a load balancer: two app processes on one PostgreSQL and one Redis behave
 * as one service. Writes, sign-outs, the listing cache and the rate limits are shared at once.
 * Then the same for two in-process instances of the test harness on one Redis.
 */
import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { RedisCache } from '../../src/cache/index.ts';
import { createStateGraphqlHandler } from '../fakes/github/graphql.ts';
import { generateRepos, startFakeGitHub, type FakeGitHub, type FakeRepo } from '../fakes/github/index.ts';
import { openStore } from '../../src/store/index.ts';
import type { Store } from '../../src/store/types.ts';
import { startTestApp, type TestApp } from '../support/harness.ts';
import {
  baseEnv,
  claimRedisDatabase,
  freePort,
  killAll,
  OPS_CLIENT,
  postgresSchema,
  postgresSkip,
  redisSkip,
  startAppProcess,
  TEST_SECRET_KEY,
  until,
  type AppProcess,
  type PostgresSchema,
  type RedisDatabase,
} from './support.ts';
import { apiClient, signIn } from '../support/client.ts';
import { TEST_DATABASE_URL } from '../support/databases.ts';

/** Small, so that spending it takes few requests; every other user here stays well below it. */
const PER_USER = 20;

const skip = postgresSkip || redisSkip;

/** Rows of kind detections for these repositories: all stored means no listing asks GitHub for kinds again. */
async function detectionsStored(pg: PostgresSchema, repos: FakeRepo[]): Promise<boolean> {
  const [row] = await pg.query<{ n: number }>('SELECT count(*)::int AS n FROM detections WHERE repo_id = ANY($1::bigint[])', [repos.map((r) => r.id)]);
  return row?.n === repos.length;
}

const remainingOf = (res: Response) => Number(/remaining=(\d+)/.exec(res.headers.get('ratelimit') ?? '')?.[1] ?? NaN);

describe('two app processes on one PostgreSQL and one Redis', { skip: skip !== false }, () => {
  const users = Object.fromEntries(
    ['gina', 'hank', 'jade', 'ivy'].map((login, i) => [login, generateRepos(12, { owner: { login }, seed: 40 + i })]),
  ) as Record<'gina' | 'hank' | 'jade' | 'ivy', FakeRepo[]>;
  let fake: FakeGitHub;
  let pg: PostgresSchema;
  let redis: RedisDatabase;
  let a: AppProcess;
  let b: AppProcess;

  beforeAll(async () => {
    fake = await startFakeGitHub({
      clientId: OPS_CLIENT.id,
      clientSecret: OPS_CLIENT.secret,
      users: Object.entries(users).map(([login, repos]) => ({ login, repos })),
    });
    // Kind detection finishes and is stored, so a second listing has nothing left to ask GitHub.
    fake.state.graphql = createStateGraphqlHandler(fake.state);
    [pg, redis] = await Promise.all([postgresSchema(), claimRedisDatabase()]);
    const env = {
      ...baseEnv(fake.baseUrl),
      DATABASE_URL: pg.databaseUrl,
      REDIS_URL: redis.url,
      RATE_LIMIT_PER_USER: String(PER_USER),
      LISTING_CACHE_TTL_SECONDS: '60',
      // Behind a load balancer every instance has the balancer's address; sign-ins below pick the
      // instance that gets the callback.
      PUBLIC_URL: `http://127.0.0.1:${await freePort()}`,
    };
    // Started together: their migrations meet on the advisory lock.
    [a, b] = await Promise.all([startAppProcess(env), startAppProcess(env)]);
  });
  afterAll(async () => {
    await killAll();
    await fake?.close();
    await pg?.cleanup();
    await redis?.release();
  });

  test('a sign-in started on instance A completes on instance B, and its token works on both', async () => {
    const gina = await signIn(a.baseUrl, 'gina', { callbackBase: b.baseUrl });
    for (const base of [a.baseUrl, b.baseUrl]) {
      const me = await apiClient(base, { token: gina.token }).GET('/api/v1/me');
      assert.equal(me.response.status, 200);
      assert.equal(me.data?.user.login, 'gina');
    }
  });

  test('when a repository is connected through A, then B shows it connected at once; when B disconnects it, then A shows it gone at once', async () => {
    const gina = await signIn(a.baseUrl, 'gina', { callbackBase: a.baseUrl });
    const viaA = apiClient(a.baseUrl, { token: gina.token });
    const viaB = apiClient(b.baseUrl, { token: gina.token });
    const repo = users.gina[3] ?? assert.fail('no fixture');

    const made = await viaA.POST('/api/v1/connections', { body: { provider: 'github', repo_id: repo.id } });
    assert.equal(made.response.status, 201);
    const onB = await viaB.GET('/api/v1/connections');
    assert.deepEqual(onB.data?.connections.map((c) => [c.repo_id, c.id]), [[repo.id, made.data?.id]]);
    const listedOnB = await viaB.GET('/api/v1/repos', { params: { query: { per_page: 100 } } });
    const entry = listedOnB.data?.repositories.find((r) => r.id === repo.id);
    assert.equal(entry?.is_connected, true);
    assert.equal(entry?.installation_id, made.data?.id);

    const gone = await viaB.DELETE('/api/v1/connections/{provider}/{repo_id}', { params: { path: { provider: 'github', repo_id: repo.id } } });
    assert.equal(gone.response.status, 204);
    assert.deepEqual((await viaA.GET('/api/v1/connections')).data?.connections, []);
    const listedOnA = await viaA.GET('/api/v1/repos', { params: { query: { per_page: 100 } } });
    assert.equal(listedOnA.data?.repositories.find((r) => r.id === repo.id)?.is_connected, false);
    const again = await viaA.DELETE('/api/v1/connections/{provider}/{repo_id}', { params: { path: { provider: 'github', repo_id: repo.id } } });
    assert.equal(again.response.status, 404);
  });

  test('when a session signs out on A, then B refuses its bearer token and its cookie at once', async () => {
    const hank = await signIn(a.baseUrl, 'hank', { callbackBase: a.baseUrl });
    const bearerOnB = apiClient(b.baseUrl, { token: hank.token });
    const cookieOnB = apiClient(b.baseUrl, { cookie: hank.cookie });
    assert.equal((await bearerOnB.GET('/api/v1/connections')).response.status, 200);
    assert.equal((await cookieOnB.GET('/api/v1/connections')).response.status, 200);

    const out = await apiClient(a.baseUrl, { token: hank.token }).POST('/api/v1/auth/logout');
    assert.equal(out.response.status, 204);

    for (const [how, client] of [['bearer on B', bearerOnB], ['cookie on B', cookieOnB], ['bearer on A', apiClient(a.baseUrl, { token: hank.token })]] as const) {
      const res = await client.GET('/api/v1/connections');
      assert.equal(res.response.status, 401, how);
      assert.equal(res.error?.code, 'UNAUTHORIZED', how);
    }
  });

  test('when B lists within the cache lifetime after A listed, then GitHub is not asked again', async () => {
    const jade = await signIn(a.baseUrl, 'jade', { callbackBase: a.baseUrl });
    fake.state.resetCounters();
    const first = await apiClient(a.baseUrl, { token: jade.token }).GET('/api/v1/repos', { params: { query: { per_page: 100 } } });
    assert.equal(first.response.status, 200);
    assert.ok((fake.state.counters.byRoute['/user/repos'] ?? 0) >= 1, 'the first listing asked GitHub');
    await until('kind detection stored', () => detectionsStored(pg, users.jade));

    fake.state.resetCounters();
    const second = await apiClient(b.baseUrl, { token: jade.token }).GET('/api/v1/repos', { params: { query: { per_page: 100 } } });
    assert.equal(second.response.status, 200);
    assert.deepEqual(second.data?.repositories.map((r) => r.id), first.data?.repositories.map((r) => r.id));
    assert.deepEqual(fake.state.counters.byRoute, {}, 'B asked GitHub nothing');
  });

  test('when the per-user budget is spent across A and B, then the next request on either is 429 with Retry-After and RateLimit', async () => {
    const ivy = await signIn(b.baseUrl, 'ivy', { callbackBase: b.baseUrl });
    const clients = [apiClient(a.baseUrl, { token: ivy.token }), apiClient(b.baseUrl, { token: ivy.token })] as const;
    for (let i = 1; i <= PER_USER; i++) {
      const { response } = await clients[i % 2]!.GET('/api/v1/connections');
      assert.equal(response.status, 200, `request ${i}`);
      // One counter for both instances: each answer shows the budget left after every earlier one.
      assert.equal(remainingOf(response), PER_USER - i, `request ${i} via ${i % 2 ? 'B' : 'A'}`);
    }
    for (const [name, client] of [['A', clients[0]], ['B', clients[1]]] as const) {
      const { response, error } = await client.GET('/api/v1/connections');
      assert.equal(response.status, 429, name);
      assert.equal(error?.code, 'RATE_LIMITED', name);
      const retryAfter = Number(response.headers.get('retry-after'));
      assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60, `${name}: Retry-After ${retryAfter}`);
      assert.match(response.headers.get('ratelimit') ?? '', new RegExp(`^limit=${PER_USER}, remaining=0, reset=\\d+$`), name);
      assert.equal(response.headers.get('ratelimit-policy'), `${PER_USER};w=60`, name);
    }
  });

  test('both processes stop gracefully with code 0', async () => {
    const [ea, eb] = await Promise.all([a.stop(), b.stop()]);
    assert.deepEqual(ea, { code: 0, signal: null });
    assert.deepEqual(eb, { code: 0, signal: null });
  });
});

describe('two in-process app instances on one Redis (test harness)', { skip: skip !== false }, () => {
  const leeRepos = generateRepos(12, { owner: { login: 'lee' }, seed: 50 });
  let pg: PostgresSchema;
  let redis: RedisDatabase;
  let store: Store;
  let first: TestApp;
  let second: TestApp;

  beforeAll(async () => {
    [pg, redis] = await Promise.all([postgresSchema(), claimRedisDatabase()]);
    // One database for both, as instances behind a load balancer have; the app leaves a given store open.
    store = await openStore({ databaseUrl: TEST_DATABASE_URL, schema: pg.schema, dataDir: 'memory://', secretKey: TEST_SECRET_KEY });
    const env = { REDIS_URL: redis.url, SECRET_KEY: TEST_SECRET_KEY };
    first = await startTestApp({ fake: { users: [{ login: 'lee', repos: leeRepos }] }, env, overrides: { store } });
    // The second instance talks to the first one's fake GitHub, as both would talk to GitHub.
    second = await startTestApp({ env: { ...env, GITHUB_API_URL: first.fake.baseUrl, GITHUB_WEB_URL: first.fake.baseUrl }, overrides: { store } });
  });
  afterAll(async () => {
    await first?.close();
    await second?.close();
    await store?.close();
    await pg?.cleanup();
    await redis?.release();
  });

  test('when the second instance lists within the cache lifetime after the first, then GitHub is not asked again', async () => {
    assert.ok(first.app.services.rawCache instanceof RedisCache && second.app.services.rawCache instanceof RedisCache, 'both use Redis');
    const lee = await first.signIn('lee');
    first.fake.state.resetCounters();
    const one = await lee.api.GET('/api/v1/repos', { params: { query: { per_page: 100 } } });
    assert.equal(one.response.status, 200);
    assert.ok((first.fake.state.counters.byRoute['/user/repos'] ?? 0) >= 1, 'the first listing asked GitHub');
    await until('kind detection stored', () => detectionsStored(pg, leeRepos));
    // The listing is kept in Redis after its answer has gone: the second instance is asked once it is there.
    const [account] = await pg.query<{ user_id: string }>("SELECT user_id FROM accounts WHERE provider = 'github' AND login = 'lee'");
    const listingKey = `listing:v2:${account?.user_id ?? assert.fail('lee has no account')}:github`;
    await until('listing kept in Redis', async () => (await first.app.services.rawCache.get(listingKey)) !== undefined);

    first.fake.state.resetCounters();
    const two = await second.client(lee.token).GET('/api/v1/repos', { params: { query: { per_page: 100 } } });
    assert.equal(two.response.status, 200);
    assert.deepEqual(two.data?.repositories.map((r) => r.id), one.data?.repositories.map((r) => r.id));
    assert.deepEqual(first.fake.state.counters.byRoute, {}, 'the second instance asked GitHub nothing');
  });
});
