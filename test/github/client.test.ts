import assert from 'node:assert/strict';
import { rejectsWithProblem as rejectsGitHub } from '../support/problems.ts';
import { createHash, randomBytes } from 'node:crypto';
import { setImmediate } from 'node:timers/promises';
import { afterAll, beforeAll, beforeEach, describe, it } from 'vitest';
import { MemoryCache } from '../../src/cache/index.ts';
import { startFakeGitHub, generateRepos } from '../fakes/github/index.ts';
import type { FakeAccount, FakeGitHub, Fault } from '../fakes/github/index.ts';
import { ApiProblem } from '../../src/contract/problem.ts';
import { GitHubClient } from '../../src/hosts/github/index.ts';
import { isOctokitHttpError } from '../../src/hosts/github/errors.ts';
import { Octokit } from '@octokit/core';
import { assertEvery } from '../support/assertions.ts';
import { holdAnswers } from '../support/hold.ts';
import { ANSWERED_MS, GIVE_UP_MS, IMPATIENT_MS } from '../support/deadlines.ts';

// A 100-repository page is about half a megabyte, and fake and client share one thread here: a busy
// machine must not turn a slow page into a failed test (see the deadlines' module).

let fake: FakeGitHub;
let account: FakeAccount;
let client: GitHubClient;
let strictClient: GitHubClient;

function newClient(concurrency = 8, timeoutMs = ANSWERED_MS): GitHubClient {
  return new GitHubClient({ apiUrl: fake.baseUrl, timeoutMs, concurrency });
}

function seed(n: number, seedValue = 7): number[] {
  account.repos = generateRepos(n, { seed: seedValue, owner: { login: account.user.login, id: account.user.id } });
  return account.repos.map((r) => r.id);
}

function list(options: { knownPageCount?: number; cache?: MemoryCache; using?: GitHubClient } = {}) {
  return (options.using ?? client).listRepos(account.token, {
    pageCache: options.cache ?? new MemoryCache(),
    cacheKey: `github:${account.user.id}`,
    ...(options.knownPageCount !== undefined ? { knownPageCount: options.knownPageCount } : {}),
  });
}

/** Asserts that `promise` rejects with a GitHub ApiProblem matching `expected`, and returns it. */
const rejectsWithProblem = (promise: Promise<unknown>, expected: Parameters<typeof rejectsGitHub>[2]) => rejectsGitHub('github', promise, expected);

beforeAll(async () => {
  fake = await startFakeGitHub({ users: [{ login: 'octocat', name: 'The Octocat' }] });
  account = fake.state.accountByLogin('octocat') as FakeAccount;
  client = newClient();
  strictClient = newClient(8, GIVE_UP_MS);
});
afterAll(() => fake.close());
beforeEach(() => {
  fake.state.clearFaults();
  fake.state.latencyMs = 0;
  fake.state.resetCounters();
});

