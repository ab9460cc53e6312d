import assert from 'node:assert/strict';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, it } from 'vitest';
import { MemoryCache } from '../../src/cache/index.ts';
import { generateGitVerseRepos, startFakeGitVerse } from '../fakes/gitverse/index.ts';
import type { FakeGitVerse, FakeGitVerseAccount, FakeGitVerseRepo, GitVerseFault, GitVersePaging } from '../fakes/gitverse/index.ts';
import { GITVERSE_ACCEPT, GitVerseClient } from '../../src/hosts/gitverse/client.ts';
import { rejectsWithProblem } from './helpers.ts';
import { assertEvery } from '../support/assertions.ts';
import { holdAnswers } from '../support/hold.ts';
import { ANSWERED_MS, GIVE_UP_MS, IMPATIENT_MS } from '../support/deadlines.ts';
import { ManualClock } from '../support/clock.ts';

/** Every request of these tests must be answered within it, so it is not tight: the machine may be busy with other tests. */
const MODES: readonly GitVersePaging[] = ['link', 'total-count', 'none'];

let fake: FakeGitVerse;
let account: FakeGitVerseAccount;
let client: GitVerseClient;
/** For the tests that wait for the deadline to pass. */
let impatient: GitVerseClient;
/** The client's clock: a `Retry-After` date is read against it, to the second. */
const clock = new ManualClock(Date.UTC(2026, 0, 1, 12));

function seed(n: number, seedValue = 7): number[] {
  account.repos = generateGitVerseRepos(n, { seed: seedValue, owner: { login: account.user.login, id: account.user.id } });
  return account.repos.map((r) => r.id);
}

function list(options: { cache?: MemoryCache; using?: GitVerseClient } = {}) {
  return (options.using ?? client).listRepos(account.token, { pageCache: options.cache ?? new MemoryCache(), cacheKey: `gitverse:${account.user.id}` });
}

/** Requests a listing of `n` repositories takes when GitVerse honours per_page=100. */
function expectedRequests(mode: GitVersePaging, n: number): number {
  const pages = Math.max(1, Math.ceil(n / 100));
  if (n === 0 || mode === 'total-count') return pages;
  // Without paging headers a first page is confirmed by a second; `none` also reads the empty page after a full one.
  if (mode === 'link') return n <= 100 ? 2 : pages;
  return Math.max(2, Math.floor(n / 100) + 1);
}

/** The two repositories of GitVerse's documented example, as the fake keeps them. */
const SEED_REPOS: FakeGitVerseRepo[] = [
  {
    id: 2,
    owner: { id: 1, login: 'dlborun', full_name: 'Milo Kachinsky', type: 'User' },
    name: 'myTetris',
    description: 'my emplementation original Tetris game',
    private: false,
    fork: false,
    language: 'C',
    size: 2331,
    stargazers_count: 0,
    watchers_count: 1,
    default_branch: 'main',
    created_at: '2025-04-28T13:46:42+03:00',
    updated_at: '2025-05-05T11:31:09+03:00',
  },
  {
    id: 1,
    owner: { id: 1, login: 'dlborun', full_name: 'Milo Kachinsky', type: 'User' },
    name: 'testRepo1.0',
    description: 'старый пет-проект для локальных тестов',
    private: false,
    fork: false,
    language: 'Go',
    size: 46,
    stargazers_count: 0,
    watchers_count: 1,
    default_branch: 'master',
    created_at: '2025-04-28T12:09:56+03:00',
    updated_at: '2025-05-16T14:50:38+03:00',
  },
];

beforeAll(async () => {
  fake = await startFakeGitVerse({ users: [{ login: 'dlborun', id: 1, full_name: 'Milo Kachinsky' }] });
  account = fake.state.accountByLogin('dlborun') as FakeGitVerseAccount;
  client = new GitVerseClient({ apiUrl: fake.baseUrl, timeoutMs: ANSWERED_MS, clock });
  impatient = new GitVerseClient({ apiUrl: fake.baseUrl, timeoutMs: GIVE_UP_MS });
});
afterAll(() => fake.close());
beforeEach(() => {
  fake.state.clearFaults();
  fake.state.latencyMs = 0;
  fake.state.paging = 'link';
  fake.state.pageSize = 100;
  fake.state.reportScopes = true;
  fake.state.resetCounters();
});

