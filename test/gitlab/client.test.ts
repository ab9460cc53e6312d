import assert from 'node:assert/strict';
import { afterAll, beforeAll, beforeEach, describe, it } from 'vitest';
import { checkHostRepositories } from '../../src/hosts/boundary.ts';
import { GitLabClient, toHostRepository } from '../../src/hosts/gitlab/index.ts';
import { ACCESS, generateProjects, groupNamespaces, startFakeGitLab, userNamespace } from '../fakes/gitlab/index.ts';
import type { FakeAccount, FakeGitLab, FakeProject, Fault } from '../fakes/gitlab/index.ts';
import { rejectsWithProblem as rejects } from '../support/problems.ts';
import { holdAnswers } from '../support/hold.ts';
import { ANSWERED_MS, IMPATIENT_MS } from '../support/deadlines.ts';

let fake: FakeGitLab;
let account: FakeAccount;
let client: GitLabClient;

function newClient(options: { timeoutMs?: number; countLimit?: number; concurrency?: number } = {}): GitLabClient {
  return new GitLabClient({ apiUrl: `${fake.baseUrl}/api/v4`, webUrl: fake.baseUrl, timeoutMs: options.timeoutMs ?? ANSWERED_MS, concurrency: options.concurrency ?? 8, ...(options.countLimit ? { countLimit: options.countLimit } : {}) });
}

function seed(n: number, seedValue = 3): number[] {
  account.projects = generateProjects(n, { seed: seedValue, owner: { login: account.user.login } });
  return account.projects.map((p) => p.id);
}

const rejectsWithProblem = (promise: Promise<unknown>, expected: Parameters<typeof rejects>[2]) => rejects('gitlab', promise, expected);
const listed = (route = '/api/v4/projects' as const) => fake.state.counters.byRoute[route] ?? 0;

beforeAll(async () => {
  fake = await startFakeGitLab({ users: [{ login: 'gl-dev', name: 'GitLab Developer' }] });
  account = fake.state.accountByLogin('gl-dev')!;
  client = newClient();
});
afterAll(() => fake.close());
beforeEach(() => {
  fake.state.clearFaults();
  fake.state.latencyMs = 0;
  fake.state.countLimit = 10_000;
  fake.state.resetCounters();
});

