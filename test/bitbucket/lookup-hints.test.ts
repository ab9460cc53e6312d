/**
 * Bitbucket through the app: why repositories may be missing (a workspace that shares no repository with
 * the user; credentials without the repository scope, from `X-OAuth-Scopes` or a 403 that names it) and
 * lookup by URL (`https://bitbucket.org/ws/repo`, `.git`, pages below it, SSH).
 */
import assert from 'node:assert/strict';
import { afterAll, beforeAll, beforeEach, describe, test } from 'vitest';
import { BitbucketClient } from '../../src/hosts/bitbucket/index.ts';
import { generateBitbucketRepos, type FakeBitbucket, type FakeBitbucketAccount } from '../fakes/bitbucket/index.ts';
import { appFetch, startTestApp, type TestApp } from '../support/harness.ts';
import { rejectsWithProblem } from './helpers.ts';
import { ANSWERED_MS } from '../support/deadlines.ts';

describe('Bitbucket: hints and lookup by URL', () => {
  let t: TestApp;
  let fake: FakeBitbucket;
  let cy: FakeBitbucketAccount;
  let api: ReturnType<TestApp['client']>;
  const own = generateBitbucketRepos(6, { workspace: 'cy-space', seed: 71 });
  const shared = generateBitbucketRepos(3, { workspace: 'guild', seed: 72 });
  const hidden = generateBitbucketRepos(4, { workspace: 'locked-ws', seed: 73 }).map((r) => ({ ...r, readers: ['someone-else'], is_private: true }));

  beforeAll(async () => {
    t = await startTestApp();
    fake = t.fakes.bitbucket;
    cy = fake.state.addUser({ login: 'cy' });
    fake.state.addUser({ login: 'someone-else' });
    fake.state.addUser({ login: 'dee', apiTokenScopes: ['read:user:bitbucket', 'read:workspace:bitbucket'] });
    fake.state.addWorkspace({ slug: 'cy-space', members: ['cy'], repos: own });
    fake.state.addWorkspace({ slug: 'guild', members: ['cy', 'someone-else'], repos: shared });
    // cy is a member, but every repository is shared with someone else only.
    fake.state.addWorkspace({ slug: 'locked-ws', members: ['cy', 'dee', 'someone-else'], repos: hidden });
    // cy administers it and it has no repository: an administrator sees everything, so nothing is hidden.
    fake.state.addWorkspace({ slug: 'cy-admin', administrators: ['cy'], repos: [] });
    fake.state.addWorkspace({ slug: 'other-ws', members: ['someone-else'], repos: generateBitbucketRepos(2, { workspace: 'other-ws', seed: 74 }).map((r) => ({ ...r, is_private: false })) });
    t.fake.state.addUser({ login: 'cy' });
    const signed = await t.signIn('cy');
    api = t.client(signed.token);
    const linked = await appFetch(`${t.baseUrl}/api/v1/me/providers/bitbucket`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${signed.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ token: `${cy.user.email}:${cy.apiToken}` }),
    });
    assert.equal(linked.status, 200, await linked.clone().text());
  });
  afterAll(() => t.close());
  beforeEach(() => fake.state.clearFaults());

  const web = () => fake.baseUrl;
  const listing = async (who = api) => {
    const res = await who.GET('/api/v1/repos', { params: { query: { per_page: 100, provider: 'bitbucket', refresh: true } } });
    assert.equal(res.response.status, 200, JSON.stringify(res.error));
    return res.data ?? assert.fail('a listing');
  };
  const lookup = (url: string) => api.GET('/api/v1/repos/lookup', { params: { query: { url } } });

  test('when a workspace the user is a member of shares no repository with them, then the Bitbucket entry names it', async () => {
    t.fakes.bitbucket.state.resetCounters();
    const list = await listing();
    assert.equal(list.total, own.length + shared.length);
    const bitbucket = list.providers.find((p) => p.provider === 'bitbucket') ?? assert.fail('a Bitbucket entry');
    assert.equal(bitbucket.status, 'ok');
    assert.deepEqual(bitbucket.hints.map((h) => [h.code, h.organizations, h.url]), [['bitbucket_workspace_no_access', ['locked-ws'], null]]);
    assert.match(bitbucket.hints[0]!.message, /member of the locked-ws workspace, but no repository of it is shared with you/);
    // The check costs nothing beyond the listing: the workspaces, and one page per workspace.
    assert.equal(fake.state.counters.byRoute['/2.0/user/workspaces'], 1);
    assert.equal(fake.state.counters.byRoute['/2.0/repositories/{workspace}'], 4);
    const me = await api.GET('/api/v1/me');
    assert.deepEqual(me.data?.providers.find((p) => p.provider === 'bitbucket')?.hints.map((h) => h.code), ['bitbucket_workspace_no_access']);
  });

  test('when an API token lacks read:repository:bitbucket, then the failed entry carries the scope hint with Atlassian\'s token page', async () => {
    const dee = fake.state.accountByLogin('dee') ?? assert.fail('dee');
    t.fake.state.addUser({ login: 'dee' });
    const signed = await t.signIn('dee');
    const linked = await appFetch(`${t.baseUrl}/api/v1/me/providers/bitbucket`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${signed.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ token: `${dee.user.email}:${dee.apiToken}` }),
    });
    assert.equal(linked.status, 200, await linked.clone().text());
    const res = await t.client(signed.token).GET('/api/v1/repos', { params: { query: { provider: 'bitbucket' } } });
    // Bitbucket is the only host listed: its failure is the answer's, and the entry of `me` says why.
    assert.equal(res.response.status, 403);
    assert.equal(res.error?.code, 'PROVIDER_AUTH');
    assert.equal(res.error?.hint?.code, 'bitbucket_repository_scope');
    assert.equal(res.error?.hint?.url, 'https://id.atlassian.com/manage-profile/security/api-tokens');
    const me = await t.client(signed.token).GET('/api/v1/me');
    const entry = me.data?.providers.find((p) => p.provider === 'bitbucket') ?? assert.fail('a Bitbucket entry');
    assert.deepEqual(entry.hints.map((h) => h.code), ['bitbucket_repository_scope']);
    // Beside GitHub, which answers: the listing is partial, and the failed entry carries the hint beside its problem.
    const both = await t.client(signed.token).GET('/api/v1/repos');
    assert.equal(both.response.status, 200, JSON.stringify(both.error));
    const failed = both.data?.providers.find((p) => p.provider === 'bitbucket') ?? assert.fail('a Bitbucket entry');
    assert.equal(failed.status, 'failed');
    assert.equal(failed.problem?.code, 'PROVIDER_AUTH');
    assert.ok(!('hint' in (failed.problem ?? {})), 'the hint is in hints, not in the problem');
    assert.deepEqual(failed.hints.map((h) => [h.code, h.url]), [['bitbucket_repository_scope', 'https://id.atlassian.com/manage-profile/security/api-tokens']]);
  });

  test('when an OAuth token\'s X-OAuth-Scopes has no repository, then the listing fails at once with the hint, asking no workspace', async () => {
    const client = new BitbucketClient({ apiUrl: fake.baseUrl, webUrl: fake.baseUrl, timeoutMs: ANSWERED_MS });
    const { access_token } = fake.state.issueTokens('cy', ['account']);
    fake.state.resetCounters();
    const problem = await rejectsWithProblem(client.listRepos(access_token), { status: 403, code: 'PROVIDER_AUTH' });
    assert.equal(problem.extras.hint?.code, 'bitbucket_repository_scope');
    assert.equal(problem.extras.hint?.url, null);
    assert.equal(fake.state.counters.byRoute['/2.0/repositories/{workspace}'] ?? 0, 0);
    const full = fake.state.issueTokens('cy', ['account', 'repository']);
    const listing = await client.listRepos(full.access_token);
    assert.deepEqual(listing.stats.grantedScopes, ['account', 'repository']);
    assert.equal(listing.repos.length, own.length + shared.length);
  });

  test('when a repository of the listing is looked up by its web, .git, page, clone or SSH URL, then it is answered as listed', async () => {
    const target = own[0]!;
    const host = new URL(web()).host;
    const listed = (await listing()).repositories.find((r) => r.name === target.slug) ?? assert.fail('listed');
    fake.state.resetCounters();
    for (const url of [`${web()}/cy-space/${target.slug}`, `${web()}/cy-space/${target.slug}.git`, `${web()}/cy-space/${target.slug}/src/main/`, `http://cy@${host}/cy-space/${target.slug}.git`]) {
      const res = await lookup(url);
      assert.equal(res.response.status, 200, `${url}: ${JSON.stringify(res.error)}`);
      assert.deepEqual(res.data, listed, url);
    }
    assert.equal(fake.state.counters.byRoute['/2.0/repositories/{workspace}/{repo_slug}'] ?? 0, 0, 'answered from the list');
  });

  test('when a repository is not in the list, then Bitbucket is asked for it; 404 for one that is private to others or missing', async () => {
    const open = fake.state.workspaces.get('other-ws')!.repos[0]!;
    fake.state.resetCounters();
    const res = await lookup(`${web()}/other-ws/${open.slug}`);
    assert.equal(res.response.status, 200, JSON.stringify(res.error));
    assert.equal(res.data?.full_name, `other-ws/${open.slug}`);
    assert.equal(res.data?.owner.login, 'other-ws');
    assert.equal(fake.state.counters.byRoute['/2.0/repositories/{workspace}/{repo_slug}'], 1);
    for (const url of [`${web()}/locked-ws/${hidden[0]!.slug}`, `${web()}/cy-space/no-such-repo`]) {
      const missing = await lookup(url);
      assert.equal(missing.response.status, 404, url);
      assert.equal(missing.error?.code, 'NOT_FOUND');
      assert.equal(missing.error?.provider, 'bitbucket');
    }
  });

  test('when Bitbucket fails the lookup, then its problem is answered', async () => {
    fake.state.injectFault({ route: '/2.0/repositories/{workspace}/{repo_slug}', kind: 429 });
    const res = await lookup(`${web()}/cy-space/not-listed`);
    assert.equal(res.response.status, 429, JSON.stringify(res.error));
  });
});
