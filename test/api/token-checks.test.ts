/**
 * One host call serves many requests: `me`'s check of each host token is kept per user for
 * TOKEN_CHECK_TTL_SECONDS and shared by concurrent requests; a link, an unlink or a sign-in asks the
 * host again at once. Linking attempts are limited per user and address, so a guessing loop cannot
 * use this API to probe a host.
 */
import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { generateRepos } from '../fakes/github/index.ts';
import { gitverseTokenFor } from '../fakes/gitverse/index.ts';
import { startTestApp, type SignedIn, type TestApp } from '../support/harness.ts';
import { ManualClock } from '../support/clock.ts';

describe("me's checks of host tokens, kept and shared", () => {
  let t: TestApp;
  let me: SignedIn;

  beforeAll(async () => {
    t = await startTestApp({
      fake: { users: [{ login: 'polly', repos: generateRepos(3, { owner: { login: 'polly' }, seed: 81 }) }, { login: 'quinn', repos: [] }] },
      gitverse: { users: [{ login: 'polly', repos: [] }] },
      env: { TOKEN_CHECK_TTL_SECONDS: '60', RATE_LIMIT_PER_USER: '100000', RATE_LIMIT_PER_ADDRESS: '100000' },
    });
    me = await t.signIn('polly');
  });
  afterAll(() => t.close());

  const githubUserCalls = () => t.fake.state.counters.byRoute['/user'] ?? 0;
  const gitverseUserCalls = () => t.gitverse.state.counters.byRoute['/user'] ?? 0;
  const statusOf = async (signed: SignedIn, provider: 'github' | 'gitverse') => {
    const res = await signed.api.GET('/api/v1/me');
    assert.equal(res.response.status, 200);
    return res.data!.providers.find((p) => p.provider === provider)!.token_status;
  };

  test('when me is asked 300 times in a minute, 30 at once, then GitHub is asked about the token once', async () => {
    const before = githubUserCalls();
    for (let round = 0; round < 10; round++) {
      const answers = await Promise.all(Array.from({ length: 30 }, () => me.api.GET('/api/v1/me')));
      for (const a of answers) assert.equal(a.data?.providers[0]?.token_status, 'valid');
    }
    assert.equal(githubUserCalls() - before, 1);
  });

  test('when GitHub rejects the token, then me keeps saying so without asking again, and a sign-in asks again at once', async () => {
    const quinn = await t.signIn('quinn');
    t.fake.state.injectFault({ route: '/user', kind: 'badCredentials', times: 1 });
    assert.equal(await statusOf(quinn, 'github'), 'rejected');
    const before = githubUserCalls();
    assert.equal(await statusOf(quinn, 'github'), 'rejected');
    assert.equal(githubUserCalls(), before, 'the rejection was kept');
    const again = await t.signIn('quinn');
    const afterSignIn = githubUserCalls();
    assert.equal(await statusOf(again, 'github'), 'valid');
    assert.equal(githubUserCalls() - afterSignIn, 1, 'the sign-in made me ask GitHub again');
  });

  test('when a GitVerse token is linked, unlinked and linked again, then each change makes me ask GitVerse again at once', async () => {
    const token = gitverseTokenFor('polly');
    assert.equal((await me.api.PUT('/api/v1/me/providers/gitverse', { body: { token } })).response.status, 200);
    let before = gitverseUserCalls();
    assert.equal(await statusOf(me, 'gitverse'), 'valid');
    assert.equal(await statusOf(me, 'gitverse'), 'valid');
    assert.equal(gitverseUserCalls() - before, 1, 'asked once, then kept');

    assert.equal((await me.api.DELETE('/api/v1/me/providers/gitverse')).response.status, 204);
    assert.equal(await statusOf(me, 'gitverse'), 'not_linked');
    assert.equal((await me.api.PUT('/api/v1/me/providers/gitverse', { body: { token } })).response.status, 200);
    before = gitverseUserCalls();
    assert.equal(await statusOf(me, 'gitverse'), 'valid');
    assert.equal(gitverseUserCalls() - before, 1, 'the unlink and link made me ask GitVerse again');

    // The same token linked again (after the user fixed it at GitVerse, say): asked again at once.
    assert.equal((await me.api.PUT('/api/v1/me/providers/gitverse', { body: { token } })).response.status, 200);
    before = gitverseUserCalls();
    assert.equal(await statusOf(me, 'gitverse'), 'valid');
    assert.equal(gitverseUserCalls() - before, 1, 'linking the same token again made me ask again');
  });
});

describe('a kept check expires', () => {
  let t: TestApp;

  // The kept check's lifetime is measured on a clock the test moves.
  const clock = new ManualClock();

  beforeAll(async () => {
    t = await startTestApp({ fake: { users: [{ login: 'ruth', repos: [] }] }, env: { TOKEN_CHECK_TTL_SECONDS: '3' }, overrides: { clock } });
  });
  afterAll(() => t.close());

  test('when TOKEN_CHECK_TTL_SECONDS has passed, then me asks the host again', async () => {
    const ruth = await t.signIn('ruth');
    const calls = () => t.fake.state.counters.byRoute['/user'] ?? 0;
    await ruth.api.GET('/api/v1/me');
    const before = calls();
    await ruth.api.GET('/api/v1/me');
    assert.equal(calls(), before);
    clock.advance(3_000);
    await ruth.api.GET('/api/v1/me');
    assert.equal(calls(), before, 'still kept at the end of its lifetime');
    clock.advance(1);
    await ruth.api.GET('/api/v1/me');
    assert.equal(calls() - before, 1);
  });
});

describe('linking attempts, limited per user and address', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({
      fake: { users: [{ login: 'sam', repos: [] }, { login: 'tess', repos: [] }] },
      gitverse: { users: [{ login: 'sam', repos: [] }] },
      env: { LINK_ATTEMPTS_PER_HOUR: '3' },
    });
  });
  afterAll(() => t.close());

  test('when a user tries guessed tokens in a loop, then after the limit 429 RATE_LIMITED with Retry-After, and GitVerse is not asked any more', async () => {
    const sam = await t.signIn('sam');
    const calls = () => t.gitverse.state.counters.byRoute['/user'] ?? 0;
    const before = calls();
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const res = await sam.api.PUT('/api/v1/me/providers/gitverse', { body: { token: `guess-${i}-0123456789abcdef` } });
      statuses.push(res.response.status);
      if (res.response.status === 429) {
        assert.equal(res.error?.code, 'RATE_LIMITED');
        assert.ok(Number(res.response.headers.get('retry-after')) > 60, 'the wait is the hour window, not a minute');
      }
    }
    assert.ok(statuses.slice(0, 3).every((s) => s !== 429), String(statuses));
    assert.deepEqual(statuses.slice(3), [429, 429, 429]);
    assert.equal(calls() - before, 3);
    // The address has spent its attempts too: another user from it is refused as well.
    const tess = await t.signIn('tess');
    assert.equal((await tess.api.PUT('/api/v1/me/providers/gitverse', { body: { token: gitverseTokenFor('sam') } })).response.status, 429);
  });
});
