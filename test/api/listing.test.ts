import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, test, vi } from 'vitest';
import { generateRepos } from '../fakes/github/index.ts';
import { KIND_CORPUS } from '../fixtures/kind-corpus.ts';
import { weakEtag } from '../../src/listing/query.ts';
import { appFetch, startTestApp, type SignedIn, type TestApp } from '../support/harness.ts';
import { impatientHosts } from '../support/deadlines.ts';
import { assertEvery } from '../support/assertions.ts';
import { ManualClock } from '../support/clock.ts';

const corpusFiles = (i: number) => KIND_CORPUS[i % KIND_CORPUS.length]?.files;

describe('listing repositories', () => {
  let t: TestApp;
  let me: SignedIn;
  const repos = generateRepos(250, { owner: { login: 'octocat' }, seed: 7, files: (_r, i) => ({ ...corpusFiles(i) }) });

  beforeAll(async () => {
    // Generous deadlines: this suite checks results, not timing, and the machine may be busy.
    t = await startTestApp({ fake: { users: [{ login: 'octocat', repos }] }, env: { DETECTION_BUDGET_MS: '10000', GITHUB_TIMEOUT_MS: '8000' } });
    me = await t.signIn('octocat');
  });
  afterAll(() => t.close());

  const all = async (query: Record<string, unknown> = {}) => {
    const res = await me.api.GET('/api/v1/repos', { params: { query: { per_page: 100, ...query } } });
    assert.equal(res.response.status, 200, JSON.stringify(res.error));
    return res;
  };

  test('every repository of every page is listed once, newest activity first, with total and X-Total-Count', async () => {
    const ids = new Set<number>();
    let page = 1;
    let previous = Number.POSITIVE_INFINITY;
    for (;;) {
      const res = await all({ page });
      const data = res.data ?? assert.fail();
      assert.equal(data.total, 250);
      assert.equal(res.response.headers.get('x-total-count'), '250');
      for (const r of data.repositories) {
        const updated = Date.parse(r.updated_at ?? assert.fail('every generated repository has updated_at'));
        assert.ok(updated <= previous, 'sorted by updated_at descending');
        previous = updated;
        ids.add(r.id);
      }
      if (data.repositories.length < 100) break;
      page++;
    }
    assert.equal(ids.size, 250);
    assert.deepEqual([...ids].sort(), repos.map((r) => r.id).sort());
  });

  test('the Link header points at first, prev, next and last with every other parameter kept', async () => {
    const res = await me.api.GET('/api/v1/repos', { params: { query: { per_page: 20, page: 3, visibility: 'all', sort: 'full_name' } } });
    const link = res.response.headers.get('link') ?? '';
    assert.match(link, /<\/api\/v1\/repos\?[^>]*page=1[^>]*>; rel="first"/);
    assert.match(link, /<\/api\/v1\/repos\?[^>]*page=2[^>]*>; rel="prev"/);
    assert.match(link, /<\/api\/v1\/repos\?[^>]*page=4[^>]*>; rel="next"/);
    assert.match(link, /<\/api\/v1\/repos\?[^>]*page=13[^>]*>; rel="last"/);
    assert.match(link, /sort=full_name/);
    const last = await me.api.GET('/api/v1/repos', { params: { query: { per_page: 20, page: 13 } } });
    assert.equal(last.data?.repositories.length, 10);
    assert.doesNotMatch(last.response.headers.get('link') ?? '', /rel="next"/);
    const beyond = await me.api.GET('/api/v1/repos', { params: { query: { per_page: 20, page: 99 } } });
    assert.deepEqual(beyond.data?.repositories, []);
  });

  test('sort and direction order the whole list before paging', async () => {
    const byName = (await all({ sort: 'full_name', page: 1 })).data?.repositories.map((r) => r.full_name.toLowerCase()) ?? [];
    assert.deepEqual(byName, [...byName].sort());
    const created = (await all({ sort: 'created', direction: 'asc' })).data?.repositories.map((r) => r.created_at) ?? [];
    assert.deepEqual(created, [...created].sort());
  });

  test('filters: text, visibility, affiliation, kind and connected narrow the list and the total', async () => {
    const privates = (await all({ visibility: 'private', page: 1 })).data ?? assert.fail();
    assert.equal(privates.total, repos.filter((r) => r.private).length);
    assertEvery(privates.repositories, (r) => r.private);

    const owned = (await all({ affiliation: ['owner'] })).data ?? assert.fail();
    assert.equal(owned.total, repos.filter((r) => r.owner.login === 'octocat').length);
    const orgs = (await all({ affiliation: ['organization_member'] })).data ?? assert.fail();
    assertEvery(orgs.repositories, (r) => r.owner.type === 'Organization');

    const word = repos[0]?.name.split('-')[0] ?? 'x';
    const found = (await all({ q: word.toUpperCase() })).data ?? assert.fail();
    assert.ok(found.total > 0);
    assertEvery(found.repositories, (r) => r.full_name.toLowerCase().includes(word) || (r.description ?? '').toLowerCase().includes(word));

    const monorepos = (await all({ kind: 'monorepo' })).data ?? assert.fail();
    assert.ok(monorepos.total > 0);
    assertEvery(monorepos.repositories, (r) => r.kind === 'monorepo');

    const target = repos[5] ?? assert.fail();
    await me.api.POST('/api/v1/connections', { body: { provider: 'github', repo_id: target.id } });
    const connected = (await all({ connected: true })).data ?? assert.fail();
    assert.deepEqual(connected.repositories.map((r) => r.id), [target.id]);
    assert.equal((await all({ connected: false })).data?.total, 249);
  });

  test('kinds and origins come from the repositories own files, with human reasons', async () => {
    const data = (await all()).data ?? assert.fail();
    const expected = new Map(repos.map((r, i) => [r.id, KIND_CORPUS[i % KIND_CORPUS.length]?.expected]));
    for (const r of data.repositories) {
      assert.equal(r.kind_pending, false);
      assert.deepEqual({ kind: r.kind, reason: r.reason, origin: r.origin, origin_reason: r.origin_reason }, expected.get(r.id), r.full_name);
    }
  });

  test('when filtering by origin, then a builder, any and none narrow the list and the total to what the files say', async () => {
    const expected = repos.map((_r, i) => KIND_CORPUS[i % KIND_CORPUS.length]?.expected.origin ?? null);
    const lovable = (await all({ origin: 'lovable' })).data ?? assert.fail();
    assert.equal(lovable.total, expected.filter((o) => o === 'lovable').length);
    assert.ok(lovable.total > 0);
    assertEvery(lovable.repositories, (r) => r.origin === 'lovable' && r.origin_reason !== null);
    assert.ok(lovable.repositories.some((r) => r.kind === 'monorepo' && r.origin_reason === 'apps/web: lovable-tagger in devDependencies'));

    const any = (await all({ origin: 'any' })).data ?? assert.fail();
    assert.equal(any.total, expected.filter((o) => o !== null).length);
    assert.deepEqual(new Set(any.repositories.map((r) => r.origin)), new Set(expected.filter((o) => o !== null)));

    const none = (await all({ origin: 'none' })).data ?? assert.fail();
    assert.equal(none.total, expected.filter((o) => o === null).length);
    assertEvery(none.repositories, (r) => r.origin === null && r.origin_reason === null);
    assert.equal(any.total + none.total, 250);

    const builtAndConnected = (await all({ origin: 'bolt', kind: 'frontend' })).data ?? assert.fail();
    assert.ok(builtAndConnected.total > 0);
    assertEvery(builtAndConnected.repositories, (r) => r.origin === 'bolt' && r.kind === 'frontend');
  });

  test('when the origin filter names no builder the API knows, then 400 with the allowed values', async () => {
    const res = await appFetch(`${t.baseUrl}/api/v1/repos?origin=cursor`, { headers: { authorization: `Bearer ${me.token}` } });
    assert.equal(res.status, 400);
    const body = (await res.json()) as { code: string; field_errors?: Record<string, string> };
    assert.equal(body.code, 'VALIDATION_FAILED');
    assert.ok(Object.keys(body.field_errors ?? {}).some((k) => k.includes('origin')), JSON.stringify(body));
  });

  test('when nothing changed, If-None-Match with the ETag answers 304 with no body', async () => {
    const first = await all();
    const etag = first.response.headers.get('etag') ?? assert.fail('no ETag');
    const again = await appFetch(`${t.baseUrl}/api/v1/repos?per_page=100`, { headers: { authorization: `Bearer ${me.token}`, 'if-none-match': etag } });
    assert.equal(again.status, 304);
    assert.equal(await again.text(), '');
    const otherPage = await appFetch(`${t.baseUrl}/api/v1/repos?per_page=100&page=2`, { headers: { authorization: `Bearer ${me.token}`, 'if-none-match': etag } });
    assert.equal(otherPage.status, 200);
  });

  test('within the cache lifetime GitHub is not asked again; refresh=true asks with conditional requests', async () => {
    await all();
    t.fake.state.resetCounters();
    await all();
    assert.equal(t.fake.state.counters.total, 0, 'served from the listing cache');
    await all({ refresh: true });
    assert.equal(t.fake.state.counters.byRoute['/user/repos'], 3);
    assert.equal(t.fake.state.counters.notModified, 3, 'every page revalidated with 304');
  });
});