describe('GitVerseClient.listRepos reads every page, whichever way GitVerse pages', () => {
  for (const mode of MODES) {
    for (const n of [0, 1, 99, 100, 101, 250, 1000]) {
      it(`${mode}: all ${n} repositories once each, in ${expectedRequests(mode, n)} request(s)`, async () => {
        fake.state.paging = mode;
        const ids = seed(n);
        const result = await list();
        assert.equal(result.repos.length, n);
        assert.deepEqual(new Set(result.repos.map((r) => r.id)), new Set(ids));
        assert.deepEqual(result.stats, { requests: expectedRequests(mode, n), notModified: 0, downloaded: expectedRequests(mode, n) });
      });
    }

    it(`${mode}: loses nothing when GitVerse hands out 30 per page although 100 were asked for`, async () => {
      fake.state.paging = mode;
      fake.state.pageSize = 30;
      const ids = seed(95);
      const result = await list();
      assert.deepEqual(new Set(result.repos.map((r) => r.id)), new Set(ids));
      assert.equal(result.repos.length, 95);
      assert.equal(result.stats.requests, 4);
    });

    it(`${mode}: keeps a repository once when it comes back on two pages`, async () => {
      fake.state.paging = mode;
      seed(150);
      // Pages are ordered by id, newest first: a twin of the 100th straddles the boundary of pages 1 and 2.
      const boundary = [...account.repos].sort((a, b) => b.id - a.id)[99] as FakeGitVerseRepo;
      account.repos.push({ ...boundary, name: `${boundary.name}-renamed` });
      const result = await list();
      assert.equal(result.repos.length, 150);
      assert.equal(new Set(result.repos.map((r) => r.id)).size, 150);
    });
  }

  it('asks for page and per_page=100 with the versioned media type and a bearer token', async () => {
    seed(250);
    await list();
    const requests = fake.state.requests.filter((r) => r.route === '/user/repos');
    assert.deepEqual(requests.map((r) => r.query.page).sort(), ['1', '2', '3']);
    for (const r of requests) {
      assert.equal(r.query.per_page, '100');
      assert.equal(r.accept, GITVERSE_ACCEPT);
      assert.equal(r.authorization, `Bearer ${account.token}`);
    }
  });

  for (const mode of ['link', 'total-count'] as const) {
    it(`${mode}: once the last page is known, the rest is fetched concurrently (bounded)`, async () => {
      fake.state.paging = mode;
      seed(1000);
      // Page 1 alone; then the other pages' answers are held until four of them are in flight at once.
      const first = holdAnswers(fake.state);
      const listing = list({ using: new GitVerseClient({ apiUrl: fake.baseUrl, timeoutMs: 30_000, concurrency: 4 }) });
      await first.releaseAt(1);
      await holdAnswers(fake.state).releaseAt(4);
      const result = await listing;
      assert.equal(result.repos.length, 1000);
      assert.equal(fake.state.counters.maxInFlight, 4);
    });
  }

  it('none: reads one page after another', async () => {
    fake.state.paging = 'none';
    fake.state.latencyMs = 10;
    seed(500);
    assert.equal((await list()).repos.length, 500);
    assert.equal(fake.state.counters.maxInFlight, 1);
  });

  it('fails rather than running on past maxPages', async () => {
    seed(250);
    await rejectsWithProblem(list({ using: new GitVerseClient({ apiUrl: fake.baseUrl, timeoutMs: ANSWERED_MS, maxPages: 2 }) }), {
      status: 502,
      code: 'UPSTREAM_UNAVAILABLE',
    });
  });
});

describe('GitVerseClient.listRepos revalidates with ETags', () => {
  for (const mode of MODES) {
    it(`${mode}: a second listing with the same page cache gets only 304s and downloads nothing`, async () => {
      fake.state.paging = mode;
      seed(250);
      const cache = new MemoryCache();
      const first = await list({ cache });
      fake.state.resetCounters();
      const second = await list({ cache });
      assert.deepEqual(second.repos, first.repos);
      assert.deepEqual(second.stats, { requests: first.stats.requests, notModified: first.stats.requests, downloaded: 0 });
      assert.equal(fake.state.counters.notModified, first.stats.requests);
      assertEvery(fake.state.requests, (r) => r.ifNoneMatch?.startsWith('W/"'));
    });
  }

  it('after a change only the changed pages are downloaded again', async () => {
    seed(250);
    const cache = new MemoryCache();
    await list({ cache });
    // The oldest repository sits on the last page.
    const oldest = account.repos.reduce((a, b) => (a.id < b.id ? a : b));
    oldest.description = 'changed';
    const result = await list({ cache });
    assert.deepEqual(result.stats, { requests: 3, notModified: 2, downloaded: 1 });
    assert.equal(result.repos.find((r) => r.id === oldest.id)?.description, 'changed');
  });
});