describe('GitLabClient.listProjects reads every page', () => {
  for (const n of [0, 1, 100, 101, 1000]) {
    it(`when the user is a member of ${n} projects, then all ${n} come back, each once, in ${Math.max(1, Math.ceil(n / 100))} requests`, async () => {
      const ids = seed(n);
      const listing = await client.listProjects(account.token);
      assert.deepEqual(listing.repos.map((p) => p.id).sort(), [...ids].sort());
      assert.equal(listing.mode, 'offset');
      assert.equal(listed(), Math.max(1, Math.ceil(n / 100)));
      assert.equal(listing.pageCount, Math.max(1, Math.ceil(n / 100)));
    });
  }

  it('when the total is known from page 1, then the other pages are asked for at once', async () => {
    seed(1000);
    // Page 1 alone; then the other pages' answers are held until eight of them are in flight at once.
    const first = holdAnswers(fake.state);
    const listing = client.listProjects(account.token);
    await first.releaseAt(1);
    await holdAnswers(fake.state).releaseAt(8);
    assert.equal((await listing).repos.length, 1000);
    assert.ok(fake.state.counters.maxInFlight >= 8, `at most ${fake.state.counters.maxInFlight} requests at once`);
  });

  it('when the page count of the last listing is passed, then every page is asked for at once from the start', async () => {
    seed(500);
    // Every answer is held until the five pages are in flight at once.
    const held = holdAnswers(fake.state);
    const listed5 = client.listProjects(account.token, { knownPageCount: 5 });
    await held.releaseAt(5);
    const listing = await listed5;
    assert.equal(listing.repos.length, 500);
    assert.equal(fake.state.counters.maxInFlight, 5);
    assert.equal(listed(), 5);
  });

  it('when the list grew past the known page count, then the pages GitLab counts now are read too', async () => {
    seed(350);
    const listing = await client.listProjects(account.token, { knownPageCount: 2 });
    assert.equal(listing.repos.length, 350);
    assert.equal(listing.pageCount, 4);
  });

  it('when the list shrank below the known page count, then nothing is missing and the page count says so', async () => {
    seed(150);
    const listing = await client.listProjects(account.token, { knownPageCount: 5 });
    assert.equal(listing.repos.length, 150);
    assert.equal(listing.pageCount, 2);
  });

  it('when GitLab leaves out the totals (more than it counts), then the list is read by keyset pagination, following only next', async () => {
    const ids = seed(450);
    fake.state.countLimit = 400;
    const listing = await newClient({ countLimit: 400 }).listProjects(account.token);
    assert.deepEqual(listing.repos.map((p) => p.id).sort(), [...ids].sort());
    assert.equal(listing.mode, 'keyset');
    const keyset = fake.state.requests.filter((r) => r.query.pagination === 'keyset');
    assert.equal(keyset.length, 5);
    assert.ok(keyset.every((r) => r.query.order_by === 'id'));
    assert.ok(keyset.slice(1).every((r) => r.query.id_after !== undefined), 'each page after the first follows the next link');
    assert.equal(listing.pageCount, 5);
  });

  it('when the last listing needed keyset pages, then the next one starts with keyset without an offset page first', async () => {
    seed(450);
    fake.state.countLimit = 400;
    await newClient({ countLimit: 400 }).listProjects(account.token, { knownPageCount: 5 });
    assert.equal(fake.state.requests.filter((r) => r.query.pagination !== 'keyset').length, 0);
  });

  it('when a project is created while the pages are read, then the page after the counted ones is read too', async () => {
    seed(200);
    const extra = generateProjects(1, { seed: 99, owner: { login: account.user.login }, firstId: 90_000_000 })[0]!;
    // Created after page 1 counted two pages, before page 2 is answered: on page 3, which page 2's next page announces.
    fake.state.beforeReply = (_route, query) => {
      if (query.page === '2' && !account.projects.includes(extra)) account.projects.push(extra);
    };
    const { repos } = await client.listProjects(account.token).finally(() => (fake.state.beforeReply = undefined));
    assert.ok(repos.some((p) => p.id === extra.id));
    assert.equal(repos.length, 201);
  });

  it('when a keyset next link points at another host, then the listing fails instead of sending the token there', async () => {
    seed(5);
    fake.state.countLimit = 1;
    fake.state.injectFault({
      route: '/api/v4/projects',
      kind: 'reply',
      times: 1,
      reply: { status: 200, headers: { link: '<http://169.254.169.254/api/v4/projects?pagination=keyset&id_after=1>; rel="next"' }, body: [] },
    });
    await rejectsWithProblem(newClient({ countLimit: 1 }).listProjects(account.token, { knownPageCount: 5 }), { status: 502, code: 'UPSTREAM_UNAVAILABLE' });
  });
});

