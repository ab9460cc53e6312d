import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { generateRepos } from '../fakes/github/index.ts';
import { generateProjects, startFakeGitLab, type FakeGitLab } from '../fakes/gitlab/index.ts';
import { appFetch, startTestApp, type TestApp } from '../support/harness.ts';
import { signInThrough } from '../support/sign-in.ts';

/**
 * Two GitLab instances on loopback: the main one (the harness's fake, `GITLAB_URL`) and a self-managed
 * one with its own OAuth application (`GITLAB_INSTANCES`), plus a third GitLab the operator did not list.
 * `gl-dev` exists on both instances with the same numeric id: two accounts, not one.
 */
describe('GitLab: sign-in and linking with a self-managed instance', () => {
  const SELF_MANAGED_APP = { clientId: 'self-managed-app', clientSecret: 'self-managed-secret' };
  let t: TestApp;
  let selfManaged: FakeGitLab;
  let unlisted: FakeGitLab;
  const main = () => t.fakes.gitlab;
  const selfHost = () => new URL(selfManaged.baseUrl).host;

  beforeAll(async () => {
    selfManaged = await startFakeGitLab({
      ...SELF_MANAGED_APP,
      users: [
        { login: 'sm-dev', projects: generateProjects(7, { owner: { login: 'sm-dev' }, seed: 31 }) },
        { login: 'gl-dev', projects: generateProjects(2, { owner: { login: 'gl-dev' }, seed: 32 }) },
        { login: 'sm-pat', projects: generateProjects(3, { owner: { login: 'sm-pat' }, seed: 33 }) },
      ],
    });
    unlisted = await startFakeGitLab({ users: [{ login: 'sm-dev' }] });
    t = await startTestApp({
      fake: { users: [{ login: 'octocat', repos: generateRepos(4, { owner: { login: 'octocat' }, seed: 6 }) }, { login: 'hubot' }] },
      hosts: { gitlab: { users: [{ login: 'gl-dev', projects: generateProjects(4, { owner: { login: 'gl-dev' }, seed: 30 }) }] } },
      env: {
        GITLAB_INSTANCES: JSON.stringify([
          { url: selfManaged.baseUrl, client_id: SELF_MANAGED_APP.clientId, client_secret: SELF_MANAGED_APP.clientSecret },
          // Allowed for personal access tokens only: no OAuth application here (and nothing listens there).
          { url: 'https://tokens-only.example.test' },
        ]),
      },
    });
  });
  afterAll(async () => {
    await t?.close();
    await selfManaged?.close();
    await unlisted?.close();
  });

  const login = (instance: string) => appFetch(`${t.baseUrl}/api/v1/auth/gitlab/login?${new URLSearchParams({ instance })}`, { redirect: 'manual' });
  const signInSelfManaged = (who: string, sessionCookie?: string) =>
    signInThrough(t.baseUrl, who, { appFetch, provider: 'gitlab', instance: selfManaged.baseUrl, ...(sessionCookie ? { sessionCookie } : {}) });
  const signInMain = (who: string, sessionCookie?: string) => signInThrough(t.baseUrl, who, { appFetch, provider: 'gitlab', ...(sessionCookie ? { sessionCookie } : {}) });

  test('when sign-in names the self-managed instance, by its URL or its host, then the browser goes to that instance with its own OAuth application', async () => {
    for (const instance of [selfManaged.baseUrl, `${selfManaged.baseUrl}/some-group/some-project`, selfHost()]) {
      const res = await login(instance);
      assert.equal(res.status, 302, instance);
      const to = new URL(res.headers.get('location') ?? assert.fail('no location'));
      assert.equal(`${to.origin}${to.pathname}`, `${selfManaged.baseUrl}/oauth/authorize`);
      assert.equal(to.searchParams.get('client_id'), SELF_MANAGED_APP.clientId);
      assert.equal(to.searchParams.get('redirect_uri'), `${t.baseUrl}/api/v1/auth/gitlab/callback`);
      assert.equal(to.searchParams.get('code_challenge_method'), 'S256');
    }
  });

  test('when a user signs in with the self-managed instance, then the code exchange, the listing, me and the refresh all go to that instance', async () => {
    const mainBefore = main().state.counters.total;
    const signed = await signInSelfManaged('sm-dev');
    const api = t.client(signed.token);
    const me = await api.GET('/api/v1/me');
    assert.equal(me.response.status, 200);
    assert.equal(me.data?.user.login, 'sm-dev');
    const gitlab = me.data?.providers.find((p) => p.provider === 'gitlab');
    assert.deepEqual([gitlab?.linked, gitlab?.token_status, gitlab?.login], [true, 'valid', 'sm-dev']);
    const list = await api.GET('/api/v1/repos', { params: { query: { provider: 'gitlab', per_page: 100 } } });
    assert.equal(list.response.status, 200, JSON.stringify(list.error));
    assert.equal(list.data?.total, 7);
    assert.ok(list.data?.repositories.length, 'projects listed');
    assert.ok(list.data?.repositories.every((r) => r.html_url.startsWith(selfManaged.baseUrl)), 'every project is the self-managed instance’s');

    // The access token expires: the refresh token is spent at the instance that issued it.
    for (const token of selfManaged.state.accessTokens.keys()) selfManaged.state.expire(token);
    const [refreshesHere, refreshesMain] = [selfManaged.state.refreshes, main().state.refreshes];
    const again = await api.GET('/api/v1/repos', { params: { query: { provider: 'gitlab', refresh: true } } });
    assert.equal(again.response.status, 200, JSON.stringify(again.error));
    assert.equal(selfManaged.state.refreshes - refreshesHere, 1);
    assert.equal(main().state.refreshes - refreshesMain, 0);
    assert.equal(main().state.counters.total, mainBefore, 'the main instance was never asked');
  });

  test('when the same numeric user id exists on both instances, then they are two accounts: each signs in as its own user', async () => {
    const onMain = await signInMain('gl-dev');
    const onSelfManaged = await signInSelfManaged('gl-dev');
    assert.notEqual(onMain.userId, onSelfManaged.userId);
    const totals = await Promise.all(
      [onMain, onSelfManaged].map(async (s) => (await t.client(s.token).GET('/api/v1/repos', { params: { query: { provider: 'gitlab' } } })).data?.total),
    );
    assert.deepEqual(totals, [4, 2]);
  });

  test('when a self-managed GitLab account already belongs to another user, then 409 from either side, and nothing moves', async () => {
    // sm-dev is the user who signed in with the self-managed account; hubot (GitHub) tries to link it.
    const smDev = await signInSelfManaged('sm-dev');
    const hubot = await t.signIn('hubot');
    await assert.rejects(signInSelfManaged('sm-dev', hubot.cookie), /409/);
    const hubotMe = await hubot.api.GET('/api/v1/me');
    assert.equal(hubotMe.data?.providers.find((p) => p.provider === 'gitlab')?.linked, false);

    // The other side: the self-managed user tries to link octocat's GitHub account, which is octocat's.
    const octocat = await t.signIn('octocat');
    await assert.rejects(signInThrough(t.baseUrl, 'octocat', { appFetch, sessionCookie: smDev.cookie }), /409/);
    const smMe = await t.client(smDev.token).GET('/api/v1/me');
    assert.equal(smMe.data?.providers.find((p) => p.provider === 'github')?.linked, false);
    assert.equal((await octocat.api.GET('/api/v1/me')).data?.user.id, octocat.userId);

    // A self-managed account no user has yet links to the user who completes its flow.
    const linked = await signInSelfManaged('sm-pat', octocat.cookie);
    assert.equal(linked.userId, octocat.userId);
    const me = await octocat.api.GET('/api/v1/me');
    assert.equal(me.data?.providers.find((p) => p.provider === 'gitlab')?.login, 'sm-pat');
  });

  test('when sign-in names an instance the operator did not list (loopback, link-local, a look-alike), then 400 on query.instance and nothing is sent there', async () => {
    unlisted.state.resetCounters();
    const port = new URL(selfManaged.baseUrl).port;
    for (const instance of [
      unlisted.baseUrl,
      new URL(unlisted.baseUrl).host,
      `http://localhost:${port}`,
      `https://${selfHost()}`,
      'http://169.254.169.254/latest/meta-data',
      'http://[::1]:80/',
      'gitlab.com.evil.test',
    ]) {
      const res = await login(instance);
      assert.equal(res.status, 400, instance);
      const problem = (await res.json()) as { code: string; field_errors?: Record<string, string> };
      assert.equal(problem.code, 'VALIDATION_FAILED');
      assert.ok(problem.field_errors?.['query.instance'], instance);
      assert.equal(res.headers.get('location'), null);
      assert.ok(!res.headers.getSetCookie().some((c) => c.includes('rapi_oauth')), 'no sign-in state was issued');
    }
    assert.equal(unlisted.state.counters.total, 0, 'the unlisted GitLab got no request');
  });

  test('when sign-in names an allowed instance that has no OAuth application here, then 400 on query.instance saying to link a token', async () => {
    const res = await login('https://tokens-only.example.test');
    assert.equal(res.status, 400);
    const problem = (await res.json()) as { detail: string; field_errors?: Record<string, string> };
    assert.match(problem.field_errors?.['query.instance'] ?? '', /personal access token/);
    assert.match(problem.detail, /PUT \/api\/v1\/me\/providers\/gitlab/);
  });

  test('when a host with one instance is named one, then 400 on query.instance', async () => {
    const res = await appFetch(`${t.baseUrl}/api/v1/auth/github/login?instance=${encodeURIComponent(t.fake.baseUrl)}`, { redirect: 'manual' });
    assert.equal(res.status, 400);
    const problem = (await res.json()) as { field_errors?: Record<string, string> };
    assert.ok(problem.field_errors?.['query.instance']);
  });

  test('when a personal access token of the self-managed instance is linked, then it is stored bare with its instance, and used there', async () => {
    const hubot = await t.signIn('hubot');
    const pat = selfManaged.state.accountByLogin('sm-pat')!.token;
    const res = await hubot.api.PUT('/api/v1/me/providers/{provider}', { params: { path: { provider: 'gitlab' } }, body: { token: pat, instance_url: selfManaged.baseUrl } });
    assert.equal(res.response.status, 200, JSON.stringify(res.error));
    const stored = await t.app.services.store.tokens.get(hubot.userId, 'gitlab');
    assert.equal(stored?.status, 'ok');
    assert.deepEqual(stored?.status === 'ok' ? [stored.token, stored.instance] : [], [pat, selfHost()]);
    const list = await hubot.api.GET('/api/v1/repos', { params: { query: { provider: 'gitlab' } } });
    assert.equal(list.response.status, 200);
    assert.equal(list.data?.total, 3);
  });
});
