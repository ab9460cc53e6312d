import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { generateRepos } from '../fakes/github/index.ts';
import { generateGitVerseRepos, gitverseTokenFor } from '../fakes/gitverse/index.ts';
import { KIND_CORPUS } from '../fixtures/kind-corpus.ts';
import type { QueryOf } from '../../src/contract/types.ts';
import { startTestApp, type SignedIn, type TestApp } from '../support/harness.ts';
import { assertEvery } from '../support/assertions.ts';

type Query = QueryOf<'listRepositories'>;

/**
 * Every value of every filter of the listing, each checked against what the fixtures say (never
 * against the app's own code): one GitHub repository per corpus fixture, so every kind and origin is
 * present, and a few GitVerse repositories beside them.
 */
describe('listing filters, every value', () => {
  let t: TestApp;
  let me: SignedIn;
  const github = generateRepos(KIND_CORPUS.length, {
    owner: { login: 'octocat' },
    seed: 17,
    files: (_r, i) => ({ ...KIND_CORPUS[i]?.files }),
  });
  // Descriptions and names the text filter can tell apart: one word only in a name, one only in a description.
  github[0]!.name = 'Zebrafish-Portal';
  github[0]!.description = 'nothing to see';
  github[1]!.description = 'Home of the QUOKKA tracker';
  const gitverse = generateGitVerseRepos(5, { owner: { login: 'octocat' }, seed: 18 });
  let connectedId = 0;

  beforeAll(async () => {
    t = await startTestApp({
      fake: { users: [{ login: 'octocat', repos: github }] },
      gitverse: { users: [{ login: 'octocat', full_name: 'Octo Cat', repos: gitverse }] },
      env: { DETECTION_BUDGET_MS: '20000', GITHUB_TIMEOUT_MS: '8000' },
    });
    me = await t.signIn('octocat');
    const linked = await me.api.PUT('/api/v1/me/providers/gitverse', { body: { token: gitverseTokenFor('octocat') } });
    assert.equal(linked.response.status, 200, JSON.stringify(linked.error));
    connectedId = github[3]!.id;
    const connected = await me.api.POST('/api/v1/connections', { body: { provider: 'github', repo_id: connectedId } });
    assert.equal(connected.response.status, 201, JSON.stringify(connected.error));
  });
  afterAll(() => t.close());

  const list = async (query: Query) => {
    const res = await me.api.GET('/api/v1/repos', { params: { query: { per_page: 100, ...query } } });
    assert.equal(res.response.status, 200, JSON.stringify(res.error));
    const data = res.data ?? assert.fail('a listing body');
    // Everything fits on one page, so the page is the whole answer.
    assert.equal(data.repositories.length, data.total);
    return data.repositories;
  };
  const ids = (repos: Array<{ provider: string; id: number }>) => repos.map((r) => `${r.provider}:${r.id}`).sort();
  const githubIds = (pick: (r: (typeof github)[number], i: number) => boolean) =>
    github.filter(pick).map((r) => `github:${r.id}`).sort();
  const total = github.length + gitverse.length;

  test('when no filter is given, then every repository of both hosts is listed', async () => {
    const all = await list({});
    assert.ok(all.length > 0);
    assert.equal(all.length, total);
  });

  test('when provider is github or gitverse, then only that host\'s repositories are listed', async () => {
    const fromGitHub = await list({ provider: 'github' });
    assert.ok(fromGitHub.length > 0);
    assert.deepEqual(ids(fromGitHub), githubIds(() => true));
    const fromGitVerse = await list({ provider: 'gitverse' });
    assert.ok(fromGitVerse.length > 0);
    assert.deepEqual(ids(fromGitVerse), gitverse.map((r) => `gitverse:${r.id}`).sort());
  });

  test('when visibility is public, private or all, then exactly the repositories of that visibility are listed', async () => {
    const expectPublic = github.filter((r) => !r.private).length + gitverse.filter((r) => !r.private).length;
    const expectPrivate = github.filter((r) => r.private).length + gitverse.filter((r) => r.private).length;
    assert.ok(expectPublic > 0 && expectPrivate > 0, 'the fixtures hold both visibilities');

    const publics = await list({ visibility: 'public' });
    assert.ok(publics.length > 0);
    assert.equal(publics.length, expectPublic);
    assertEvery(publics, (r) => !r.private);

    const privates = await list({ visibility: 'private' });
    assert.ok(privates.length > 0);
    assert.equal(privates.length, expectPrivate);
    assertEvery(privates, (r) => r.private);

    assert.equal((await list({ visibility: 'all' })).length, total);
  });

  test('when affiliation is owner, collaborator or organization_member, alone or combined, then exactly those repositories are listed', async () => {
    const owner = githubIds((r) => r.owner.login === 'octocat');
    const org = githubIds((r) => r.owner.login !== 'octocat' && r.owner.type === 'Organization');
    const collaborator = githubIds((r) => r.owner.login !== 'octocat' && r.owner.type !== 'Organization');
    assert.ok(owner.length > 0 && org.length > 0 && collaborator.length > 0, 'the fixtures hold every affiliation');

    const byAffiliation = async (affiliation: NonNullable<Query['affiliation']>) => {
      const listed = await list({ provider: 'github', affiliation });
      assert.ok(listed.length > 0);
      return ids(listed);
    };
    assert.deepEqual(await byAffiliation(['owner']), owner);
    assert.deepEqual(await byAffiliation(['organization_member']), org);
    assert.deepEqual(await byAffiliation(['collaborator']), collaborator);
    assert.deepEqual(await byAffiliation(['owner', 'collaborator']), [...owner, ...collaborator].sort());
    assert.deepEqual(await byAffiliation(['owner', 'collaborator', 'organization_member']), githubIds(() => true));
  });

  test('when connected is true or false, then only the connected or only the other repositories are listed', async () => {
    const connected = await list({ connected: true });
    assert.ok(connected.length > 0);
    assert.deepEqual(ids(connected), [`github:${connectedId}`]);
    assertEvery(connected, (r) => r.is_connected && r.installation_id !== null);

    const others = await list({ connected: false });
    assert.ok(others.length > 0);
    assert.equal(others.length, total - 1);
    assertEvery(others, (r) => !r.is_connected && r.installation_id === null);
  });

  test('when kind is each of frontend, backend, fullstack, monorepo and unknown, then exactly the repositories of that kind are listed', async () => {
    for (const kind of ['frontend', 'backend', 'fullstack', 'monorepo', 'unknown'] as const) {
      const expected = githubIds((_r, i) => KIND_CORPUS[i]?.expected.kind === kind);
      assert.ok(expected.length > 0, `the corpus holds ${kind} repositories`);
      const listed = await list({ provider: 'github', kind });
      assert.ok(listed.length > 0, kind);
      assert.deepEqual(ids(listed), expected, kind);
      assertEvery(listed, (r) => r.kind === kind, kind);
    }
  });

  test('when origin is each builder, any or none, then exactly the repositories the files point to are listed', async () => {
    for (const origin of ['lovable', 'bolt', 'replit', 'v0', 'base44', 'tempo'] as const) {
      const expected = githubIds((_r, i) => KIND_CORPUS[i]?.expected.origin === origin);
      const listed = await list({ provider: 'github', origin });
      assert.ok(listed.length > 0, origin);
      assert.deepEqual(ids(listed), expected, origin);
    }
    const any = await list({ provider: 'github', origin: 'any' });
    assert.ok(any.length > 0);
    assert.deepEqual(ids(any), githubIds((_r, i) => KIND_CORPUS[i]?.expected.origin !== null));
    const none = await list({ provider: 'github', origin: 'none' });
    assert.ok(none.length > 0);
    assert.deepEqual(ids(none), githubIds((_r, i) => KIND_CORPUS[i]?.expected.origin === null));
  });

  test('when q is a word of a name, in any case, then the repositories so named are listed', async () => {
    const named = await list({ q: 'zebrafish' });
    assert.ok(named.length > 0);
    assert.deepEqual(ids(named), [`github:${github[0]!.id}`]);
    assert.deepEqual(ids(await list({ q: 'ZEBRAFISH-portal' })), [`github:${github[0]!.id}`]);
  });

  test('when q is a word of a description, in any case, then the repositories so described are listed', async () => {
    const described = await list({ q: 'Quokka' });
    assert.ok(described.length > 0);
    assert.deepEqual(ids(described), [`github:${github[1]!.id}`]);
  });

  test('when q matches nothing, then the list is empty with a total of 0', async () => {
    const res = await me.api.GET('/api/v1/repos', { params: { query: { q: 'no-such-word-anywhere' } } });
    assert.equal(res.response.status, 200);
    assert.deepEqual(res.data?.repositories, []);
    assert.equal(res.data?.total, 0);
  });
});
