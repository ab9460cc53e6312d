/**
 * Host tokens that expire (a GitHub App's user tokens: the fake hands out tokens that expire, with
 * use-once refresh tokens, and counts refreshes): renewed before expiry or on a 401, one refresh per
 * account at a time across requests and instances, and a refused refresh is a 403 with reconnect,
 * asked once.
 */
import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { generateRepos } from '../fakes/github/index.ts';
import { appFetch, startTestApp, type SignedIn, type TestApp } from '../support/harness.ts';
import { postgresSchema, postgresSkip, type PostgresSchema } from '../ops/support.ts';

const LOGINS = ['alice', 'bob', 'carol', 'dave', 'erin'];
const users = LOGINS.map((login, i) => ({ login, repos: generateRepos(4, { owner: { login }, seed: 80 + i }) }));

/** The token's expiry reached: the fake no longer takes it, and the stored expiry has passed. */
async function expire(t: TestApp, userId: number): Promise<void> {
  t.fake.state.expireIssued();
  const { store } = t.app.services;
  const stored = await store.tokens.get(userId, 'github');
  assert.ok(stored?.status === 'ok');
  await store.tokens.put(userId, 'github', {
    token: stored.token,
    login: stored.login,
    scopes: stored.scopes,
    refreshToken: stored.refresh_token,
    expiresAt: new Date(Date.now() - 1000),
  });
}

const listing = (t: TestApp, who: SignedIn) => appFetch(`${t.baseUrl}/api/v1/repos?refresh=true&per_page=10`, { headers: { authorization: `Bearer ${who.token}` } });
const tokenRequests = (t: TestApp) => t.fake.state.counters.byRoute['/login/oauth/access_token'] ?? 0;

describe('expiring host tokens on one instance', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ fake: { users, expiringTokensSeconds: 3600 } });
  });
  afterAll(() => t.close());

  test('the sign-in stores the refresh token and expiry, encrypted like the token', async () => {
    const alice = await t.signIn('alice');
    const stored = await t.app.services.store.tokens.get(alice.userId, 'github');
    assert.ok(stored?.status === 'ok' && stored.refresh_token?.startsWith('ghr_'));
    assert.ok(stored.expires_at && Date.parse(stored.expires_at) > Date.now() + 3_000_000);
  });

  test('when the host refuses an access token it still has time on, then it is renewed once and the listing answers', async () => {
    const bob = await t.signIn('bob');
    const before = t.fake.state.refreshes;
    t.fake.state.expireIssued();
    const res = await listing(t, bob);
    assert.equal(res.status, 200);
    assert.equal(t.fake.state.refreshes - before, 1);
    assert.equal((await listing(t, bob)).status, 200);
    assert.equal(t.fake.state.refreshes - before, 1);
  });

  test('when 20 requests come at the expiry, then one refresh at the host and all 20 answered', async () => {
    const carol = await t.signIn('carol');
    await expire(t, carol.userId);
    const before = t.fake.state.refreshes;
    const answers = await Promise.all(Array.from({ length: 20 }, () => listing(t, carol)));
    assert.deepEqual(answers.map((r) => r.status), Array(20).fill(200));
    assert.equal(t.fake.state.refreshes - before, 1);
    const me = await carol.api.GET('/api/v1/me');
    assert.equal(me.data?.providers.find((p) => p.provider === 'github')?.token_status, 'valid');
  });

  test('when the host refuses the refresh, then 403 GITHUB_AUTH with reconnect, and the next request does not ask again', async () => {
    const dave = await t.signIn('dave');
    for (const entry of t.fake.state.refreshTokens.values()) if (entry.account.user.login === 'dave') entry.used = true;
    await expire(t, dave.userId);
    const before = tokenRequests(t);
    const res = await listing(t, dave);
    assert.equal(res.status, 403);
    const problem = (await res.json()) as { code: string; reconnect: boolean };
    assert.equal(problem.code, 'GITHUB_AUTH');
    assert.equal(problem.reconnect, true);
    assert.equal(tokenRequests(t) - before, 1);
    assert.equal((await listing(t, dave)).status, 403);
    const me = await dave.api.GET('/api/v1/me');
    assert.equal(me.response.status, 200);
    assert.equal(me.data?.providers.find((p) => p.provider === 'github')?.token_status, 'rejected');
    assert.equal(tokenRequests(t) - before, 1);
  });
});

describe('expiring host tokens on two instances sharing one PostgreSQL', { skip: postgresSkip !== false }, () => {
  let pg: PostgresSchema;
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    pg = await postgresSchema();
    // 20 listings at once on a shared machine: the host's deadline is not what this test is about.
    const env = { DATABASE_URL: pg.databaseUrl, GITHUB_TIMEOUT_MS: '10000' };
    a = await startTestApp({ fake: { users, expiringTokensSeconds: 3600, latencyMs: 50 }, env });
    // B talks to A's fake GitHub: the same host, as two instances behind one load balancer would.
    b = await startTestApp({ env: { ...env, GITHUB_API_URL: a.fake.baseUrl, GITHUB_WEB_URL: a.fake.baseUrl } });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await pg?.cleanup();
  });

  test('when 20 requests at the expiry are spread over both instances, then one refresh at the host and all 20 answered', async () => {
    const erin = await a.signIn('erin');
    await expire(a, erin.userId);
    const before = a.fake.state.refreshes;
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => listing(i % 2 ? b : a, erin)));
    const failed = answers.find((r) => r.status !== 200);
    assert.equal(failed && `${failed.url} ${failed.status} ${await failed.text()}`, undefined);
    assert.deepEqual(answers.map((r) => r.status), Array(20).fill(200));
    assert.equal(a.fake.state.refreshes - before, 1);
  });
});
