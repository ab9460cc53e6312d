/**
 * The listing service over the fake GitVerse on loopback and an embedded store: what its caches
 * keep, and what they must let go of.
 */
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { MemoryCache } from '../../src/cache/index.ts';
import { generateGitVerseRepos, gitverseTokenFor, startFakeGitVerse, type FakeGitVerse } from '../fakes/gitverse/index.ts';
import { problemBody } from '../../src/http/errors.ts';
import { createListingService } from '../../src/listing/service.ts';
import { GitVerseClient } from '../../src/hosts/gitverse/client.ts';
import { createGitVerseSource } from '../../src/hosts/gitverse/source.ts';
import type { Store } from '../../src/store/types.ts';
import { TEST_SECRET_KEY } from '../support/databases.ts';
import { freshEmbeddedStore } from '../support/embedded.ts';

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

  function service() {
    const cache = new MemoryCache();
    const client = new GitVerseClient({ apiUrl: fake.baseUrl, timeoutMs: 5_000 });
    return createListingService({
      store,
      cache,
      sources: { gitverse: createGitVerseSource({ client, cache }) },
      cacheTtlSeconds: 60,
      toProblem: (p) => problemBody(p, '/api/v1/repos', 'test'),
    });
  }

  test('a listing fetched with a token that was replaced while it ran answers its caller but is not kept', async () => {
    const user = await store.users.upsertLocal('forget-race');
    const link = (login: string) => store.tokens.put(user.id, 'gitverse', { token: gitverseTokenFor(login), login, scopes: ['read:public_api'] });
    const listing = service();
    await link('first');
    fake.state.latencyMs = 300;
    try {
      const running = listing.list(user.id, { provider: 'gitverse' });
      await delay(50);
      // What linking another token does: store it, then forget the listing of the old one.
      await link('second');
      await listing.forget(user.id, 'gitverse');
      assert.equal((await running).total, 5, 'the caller that asked before gets the listing it asked for');
      const after = await listing.list(user.id, { provider: 'gitverse' });
      assert.equal(after.total, 7, 'the next listing is of the new token, not the old listing put back');
      const seconds = new Set(fake.state.accountByLogin('second')?.repos.map((r) => r.id));
      assert.ok(after.repositories.every((r) => seconds.has(r.id)));
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
});
