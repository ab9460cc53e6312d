/**
 * The guard that makes the cache a cache: a failing cache is a miss, a skipped write, one warning per
 * outage; deletions asked for while it is away are carried out before anything is read from it again.
 * The cache behind it is a real MemoryCache that can be switched to failing, as a Redis that is away.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { GuardedCache, MemoryCache, type KeyValueCache } from '../../src/cache/index.ts';

class Switchable implements KeyValueCache {
  readonly memory = new MemoryCache();
  broken = false;
  calls = 0;
  private check(): void {
    this.calls++;
    if (this.broken) throw new Error('Command timed out');
  }
  async get<T>(key: string) {
    this.check();
    return this.memory.get<T>(key);
  }
  async set<T>(key: string, value: T, ttl?: number) {
    this.check();
    await this.memory.set(key, value, ttl);
  }
  async del(key: string | readonly string[]) {
    this.check();
    await this.memory.del(key);
  }
  async close() {}
}

function guarded() {
  let now = 0;
  const inner = new Switchable();
  const events: string[] = [];
  const cache = new GuardedCache(inner, {
    retryAfterMs: 5_000,
    now: () => now,
    onOutage: () => events.push('outage'),
    onRecovery: () => events.push('recovery'),
  });
  return { cache, inner, events, step: (ms: number) => (now += ms) };
}

describe('GuardedCache', () => {
  it('when the cache fails, then reads miss and writes are skipped without an error, and one outage is told however many calls fail', async () => {
    const { cache, inner, events } = guarded();
    await cache.set('a', 1);
    inner.broken = true;
    assert.equal(await cache.get('a'), undefined);
    await cache.set('b', 2);
    await cache.del('a');
    assert.equal(await cache.get('a'), undefined);
    assert.deepEqual(events, ['outage']);
  });

  it('when the cache has failed, then it is left alone until its pause is over, then tried again, and its recovery is told once', async () => {
    const { cache, inner, events, step } = guarded();
    inner.broken = true;
    await cache.get('x');
    const calls = inner.calls;
    for (let i = 0; i < 10; i++) await cache.get('x');
    assert.equal(inner.calls, calls, 'not asked during the pause');
    inner.broken = false;
    step(5_000);
    await cache.set('x', 3);
    assert.equal(await cache.get('x'), 3);
    assert.deepEqual(events, ['outage', 'recovery']);
    assert.equal(cache.available, true);
  });

  it('when a key is deleted while the cache is away, then it is deleted before anything is read once the cache is back: nothing forgotten comes back', async () => {
    const { cache, inner, step } = guarded();
    await cache.set('listing', 'stale');
    inner.broken = true;
    await cache.del('listing');
    inner.broken = false;
    step(5_000);
    assert.equal(await cache.get('listing'), undefined);
    assert.equal(await inner.memory.get('listing'), undefined);
  });
});