describe('GitVerseClient.listRepos maps failures to ApiProblems, never to a list', () => {
  const PAGE_1 = 'listing repositories (page 1)';
  const SLOW_DOWN = 'GitVerse asks us to slow down (rate limit).';
  const inSeconds = (s: number) => new Date(clock.now() + s * 1000);
  const tooMany = (retryAfter: string): Omit<GitVerseFault, 'route'> => ({
    kind: 'reply',
    reply: { status: 429, headers: { 'retry-after': retryAfter }, body: { error: 'Too Many Requests', message: 'Rate limit exceeded.', status: 429 } },
  });
  const serverError = (message: string): Omit<GitVerseFault, 'route'> => ({
    kind: 'reply',
    reply: { status: 500, body: { error: 'Internal Server Error', message, status: 500 } },
  });
  const cases: Array<{
    name: string;
    fault: Omit<GitVerseFault, 'route'>;
    status: number;
    code: string;
    extras?: Record<string, unknown>;
    /** The problem's detail: what a caller is told. */
    detail: string;
    /** Where `retry_after` is a wait computed from a date: its bounds. */
  }> = [
    { name: 'timeout', fault: { kind: 'timeout' }, status: 504, code: 'UPSTREAM_TIMEOUT', detail: `GitVerse did not answer within ${GIVE_UP_MS} ms while ${PAGE_1}.` },
    { name: 'connection reset', fault: { kind: 'reset' }, status: 502, code: 'UPSTREAM_UNAVAILABLE', detail: `GitVerse closed the connection before answering in full while ${PAGE_1}.` },
    { name: '500 with the error object', fault: { kind: 500 }, status: 502, code: 'UPSTREAM_UNAVAILABLE', detail: `GitVerse answered 500: An internal server error occurred while ${PAGE_1}.` },
    { name: '502 from the proxy', fault: { kind: 502 }, status: 502, code: 'UPSTREAM_UNAVAILABLE', detail: `GitVerse answered 502 while ${PAGE_1}.` },
    { name: '503 from the proxy', fault: { kind: 503 }, status: 502, code: 'UPSTREAM_UNAVAILABLE', detail: `GitVerse answered 503 while ${PAGE_1}.` },
    { name: 'bad JSON', fault: { kind: 'badJson' }, status: 502, code: 'UPSTREAM_UNAVAILABLE', detail: `GitVerse sent an invalid answer while ${PAGE_1}: the answer is not JSON.` },
    { name: 'truncated body', fault: { kind: 'truncated' }, status: 502, code: 'UPSTREAM_UNAVAILABLE', detail: `GitVerse closed the connection before answering in full while ${PAGE_1}.` },
    {
      name: '401 bad token', fault: { kind: 401 }, status: 403, code: 'PROVIDER_AUTH', extras: { reconnect: true },
      detail: 'GitVerse rejected the token: Authentication failed. Invalid or missing access token. Link GitVerse again with a valid token.',
    },
    {
      name: '403 missing scope', fault: { kind: 403 }, status: 403, code: 'PROVIDER_AUTH', extras: { reconnect: true },
      detail: 'GitVerse refused access: The token does not have the required scope: read:public_api or public_api. Link GitVerse again with a token that has the read:public_api scope.',
    },
    { name: '429 with retry-after', fault: { kind: 429, retryAfter: 17 }, status: 429, code: 'RATE_LIMITED', extras: { retry_after: 17 }, detail: SLOW_DOWN },
    { name: '429 without retry-after', fault: { kind: 429, retryAfter: null }, status: 429, code: 'RATE_LIMITED', extras: { retry_after: 60 }, detail: SLOW_DOWN },
    // The dates are taken when the case runs, not when the file is read.
    { name: '429 with retry-after as an HTTP date two minutes ahead', get fault() { return tooMany(inSeconds(120).toUTCString()); }, status: 429, code: 'RATE_LIMITED', extras: { retry_after: 120 }, detail: SLOW_DOWN },
    { name: '429 with retry-after as an ISO date two minutes ahead', get fault() { return tooMany(inSeconds(120).toISOString()); }, status: 429, code: 'RATE_LIMITED', extras: { retry_after: 120 }, detail: SLOW_DOWN },
    { name: '429 with retry-after in fractional seconds, which is neither form (the default minute)', fault: tooMany('30.5'), status: 429, code: 'RATE_LIMITED', extras: { retry_after: 60 }, detail: SLOW_DOWN },
    { name: '400', fault: { kind: 400 }, status: 502, code: 'UPSTREAM_UNAVAILABLE', detail: `GitVerse refused our request as invalid: Invalid request parameters while ${PAGE_1}.` },
    { name: '500 whose message ends in dots and spaces', fault: serverError('Try again later... '), status: 502, code: 'UPSTREAM_UNAVAILABLE', detail: `GitVerse answered 500: Try again later while ${PAGE_1}.` },
    { name: '500 with a message longer than 300 characters (cut there)', fault: serverError(`${'x'.repeat(300)}TAIL`), status: 502, code: 'UPSTREAM_UNAVAILABLE', detail: `GitVerse answered 500: ${'x'.repeat(300)} while ${PAGE_1}.` },
  ];

  it('the failure cases are not empty', () => {
    assert.ok(cases.length > 0);
  });

  for (const c of cases) {
    it(`${c.name} → ${c.status} ${c.code}`, async () => {
      seed(250);
      fake.state.injectFault({ route: '/user/repos', ...c.fault });
      const problem = await rejectsWithProblem(list(c.fault.kind === 'timeout' ? { using: impatient } : {}), c);
      assert.equal(problem.detail, c.detail);
    });
  }

  it('a Retry-After of seconds that ends in a no-break space byte is read as those seconds', async () => {
    // fetch strips spaces and tabs around a header value, but not a 0xA0 byte; an HTTP server cannot be
    // made to send one, so this answer is written on the socket.
    const body = JSON.stringify({ error: 'Too Many Requests', message: 'Rate limit exceeded.', status: 429 });
    const raw = createNetServer((socket) => {
      socket.once('data', () => {
        const head = `HTTP/1.1 429 Too Many Requests\r\nretry-after: 17\xa0\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n`;
        socket.end(Buffer.from(head + body, 'latin1'));
      });
    });
    await new Promise<void>((resolve) => raw.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = raw.address() as AddressInfo;
      const padded = new GitVerseClient({ apiUrl: `http://127.0.0.1:${port}`, timeoutMs: ANSWERED_MS });
      await rejectsWithProblem(padded.listRepos(account.token, { pageCache: new MemoryCache(), cacheKey: 'x' }), { status: 429, code: 'RATE_LIMITED', extras: { retry_after: 17 } });
    } finally {
      await new Promise((resolve) => raw.close(resolve));
    }
  });

  it('any 2xx answer is a success, 299 included', async () => {
    seed(3);
    fake.state.injectFault({ route: '/user/repos', kind: 'reply', reply: { status: 299, body: [] } });
    assert.deepEqual((await list()).repos, []);
  });

  it('carries GitVerse\'s own message into the detail', async () => {
    seed(1);
    fake.state.injectFault({ route: '/user/repos', kind: 403 });
    const problem = await rejectsWithProblem(list(), { status: 403, code: 'PROVIDER_AUTH' });
    assert.match(problem.detail, /required scope: read:public_api/);
  });

  for (const mode of MODES) {
    for (const [kind, status, code] of [[500, 502, 'UPSTREAM_UNAVAILABLE'], ['timeout', 504, 'UPSTREAM_TIMEOUT']] as const) {
      it(`${mode}: ${kind} on page 3 of 4 fails the whole listing (${status})`, async () => {
        fake.state.paging = mode;
        seed(350);
        fake.state.injectFault({ route: '/user/repos', kind, page: 3 });
        // Pages 1 and 2 are answered within the deadline that page 3 must pass.
        await rejectsWithProblem(list(kind === 'timeout' ? { using: new GitVerseClient({ apiUrl: fake.baseUrl, timeoutMs: IMPATIENT_MS }) } : {}), { status, code });
      });
    }
  }

  it('a real 401 for an unknown token → 403 PROVIDER_AUTH', async () => {
    await rejectsWithProblem(client.listRepos('not-a-token', { pageCache: new MemoryCache(), cacheKey: 'x' }), {
      status: 403,
      code: 'PROVIDER_AUTH',
      extras: { reconnect: true },
    });
  });

  it('a host that is not there → 502', async () => {
    const nowhere = new GitVerseClient({ apiUrl: 'http://127.0.0.1:9', timeoutMs: ANSWERED_MS });
    await rejectsWithProblem(nowhere.listRepos(account.token, { pageCache: new MemoryCache(), cacheKey: 'x' }), { status: 502, code: 'UPSTREAM_UNAVAILABLE' });
  });

  it('a fault that clears lets the next listing through', async () => {
    const ids = seed(150);
    fake.state.injectFault({ route: '/user/repos', kind: 503, page: 2, times: 1 });
    await rejectsWithProblem(list(), { status: 502, code: 'UPSTREAM_UNAVAILABLE' });
    assert.deepEqual(new Set((await list()).repos.map((r) => r.id)), new Set(ids));
  });
});

