/**
 * The listing service over the fake GitVerse on loopback and an embedded store: what its caches
 * keep, and what they must let go of.
 */
import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, test, vi } from 'vitest';
import { MemoryCache } from '../../src/cache/index.ts';
import { generateGitVerseRepos, gitverseTokenFor, startFakeGitVerse, type FakeGitVerse } from '../fakes/gitverse/index.ts';
import { hostProblemBody } from '../../src/http/errors.ts';
import { createListingService, type ListingDeps } from '../../src/listing/service.ts';
import { GitVerseClient } from '../../src/hosts/gitverse/client.ts';
import { createGitVerseSource } from '../../src/hosts/gitverse/source.ts';
import type { Store } from '../../src/store/types.ts';
import { TEST_SECRET_KEY } from '../support/databases.ts';
import { freshEmbeddedStore } from '../support/embedded.ts';
import { assertEvery } from '../support/assertions.ts';
import { ANSWERED_MS } from '../support/deadlines.ts';

describe('listing service', () => {
  let fake: FakeGitVerse;
  let store: Store;

  beforeAll(async () => {
    fake = await startFakeGitVerse({
      users: [
        { login: 'first', repos: generateGitVerseRepos(5, { owner: { login: 'first' }, seed: 21 }) },
        { login: 'second', repos: generateGitVerseRepos(7, { owner: { login: 'second' }, seed: 22 }) },
      ],
    });
    store = await freshEmbeddedStore(TEST_SECRET_KEY);
  });
  afterAll(async () => {
    await store?.close();
    await fake?.close();
  });

  /** A listing service over the fake GitVerse, with its own cache unless given one, and any other settings given. */
  function service(options: Partial<Pick<ListingDeps, 'cache' | 'onCacheError' | 'keptAnswerBytes'>> = {}) {
    const cache = options.cache ?? new MemoryCache();
    const client = new GitVerseClient({ apiUrl: fake.baseUrl, timeoutMs: ANSWERED_MS });
    return createListingService({
      store,
      sources: { gitverse: createGitVerseSource({ client, cache }) },
      cacheTtlSeconds: 60,
      toProblem: (p) => hostProblemBody(p, '/api/v1/repos', 'test'),
      ...options,
      cache,
    });
  }

  test('a listing fetched with a token that was replaced while it ran answers its caller but is not kept', async () => {
    const user = await store.users.upsertLocal('forget-race');
    const link = (login: string) => store.tokens.put(user.id, 'gitverse', { token: gitverseTokenFor(login), login, scopes: ['read:public_api'] });
    const listing = service();
    await link('first');
    // The host holds its answer this long after the read arrives: the token is replaced in that time.
    fake.state.latencyMs = 1_000;
    try {
      fake.state.resetCounters();
      const running = listing.list(user.id, { provider: 'gitverse' });
      // Once the read has reached the host (not after a guessed delay).
      await vi.waitFor(() => assert.ok(fake.state.counters.inFlight > 0, 'the read reached the host'), { timeout: 10_000, interval: 5 });
      // What linking another token does: store it, then forget the listing of the old one.
      await link('second');
      await listing.forget(user.id, 'gitverse');
      assert.equal((await running).total, 5, 'the caller that asked before gets the listing it asked for');
      const after = await listing.list(user.id, { provider: 'gitverse' });
      assert.equal(after.total, 7, 'the next listing is of the new token, not the old listing put back');
      const seconds = new Set(fake.state.accountByLogin('second')?.repos.map((r) => r.id));
      assertEvery(after.repositories, (r) => seconds.has(r.id));
    } finally {
      fake.state.latencyMs = 0;
    }
  });

  test('within the cache lifetime the host is not asked again; after forget it is', async () => {
    const user = await store.users.upsertLocal('forget-plain');
    await store.tokens.put(user.id, 'gitverse', { token: gitverseTokenFor('first'), login: 'first', scopes: ['read:public_api'] });
    const listing = service();
    await listing.list(user.id, { provider: 'gitverse' });
    fake.state.resetCounters();
    await listing.list(user.id, { provider: 'gitverse', sort: 'full_name', page: 1, per_page: 2 });
    assert.equal(fake.state.counters.total, 0);
    await listing.forget(user.id, 'gitverse');
    await listing.list(user.id, { provider: 'gitverse' });
    assert.ok(fake.state.counters.total > 0);
  });

  test('a repeated query is answered with the same bytes until a connection changes, also one made by another instance', async () => {
    const user = await store.users.upsertLocal('answers-kept');
    await store.tokens.put(user.id, 'gitverse', { token: gitverseTokenFor('first'), login: 'first', scopes: ['read:public_api'] });
    const cache = new MemoryCache();
    // Two instances of the app over one database and one shared cache.
    const [one, other] = [0, 1].map(() => service({ cache }));
    const query = { provider: 'gitverse', sort: 'full_name', per_page: 3 } as const;
    const first = await one!.page(user.id, query);
    const again = await one!.page(user.id, { per_page: 3, sort: 'full_name', provider: 'gitverse' });
    assert.equal(again.etag, first.etag);
    assert.deepEqual(again.bytes, first.bytes);
    const listed = JSON.parse(first.bytes.toString('utf8')) as { repositories: Array<{ id: number; full_name: string; is_connected: boolean }> };
    assert.ok(listed.repositories.length > 0);
    assertEvery(listed.repositories, (r) => !r.is_connected);

    // The listing is stored in the shared cache just after the answer has gone.
    await new Promise((resolve) => setImmediate(resolve));
    fake.state.resetCounters();
    assert.ok((await other!.page(user.id, query)).etag === first.etag, 'the other instance answers the same bytes');
    assert.equal(fake.state.counters.total, 0, 'from the shared cache, without reading the host');

    // Another instance connects the first repository: this one's next answer shows it.
    const target = listed.repositories[0]!;
    await store.installations.connect(user.id, 'gitverse', target.id, target.full_name);
    const after = await one!.page(user.id, query);
    assert.notEqual(after.etag, first.etag);
    const connected = JSON.parse(after.bytes.toString('utf8')) as typeof listed;
    assert.equal(connected.repositories.find((r) => r.id === target.id)?.is_connected, true);

    await store.installations.disconnect(user.id, 'gitverse', target.id);
    assert.equal((await one!.page(user.id, query)).etag, first.etag, 'disconnected again, the answer is the first one');
  });

  test('a listing the cache fails to keep is answered all the same, the failure is told, and the next request reads the host', async () => {
    const user = await store.users.upsertLocal('cache-fails');
    await store.tokens.put(user.id, 'gitverse', { token: gitverseTokenFor('second'), login: 'second', scopes: ['read:public_api'] });
    class FailingCache extends MemoryCache {
      override async set<T>(key: string, value: T, ttlSeconds?: number): Promise<void> {
        if (key.startsWith('listing:')) throw new Error('the cache is full');
        return super.set(key, value, ttlSeconds);
      }
    }
    const told: unknown[] = [];
    const listing = service({ cache: new FailingCache(), onCacheError: (error) => told.push(error) });
    fake.state.resetCounters();
    assert.equal((await listing.list(user.id, { provider: 'gitverse' })).total, 7);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(told.map((e) => (e as Error).message), ['the cache is full']);
    const reads = fake.state.counters.total;
    assert.equal((await listing.list(user.id, { provider: 'gitverse' })).total, 7);
    assert.ok(fake.state.counters.total > reads, 'nothing was kept, so the host is read again');
  });

  test('an answer larger than the bytes kept for answers is built each time, and right', async () => {
    const user = await store.users.upsertLocal('answers-none');
    await store.tokens.put(user.id, 'gitverse', { token: gitverseTokenFor('second'), login: 'second', scopes: ['read:public_api'] });
    const listing = service({ keptAnswerBytes: 0 });
    const a = await listing.page(user.id, { provider: 'gitverse' });
    const b = await listing.page(user.id, { provider: 'gitverse' });
    assert.notEqual(a.bytes, b.bytes, 'not the kept buffer: nothing is kept');
    assert.deepEqual(a.bytes, b.bytes);
    assert.equal(a.total, 7);
  });

  test('concurrent cold listings of one user make one read of the host, not one each', async () => {
    const user = await store.users.upsertLocal('in-flight');
    await store.tokens.put(user.id, 'gitverse', { token: gitverseTokenFor('second'), login: 'second', scopes: ['read:public_api'] });
    const listing = service();
    fake.state.resetCounters();
    await listing.list(user.id, { provider: 'gitverse' });
    const one = fake.state.counters.total;
    assert.ok(one > 0);
    await listing.forget(user.id, 'gitverse');
    fake.state.resetCounters();
    fake.state.latencyMs = 200;
    try {
      const answers = await Promise.all(Array.from({ length: 5 }, () => listing.list(user.id, { provider: 'gitverse' })));
      assert.deepEqual(answers.map((a) => a.total), [7, 7, 7, 7, 7]);
      assert.equal(fake.state.counters.total, one);
    } finally {
      fake.state.latencyMs = 0;
    }
  });
});
