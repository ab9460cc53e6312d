/**
 * GitLab through the app: the projects a listing with a minimum role leaves out (`gitlab_access_level`),
 * counted beside the listing at the cost of one request cold and none warm; and lookup by URL of GitLab
 * projects, nested groups, `.git` and `/-/…` pages, other instances and the problems GitLab's answers map to.
 */
import assert from 'node:assert/strict';
import { afterAll, beforeAll, beforeEach, describe, test } from 'vitest';
import { ACCESS, generateProjects, type FakeProject } from '../fakes/gitlab/index.ts';
import { appFetch, startTestApp, type TestApp } from '../support/harness.ts';
import { signInThrough } from '../support/sign-in.ts';

const level = (p: FakeProject) => Math.max(p.project_access ?? 0, p.group_access ?? 0);

describe('GitLab: projects below the listed role, and lookup by URL', () => {
  let t: TestApp;
  let api: ReturnType<TestApp['client']>;
  const projects = generateProjects(40, { owner: { login: 'gl-lead' }, seed: 41, groups: ['acme', 'acme/platform', 'acme/platform/tools'] });
  const below = projects.filter((p) => level(p) < ACCESS.reporter);
  const listed = projects.filter((p) => level(p) >= ACCESS.reporter);
  const outsider = generateProjects(4, { owner: { login: 'gl-outsider' }, seed: 42, groups: [] });
  const publicElsewhere = Object.assign(outsider[0]!, { visibility: 'public' as const });
  const privateElsewhere = Object.assign(outsider[1]!, { visibility: 'private' as const });

  beforeAll(async () => {
    t = await startTestApp({
      env: { GITLAB_MIN_ACCESS_LEVEL: '20', GITLAB_INSTANCES: JSON.stringify([{ url: 'https://gitlab.example.com' }]) },
      hosts: { gitlab: { users: [{ login: 'gl-lead', projects }, { login: 'gl-outsider', projects: outsider }] } },
    });
    const signed = await signInThrough(t.baseUrl, 'gl-lead', { appFetch, provider: 'gitlab' });
    api = t.client(signed.token);
  });
  afterAll(() => t.close());
  beforeEach(() => t.fakes.gitlab.state.clearFaults());

  const web = () => t.fakes.gitlab.baseUrl;
  const counters = () => t.fakes.gitlab.state.counters.byRoute;
  const listing = async (query: Record<string, unknown> = {}) => {
    const res = await api.GET('/api/v1/repos', { params: { query: { per_page: 100, provider: 'gitlab', ...query } } });
    assert.equal(res.response.status, 200, JSON.stringify(res.error));
    return res.data ?? assert.fail('a listing');
  };
  const lookup = (url: string) => api.GET('/api/v1/repos/lookup', { params: { query: { url } } });

  test('when the listing asks Reporter and above, then the Guest projects are left out and the GitLab entry counts them', async () => {
    assert.ok(below.length > 0 && listed.length > 0, 'the fixture has projects on both sides of Reporter');
    t.fakes.gitlab.state.resetCounters();
    const list = await listing({ refresh: true });
    assert.equal(list.total, listed.length);
    const gitlab = list.providers.find((p) => p.provider === 'gitlab') ?? assert.fail('a GitLab entry');
    assert.equal(gitlab.status, 'ok');
    assert.deepEqual(gitlab.hints.map((h) => [h.code, h.url, h.organizations]), [['gitlab_access_level', null, []]]);
    assert.match(gitlab.hints[0]!.message, new RegExp(`^${below.length} GitLab projects? where your role is below Reporter`));
    // The listing's pages carry min_access_level; the count is one request of one project, without it.
    const asked = t.fakes.gitlab.state.requests.filter((r) => r.route === '/api/v4/projects');
    assert.ok(asked.some((r) => r.query.min_access_level === '20'));
    const counts = asked.filter((r) => r.query.min_access_level === undefined);
    assert.deepEqual(counts.map((r) => [r.query.membership, r.query.per_page]), [['true', '1']]);
  });

  test('when the listing is warm, then the hint comes from the cache and GitLab is not asked', async () => {
    await listing();
    t.fakes.gitlab.state.resetCounters();
    const again = await listing({ kind: 'frontend' });
    assert.equal(again.providers[0]?.hints[0]?.code, 'gitlab_access_level');
    assert.equal(t.fakes.gitlab.state.counters.total, 0);
  });

  test('when the count fails, then the listing answers all the same, without the hint', async () => {
    // The count fails (the fake answers 500); the listing's own pages do not.
    t.fakes.gitlab.state.beforeReply = (route, query) => {
      if (route === '/api/v4/projects' && query.per_page === '1') throw new Error('the count fails');
    };
    try {
      const list = await listing({ refresh: true });
      assert.equal(list.total, listed.length);
      assert.deepEqual(list.providers[0]?.hints, []);
    } finally {
      t.fakes.gitlab.state.beforeReply = undefined;
      await listing({ refresh: true });
    }
  });

  test('when me is asked, then the GitLab entry carries the same hint', async () => {
    const me = await api.GET('/api/v1/me');
    assert.equal(me.response.status, 200);
    assert.deepEqual(me.data?.providers.find((p) => p.provider === 'gitlab')?.hints.map((h) => h.code), ['gitlab_access_level']);
  });

  const nested = () => listed.find((p) => p.namespace.full_path === 'acme/platform/tools') ?? listed.find((p) => p.namespace.full_path.includes('/')) ?? assert.fail('a listed project of a subgroup');

  test('when a listed project of a subgroup is looked up by its web, .git or /-/ page URL, then it is answered from the list as listed', async () => {
    const p = nested();
    const path = `${p.namespace.full_path}/${p.path}`;
    await listing();
    t.fakes.gitlab.state.resetCounters();
    for (const url of [`${web()}/${path}`, `${web()}/${path}.git`, `${web()}/${path}/-/tree/main/src`, `${web()}/${path}/`]) {
      const res = await lookup(url);
      assert.equal(res.response.status, 200, `${url}: ${JSON.stringify(res.error)}`);
      assert.equal(res.data?.id, p.id, url);
      assert.equal(res.data?.owner.login, p.namespace.full_path, url);
      assert.equal(res.data?.full_name, path, url);
    }
    assert.equal(counters()['/api/v4/projects/:id'] ?? 0, 0, 'a listed project is answered from the list');
    const fromList = (await listing()).repositories.find((r) => r.id === p.id);
    if (fromList) assert.deepEqual((await lookup(`${web()}/${path}`)).data, fromList);
  });

  test('when a project is not in the list, then GitLab is asked for it by its URL-encoded path', async () => {
    const guest = below[0]!;
    t.fakes.gitlab.state.resetCounters();
    const res = await lookup(`${web()}/${guest.namespace.full_path}/${guest.path}`);
    assert.equal(res.response.status, 200, JSON.stringify(res.error));
    assert.equal(res.data?.id, guest.id);
    assert.equal(res.data?.provider, 'gitlab');
    assert.equal(counters()['/api/v4/projects/:id'], 1);
    const asked = t.fakes.gitlab.state.requests.find((r) => r.route === '/api/v4/projects/:id');
    assert.ok(asked, 'GitLab was asked');
    const open = await lookup(`${web()}/${publicElsewhere.namespace.full_path}/${publicElsewhere.path}`);
    assert.equal(open.response.status, 200, 'a public project of another user is seen');
    assert.equal(open.data?.permissions, null);
  });

  test('when GitLab answers 404 (missing, or private and not the user\'s), then 404 NOT_FOUND for GitLab', async () => {
    for (const url of [`${web()}/acme/platform/no-such-project`, `${web()}/${privateElsewhere.namespace.full_path}/${privateElsewhere.path}`]) {
      const res = await lookup(url);
      assert.equal(res.response.status, 404, url);
      assert.equal(res.error?.code, 'NOT_FOUND');
      assert.equal(res.error?.provider, 'gitlab');
    }
  });

  test('when GitLab refuses the token the scope, then 403 PROVIDER_AUTH with reconnect', async () => {
    t.fakes.gitlab.state.injectFault({ route: '/api/v4/projects/:id', kind: 'insufficientScope' });
    const res = await lookup(`${web()}/acme/platform/not-listed`);
    assert.equal(res.response.status, 403);
    assert.equal(res.error?.code, 'PROVIDER_AUTH');
    assert.equal(res.error?.reconnect, true);
  });

  test('when the URL is of another configured instance, by web or SSH URL, then 404 that names it, and nothing is fetched', async () => {
    t.fakes.gitlab.state.resetCounters();
    for (const url of ['https://gitlab.example.com/acme/platform/app', 'git@gitlab.example.com:acme/platform/app.git', 'ssh://git@gitlab.example.com:2222/acme/app.git']) {
      const res = await lookup(url);
      assert.equal(res.response.status, 404, url);
      assert.equal(res.error?.provider, 'gitlab');
      assert.match(res.error?.detail ?? '', /on gitlab\.example\.com/);
    }
    assert.equal(t.fakes.gitlab.state.counters.total, 0);
  });

  test('when the URL is of a GitLab the operator did not configure, then 400 that lists the served hosts', async () => {
    t.fakes.gitlab.state.resetCounters();
    const res = await lookup('https://gitlab.unknown.example/acme/app');
    assert.equal(res.response.status, 400);
    assert.match(res.error?.detail ?? '', /gitlab\.unknown\.example is not a git host this service serves \(.*gitlab\.example\.com/);
    const notProject = await lookup(`${web()}/acme`);
    assert.equal(notProject.response.status, 400);
    assert.equal(t.fakes.gitlab.state.counters.total, 0);
  });
});
