import assert from 'node:assert/strict';
import { afterAll, beforeAll, beforeEach, describe, it } from 'vitest';
import { BitbucketClient, apiTokenCredential } from '../../src/hosts/bitbucket/client.ts';
import { idFromUuid } from '../../src/hosts/bitbucket/repo.ts';
import { createBitbucketSource } from '../../src/hosts/bitbucket/source.ts';
import { bitbucketCursorFor, type FakeBitbucket, type FakeBitbucketAccount } from '../fakes/bitbucket/index.ts';
import { rejectsWithProblem, startWorld, WORLD } from './helpers.ts';
import { holdAnswers } from '../support/hold.ts';
import { ANSWERED_MS, IMPATIENT_MS } from '../support/deadlines.ts';


let fake: FakeBitbucket;
let ada: FakeBitbucketAccount;
let client: BitbucketClient;
let token: string;

beforeAll(async () => {
  ({ fake, ada } = await startWorld());
  client = new BitbucketClient({ apiUrl: fake.baseUrl, webUrl: fake.baseUrl, timeoutMs: ANSWERED_MS, concurrency: 2 });
});
afterAll(() => fake.close());
beforeEach(() => {
  fake.state.clearFaults();
  fake.state.resetCounters();
  fake.state.latencyMs = 0;
  token = fake.state.issueTokens('ada').access_token;
});

const total = WORLD.acme + WORLD['ada-personal'] + WORLD['design-guild'];