describe('listing with response validation off (production)', () => {
  test('the answer, its ETag and its headers are those of an app that validates responses', async () => {
    const repos = generateRepos(40, { owner: { login: 'octocat' }, seed: 11 });
    const first = await startTestApp({ fake: { users: [{ login: 'octocat', repos }] }, env: { VALIDATE_RESPONSES: 'true' } });
    // Both on one fake GitHub, so the repositories' URLs are the same.
    const second = await startTestApp({ env: { VALIDATE_RESPONSES: 'false', GITHUB_API_URL: first.fake.baseUrl, GITHUB_WEB_URL: first.fake.baseUrl } });
    const apps = [first, second];
    try {
      const answers = await Promise.all(
        apps.map(async (app) => {
          const me = await app.signIn('octocat');
          const get = (headers: Record<string, string> = {}) =>
            appFetch(`${app.baseUrl}/api/v1/repos?per_page=10&page=2&sort=full_name`, { headers: { authorization: `Bearer ${me.token}`, ...headers } });
          const res = await get();
          // The bytes themselves: both apps send the text their ETag was computed over.
          const text = await res.text();
          const etag = res.headers.get('etag') ?? '';
          assert.equal(etag, weakEtag(text), 'the ETag is that of the bytes sent');
          const again = await get({ 'if-none-match': etag });
          // Per-user fields (connection state, the session's own ids) are equal: both users are new.
          return { status: res.status, type: res.headers.get('content-type'), link: res.headers.get('link'), total: res.headers.get('x-total-count'), text, etag, revalidated: again.status };
        }),
      );
      const [validated, plain] = answers;
      assert.equal(apps[1]?.app.services.config.validateResponses, false);
      assert.deepEqual(plain, validated);
      assert.equal(plain?.revalidated, 304);
      assert.match(plain?.type ?? '', /^application\/json; charset=utf-8$/);
    } finally {
      await Promise.all(apps.map((a) => a.close()));
    }
  });
});