describe('a page that fails fails the listing: never a shorter list', () => {
  const cases: Array<[string, Fault['kind'], number, string]> = [
    ['a 500', 500, 502, 'UPSTREAM_UNAVAILABLE'],
    ['an HTML 502 page', 'htmlError', 502, 'UPSTREAM_UNAVAILABLE'],
    ['a body that is not JSON', 'badJson', 502, 'UPSTREAM_UNAVAILABLE'],
    ['a cut-off body', 'truncated', 502, 'UPSTREAM_UNAVAILABLE'],
    ['a reset connection', 'reset', 502, 'UPSTREAM_UNAVAILABLE'],
    ['a 429', 'rateLimited', 429, 'RATE_LIMITED'],
  ];
  for (const [what, kind, status, code] of cases) {
    it(`when page 3 of 5 meets ${what}, then the listing is ${status} ${code}`, async () => {
      seed(500);
      fake.state.injectFault({ route: '/api/v4/projects', kind, page: 3 });
      await rejectsWithProblem(client.listProjects(account.token), { status, code });
    });
  }

  it('when page 2 never answers, then the listing is 504 UPSTREAM_TIMEOUT within the deadline', async () => {
    seed(300);
    fake.state.injectFault({ route: '/api/v4/projects', kind: 'timeout', page: 2 });
    const started = performance.now();
    await rejectsWithProblem(newClient({ timeoutMs: IMPATIENT_MS }).listProjects(account.token), { status: 504, code: 'UPSTREAM_TIMEOUT' });
    assert.ok(performance.now() - started < ANSWERED_MS / 2);
  });

  it('when a keyset page fails, then the listing fails', async () => {
    seed(450);
    fake.state.countLimit = 400;
    fake.state.injectFault({ route: '/api/v4/projects', kind: 503, page: 1, times: 1 });
    // The offset page 1 answers 503: the first failure is the listing's.
    await rejectsWithProblem(newClient({ countLimit: 400 }).listProjects(account.token, { knownPageCount: 5 }), { status: 502 });
  });
});

