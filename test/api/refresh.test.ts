/**
 * The bound on refreshes: within REFRESH_MIN_INTERVAL_SECONDS of the last read of a host, a refresh
 * or a connect of an unknown id reuses that read, against a failing host too. The interval passes on
 * a clock the test moves.
 */
import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { generateRepos } from '../fakes/github/index.ts';
import { startTestApp, type SignedIn, type TestApp } from '../support/harness.ts';
import { ManualClock } from '../support/clock.ts';

describe('refreshes within the interval', () => {
  let t: TestApp;
  let me: SignedIn;
  beforeAll(async () => {
    t = await startTestApp({
      fake: { users: [{ login: 'octocat', repos: generateRepos(30, { owner: { login: 'octocat' }, seed: 3 }) }] },
      env: { REFRESH_MIN_INTERVAL_SECONDS: '30' },
    });
    me = await t.signIn('octocat');
  });
  afterAll(() => t.close());

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

describe('refreshes against a failing host', () => {
  let t: TestApp;
  const clock = new ManualClock();
  beforeAll(async () => {
    t = await startTestApp({
      fake: { users: [{ login: 'octocat', repos: generateRepos(20, { owner: { login: 'octocat' }, seed: 4 }) }] },
      env: { REFRESH_MIN_INTERVAL_SECONDS: '1' },
      overrides: { clock },
    });
  });
  afterAll(() => t.close());

  test('when GitHub fails and refresh=true is repeated within the interval, then GitHub is asked once, and the listing read before is answered', async () => {
    const { api } = await t.signIn('octocat');
    assert.equal((await api.GET('/api/v1/repos')).response.status, 200);
    // The interval passes on the app's clock.
    clock.advance(1_000);
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
