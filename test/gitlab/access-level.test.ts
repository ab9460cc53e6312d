/** The GitLab source's count of memberships below the listed role: asked only above Guest, and what it says. */
import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { MemoryCache } from '../../src/cache/memory.ts';
import { createGitLabSource, GitLabClient } from '../../src/hosts/gitlab/index.ts';
import { accessLevelHint } from '../../src/hosts/gitlab/hints.ts';
import { ACCESS, generateProjects, startFakeGitLab, type FakeGitLab } from '../fakes/gitlab/index.ts';
import { ANSWERED_MS } from '../support/deadlines.ts';

const metrics = { upstream: { inc: () => {} } };

describe('GitLab source: projects below the listed role', () => {
  let fake: FakeGitLab;
  let client: GitLabClient;
  let token: string;
  const projects = generateProjects(30, { owner: { login: 'gl-member' }, seed: 51 });
  const below = projects.filter((p) => Math.max(p.project_access ?? 0, p.group_access ?? 0) < ACCESS.developer).length;

  beforeAll(async () => {
    fake = await startFakeGitLab({ users: [{ login: 'gl-member', projects }] });
    client = new GitLabClient({ apiUrl: `${fake.baseUrl}/api/v4`, webUrl: fake.baseUrl, timeoutMs: ANSWERED_MS });
    token = fake.state.accountByLogin('gl-member')!.token;
  });
  afterAll(() => fake.close());

  it('when the listing takes every membership (Guest, the default), then no count is asked and there is no hint', async () => {
    fake.state.resetCounters();
    const listing = await createGitLabSource({ client, cache: new MemoryCache(), metrics }).list({ userId: 1, token, refresh: true });
    assert.equal(listing.repos.length, projects.length);
    assert.deepEqual(listing.hints, []);
    assert.ok(fake.state.requests.length > 0);
    assert.ok(fake.state.requests.every((r) => r.query.min_access_level === undefined && r.query.per_page === '100'));
  });

  it('when the listing takes Developer and above, then the count is one request and the hint names the role and the number', async () => {
    assert.ok(below > 1, 'the fixture has projects below Developer');
    fake.state.resetCounters();
    const listing = await createGitLabSource({ client, cache: new MemoryCache(), metrics, minAccessLevel: ACCESS.developer }).list({ userId: 1, token, refresh: true });
    assert.equal(listing.repos.length, projects.length - below);
    assert.equal(fake.state.requests.filter((r) => r.query.per_page === '1').length, 1);
    assert.deepEqual(listing.hints, [accessLevelHint({ memberships: projects.length, listed: projects.length - below, minAccessLevel: ACCESS.developer })]);
    assert.match(listing.hints[0]!.message, new RegExp(`^${below} GitLab projects where your role is below Developer are not listed\\.`));
  });

  it('says one project in the singular, "some" when GitLab did not count, and nothing when none is left out', () => {
    assert.match(accessLevelHint({ memberships: 5, listed: 4, minAccessLevel: 20 })!.message, /^1 GitLab project where your role is below Reporter is not listed\. A maintainer of the project or its group/);
    assert.match(accessLevelHint({ memberships: undefined, listed: 4, minAccessLevel: 40 })!.message, /^Projects where your GitLab role is below Maintainer are not listed \(GitLab did not count them\)/);
    assert.equal(accessLevelHint({ memberships: 4, listed: 4, minAccessLevel: 20 }), undefined);
    assert.equal(accessLevelHint({ memberships: 3, listed: 4, minAccessLevel: 20 }), undefined, 'a project added between the two reads');
  });
});