describe('a GitLab project in our fields', () => {
  const [acme, platform] = groupNamespaces(['acme/platform']);
  const base: FakeProject = {
    id: 4242,
    name: 'Web App',
    path: 'web-app',
    namespace: platform!,
    description: 'The web app',
    visibility: 'internal',
    archived: true,
    default_branch: 'main',
    star_count: 17,
    forks_count: 2,
    topics: [],
    created_at: '2024-01-02T03:04:05.678Z',
    last_activity_at: '2026-01-10T11:12:13.456Z',
    updated_at: '2026-01-10T11:12:13.456Z',
    forked_from: { id: 7, name: 'upstream', path: 'upstream', namespace: userNamespace('alice'), path_with_namespace: 'alice/upstream' },
    project_access: null,
    group_access: ACCESS.developer,
  };

  async function mapped(project: FakeProject) {
    account.projects = [project];
    const { repos } = await client.listProjects(account.token);
    return checkHostRepositories('gitlab', repos.map(toHostRepository), 0, { nestedOwners: true })[0]!;
  }

  it('when a project sits in a subgroup, then the namespace is its owner, an Organization with its full path, and the name is its path', async () => {
    const repo = await mapped(base);
    assert.equal(acme!.full_path, 'acme');
    assert.deepEqual(repo.owner, { id: platform!.id, login: 'acme/platform', full_name: 'Platform', type: 'Organization', avatar_url: null });
    assert.equal(repo.name, 'web-app');
    assert.equal(repo.full_name, 'acme/platform/web-app');
    assert.equal(repo.html_url, `${fake.baseUrl}/acme/platform/web-app`);
  });

  it('when a project is internal, archived and a fork, then it is private, archived and a fork, with its stars, branch and dates', async () => {
    const repo = await mapped(base);
    assert.equal(repo.private, true);
    assert.equal(repo.archived, true);
    assert.equal(repo.fork, true);
    assert.equal(repo.stargazers_count, 17);
    assert.equal(repo.default_branch, 'main');
    assert.equal(repo.created_at, '2024-01-02T03:04:05Z');
    assert.equal(repo.updated_at, '2026-01-10T11:12:13Z');
    assert.equal(repo.pushed_at, '2026-01-10T11:12:13Z');
  });

  it('when GitLab writes a time with an offset, a fraction or an impossible date, then the boundary reads it as it reads any host\'s', async () => {
    const at = async (last_activity_at: string) => (await mapped({ ...base, last_activity_at })).pushed_at;
    assert.equal(await at('2026-01-10T13:12:13.999+02:00'), '2026-01-10T11:12:13Z');
    assert.equal(await at('2026-01-10T11:12:13.5Z'), '2026-01-10T11:12:13Z');
    assert.equal(await at('2026-01-10T11:12:13Z'), '2026-01-10T11:12:13Z');
    assert.equal(await at('2026-13-10T11:12:13.456Z'), null);
  });

  it('when a project is public in a personal namespace, then it is public, owned by a User, not a fork', async () => {
    const repo = await mapped({ ...base, namespace: userNamespace('gl-dev', 'GitLab Developer'), visibility: 'public', forked_from: null, archived: false, project_access: ACCESS.owner, group_access: null });
    assert.equal(repo.private, false);
    assert.equal(repo.fork, false);
    assert.equal(repo.archived, false);
    assert.deepEqual(repo.owner, { id: userNamespace('gl-dev').id, login: 'gl-dev', full_name: 'GitLab Developer', type: 'User', avatar_url: null });
    assert.equal(repo.full_name, 'gl-dev/web-app');
  });

  const levels: Array<[string, number, Record<string, boolean>]> = [
    ['Guest', ACCESS.guest, { admin: false, maintain: false, push: false, triage: false, pull: false }],
    ['Reporter', ACCESS.reporter, { admin: false, maintain: false, push: false, triage: true, pull: true }],
    ['Developer', ACCESS.developer, { admin: false, maintain: false, push: true, triage: true, pull: true }],
    ['Maintainer', ACCESS.maintainer, { admin: false, maintain: true, push: true, triage: true, pull: true }],
    ['Owner', ACCESS.owner, { admin: true, maintain: true, push: true, triage: true, pull: true }],
  ];
  for (const [role, level, expected] of levels) {
    it(`when the user is ${role} of a private project, then the permissions are ${JSON.stringify(expected)}`, async () => {
      const repo = await mapped({ ...base, visibility: 'private', project_access: level as FakeProject['project_access'], group_access: null });
      assert.deepEqual(repo.permissions, expected);
    });
  }

  it('when the group access is higher than the project access, then the higher one counts', async () => {
    const repo = await mapped({ ...base, project_access: ACCESS.reporter, group_access: ACCESS.maintainer });
    assert.equal(repo.permissions?.maintain, true);
  });

  it('when a Guest is a member of a public project, then they may read it', async () => {
    const repo = await mapped({ ...base, visibility: 'public', project_access: ACCESS.guest, group_access: null });
    assert.equal(repo.permissions?.pull, true);
    assert.equal(repo.permissions?.push, false);
  });

  it('when GitLab gives neither access level, then the permissions are null', async () => {
    const repo = await mapped({ ...base, project_access: null, group_access: null });
    assert.equal(repo.permissions, null);
  });

  it('when the repository is empty, then the default branch is null', async () => {
    const repo = await mapped({ ...base, default_branch: null });
    assert.equal(repo.default_branch, null);
  });

  it('when a project has no namespace, then the listing is refused as 502, never shortened', async () => {
    account.projects = [base];
    fake.state.injectFault({ route: '/api/v4/projects', kind: 'reply', reply: { status: 200, body: [{ id: 1, path: 'x', path_with_namespace: 'a/x' }] } });
    await rejectsWithProblem(client.listProjects(account.token), { status: 502, code: 'UPSTREAM_UNAVAILABLE' });
  });

  it('without nested owners (the other hosts), a login with "/" is still refused', () => {
    const repo = toHostRepository({ id: 1, path: 'x', path_with_namespace: 'a/b/x', namespace: { id: 2, full_path: 'a/b', name: 'B', kind: 'group' }, description: null, visibility: 'public', archived: false, forked: false, web_url: 'https://gitlab.example/a/b/x', star_count: 0, default_branch: null, created_at: null, last_activity_at: null, access_level: null });
    assert.throws(() => checkHostRepositories('gitlab', [repo]), /owner\.login/);
    assert.equal(checkHostRepositories('gitlab', [repo], 0, { nestedOwners: true })[0]!.full_name, 'a/b/x');
  });
});
