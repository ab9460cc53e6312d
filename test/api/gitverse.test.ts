import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { generateRepos } from '../fakes/github/index.ts';
import { generateGitVerseRepos, gitverseTokenFor } from '../fakes/gitverse/index.ts';
import { startTestApp, type SignedIn, type TestApp } from '../support/harness.ts';
import { impatientHosts } from '../support/deadlines.ts';
import { assertEvery } from '../support/assertions.ts';

describe('GitVerse linked beside GitHub', () => {
  let t: TestApp;
  let me: SignedIn;
  const githubRepos = generateRepos(130, { owner: { login: 'octocat' }, seed: 11 });
  const gitverseRepos = generateGitVerseRepos(70, { owner: { login: 'octocat' }, seed: 12 });

  beforeAll(async () => {
    t = await startTestApp({
      fake: { users: [{ login: 'octocat', repos: githubRepos }] },
      gitverse: {
        users: [
          { login: 'octocat', full_name: 'Octo Cat', repos: gitverseRepos },
          { login: 'writer', scopes: ['public_api'], repos: [] },
          { login: 'weak', scopes: ['read:user'], repos: [] },
        ],
      },
      // One test waits for GitVerse's deadline to pass.
      env: impatientHosts(),
    });
    me = await t.signIn('octocat');
  });
  afterAll(() => t.close());

  const link = (token: string) => me.api.PUT('/api/v1/me/providers/gitverse', { body: { token } });

  test('when a token without a read scope is linked, then 403 PROVIDER_AUTH with reconnect, and nothing is stored', async () => {
    const res = await link(gitverseTokenFor('weak'));
    assert.equal(res.response.status, 403);
    assert.equal(res.error?.code, 'PROVIDER_AUTH');
    assert.equal(res.error?.reconnect, true);
    const who = await me.api.GET('/api/v1/me');
    assert.equal(who.data?.providers[1]?.linked, false);
  });

  test('when an unknown token is linked, then 403 PROVIDER_AUTH', async () => {
    const res = await link('gv_not_a_real_token_0000');
    assert.equal(res.response.status, 403);
  });

  test('when GitVerse is down or slow while linking, then 502 or 504', async () => {
    t.gitverse.state.injectFault({ route: '/user', kind: 503, times: 1 });
    assert.equal((await link(gitverseTokenFor('octocat'))).response.status, 502);
    t.gitverse.state.injectFault({ route: '/user', kind: 'timeout', times: 1 });
    assert.equal((await link(gitverseTokenFor('octocat'))).response.status, 504);
  });

  test('when the token is not a token, then 400 with the field named', async () => {
    const res = await link('short');
    assert.equal(res.response.status, 400);
    assert.ok(res.error?.field_errors?.['body.token']);
  });

  test('a public_api token is accepted, and me warns that it grants write and delete', async () => {
    const res = await link(gitverseTokenFor('writer'));
    assert.equal(res.response.status, 200);
    assert.match(res.data?.warnings[0] ?? '', /write and delete/);
    const who = await me.api.GET('/api/v1/me');
    assert.equal(who.data?.providers[1]?.login, 'writer');
    assert.match(who.data?.providers[1]?.warnings[0] ?? '', /public_api/);
  });

  test('when a read:public_api token is linked, then both hosts interleave in one list by the requested sort, with total and Link', async () => {
    const res = await link(gitverseTokenFor('octocat'));
    assert.equal(res.response.status, 200);
    assert.deepEqual(res.data?.warnings, []);

    const seen: Array<{ provider: string; updated_at: string | null }> = [];
    for (let page = 1; ; page++) {
      const list = await me.api.GET('/api/v1/repos', { params: { query: { per_page: 50, page } } });
      assert.equal(list.data?.total, 200);
      assert.deepEqual(list.data?.providers.map((p) => [p.provider, p.status]), [['github', 'ok'], ['gitverse', 'ok']]);
      if (page < 4) assert.match(list.response.headers.get('link') ?? '', /page=4[^>]*>; rel="last"/);
      seen.push(...(list.data?.repositories ?? []));
      if (!list.response.headers.get('link')?.includes('rel="next"')) break;
    }
    assert.equal(seen.length, 200);
    assert.equal(seen.filter((r) => r.provider === 'gitverse').length, 70);
    const times = seen.map((r) => Date.parse(r.updated_at ?? ''));
    assert.deepEqual(times, [...times].sort((a, b) => b - a));
    const firstGitVerse = seen.findIndex((r) => r.provider === 'gitverse');
    const lastGitHub = seen.map((r) => r.provider).lastIndexOf('github');
    assert.ok(firstGitVerse < lastGitHub, 'the hosts interleave');
    assertEvery(seen, (r) => r.updated_at?.endsWith('Z'), 'GitVerse offsets are normalised to UTC');
  });

  test('a GitVerse repository is connected by (provider, id) and shows as connected', async () => {
    const repo = gitverseRepos[0] ?? assert.fail();
    const made = await me.api.POST('/api/v1/connections', { body: { provider: 'gitverse', repo_id: repo.id } });
    assert.equal(made.response.status, 201);
    const list = await me.api.GET('/api/v1/repos', { params: { query: { provider: 'gitverse', connected: true } } });
    assert.deepEqual(list.data?.repositories.map((r) => [r.provider, r.id]), [['gitverse', repo.id]]);
  });

  test('when GitVerse fails while GitHub answers, then 200 with GitHub only and GitVerse marked failed with its problem', async () => {
    t.gitverse.state.injectFault({ route: '/user/repos', kind: 500 });
    try {
      const list = await me.api.GET('/api/v1/repos', { params: { query: { refresh: true, per_page: 100 } } });
      assert.equal(list.response.status, 200);
      assert.equal(list.data?.total, 130);
      const status = list.data?.providers.find((p) => p.provider === 'gitverse');
      assert.equal(status?.status, 'failed');
      assert.equal(status?.problem?.code, 'UPSTREAM_UNAVAILABLE');
      assertEvery(list.data?.repositories, (r) => r.provider === 'github');

      const only = await me.api.GET('/api/v1/repos', { params: { query: { provider: 'gitverse', refresh: true } } });
      assert.equal(only.response.status, 502);
      assert.equal(only.error?.provider, 'gitverse');
    } finally {
      t.gitverse.state.clearFaults();
    }
  });

  test('when GitVerse rejects the token during a listing filtered to it, then 403 PROVIDER_AUTH with reconnect', async () => {
    t.gitverse.state.injectFault({ route: '/user/repos', kind: 401 });
    try {
      const only = await me.api.GET('/api/v1/repos', { params: { query: { provider: 'gitverse', refresh: true } } });
      assert.equal(only.response.status, 403);
      assert.equal(only.error?.code, 'PROVIDER_AUTH');
      assert.equal(only.error?.reconnect, true);
    } finally {
      t.gitverse.state.clearFaults();
    }
  });

  test('when GitVerse is unlinked, then 204, the listing is GitHub only, and unlinking again is 404', async () => {
    const gone = await me.api.DELETE('/api/v1/me/providers/gitverse');
    assert.equal(gone.response.status, 204);
    const list = await me.api.GET('/api/v1/repos', { params: { query: { per_page: 1 } } });
    assert.equal(list.data?.total, 130);
    assert.deepEqual(list.data?.providers.map((p) => p.provider), ['github']);
    const again = await me.api.DELETE('/api/v1/me/providers/gitverse');
    assert.equal(again.response.status, 404);
    const filtered = await me.api.GET('/api/v1/repos', { params: { query: { provider: 'gitverse' } } });
    assert.equal(filtered.response.status, 403);
    assert.equal(filtered.error?.code, 'PROVIDER_AUTH');
  });
});