describe('Bitbucket listing', () => {
  it('lists every repository of every workspace the user is a member of: workspaces first, then each one, 100 a page', async () => {
    const listing = await client.listRepos(token);
    assert.equal(listing.repos.length, total);
    assert.deepEqual(listing.workspaces.map((w) => w.slug), ['acme', 'ada-personal', 'design-guild']);
    assert.deepEqual(new Set(listing.repos.map((r) => r.owner.login)), new Set(['acme', 'ada-personal', 'design-guild']));
    // A workspace the user is not in is not asked about.
    assert.ok(!fake.state.requests.some((r) => r.path.includes('elsewhere')));
    const first = fake.state.requests[0];
    assert.equal(first?.route, '/2.0/user/workspaces');
    const repoRequests = fake.state.requests.filter((r) => r.route === '/2.0/repositories/{workspace}');
    // acme: 3 pages (230), the others 1 each.
    assert.equal(repoRequests.length, 5);
    for (const r of repoRequests) {
      assert.equal(r.query.role, 'member');
      assert.equal(r.query.pagelen, '100');
    }
    assert.equal(listing.stats.requests, 6);
    assert.equal(fake.state.counters.total, 6);
  });

  it('follows the next URL Bitbucket gives, cursor and all, and never builds one', async () => {
    await client.listRepos(token);
    const acme = fake.state.requests.filter((r) => r.path === '/2.0/repositories/acme').map((r) => r.query.page);
    assert.deepEqual(acme, [undefined, bitbucketCursorFor(2), bitbucketCursorFor(3)]);
  });

  it('does not depend on size, which Bitbucket may leave out', async () => {
    fake.state.sendSize = false;
    try {
      assert.equal((await client.listRepos(token)).repos.length, total);
    } finally {
      fake.state.sendSize = true;
    }
  });

  it('lists several workspaces at once, within the bound', async () => {
    // Not the usual deadline: a held answer must not time out on a busy machine.
    const wide = new BitbucketClient({ apiUrl: fake.baseUrl, timeoutMs: 30_000, concurrency: 3 });
    const narrow = new BitbucketClient({ apiUrl: fake.baseUrl, timeoutMs: 30_000, concurrency: 2 });
    // The workspaces first, alone; then the workspaces' repositories, held until the bound's worth is in flight.
    const atOnce = async (listing: () => Promise<unknown>, bound: number) => {
      const first = holdAnswers(fake.state);
      const listed = listing();
      await first.releaseAt(1);
      await holdAnswers(fake.state).releaseAt(bound);
      await listed;
    };
    await atOnce(() => wide.listRepos(token), 3);
    assert.equal(fake.state.counters.maxInFlight, 3);
    fake.state.resetCounters();
    await atOnce(() => narrow.listRepos(token), 2);
    assert.equal(fake.state.counters.maxInFlight, 2);
  });

  it('maps the fields as the spec documents', async () => {
    const account = fake.state.workspaces.get('ada-personal');
    const raw = account?.repos.find((r) => r.mainbranch !== null);
    assert.ok(account && raw);
    raw.parent = { full_name: 'someone/upstream', uuid: '{11111111-2222-4333-a444-555555555555}', name: 'Upstream' };
    raw.description = '';
    raw.language = 'typescript';
    raw.size = 2_049;
    const { repos } = await client.listRepos(token);
    const repo = repos.find((r) => r.full_name === `ada-personal/${raw.slug}`);
    assert.deepEqual(repo, {
      provider: 'bitbucket',
      id: idFromUuid(raw.uuid),
      name: raw.slug,
      full_name: `ada-personal/${raw.slug}`,
      owner: { id: idFromUuid(account.uuid), login: 'ada-personal', full_name: 'Ada Lovelace', type: 'User' },
      description: null,
      private: raw.is_private,
      visibility: raw.is_private ? 'private' : 'public',
      fork: true,
      archived: false,
      html_url: `${fake.baseUrl}/ada-personal/${raw.slug}`,
      language: 'typescript',
      size: 3,
      stargazers_count: 0,
      watchers_count: 0,
      default_branch: raw.mainbranch,
      created_at: raw.created_on,
      updated_at: raw.updated_on,
      pushed_at: null,
      permissions: null,
    });
    const team = repos.find((r) => r.owner.login === 'acme');
    assert.equal(team?.owner.type, 'Organization');
    delete raw.parent;
  });

  it('holds the listing to the spec through the source: Bitbucket dates in UTC with whole seconds', async () => {
    const source = createBitbucketSource({ client });
    const { repos, hints } = await source.list({ userId: 1, token, refresh: false });
    assert.deepEqual(hints, []);
    assert.equal(repos.length, total);
    for (const r of repos) assert.match(r.updated_at ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.equal(new Set(repos.map((r) => r.id)).size, total);
  });

  it('takes an Atlassian API token over HTTP Basic with the account email', async () => {
    const listing = await client.listRepos(apiTokenCredential(ada.user.email, ada.apiToken));
    assert.equal(listing.repos.length, total);
    assert.match(fake.state.requests[0]?.authorization ?? '', /^Basic /);
    await rejectsWithProblem(client.listRepos(apiTokenCredential('someone@example.com', ada.apiToken)), { status: 403, code: 'PROVIDER_AUTH', extras: { reconnect: true } });
  });
});

describe('Bitbucket failures', () => {
  it('a workspace that fails fails the whole listing, never a shorter one', async () => {
    fake.state.injectFault({ route: '/2.0/repositories/{workspace}', workspace: 'acme', page: 3, kind: 500 });
    const problem = await rejectsWithProblem(client.listRepos(token), { status: 502, code: 'UPSTREAM_UNAVAILABLE' });
    assert.match(problem.detail, /acme \(page 3\)/);
  });

  it('the workspaces list that fails fails the listing', async () => {
    fake.state.injectFault({ route: '/2.0/user/workspaces', kind: 503 });
    await rejectsWithProblem(client.listRepos(token), { status: 502, code: 'UPSTREAM_UNAVAILABLE' });
    assert.equal(fake.state.counters.byRoute['/2.0/repositories/{workspace}'] ?? 0, 0);
  });

  it('401 (an expired access token) is PROVIDER_AUTH with reconnect', async () => {
    fake.state.expire(token);
    const problem = await rejectsWithProblem(client.listRepos(token), { status: 403, code: 'PROVIDER_AUTH', extras: { reconnect: true } });
    assert.match(problem.detail, /Access token expired/);
  });

  it('403 names the scope Bitbucket says is missing', async () => {
    const narrow = fake.state.issueTokens('ada', ['account']).access_token;
    const problem = await rejectsWithProblem(client.listRepos(narrow), { status: 403, code: 'PROVIDER_AUTH', extras: { reconnect: true } });
    assert.match(problem.detail, /"repository" scope/);
  });

  it('410 Gone is a 502 whose detail says the endpoint was removed', async () => {
    fake.state.injectFault({ route: '/2.0/user/workspaces', kind: 410 });
    const problem = await rejectsWithProblem(client.listRepos(token), { status: 502, code: 'UPSTREAM_UNAVAILABLE' });
    assert.match(problem.detail, /410 Gone for GET \/2\.0\/user\/workspaces: Bitbucket has removed this endpoint/);
    assert.match(problem.detail, /Upgrade the service/);
  });

  it('429 is RATE_LIMITED with the Retry-After Bitbucket sent, or a minute without one', async () => {
    fake.state.injectFault({ route: '/2.0/repositories/{workspace}', workspace: 'design-guild', kind: 429, retryAfter: 17 });
    await rejectsWithProblem(client.listRepos(token), { status: 429, code: 'RATE_LIMITED', extras: { retry_after: 17 } });
    fake.state.injectFault({ route: '/2.0/user/workspaces', kind: 429, retryAfter: null });
    await rejectsWithProblem(client.listRepos(token), { status: 429, code: 'RATE_LIMITED', extras: { retry_after: 60 } });
  });

  it('a request past its deadline is UPSTREAM_TIMEOUT, and cancels the other workspaces', async () => {
    fake.state.injectFault({ route: '/2.0/repositories/{workspace}', workspace: 'acme', page: 2, kind: 'timeout' });
    // The other workspaces and page 1 are answered within the deadline that page 2 must pass.
    const quick = new BitbucketClient({ apiUrl: fake.baseUrl, timeoutMs: IMPATIENT_MS, concurrency: 2 });
    const problem = await rejectsWithProblem(quick.listRepos(token), { status: 504, code: 'UPSTREAM_TIMEOUT' });
    assert.match(problem.detail, new RegExp(`${IMPATIENT_MS} ms`));
  });

  it('an answer that is not JSON, or a page without values, is a 502', async () => {
    fake.state.injectFault({ route: '/2.0/repositories/{workspace}', workspace: 'acme', kind: 'badJson', times: 1 });
    await rejectsWithProblem(client.listRepos(token), { status: 502, code: 'UPSTREAM_UNAVAILABLE' });
    fake.state.injectFault({ route: '/2.0/repositories/{workspace}', workspace: 'acme', kind: 'reply', times: 1, reply: { status: 200, body: { pagelen: 100 } } });
    const problem = await rejectsWithProblem(client.listRepos(token), { status: 502, code: 'UPSTREAM_UNAVAILABLE' });
    assert.match(problem.detail, /no values/);
  });

  it('a next URL on another host is refused: the token only goes to the configured API', async () => {
    fake.state.injectFault({
      route: '/2.0/repositories/{workspace}',
      workspace: 'design-guild',
      kind: 'reply',
      // Until the next test clears it, not once: a request of an earlier test's listing, aborted by the
      // client but already sent, may reach the fake after this test began and would use up a single one.
      reply: { status: 200, body: { pagelen: 100, values: [], next: 'https://attacker.example/2.0/repositories/design-guild?page=2' } },
    });
    const problem = await rejectsWithProblem(client.listRepos(token), { status: 502, code: 'UPSTREAM_UNAVAILABLE' });
    assert.match(problem.detail, /another host/);
    assert.ok(!fake.state.requests.some((r) => r.url.includes('attacker')));
  });

  it('a next URL that repeats a page is refused rather than read forever', async () => {
    const self = `${fake.baseUrl}/2.0/repositories/design-guild?role=member&pagelen=100`;
    fake.state.injectFault({ route: '/2.0/repositories/{workspace}', workspace: 'design-guild', kind: 'reply', reply: { status: 200, body: { pagelen: 100, values: [], next: self } } });
    const problem = await rejectsWithProblem(client.listRepos(token), { status: 502, code: 'UPSTREAM_UNAVAILABLE' });
    assert.match(problem.detail, /repeats a page/);
  });

  it('a repository without a uuid refuses the listing, naming what is missing', async () => {
    fake.state.injectFault({ route: '/2.0/repositories/{workspace}', workspace: 'design-guild', kind: 'reply', reply: { status: 200, body: { pagelen: 100, values: [{ full_name: 'design-guild/x' }] } } });
    const problem = await rejectsWithProblem(client.listRepos(token), { status: 502, code: 'UPSTREAM_UNAVAILABLE' });
    assert.match(problem.detail, /without a uuid/);
  });

  it('the removed endpoints of the fake answer 410, as Bitbucket does', async () => {
    for (const path of ['/2.0/workspaces', '/2.0/user/permissions/workspaces', '/2.0/repositories?role=member']) {
      const response = await fetch(`${fake.baseUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(response.status, 410, path);
      const body = (await response.json()) as { type: string; error: { message: string } };
      assert.equal(body.type, 'error');
    }
  });
});