describe('GitVerseClient maps GitVerse repositories to our Repository', () => {
  it('serves the documented example byte for byte in shape', async () => {
    account.repos = SEED_REPOS.map((r) => ({ ...r }));
    const res = await fetch(`${fake.baseUrl}/user/repos`, { headers: { authorization: `Bearer ${account.token}`, accept: GITVERSE_ACCEPT } });
    const body = (await res.json()) as unknown[];
    assert.deepEqual(body, SEED_REPOS.map(({ id, name, owner, ...r }) => ({ id, owner, name, full_name: `${owner.login}/${name}`, ...r })));
    assert.deepEqual(Object.keys(body[0] as object), [
      'id', 'owner', 'name', 'full_name', 'description', 'private', 'fork', 'language', 'size',
      'stargazers_count', 'watchers_count', 'default_branch', 'created_at', 'updated_at',
    ]);
  });

  it('maps the documented example: UTC dates, owner full_name kept, html_url built, no pushed_at or permissions', async () => {
    account.repos = SEED_REPOS.map((r) => ({ ...r }));
    const { repos } = await list();
    assert.deepEqual(repos, [
      {
        provider: 'gitverse',
        id: 2,
        name: 'myTetris',
        full_name: 'dlborun/myTetris',
        owner: { id: 1, login: 'dlborun', full_name: 'Milo Kachinsky', type: 'User', avatar_url: null },
        description: 'my emplementation original Tetris game',
        private: false,
        visibility: 'public',
        fork: false,
        archived: false,
        html_url: 'https://gitverse.ru/dlborun/myTetris',
        language: 'C',
        size: 2331,
        stargazers_count: 0,
        watchers_count: 1,
        default_branch: 'main',
        created_at: '2025-04-28T10:46:42Z',
        updated_at: '2025-05-05T08:31:09Z',
        pushed_at: null,
        permissions: null,
      },
      {
        provider: 'gitverse',
        id: 1,
        name: 'testRepo1.0',
        full_name: 'dlborun/testRepo1.0',
        owner: { id: 1, login: 'dlborun', full_name: 'Milo Kachinsky', type: 'User', avatar_url: null },
        description: 'старый пет-проект для локальных тестов',
        private: false,
        visibility: 'public',
        fork: false,
        archived: false,
        html_url: 'https://gitverse.ru/dlborun/testRepo1.0',
        language: 'Go',
        size: 46,
        stargazers_count: 0,
        watchers_count: 1,
        default_branch: 'master',
        created_at: '2025-04-28T09:09:56Z',
        updated_at: '2025-05-16T11:50:38Z',
        pushed_at: null,
        permissions: null,
      },
    ]);
  });

  it('builds html_url on a configured web base, and keeps one GitVerse sends', async () => {
    const [plain, withUrl] = SEED_REPOS.map((r) => ({ ...r }));
    assert.ok(plain && withUrl);
    withUrl.html_url = 'https://gitverse.ru/dlborun/testRepo1.0';
    account.repos = [plain, withUrl];
    const { repos } = await list({ using: new GitVerseClient({ apiUrl: fake.baseUrl, webUrl: 'https://git.example.ru/', timeoutMs: ANSWERED_MS }) });
    assert.deepEqual(repos.map((r) => r.html_url), ['https://git.example.ru/dlborun/myTetris', 'https://gitverse.ru/dlborun/testRepo1.0']);
  });

  it('maps the optional fields, organisations, empty repositories and empty strings', async () => {
    const base = SEED_REPOS[0] as FakeGitVerseRepo;
    account.repos = [
      {
        ...base,
        id: 10,
        owner: { id: 5, login: 'sber-labs', full_name: '', type: 'Organization' },
        description: '',
        language: null,
        default_branch: null,
        archived: true,
        pushed_at: '2025-06-10T11:04:06Z',
        permissions: { admin: false, push: true, pull: true },
      },
    ];
    const [repo] = (await list()).repos;
    assert.ok(repo);
    assert.deepEqual(repo.owner, { id: 5, login: 'sber-labs', full_name: null, type: 'Organization', avatar_url: null });
    assert.equal(repo.description, null);
    assert.equal(repo.language, null);
    assert.equal(repo.default_branch, null);
    assert.equal(repo.archived, true);
    assert.equal(repo.pushed_at, '2025-06-10T11:04:06Z');
    assert.deepEqual(repo.permissions, { admin: false, push: true, pull: true });
  });

  it('normalises every date to whole-second UTC, so dates sort correctly as strings', async () => {
    const base = SEED_REPOS[0] as FakeGitVerseRepo;
    const at = (id: number, created_at: string): FakeGitVerseRepo => ({ ...base, id, name: `r${id}`, created_at });
    account.repos = [
      at(1, '2025-12-31T23:30:00-02:00'),
      at(2, '2025-04-28T13:46:42.789+03:00'),
      at(3, '2025-04-28T10:46:42Z'),
      at(4, '2025-04-28T10:46:42'),
      at(5, '2025-04-28T13:46:42+0300'),
      at(6, 'yesterday'),
    ];
    const created = new Map((await list()).repos.map((r) => [r.id, r.created_at]));
    assert.equal(created.get(1), '2026-01-01T01:30:00Z');
    assert.equal(created.get(2), '2025-04-28T10:46:42Z');
    assert.equal(created.get(3), '2025-04-28T10:46:42Z');
    assert.equal(created.get(4), '2025-04-28T10:46:42Z');
    assert.equal(created.get(5), '2025-04-28T10:46:42Z');
    // Unreadable: null, as the spec's Repository documents (GitHub's schema allows a null date too).
    assert.equal(created.get(6), null);
  });

  it('a repository without id or owner fails the listing rather than vanishing from it', async () => {
    account.repos = [{ ...(SEED_REPOS[0] as FakeGitVerseRepo), owner: { id: 1, login: '', full_name: '', type: 'User' } }];
    await rejectsWithProblem(list(), { status: 502, code: 'UPSTREAM_UNAVAILABLE' });
  });
});

