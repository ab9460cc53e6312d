import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { generateRepos } from '../fakes/github/index.ts';
import { generateProjects } from '../fakes/gitlab/index.ts';
import { KIND_CORPUS } from '../fixtures/kind-corpus.ts';
import { appFetch, startTestApp, TEST_CLIENT, type TestApp } from '../support/harness.ts';
import { signInThrough } from '../support/sign-in.ts';

describe('GitLab: sign in, link, list, refresh', () => {
  let t: TestApp;
  const projects = generateProjects(230, { owner: { login: 'gl-dev' }, seed: 21, files: (_p, i) => KIND_CORPUS[i % KIND_CORPUS.length]!.files });

  beforeAll(async () => {
    t = await startTestApp({
      // Kinds within the listing: the budget outlasts the fake's few GraphQL requests.
      env: { DETECTION_BUDGET_MS: '10000' },
      fake: { users: [{ login: 'octocat', repos: generateRepos(40, { owner: { login: 'octocat' }, seed: 5 }) }, { login: 'hubot' }] },
      hosts: { gitlab: { users: [{ login: 'gl-dev', projects }, { login: 'gl-other', projects: generateProjects(3, { owner: { login: 'gl-other' }, seed: 4 }) }] } },
    });
  });
  afterAll(() => t.close());

  const signInGitLab = (login: string, sessionCookie?: string) =>
    signInThrough(t.baseUrl, login, { appFetch, provider: 'gitlab', ...(sessionCookie ? { sessionCookie } : {}) });

  test('when sign-in with GitLab starts, then the browser goes to GitLab with read_api read_user, state and a PKCE challenge', async () => {
    const res = await appFetch(`${t.baseUrl}/api/v1/auth/gitlab/login`, { redirect: 'manual' });
    assert.equal(res.status, 302);
    const to = new URL(res.headers.get('location') ?? assert.fail('no location'));
    assert.equal(`${to.origin}${to.pathname}`, `${t.fakes.gitlab.baseUrl}/oauth/authorize`);
    assert.equal(to.searchParams.get('client_id'), TEST_CLIENT.id);
    assert.equal(to.searchParams.get('scope'), 'read_api read_user');
    assert.equal(to.searchParams.get('response_type'), 'code');
    assert.equal(to.searchParams.get('code_challenge_method'), 'S256');
    assert.match(to.searchParams.get('code_challenge') ?? '', /^[\w-]{43}$/);
    assert.ok(to.searchParams.get('state'));
  });

  test('when a new user signs in with GitLab, then their GitLab projects are listed with kinds, nested owners and every page', async () => {
    const signed = await signInGitLab('gl-dev');
    const api = t.client(signed.token);
    const me = await api.GET('/api/v1/me');
    assert.equal(me.data?.user.login, 'gl-dev', JSON.stringify(me.error));
    const gitlab = me.data?.providers.find((p) => p.provider === 'gitlab');
    assert.deepEqual([gitlab?.linked, gitlab?.token_status, gitlab?.scopes], [true, 'valid', ['read_api', 'read_user']]);
    const list = await api.GET('/api/v1/repos', { params: { query: { per_page: 100, provider: 'gitlab' } } });
    assert.equal(list.response.status, 200);
    assert.equal(list.data?.total, 230);
    const nested = list.data?.repositories.find((r) => r.owner.login.includes('/'));
    assert.ok(nested, 'a project of a subgroup');
    assert.equal(nested.full_name, `${nested.owner.login}/${nested.name}`);
    assert.equal(nested.owner.type, 'Organization');
    const detected = list.data?.repositories.filter((r) => r.kind !== 'unknown') ?? [];
    assert.ok(detected.length > 50, `${detected.length} of 100 projects with a kind`);
    assert.ok(list.data?.repositories.some((r) => r.origin !== null), 'an app builder found');
    // Every GraphQL request carried at most ten projects: 230 projects, at most 23 requests.
    assert.ok((t.fakes.gitlab.state.counters.byRoute['/api/graphql'] ?? 0) <= 23);
  });

  test('when a GitHub user completes the GitLab flow, then GitLab is linked to them and both hosts are listed', async () => {
    const github = await t.signIn('octocat');
    const linked = await signInGitLab('gl-other', github.cookie);
    assert.equal(linked.userId, github.userId);
    const list = await github.api.GET('/api/v1/repos', { params: { query: { per_page: 100 } } });
    const providers = new Set(list.data?.repositories.map((r) => r.provider));
    assert.deepEqual([...providers].sort(), ['github', 'gitlab']);
    assert.equal(list.data?.total, 43);
  });

  test('when a GitLab account already belongs to another user, then 409 from either side, and nothing moves', async () => {
    // gl-dev is the GitLab account of the user who signed in with it; hubot (GitHub) tries to take it.
    const hubot = await t.signIn('hubot');
    await assert.rejects(signInGitLab('gl-dev', hubot.cookie), /409/);
    // And the other side: the GitLab user tries to link octocat's GitHub, which belongs to the user of the test above.
    const glDev = await signInGitLab('gl-dev');
    await assert.rejects(signInThrough(t.baseUrl, 'octocat', { appFetch, sessionCookie: glDev.cookie }), /409/);
    const me = await t.client(glDev.token).GET('/api/v1/me');
    assert.equal(me.data?.providers.find((p) => p.provider === 'github')?.linked, false);
  });

  test('when the GitLab access token has expired, then 20 concurrent listings spend the refresh token once, and all are answered', async () => {
    const signed = await signInGitLab('gl-dev');
    const api = t.client(signed.token);
    for (const token of t.fakes.gitlab.state.accessTokens.keys()) t.fakes.gitlab.state.expire(token);
    const before = t.fakes.gitlab.state.refreshes;
    const answers = await Promise.all(Array.from({ length: 20 }, () => api.GET('/api/v1/repos', { params: { query: { refresh: true, provider: 'gitlab' } } })));
    assert.deepEqual(answers.map((a) => a.response.status), Array(20).fill(200));
    assert.equal(t.fakes.gitlab.state.refreshes - before, 1);
    assert.equal(t.fakes.gitlab.state.refusedRefreshes, 0);
  });

  test('when GitLab refuses the refresh, then 403 PROVIDER_AUTH with reconnect, and the next request does not ask again', async () => {
    const signed = await signInGitLab('gl-dev');
    const api = t.client(signed.token);
    for (const token of t.fakes.gitlab.state.accessTokens.keys()) t.fakes.gitlab.state.expire(token);
    for (const entry of t.fakes.gitlab.state.refreshTokens.values()) entry.used = true;
    const before = t.fakes.gitlab.state.refusedRefreshes;
    const first = await api.GET('/api/v1/repos', { params: { query: { refresh: true, provider: 'gitlab' } } });
    assert.equal(first.response.status, 403);
    assert.equal(first.error?.code, 'PROVIDER_AUTH');
    assert.equal(first.error?.reconnect, true);
    await api.GET('/api/v1/repos', { params: { query: { refresh: true, provider: 'gitlab' } } });
    assert.equal(t.fakes.gitlab.state.refusedRefreshes - before, 1, 'one refusal, no loop');
  });

  test('when a personal access token is linked for an instance the operator did not allow, then 400 and the address is never asked', async () => {
    const github = await t.signIn('hubot');
    for (const instance_url of ['http://169.254.169.254/', 'http://127.0.0.1:9/']) {
      const res = await github.api.PUT('/api/v1/me/providers/{provider}', { params: { path: { provider: 'gitlab' } }, body: { token: 'glpat-abcdefghijklmnop', instance_url } });
      assert.equal(res.response.status, 400, instance_url);
      assert.equal(res.error?.code, 'VALIDATION_FAILED');
    }
  });

  test('when a personal access token of the allowed instance is linked, then GitLab is linked with its scopes', async () => {
    const github = await t.signIn('hubot');
    const pat = t.fakes.gitlab.state.accountByLogin('gl-other')!.token;
    const res = await github.api.PUT('/api/v1/me/providers/{provider}', { params: { path: { provider: 'gitlab' } }, body: { token: pat, instance_url: t.fakes.gitlab.baseUrl } });
    assert.equal(res.response.status, 200);
    assert.deepEqual([res.data?.login, res.data?.scopes], ['gl-other', ['read_api', 'read_user']]);
    const list = await github.api.GET('/api/v1/repos', { params: { query: { provider: 'gitlab' } } });
    assert.equal(list.data?.total, 3);
  });
});