describe('GitHubClient.listRepos reads every page', () => {
  for (const n of [0, 1, 100, 101, 1000, 2345]) {
    it(`returns all ${n} repositories once each, in ${Math.max(1, Math.ceil(n / 100))} page(s), when the account has ${n}`, async () => {
      const ids = seed(n);
      const result = await list();
      assert.equal(result.repos.length, n);
      assert.deepEqual(new Set(result.repos.map((r) => r.id)), new Set(ids));
      const pages = Math.max(1, Math.ceil(n / 100));
      assert.equal(result.pageCount, pages);
      assert.deepEqual(result.stats, { requests: pages, notModified: 0, downloaded: pages });
    });
  }

  it('asks for every affiliation, 100 per page, in a stable full_name order', async () => {
    seed(250);
    await list();
    const queries = fake.state.requests.filter((r) => r.route === '/user/repos').map((r) => r.query);
    assert.equal(queries.length, 3);
    for (const q of queries) {
      assert.equal(q.affiliation, 'owner,collaborator,organization_member');
      assert.equal(q.per_page, '100');
      assert.equal(q.sort, 'full_name');
      assert.equal(q.direction, 'asc');
    }
    assert.deepEqual(queries.map((q) => q.page).sort(), ['1', '2', '3']);
    assert.match(fake.state.requests[0]?.authorization ?? '', /^bearer gho_/);
  });

  it('maps GitHub repository objects to GitHubRepo with the fields the API exposes', async () => {
    seed(1);
    const [repo] = (await list()).repos;
    const source = account.repos[0];
    assert.ok(repo && source);
    assert.deepEqual(repo, {
      id: source.id,
      name: source.name,
      full_name: `${source.owner.login}/${source.name}`,
      owner: { id: source.owner.id, login: source.owner.login, full_name: null, type: source.owner.type, avatar_url: `https://avatars.githubusercontent.com/u/${source.owner.id}?v=4` },
      description: source.description,
      private: source.private,
      visibility: source.visibility ?? (source.private ? 'private' : 'public'),
      fork: source.fork,
      archived: source.archived,
      html_url: `${fake.baseUrl}/${source.owner.login}/${source.name}`,
      language: source.language,
      size: source.size,
      stargazers_count: source.stargazers_count,
      watchers_count: source.stargazers_count,
      default_branch: source.default_branch,
      created_at: source.created_at,
      updated_at: source.updated_at,
      pushed_at: source.pushed_at,
      permissions: source.permissions,
    });
  });

  it('keeps a repository once when GitHub returns it on two pages', async () => {
    seed(150);
    const twin = account.repos[0];
    assert.ok(twin);
    // Same id under a name that sorts onto the second page: what a rename during reading looks like.
    account.repos.push({ ...twin, name: 'zzz-renamed', owner: { ...twin.owner, login: 'zzz-org' } });
    const result = await list();
    assert.equal(result.repos.length, 150);
    assert.equal(new Set(result.repos.map((r) => r.id)).size, 150);
  });
});

describe('GitHubClient.listRepos fetches pages concurrently', () => {
  // What is in flight at once is counted with the answers held until so many requests are in flight
  // (test/support/hold.ts): page 1 alone, then the pages after it.
  it('with 10 pages, 8 requests are in flight at once (concurrency 8), not 1', async () => {
    seed(1000);
    const first = holdAnswers(fake.state);
    const listing = list();
    await first.releaseAt(1);
    await holdAnswers(fake.state).releaseAt(8);
    const result = await listing;
    assert.equal(result.repos.length, 1000);
    assert.equal(fake.state.counters.total, 10);
    assert.equal(fake.state.counters.maxInFlight, 8);
  });

  it('with 10 pages and enough concurrency, all 9 pages after the first are in flight together: 2 round trips', async () => {
    seed(1000);
    const first = holdAnswers(fake.state);
    const listing = list({ using: newClient(16) });
    await first.releaseAt(1);
    await holdAnswers(fake.state).releaseAt(9);
    await listing;
    assert.equal(fake.state.counters.maxInFlight, 9);
  });

  it('asks for the pages after the first once page 1 has sent its headers, while its body is still on its way', async () => {
    seed(500);
    fake.state.latencyMs = 200;
    fake.state.injectFault({ route: '/user/repos', kind: 'slowBody', page: 1, times: 1, bodyDelayMs: 1000 });
    const result = await list();
    assert.equal(result.repos.length, 500);
    assert.equal(result.pageCount, 5);
    assert.equal(fake.state.counters.total, 5);
    // Pages 2 to 5 were in flight beside page 1, whose body was still coming.
    assert.equal(fake.state.counters.maxInFlight, 5);
  });

  it('the sequential baseline never has more than one request in flight', async () => {
    seed(1000);
    fake.state.latencyMs = 20;
    const result = await client.sequentialListRepos(account.token);
    assert.equal(result.repos.length, 1000);
    assert.equal(result.pageCount, 10);
    assert.equal(fake.state.counters.maxInFlight, 1);
  });

  it('with a known page count of 5, all 5 pages are asked for at once in one round', async () => {
    seed(500);
    const held = holdAnswers(fake.state);
    const listing = list({ knownPageCount: 5 });
    await held.releaseAt(5);
    const result = await listing;
    assert.equal(result.repos.length, 500);
    assert.equal(fake.state.counters.total, 5);
    assert.equal(fake.state.counters.maxInFlight, 5);
  });

  it('when the list grew past the known page count, the last known page links on and the rest is read', async () => {
    const ids = seed(450);
    const result = await list({ knownPageCount: 3 });
    assert.deepEqual(new Set(result.repos.map((r) => r.id)), new Set(ids));
    assert.equal(result.pageCount, 5);
    assert.equal(result.stats.requests, 5);
  });

  it('treats a known page count that is not a positive integer as unknown', async () => {
    seed(250);
    for (const knownPageCount of [0, -3, Number.NaN, 2.5]) {
      assert.equal((await list({ knownPageCount })).repos.length, 250);
    }
  });

  it('when the list shrank below the known page count, the empty pages are ignored and the count corrected', async () => {
    const ids = seed(250);
    const result = await list({ knownPageCount: 5 });
    assert.deepEqual(new Set(result.repos.map((r) => r.id)), new Set(ids));
    assert.equal(result.repos.length, 250);
    assert.equal(result.pageCount, 3);
  });
});