describe('listing when GitHub fails', () => {
  let t: TestApp;
  let me: SignedIn;
  beforeAll(async () => {
    // The `timeout` case waits for GitHub's deadline to pass.
    t = await startTestApp({ fake: { users: [{ login: 'octocat', repos: generateRepos(450, { owner: { login: 'octocat' } }) }] }, env: impatientHosts() });
    me = await t.signIn('octocat');
  });
  afterAll(() => t.close());

  const cases = [
    { kind: 500, status: 502, code: 'UPSTREAM_UNAVAILABLE' },
    { kind: 'reset', status: 502, code: 'UPSTREAM_UNAVAILABLE' },
    { kind: 'badJson', status: 502, code: 'UPSTREAM_UNAVAILABLE' },
    { kind: 'truncated', status: 502, code: 'UPSTREAM_UNAVAILABLE' },
    { kind: 'timeout', status: 504, code: 'UPSTREAM_TIMEOUT' },
    { kind: 'badCredentials', status: 403, code: 'GITHUB_AUTH', reconnect: true },
    { kind: 'missingScope', status: 403, code: 'GITHUB_AUTH', reconnect: true },
    { kind: 'primaryRateLimit', status: 429, code: 'RATE_LIMITED', retry: true },
    { kind: 'secondaryRateLimit', status: 429, code: 'RATE_LIMITED', retry: true },
  ] as const;

  for (const c of cases) {
    test(`when page 3 of 5 fails with ${c.kind}, then ${c.status} ${c.code} and no list`, async () => {
      t.fake.state.injectFault({ route: '/user/repos', kind: c.kind, page: 3 });
      try {
        const res = await appFetch(`${t.baseUrl}/api/v1/repos?refresh=true`, { headers: { authorization: `Bearer ${me.token}` } });
        assert.equal(res.status, c.status);
        assert.equal(res.headers.get('content-type'), 'application/problem+json; charset=utf-8');
        const body = (await res.json()) as Record<string, unknown>;
        assert.equal(body.code, c.code);
        assert.equal(body.repositories, undefined);
        if ('reconnect' in c) assert.equal(body.reconnect, true);
        if ('retry' in c) {
          assert.ok(Number(body.retry_after) >= 1);
          assert.equal(res.headers.get('retry-after'), String(body.retry_after));
        }
      } finally {
        t.fake.state.clearFaults();
      }
    });
  }

  test('after a failure, the next listing is whole again (nothing partial was cached)', async () => {
    const res = await me.api.GET('/api/v1/repos', { params: { query: { refresh: true, per_page: 10 } } });
    assert.equal(res.data?.total, 450);
  });
});

