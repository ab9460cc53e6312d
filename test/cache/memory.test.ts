import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { createCache, MemoryCache } from '../../src/cache/index.ts';
import { cacheContract } from './contract.ts';

describe('MemoryCache', () => {
  cacheContract(() => new MemoryCache());

  it('createCache without a Redis URL gives the in-process cache', async () => {
    const cache = createCache({});
    assert.ok(cache instanceof MemoryCache);
    await cache.close();
  });

  it('an entry is gone once its TTL has passed, and still there at its last millisecond', async () => {
    let now = 1_000_000;
    const cache = new MemoryCache({ now: () => now });
    await cache.set('k', 'v', 10);
    now += 10_000;
    assert.equal(await cache.get('k'), 'v');
    now += 1;
    assert.equal(await cache.get('k'), undefined);
    assert.equal(cache.size, 0);
  });

  it('when full, evicts the least recently used entry, counting reads as use', async () => {
    const cache = new MemoryCache({ maxEntries: 3 });
    await cache.set('a', 1);
    await cache.set('b', 2);
    await cache.set('c', 3);
    await cache.get('a'); // a is now more recent than b
    await cache.set('d', 4);
    assert.equal(cache.size, 3);
    assert.equal(await cache.get('b'), undefined);
    assert.deepEqual([await cache.get('a'), await cache.get('c'), await cache.get('d')], [1, 3, 4]);
  });

  it('when full, drops expired entries before live ones', async () => {
    let now = 1_000;
    const cache = new MemoryCache({ maxEntries: 2, now: () => now });
    await cache.set('live', 1);
    await cache.set('short', 2, 1);
    now = 6_000;
    await cache.set('new', 3);
    assert.deepEqual([await cache.get('live'), await cache.get('new')], [1, 3]);
  });

  it('setting undefined removes the key', async () => {
    const cache = new MemoryCache();
    await cache.set('k', 1);
    await cache.set('k', undefined);
    assert.equal(await cache.get('k'), undefined);
    assert.equal(cache.size, 0);
  });
});