/** A page cache entry once the listing's writes, made a turn at a time after it was handed back, have reached it. */
async function written<T>(cache: MemoryCache, key: string): Promise<T | undefined> {
  for (let turn = 0; turn < 1_000; turn++) {
    const value = await cache.get<T>(key);
    if (value !== undefined) return value;
    await setImmediate();
  }
  return undefined;
}

describe('GitHubClient.listRepos revalidates with ETags', () => {
  it('a second listing with the same page cache gets 304 for every page and downloads nothing', async () => {
    seed(1000);
    const cache = new MemoryCache();
    const first = await list({ cache });
    fake.state.resetCounters();
    const second = await list({ cache, knownPageCount: first.pageCount });
    assert.deepEqual(second.stats, { requests: 10, notModified: 10, downloaded: 0 });
    assert.equal(fake.state.counters.notModified, 10);
    assert.deepEqual(second.repos, first.repos);
    assertEvery(fake.state.requests, (r) => r.ifNoneMatch?.startsWith('W/"'));
  });

  it('keeps each page in the lean form: a fifth of the bytes of its repositories as JSON objects', async () => {
    seed(100);
    const cache = new MemoryCache();
    const first = await list({ cache });
    assert.equal(first.repos.length, 100);
    const kept = await written<{ etag: string; repos: { repos: unknown[][] } }>(cache, `github:${account.user.id}:1`);
    assert.ok(kept, 'page 1 is kept');
    assert.match(kept.etag, /^W\/"/);
    assert.equal(kept.repos.repos.length, 100);
    assert.ok(JSON.stringify(kept).length * 5 <= JSON.stringify(first.repos).length, `${JSON.stringify(kept).length} bytes kept`);
  });

  it('a page kept in another form (an earlier version’s) is a miss: it is downloaded again, asked without its ETag', async () => {
    seed(100);
    const cache = new MemoryCache();
    const first = await list({ cache });
    const key = `github:${account.user.id}:1`;
    const kept = await written<{ etag: string }>(cache, key);
    assert.ok(kept, 'page 1 is kept');
    await cache.set(key, { etag: kept.etag, link: null, repos: first.repos });
    fake.state.resetCounters();
    const second = await list({ cache });
    assert.deepEqual(second.stats, { requests: 1, notModified: 0, downloaded: 1 });
    assert.deepEqual(second.repos, first.repos);
    const asked = fake.state.requests.filter((r) => r.route === '/user/repos');
    assert.equal(asked.length, 1);
    assert.equal(asked[0]!.ifNoneMatch, undefined);
  });

  it('after one repository changed, only its page is downloaded again', async () => {
    seed(300);
    const cache = new MemoryCache();
    await list({ cache });
    const changed = account.repos[0];
    assert.ok(changed);
    changed.description = 'Changed just now';
    const second = await list({ cache });
    assert.deepEqual(second.stats, { requests: 3, notModified: 2, downloaded: 1 });
    assert.equal(second.repos.find((r) => r.id === changed.id)?.description, 'Changed just now');
  });

  for (const linkOn304 of [true, false]) {
    it(`finds a repository added after a full, unchanged last page when a 304 ${linkOn304 ? 'carries' : 'lacks'} the new Link`, async () => {
      seed(500);
      fake.state.linkOn304 = linkOn304;
      const cache = new MemoryCache();
      const first = await list({ cache });
      const last = account.repos[0];
      assert.ok(last);
      // Sorts after every other full_name: pages 1-5 keep their bodies (and ETags), page 6 appears.
      account.repos.push({ ...last, id: 1, name: 'zzzz-newest', owner: { login: 'zzzz', id: 2, type: 'User' } });
      fake.state.resetCounters();
      const second = await list({ cache, knownPageCount: first.pageCount });
      fake.state.linkOn304 = true;
      assert.equal(second.repos.length, 501);
      assert.ok(second.repos.some((r) => r.id === 1));
      assert.equal(second.pageCount, 6);
      assert.deepEqual(second.stats, { requests: 6, notModified: 5, downloaded: 1 });
    });
  }

  it('a single full page that answers 304 is the whole list once the server has shown it repeats Links on a 304', async () => {
    const learning = newClient();
    // A two-page list revalidated: its 304s carry their Links.
    seed(150);
    const twoPages = new MemoryCache();
    await list({ cache: twoPages, using: learning });
    await list({ cache: twoPages, using: learning, knownPageCount: 2 });
    seed(100);
    const cache = new MemoryCache();
    const first = await list({ cache, using: learning });
    fake.state.resetCounters();
    const second = await list({ cache, using: learning, knownPageCount: first.pageCount });
    assert.deepEqual(second.stats, { requests: 1, notModified: 1, downloaded: 0 });
    assert.equal(second.repos.length, 100);
  });

  for (const linkOn304 of [true, false]) {
    it(`a client that has not yet seen a 304 repeat a Link asks for the page after a full single page (server ${linkOn304 ? 'repeats' : 'drops'} Links)`, async () => {
      seed(100);
      fake.state.linkOn304 = linkOn304;
      const fresh = newClient();
      const cache = new MemoryCache();
      const first = await list({ cache, using: fresh });
      const last = account.repos[0];
      assert.ok(last);
      // Sorts after every other full_name: page 1 keeps its body (and ETag), page 2 appears.
      account.repos.push({ ...last, id: 1, name: 'zzzz-newest', owner: { login: 'zzzz', id: 2, type: 'User' } });
      const second = await list({ cache, using: fresh, knownPageCount: first.pageCount });
      fake.state.linkOn304 = true;
      assert.equal(second.repos.length, 101);
      assert.ok(second.repos.some((r) => r.id === 1));
    });
  }

  it('keeps working, without conditional requests, when the page cache fails', async () => {
    seed(150);
    const errors: unknown[] = [];
    const broken = new MemoryCache();
    broken.get = async () => {
      throw new Error('cache down');
    };
    const result = await new GitHubClient({ apiUrl: fake.baseUrl, timeoutMs: ANSWERED_MS, onCacheError: (e) => errors.push(e) })
      .listRepos(account.token, { pageCache: broken, cacheKey: 'k' });
    assert.equal(result.repos.length, 150);
    assert.equal(errors.length, 2);
  });
});

describe('GitHubClient.listRepos fails the whole listing on any failure (fault matrix)', () => {
  interface Case {
    name: string;
    fault: Omit<Fault, 'route'>;
    status: number;
    code: string;
    extras?: Record<string, unknown>;
    /** The problem's detail: what a caller is told. */
    detail: string | RegExp;
  }
  const PAGE_1 = 'listing repositories (page 1)';
  const REFUSED = 'GitHub refused access: Resource not accessible by integration; reconnect GitHub.';
  const cases: Case[] = [
    { name: 'GitHub never answers', fault: { kind: 'timeout' }, status: 504, code: 'UPSTREAM_TIMEOUT', detail: `GitHub did not answer within ${GIVE_UP_MS} ms while ${PAGE_1}.` },
    { name: 'the connection is reset', fault: { kind: 'reset' }, status: 502, code: 'UPSTREAM_UNAVAILABLE', detail: `GitHub closed the connection before answering in full while ${PAGE_1}.` },
    { name: 'GitHub answers 500', fault: { kind: 500 }, status: 502, code: 'UPSTREAM_UNAVAILABLE', detail: `GitHub answered 500 (Server Error) while ${PAGE_1}.` },
    { name: 'GitHub answers 502', fault: { kind: 502 }, status: 502, code: 'UPSTREAM_UNAVAILABLE', detail: `GitHub answered 502 (Server Error) while ${PAGE_1}.` },
    { name: 'GitHub answers 503', fault: { kind: 503 }, status: 502, code: 'UPSTREAM_UNAVAILABLE', detail: `GitHub answered 503 (Service Unavailable) while ${PAGE_1}.` },
    { name: 'a proxy answers 502 with an HTML page', fault: { kind: 'reply', reply: { status: 502, headers: { 'content-type': 'text/html' }, body: '<html><body><h1>502 Bad Gateway</h1></body></html>' } }, status: 502, code: 'UPSTREAM_UNAVAILABLE', detail: `GitHub answered 502 while ${PAGE_1}.` },
    { name: 'the body is not valid JSON', fault: { kind: 'badJson' }, status: 502, code: 'UPSTREAM_UNAVAILABLE', detail: `GitHub sent an invalid answer while ${PAGE_1}: the body is not JSON.` },
    { name: 'the body is JSON but not a list', fault: { kind: 'reply', reply: { status: 200, body: { message: 'not a list' } } }, status: 502, code: 'UPSTREAM_UNAVAILABLE', detail: `GitHub sent an invalid answer while ${PAGE_1}: the repository list is not a JSON array.` },
    { name: 'the body is cut short of its Content-Length', fault: { kind: 'truncated' }, status: 502, code: 'UPSTREAM_UNAVAILABLE', detail: `GitHub closed the connection before answering in full while ${PAGE_1}.` },
    { name: 'the token is rejected (401)', fault: { kind: 'badCredentials' }, status: 403, code: 'GITHUB_AUTH', extras: { reconnect: true }, detail: 'GitHub rejected the stored token (revoked or expired); reconnect GitHub.' },
    { name: 'the token lacks a scope (403)', fault: { kind: 'missingScope' }, status: 403, code: 'GITHUB_AUTH', extras: { reconnect: true }, detail: 'GitHub needs the "repo" scope for this; reconnect GitHub to grant it.' },
    {
      name: 'access is refused (403) with requests left in the rate limit',
      fault: { kind: 'reply', reply: { status: 403, headers: { 'x-ratelimit-remaining': '4999', 'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600) }, body: { message: 'Resource not accessible by integration' } } },
      status: 403, code: 'GITHUB_AUTH', extras: { reconnect: true }, detail: REFUSED,
    },
    {
      name: 'access is refused (403) with no requests left but no reset time',
      fault: { kind: 'reply', reply: { status: 403, headers: { 'x-ratelimit-remaining': '0' }, body: { message: 'Resource not accessible by integration' } } },
      status: 403, code: 'GITHUB_AUTH', extras: { reconnect: true }, detail: REFUSED,
    },
    {
      name: 'access is refused (403) with an empty retry-after',
      fault: { kind: 'reply', reply: { status: 403, headers: { 'retry-after': '' }, body: { message: 'Resource not accessible by integration' } } },
      status: 403, code: 'GITHUB_AUTH', extras: { reconnect: true }, detail: REFUSED,
    },
    { name: 'access is refused (403) without a message', fault: { kind: 'reply', reply: { status: 403, body: {} } }, status: 403, code: 'GITHUB_AUTH', extras: { reconnect: true }, detail: 'GitHub refused access; reconnect GitHub.' },
    { name: 'the primary rate limit is used up (403, remaining 0)', fault: { kind: 'primaryRateLimit', resetInSeconds: 120 }, status: 429, code: 'RATE_LIMITED', detail: 'The GitHub API rate limit for this account is used up.' },
    { name: 'the primary rate limit is used up and the reset comes in epoch milliseconds', fault: { kind: 'primaryRateLimit', resetInSeconds: 120, resetInMilliseconds: true }, status: 429, code: 'RATE_LIMITED', detail: 'The GitHub API rate limit for this account is used up.' },
    { name: 'the secondary rate limit hits (429 retry-after 30)', fault: { kind: 'secondaryRateLimit', retryAfter: 30 }, status: 429, code: 'RATE_LIMITED', extras: { retry_after: 30 }, detail: 'GitHub asks us to slow down (secondary rate limit).' },
    { name: 'the secondary rate limit hits as 403 with retry-after 45', fault: { kind: 'secondaryRateLimit', status: 403, retryAfter: 45 }, status: 429, code: 'RATE_LIMITED', extras: { retry_after: 45 }, detail: 'GitHub asks us to slow down (secondary rate limit).' },
    {
      name: 'GitHub answers 429 with no time to wait',
      fault: { kind: 'reply', reply: { status: 429, body: { message: 'Too many requests' } } },
      status: 429, code: 'RATE_LIMITED', extras: { retry_after: 60 }, detail: 'GitHub asks us to slow down (secondary rate limit).',
    },
    {
      name: 'GitHub answers 403 saying a rate limit hit, with no time to wait',
      fault: { kind: 'reply', reply: { status: 403, body: { message: 'You have triggered an abuse detection mechanism and have been temporarily blocked: secondary Rate Limit' } } },
      status: 429, code: 'RATE_LIMITED', extras: { retry_after: 60 }, detail: 'GitHub asks us to slow down (secondary rate limit).',
    },
    {
      name: 'the rate limit resets at 100000000000 (read as seconds, the wait capped)',
      fault: { kind: 'reply', reply: { status: 403, headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '100000000000' }, body: { message: 'API rate limit exceeded' } } },
      status: 429, code: 'RATE_LIMITED', extras: { retry_after: 86_400 }, detail: 'The GitHub API rate limit for this account is used up.',
    },
    { name: 'GitHub answers 404 with its message', fault: { kind: 'reply', reply: { status: 404, body: { message: 'Not Found' } } }, status: 502, code: 'UPSTREAM_UNAVAILABLE', detail: `GitHub answered 404 (Not Found) while ${PAGE_1}.` },
    { name: 'page 3 of 5 answers 503', fault: { kind: 503, page: 3 }, status: 502, code: 'UPSTREAM_UNAVAILABLE', detail: 'GitHub answered 503 (Service Unavailable) while listing repositories (page 3).' },
    { name: 'page 5 of 5 never answers', fault: { kind: 'timeout', page: 5 }, status: 504, code: 'UPSTREAM_TIMEOUT', detail: `GitHub did not answer within ${IMPATIENT_MS} ms while listing repositories (page 5).` },
    { name: 'page 2 of 5 is truncated', fault: { kind: 'truncated', page: 2 }, status: 502, code: 'UPSTREAM_UNAVAILABLE', detail: 'GitHub closed the connection before answering in full while listing repositories (page 2).' },
  ];

  for (const c of cases) {
    it(`when ${c.name}, the listing fails with ${c.status} ${c.code} and no list`, async () => {
      seed(500);
      fake.state.injectFault({ route: '/user/repos', ...c.fault });
      // Only the timeout cases need a short deadline (one the pages before the held one can meet too);
      // the rest must not depend on machine speed.
      const using = c.fault.kind !== 'timeout' ? client : c.fault.page ? newClient(8, IMPATIENT_MS) : strictClient;
      const problem = await rejectsWithProblem(list({ using }), { status: c.status, code: c.code as ApiProblem['code'], extras: c.extras ?? {} });
      if (typeof c.detail === 'string') assert.equal(problem.detail, c.detail);
      else assert.match(problem.detail, c.detail);
      if (c.fault.kind === 'primaryRateLimit') {
        const retry = problem.extras.retry_after ?? 0;
        assert.ok(retry >= 119 && retry <= 121, `retry_after ${retry}`);
      }
    });
  }

  it('when page 2 of 5 fails with a known page count, the listing fails too', async () => {
    seed(500);
    fake.state.injectFault({ route: '/user/repos', kind: 502, page: 2 });
    await rejectsWithProblem(list({ knownPageCount: 5 }), { status: 502, code: 'UPSTREAM_UNAVAILABLE' });
  });

  it('when one page fails, requests not yet started are never sent', async () => {
    seed(2000);
    // Page 1, then pages 2 and 3 together; page 2 fails at once, page 3 never answers (so its slot
    // never frees), and nothing after page 3 goes out: page 2's failure must not start page 4.
    fake.state.injectFault({ route: '/user/repos', kind: 500, page: 2 });
    fake.state.injectFault({ route: '/user/repos', kind: 'timeout', page: 3 });
    await rejectsWithProblem(list({ using: newClient(2) }), { status: 502 });
    assert.ok(fake.state.counters.total <= 3, `sent ${fake.state.counters.total} requests`);
  });

  it('a fault that clears after one request does not stick: the next listing succeeds', async () => {
    seed(200);
    fake.state.injectFault({ route: '/user/repos', kind: 503, times: 1 });
    await rejectsWithProblem(list(), { status: 502 });
    assert.equal((await list()).repos.length, 200);
  });
});

describe('isOctokitHttpError', () => {
  it("recognises the error Octokit throws for GitHub's HTTP answers, and no other error", async () => {
    const octokit = new Octokit({ baseUrl: fake.baseUrl });
    const thrown: unknown = await octokit.request('GET /user', { headers: { authorization: 'token gho_unknown' } }).catch((error: unknown) => error);
    assert.ok(isOctokitHttpError(thrown), String(thrown));
    const response = { status: 404, headers: {}, data: { message: 'Not Found' } };
    const lookalikes: unknown[] = [
      { name: 'HttpError', status: 404, response },
      Object.assign(new TypeError('fetch failed'), { status: 404, response }),
      Object.assign(new Error('Not Found'), { name: 'HttpError', status: '404', response }),
    ];
    for (const error of lookalikes) assert.ok(!isOctokitHttpError(error), String(error));
  });
});

describe('GitHubClient.getUser', () => {
  it('returns id, login, name, avatar and the scopes from x-oauth-scopes', async () => {
    const user = await client.getUser(account.token);
    assert.deepEqual(user, {
      id: account.user.id,
      login: 'octocat',
      name: 'The Octocat',
      avatar_url: `https://avatars.githubusercontent.com/u/${account.user.id}?v=4`,
      scopes: ['repo', 'read:user', 'user:email'],
    });
  });

  it('with an unknown token, fails with 403 GITHUB_AUTH and reconnect', async () => {
    await rejectsWithProblem(client.getUser('gho_unknown'), { status: 403, code: 'GITHUB_AUTH', extras: { reconnect: true } });
  });

  it('when the body is cut short, fails with 502 instead of returning a partial user', async () => {
    fake.state.injectFault({ route: '/user', kind: 'truncated' });
    await rejectsWithProblem(client.getUser(account.token), { status: 502, code: 'UPSTREAM_UNAVAILABLE' });
  });

  it('when GitHub never answers, fails with 504 after the request timeout', async () => {
    fake.state.injectFault({ route: '/user', kind: 'timeout' });
    const started = Date.now();
    await rejectsWithProblem(strictClient.getUser(account.token), { status: 504, code: 'UPSTREAM_TIMEOUT' });
    // Its own short deadline, not the production one: a bound a busy machine cannot break.
    assert.ok(Date.now() - started < ANSWERED_MS / 2);
  });
});

describe('GitHubClient.exchangeOAuthCode (OAuth web flow with PKCE)', () => {
  const clientId = 'Iv1.testclient';
  const redirectUri = 'http://localhost:3000/api/v1/auth/github/callback';

  async function authorize(verifier: string, extra: Record<string, string> = {}): Promise<URL> {
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const url = new URL('/login/oauth/authorize', fake.baseUrl);
    const params = { client_id: clientId, redirect_uri: redirectUri, state: 'xyz', scope: 'repo read:user', code_challenge: challenge, code_challenge_method: 'S256', ...extra };
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    const res = await fetch(url, { redirect: 'manual' });
    assert.equal(res.status, 302);
    return new URL(res.headers.get('location') ?? '');
  }

  it('exchanges the code from the authorize redirect for the user’s access token', async () => {
    const verifier = randomBytes(32).toString('base64url');
    const back = await authorize(verifier);
    assert.equal(back.searchParams.get('state'), 'xyz');
    const token = await client.exchangeOAuthCode({
      webUrl: fake.baseUrl, clientId, clientSecret: 'secret', code: back.searchParams.get('code') ?? '', redirectUri, codeVerifier: verifier,
    });
    assert.equal(token, account.token);
  });

  it('with a verifier that does not match the challenge, fails with 401 UNAUTHORIZED', async () => {
    const back = await authorize(randomBytes(32).toString('base64url'));
    const exchange = client.exchangeOAuthCode({
      webUrl: fake.baseUrl, clientId, clientSecret: 'secret', code: back.searchParams.get('code') ?? '', redirectUri, codeVerifier: 'wrong-verifier',
    });
    await assert.rejects(exchange, (e: unknown) => e instanceof ApiProblem && e.status === 401 && e.code === 'UNAUTHORIZED');
  });

  it('with a code that was already used, fails with 401 UNAUTHORIZED', async () => {
    const verifier = randomBytes(32).toString('base64url');
    const back = await authorize(verifier);
    const input = { webUrl: fake.baseUrl, clientId, clientSecret: 'secret', code: back.searchParams.get('code') ?? '', redirectUri, codeVerifier: verifier };
    await client.exchangeOAuthCode(input);
    await assert.rejects(client.exchangeOAuthCode(input), (e: unknown) => e instanceof ApiProblem && e.status === 401);
  });

  it('when the token endpoint is down, fails with 502 UPSTREAM_UNAVAILABLE', async () => {
    fake.state.injectFault({ route: '/login/oauth/access_token', kind: 503 });
    const exchange = client.exchangeOAuthCode({ webUrl: fake.baseUrl, clientId, clientSecret: 's', code: 'c', redirectUri, codeVerifier: 'v' });
    await rejectsWithProblem(exchange, { status: 502, code: 'UPSTREAM_UNAVAILABLE' });
  });
});
