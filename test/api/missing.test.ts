import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { generateRepos, idFor, type FakeRepo } from '../fakes/github/index.ts';
import { generateGitVerseRepos, gitverseTokenFor } from '../fakes/gitverse/index.ts';
import { startTestApp, TEST_CLIENT, type SignedIn, type TestApp } from '../support/harness.ts';

const org = (login: string) => ({ login, id: idFor(login), type: 'Organization' as const });

/** Dana's repositories: her own, and one in each of four organisations that let us in or do not. */
function danaRepos(): FakeRepo[] {
  const repos = generateRepos(8, { owner: { login: 'dana' }, orgs: [], collaborators: [], seed: 31 });
  repos[0]!.owner = org('locked-corp');
  repos[0]!.name = 'vault';
  repos[1]!.owner = org('sso-corp');
  repos[1]!.name = 'ledger';
  repos[2]!.owner = org('open-corp');
  repos[2]!.name = 'portal';
  return repos;
}

describe('why a repository may be missing, and lookup by URL', () => {
  let t: TestApp;
  let dana: SignedIn;
  let pat: SignedIn;
  const repos = danaRepos();
  const own = repos.slice(3);

  beforeAll(async () => {
    t = await startTestApp({
      fake: {
        users: [
          { login: 'dana', repos },
          { login: 'pat', scopes: ['public_repo', 'read:user'], repos: generateRepos(6, { owner: { login: 'pat' }, orgs: [], collaborators: [], seed: 32 }) },
        ],
        orgs: [
          { login: 'open-corp', members: ['dana'] },
          { login: 'locked-corp', members: ['dana'], oauthRestricted: true },
          { login: 'sso-corp', members: ['dana'], sso: true },
          // A member of it with no repository in it: asked about, and it lets us in.
          { login: 'empty-corp', members: ['dana'] },
        ],
      },
      gitverse: { users: [{ login: 'pat', scopes: ['user'], repos: generateGitVerseRepos(2, { owner: { login: 'pat' }, seed: 33 }) }] },
    });
    dana = await t.signIn('dana');
    pat = await t.signIn('pat');
    // A GitVerse token whose scopes cannot list repositories (GitVerse took its scopes away after it was linked).
    await t.app.services.store.tokens.put(pat.userId, 'gitverse', { token: gitverseTokenFor('pat'), login: 'pat', scopes: ['user'] });
  });
  afterAll(() => t.close());

  const listing = async (who: SignedIn, query: Record<string, unknown> = {}) => {
    const res = await who.api.GET('/api/v1/repos', { params: { query: { per_page: 100, ...query } } });
    assert.equal(res.response.status, 200, JSON.stringify(res.error));
    return res.data ?? assert.fail('a listing');
  };
  const lookup = (who: SignedIn, url: string) => who.api.GET('/api/v1/repos/lookup', { params: { query: { url } } });
  const web = () => t.fake.baseUrl;

  test('when an organisation restricts OAuth App access and another wants SSO, then the GitHub entry names each with the URL that fixes it', async () => {
    const list = await listing(dana);
    const names = list.repositories.map((r) => r.full_name).sort();
    assert.deepEqual(names, [...own.map((r) => `dana/${r.name}`), 'open-corp/portal'].sort());
    const github = list.providers.find((p) => p.provider === 'github') ?? assert.fail('a GitHub entry');
    const restricted = github.hints.find((h) => h.code === 'github_oauth_restricted') ?? assert.fail('the restriction hint');
    assert.deepEqual(restricted.organizations, ['locked-corp']);
    assert.equal(restricted.url, `${web()}/settings/connections/applications/${TEST_CLIENT.id}`);
    const sso = github.hints.find((h) => h.code === 'github_sso_required') ?? assert.fail('the SSO hint');
    assert.deepEqual(sso.organizations, ['sso-corp']);
    assert.match(sso.url ?? '', new RegExp(`^${web()}/orgs/sso-corp/sso\\?authorization_request=`));
    assert.equal(github.hints.length, 2, 'open-corp and empty-corp let us in');
  });

  test('when the listing is warm, then the hints come from the cache without asking GitHub again', async () => {
    await listing(dana);
    t.fake.state.resetCounters();
    const again = await listing(dana, { kind: 'frontend' });
    assert.equal(again.providers[0]?.hints.length, 2);
    assert.equal(t.fake.state.counters.byRoute['/user/orgs'] ?? 0, 0);
    assert.equal(t.fake.state.counters.byRoute['/orgs/{org}/repos'] ?? 0, 0);
  });

  test('when the listing is read cold, then the checks cost the organisation list and one request per organisation without a listed repository', async () => {
    t.fake.state.resetCounters();
    await listing(dana, { refresh: true });
    assert.equal(t.fake.state.counters.byRoute['/user/orgs'], 1);
    // locked-corp, sso-corp and empty-corp; open-corp has a repository in the list.
    assert.equal(t.fake.state.counters.byRoute['/orgs/{org}/repos'], 3);
  });

  test('when the organisation checks fail, then the listing answers all the same, without those hints', async () => {
    t.fake.state.injectFault({ route: '/user/orgs', kind: 502 });
    try {
      const list = await listing(dana, { refresh: true });
      assert.equal(list.total, own.length + 1);
      assert.deepEqual(list.providers[0]?.hints.map((h) => h.code), ['github_sso_required'], 'the listing named sso-corp by id');
      assert.deepEqual(list.providers[0]?.hints[0]?.organizations, [`id:${idFor('sso-corp')}`]);
    } finally {
      t.fake.state.clearFaults();
      await listing(dana, { refresh: true });
    }
  });

  test('when me is asked, then it carries the same hints as the listing', async () => {
    const res = await dana.api.GET('/api/v1/me');
    assert.equal(res.response.status, 200);
    const github = res.data?.providers.find((p) => p.provider === 'github') ?? assert.fail('a GitHub entry');
    assert.deepEqual(github.hints.map((h) => h.code).sort(), ['github_oauth_restricted', 'github_sso_required']);
  });

  test('when the GitHub token lacks repo and the GitVerse token lacks a repository scope, then each entry says so with its URL', async () => {
    const list = await listing(pat);
    const github = list.providers.find((p) => p.provider === 'github') ?? assert.fail('a GitHub entry');
    assert.deepEqual(github.hints, [
      {
        code: 'github_private_scope',
        message: 'The GitHub token lacks the repo scope, so private repositories are not listed. Sign in with GitHub again to grant it.',
        url: `${t.baseUrl}/api/v1/auth/github/login`,
        organizations: [],
      },
    ]);
    const gitverse = list.providers.find((p) => p.provider === 'gitverse') ?? assert.fail('a GitVerse entry');
    assert.equal(gitverse.status, 'failed');
    assert.deepEqual(gitverse.hints.map((h) => [h.code, h.url]), [['gitverse_repository_scope', `${t.app.services.config.gitverse.webUrl}/settings/tokens`]]);
    const me = await pat.api.GET('/api/v1/me');
    assert.deepEqual(me.data?.providers.filter((p) => p.linked).map((p) => p.hints.map((h) => h.code)), [['github_private_scope'], ['gitverse_repository_scope']]);
  });

  test('when a repository of the listing is looked up by its web, .git or SSH URL, then it is answered as the listing shows it', async () => {
    const target = own[0]!;
    const connected = await dana.api.POST('/api/v1/connections', { body: { provider: 'github', repo_id: target.id } });
    assert.equal(connected.response.status, 201);
    const host = new URL(web()).host;
    for (const url of [`${web()}/dana/${target.name}`, `${web()}/dana/${target.name}.git`, `${web()}/dana/${target.name}/tree/main`, `git@${new URL(web()).hostname}:dana/${target.name}.git`, `ssh://git@${host.split(':')[0]}/dana/${target.name}.git`]) {
      const res = await lookup(dana, url);
      assert.equal(res.response.status, 200, `${url}: ${JSON.stringify(res.error)}`);
      assert.equal(res.data?.id, target.id, url);
      assert.equal(res.data?.is_connected, true, url);
      assert.equal(res.response.headers.get('cache-control'), 'no-store');
    }
    const listed = (await listing(dana)).repositories.find((r) => r.id === target.id);
    const found = await lookup(dana, `${web()}/dana/${target.name}`);
    assert.deepEqual(found.data, listed);
  });

  test('when a repository is not in the cached listing, then GitHub is asked for it by name', async () => {
    t.fake.state.resetCounters();
    const res = await lookup(dana, `${web()}/open-corp/portal`);
    assert.equal(res.response.status, 200);
    assert.equal(t.fake.state.counters.byRoute['/repos/{owner}/{repo}'] ?? 0, 0, 'a listed repository is answered from the list');
    const missing = await lookup(dana, `${web()}/dana/no-such-repo`);
    assert.equal(missing.response.status, 404);
    assert.equal(missing.error?.code, 'NOT_FOUND');
    assert.equal(missing.error?.provider, 'github');
    assert.equal(t.fake.state.counters.byRoute['/repos/{owner}/{repo}'], 1);
  });

  test('when the repository belongs to an organisation that restricts OAuth App access, then 403 with the grant URL', async () => {
    const res = await lookup(dana, `${web()}/locked-corp/vault`);
    assert.equal(res.response.status, 403);
    assert.equal(res.error?.code, 'FORBIDDEN');
    assert.equal(res.error?.hint?.code, 'github_oauth_restricted');
    assert.equal(res.error?.hint?.url, `${web()}/settings/connections/applications/${TEST_CLIENT.id}`);
  });

  test('when the repository belongs to an organisation with SSO the token is not authorised for, then 403 with the authorisation URL', async () => {
    const res = await lookup(dana, `git@${new URL(web()).hostname}:sso-corp/ledger.git`);
    assert.equal(res.response.status, 403);
    assert.equal(res.error?.hint?.code, 'github_sso_required');
    assert.match(res.error?.hint?.url ?? '', new RegExp(`^${web()}/orgs/sso-corp/sso\\?authorization_request=`));
  });

  test('when the URL is of a host the service does not serve, then 400 that names it, and nothing is fetched', async () => {
    t.fake.state.resetCounters();
    t.gitverse.state.resetCounters();
    for (const url of ['https://gitlab.example.com/acme/app', 'git@bitbucket.org:acme/app.git', 'https://github.com.evil.example/acme/app']) {
      const res = await lookup(dana, url);
      assert.equal(res.response.status, 400, url);
      assert.equal(res.error?.code, 'VALIDATION_FAILED');
      assert.match(res.error?.detail ?? '', /is not a git host this service serves/);
      assert.match(res.error?.field_errors?.['query.url'] ?? '', /is not on a git host this service serves/);
    }
    const notRepo = await lookup(dana, `${web()}/dana`);
    assert.equal(notRepo.response.status, 400);
    assert.match(notRepo.error?.field_errors?.['query.url'] ?? '', /is not a repository URL/);
    assert.equal(t.fake.state.counters.total + t.gitverse.state.counters.total, 0);
  });

  test('when the URL is of a linked host\'s repository but that host is not linked, then 404 that says so', async () => {
    const res = await lookup(dana, `${t.app.services.config.gitverse.webUrl}/pat/anything`);
    assert.equal(res.response.status, 404);
    assert.equal(res.error?.provider, 'gitverse');
    assert.match(res.error?.detail ?? '', /no GitVerse account is linked/);
  });

  test('when kind is filtered, then the kind facet still counts every kind, and the kinds add up to the total without it', async () => {
    const all = await listing(dana);
    assert.equal(all.facets.kind.reduce((n, f) => n + f.count, 0), all.total);
    const kind = all.facets.kind[0]?.value ?? assert.fail('a kind');
    const narrowed = await listing(dana, { kind });
    assert.ok(narrowed.total < all.total || all.facets.kind.length === 1);
    assert.deepEqual(narrowed.facets.kind, all.facets.kind);
    // The other facets count what the kind filter keeps.
    assert.equal(narrowed.facets.provider.reduce((n, f) => n + f.count, 0), narrowed.total);
  });

  test('when owner is repeated, then only those namespaces are listed, and the owner facet still counts the others', async () => {
    const all = await listing(dana);
    const owners = all.facets.owner.map((o) => o.login).sort();
    assert.deepEqual(owners, ['dana', 'open-corp']);
    assert.ok(all.facets.owner.every((o) => o.provider === 'github' && o.avatar_url?.startsWith('https://')));
    const one = await listing(dana, { owner: ['OPEN-corp'] });
    assert.deepEqual(one.repositories.map((r) => r.full_name), ['open-corp/portal']);
    assert.deepEqual(one.facets.owner, all.facets.owner);
    const both = await listing(dana, { owner: ['open-corp', 'dana'] });
    assert.equal(both.total, all.total);
  });
});