describe('GitVerseClient.getUser', () => {
  it('returns the user and the scopes GitVerse reports', async () => {
    account.scopes = ['read:public_api'];
    assert.deepEqual(await client.getUser(account.token), { id: 1, login: 'dlborun', full_name: 'Milo Kachinsky', scopes: ['read:public_api'] });
  });

  it('reports no scopes when GitVerse sends no scope header', async () => {
    fake.state.reportScopes = false;
    assert.deepEqual((await client.getUser(account.token)).scopes, []);
  });

  it('an unknown token → 403 PROVIDER_AUTH', async () => {
    await rejectsWithProblem(client.getUser('nope'), { status: 403, code: 'PROVIDER_AUTH', extras: { reconnect: true } });
  });
});

describe('GitVerseClient.getContents (Gitea-style contents API)', () => {
  beforeAll(() => {
    account.repos = [
      { ...(SEED_REPOS[0] as FakeGitVerseRepo), files: { 'package.json': '{"name":"tetris"}', 'src/main.c': 'int main;', 'README.md': '# Тетрис' } },
      { ...(SEED_REPOS[1] as FakeGitVerseRepo) },
    ];
  });

  it('lists the root with entry types', async () => {
    assert.deepEqual(await client.getContents(account.token, 'dlborun', 'myTetris', ''), {
      type: 'dir',
      entries: [
        { name: 'README.md', type: 'file' },
        { name: 'package.json', type: 'file' },
        { name: 'src', type: 'dir' },
      ],
    });
    assert.equal(fake.state.requests.at(-1)?.path, '/repos/dlborun/myTetris/contents');
  });

  it('decodes a file from base64', async () => {
    assert.deepEqual(await client.getContents(account.token, 'dlborun', 'myTetris', 'README.md'), { type: 'file', text: '# Тетрис' });
  });

  it('answers null for a missing path and for an empty repository', async () => {
    assert.equal(await client.getContents(account.token, 'dlborun', 'myTetris', 'go.mod'), null);
    assert.equal(await client.getContents(account.token, 'dlborun', 'testRepo1.0', ''), null);
  });
});