describe('kind detection off the critical path', () => {
  test('when origins are still being analysed, then neither origin=none nor origin=any claims those repositories', async () => {
    const repos = generateRepos(30, { owner: { login: 'octocat' }, seed: 4, files: (_r, i) => ({ ...corpusFiles(i) }) });
    const clock = new ManualClock();
    const t = await startTestApp({ fake: { users: [{ login: 'octocat', repos }] }, env: { DETECTION_BUDGET_MS: '50', GITHUB_TIMEOUT_MS: '60000' }, overrides: { clock } });
    // GitHub holds its GraphQL answers until the end: detection is still running at every listing below.
    const graphql = t.fake.state.graphql ?? assert.fail('the fake answers GraphQL');
    let answer!: () => void;
    const held = new Promise<void>((resolve) => (answer = resolve));
    t.fake.state.graphql = async (req) => (await held, graphql(req));
    try {
      const me = await t.signIn('octocat');
      /** A listing whose detection budget runs out (on the test's clock) once detection waits on it. */
      const listed = async (query: { origin?: 'none' | 'any'; refresh?: boolean; per_page?: number }) => {
        const answered = me.api.GET('/api/v1/repos', { params: { query } });
        await vi.waitFor(() => assert.ok(clock.pending > 0), { timeout: 30_000, interval: 5 });
        clock.advance(50);
        return answered;
      };
      const none = await listed({ origin: 'none', refresh: true });
      assert.equal(none.response.status, 200);
      assert.equal(none.data?.total, 0);
      const any = await listed({ origin: 'any' });
      assert.equal(any.data?.total, 0);
      const all = await listed({ per_page: 100 });
      assert.equal(all.data?.total, 30);
      assertEvery(all.data?.repositories, (r) => r.kind_pending, 'every origin is still being analysed');
    } finally {
      answer();
      await t.close();
    }
  });

  test('when detection is slower than the budget, then the listing answers pending kinds at once and the next listing has them', async () => {
    const repos = generateRepos(60, { owner: { login: 'octocat' }, seed: 3, files: (_r, i) => ({ ...corpusFiles(i) }) });
    // The budget is measured on a clock the test moves: it runs out when the test says, whatever the machine's load.
    const clock = new ManualClock();
    const t = await startTestApp({ fake: { users: [{ login: 'octocat', repos }] }, env: { DETECTION_BUDGET_MS: '50', GITHUB_TIMEOUT_MS: '60000' }, overrides: { clock } });
    try {
      const me = await t.signIn('octocat');
      // GitHub holds its GraphQL answers until the test lets it answer: detection is slow, never failed.
      const graphql = t.fake.state.graphql ?? assert.fail('the fake answers GraphQL');
      let answer!: () => void;
      const held = new Promise<void>((resolve) => (answer = resolve));
      t.fake.state.graphql = async (req) => (await held, graphql(req));
      const listing = me.api.GET('/api/v1/repos', { params: { query: { per_page: 100 } } });
      // Once detection has asked GitHub and waits on its budget, the budget runs out.
      await vi.waitFor(() => assert.ok(clock.pending > 0 && (t.fake.state.counters.byRoute['/graphql'] ?? 0) > 0), { timeout: 30_000, interval: 5 });
      clock.advance(50);
      const first = await listing;
      assert.equal(first.response.status, 200);
      assertEvery(first.data?.repositories, (r) => r.kind === 'unknown' && r.kind_pending && r.reason === 'Analysis pending');
      assertEvery(first.data?.repositories, (r) => r.origin === null && r.origin_reason === 'Analysis pending');
      // Detection goes on in the background: a later listing has every kind, without a refresh (the
      // budget is not moved again, so it waits for the detection that is running).
      answer();
      const second = await me.api.GET('/api/v1/repos', { params: { query: { per_page: 100 } } });
      assert.equal(second.response.status, 200);
      assertEvery(second.data?.repositories, (r) => !r.kind_pending, 'every kind arrived');
      assert.ok(second.data?.repositories.some((r) => r.kind !== 'unknown'));
      assertEvery(second.data?.repositories, (r) => r.origin_reason !== 'Analysis pending');
    } finally {
      await t.close();
    }
  });
});
