import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { generateRepos } from '../fakes/github/index.ts';
import { appFetch, startTestApp, type SignedIn, type TestApp } from '../support/harness.ts';

describe('connections', () => {
  let t: TestApp;
  let alice: SignedIn;
  let bob: SignedIn;
  const aliceRepos = generateRepos(30, { owner: { login: 'alice' }, seed: 1 });
  const bobRepos = generateRepos(5, { owner: { login: 'bob' }, seed: 2, orgs: [], collaborators: [] });
  const repoOf = (i: number) => aliceRepos[i] ?? assert.fail('no such fixture');

  beforeAll(async () => {
    t = await startTestApp({ fake: { users: [{ login: 'alice', repos: aliceRepos }, { login: 'bob', repos: bobRepos }] } });
    [alice, bob] = await Promise.all([t.signIn('alice'), t.signIn('bob')]);
  });
  afterAll(() => t.close());

  test('when a visible repository is connected, then 201 with a Location, then 200 with the same connection and no Location', async () => {
    const repo = repoOf(0);
    const first = await alice.api.POST('/api/v1/connections', { body: { provider: 'github', repo_id: repo.id } });
    assert.equal(first.response.status, 201);
    assert.equal(first.response.headers.get('location'), `/api/v1/connections/github/${repo.id}`);
    assert.equal(first.data?.full_name, `${repo.owner.login}/${repo.name}`);
    const second = await alice.api.POST('/api/v1/connections', { body: { provider: 'github', repo_id: repo.id } });
    assert.equal(second.response.status, 200);
    assert.equal(second.data?.id, first.data?.id);
    assert.equal(second.response.headers.get('location'), null, 'nothing new was created, so there is nothing to locate');
  });

  test('when a connected repository is listed, then it says connected with the installation id', async () => {
    const repo = repoOf(1);
    const made = await alice.api.POST('/api/v1/connections', { body: { provider: 'github', repo_id: repo.id } });
    const list = await alice.api.GET('/api/v1/repos', { params: { query: { per_page: 100 } } });
    const listed = list.data?.repositories.find((r) => r.id === repo.id);
    assert.equal(listed?.is_connected, true);
    assert.equal(listed?.installation_id, made.data?.id);
    const other = list.data?.repositories.find((r) => r.id === repoOf(29).id);
    assert.equal(other?.is_connected, false);
    assert.equal(other?.installation_id, null);
  });

  test('when disconnected and connected again, then 204, then 201 with the same id', async () => {
    const repo = repoOf(2);
    const made = await alice.api.POST('/api/v1/connections', { body: { provider: 'github', repo_id: repo.id } });
    const gone = await alice.api.DELETE('/api/v1/connections/{provider}/{repo_id}', { params: { path: { provider: 'github', repo_id: repo.id } } });
    assert.equal(gone.response.status, 204);
    const list = await alice.api.GET('/api/v1/connections');
    assert.equal(list.response.status, 200);
    assert.ok(!(list.data ?? assert.fail()).connections.some((c) => c.repo_id === repo.id));
    const back = await alice.api.POST('/api/v1/connections', { body: { provider: 'github', repo_id: repo.id } });
    assert.equal(back.response.status, 201);
    assert.equal(back.data?.id, made.data?.id);
  });

  test('when nothing is connected for that repository, then disconnect answers 404', async () => {
    const res = await alice.api.DELETE('/api/v1/connections/{provider}/{repo_id}', { params: { path: { provider: 'github', repo_id: repoOf(20).id } } });
    assert.equal(res.response.status, 404);
    assert.equal(res.error?.code, 'NOT_FOUND');
  });

  test('when the repository is not visible on GitHub, then connect answers 404 after asking GitHub again', async () => {
    t.fake.state.resetCounters();
    const res = await alice.api.POST('/api/v1/connections', { body: { provider: 'github', repo_id: 424242 } });
    assert.equal(res.response.status, 404);
    assert.equal(res.error?.code, 'NOT_FOUND');
    assert.ok((t.fake.state.counters.byRoute['/user/repos'] ?? 0) >= 1, 'GitHub was asked again before saying no');
  });

  test("when user A names user B's repository, then 404, and A never sees or changes B's connections", async () => {
    const bobsRepo = bobRepos[0] ?? assert.fail();
    const bobs = await bob.api.POST('/api/v1/connections', { body: { provider: 'github', repo_id: bobsRepo.id } });
    assert.equal(bobs.response.status, 201);
    const steal = await alice.api.POST('/api/v1/connections', { body: { provider: 'github', repo_id: bobsRepo.id } });
    assert.equal(steal.response.status, 404);
    const drop = await alice.api.DELETE('/api/v1/connections/{provider}/{repo_id}', { params: { path: { provider: 'github', repo_id: bobsRepo.id } } });
    assert.equal(drop.response.status, 404);
    const aliceList = await alice.api.GET('/api/v1/connections');
    assert.equal(aliceList.response.status, 200);
    assert.ok(!(aliceList.data ?? assert.fail()).connections.some((c) => c.repo_id === bobsRepo.id));
    const bobList = await bob.api.GET('/api/v1/connections');
    assert.deepEqual(bobList.data?.connections.map((c) => c.repo_id), [bobsRepo.id]);
  });

  test('when 100 connects of one repository race, then exactly one installation exists and exactly one answer is 201', async () => {
    const repo = repoOf(3);
    const answers = await Promise.all(
      Array.from({ length: 100 }, () => alice.api.POST('/api/v1/connections', { body: { provider: 'github', repo_id: repo.id } })),
    );
    assert.deepEqual([...new Set(answers.map((a) => a.response.status))].sort(), [200, 201]);
    assert.equal(answers.filter((a) => a.response.status === 201).length, 1);
    assert.equal(new Set(answers.map((a) => a.data?.id)).size, 1);
    const list = await alice.api.GET('/api/v1/connections');
    assert.equal(list.data?.connections.filter((c) => c.repo_id === repo.id).length, 1);
  });

  test('the connection list filters by provider and comes newest first', async () => {
    const list = await alice.api.GET('/api/v1/connections', { params: { query: { provider: 'github' } } });
    const times = list.data?.connections.map((c) => c.created_at) ?? [];
    assert.ok(times.length >= 3);
    assert.deepEqual(times, [...times].sort().reverse());
    const none = await alice.api.GET('/api/v1/connections', { params: { query: { provider: 'gitverse' } } });
    assert.deepEqual(none.data?.connections, []);
  });

  test('when the body is invalid, not JSON, or too large, then 400, 415 and 413 problems', async () => {
    const post = (body: string, type = 'application/json') =>
      appFetch(`${t.baseUrl}/api/v1/connections`, { method: 'POST', headers: { authorization: `Bearer ${alice.token}`, 'content-type': type }, body });
    const invalid = await post(JSON.stringify({ provider: 'bitbucket', repo_id: 'x' }));
    assert.equal(invalid.status, 400);
    const problem = (await invalid.json()) as { field_errors: Record<string, string>; issues: unknown[] };
    assert.ok(problem.field_errors['body.provider']);
    assert.ok(problem.field_errors['body.repo_id']);
    assert.equal((await post('{"provider": "github",')).status, 400);
    assert.equal((await post('provider=github', 'text/plain')).status, 415);
    assert.equal((await post(JSON.stringify({ provider: 'github', repo_id: 1, pad: 'x'.repeat(20_000) }))).status, 413);
  });

  test('when GitHub fails while checking visibility, then connect answers its problem and stores nothing', async () => {
    t.fake.state.injectFault({ route: '/user/repos', kind: 'badCredentials' });
    try {
      const res = await alice.api.POST('/api/v1/connections', { body: { provider: 'github', repo_id: 999_999 } });
      assert.equal(res.response.status, 403);
      assert.equal(res.error?.code, 'GITHUB_AUTH');
      assert.equal(res.error?.reconnect, true);
    } finally {
      t.fake.state.clearFaults();
    }
  });
});
