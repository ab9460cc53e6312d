import assert from 'node:assert/strict';
import { it } from 'vitest';
import type { KeyValueCache } from '../../src/cache/index.ts';

/** Behaviour every KeyValueCache must share; each implementation's test file runs it. */
export function cacheContract(make: () => KeyValueCache): void {
  it('get returns undefined for a key that was never set', async () => {
    const cache = make();
    assert.equal(await cache.get('missing'), undefined);
  });

  it('set then get returns an equal JSON value', async () => {
    const cache = make();
    const value = { etag: 'W/"abc"', repos: [{ id: 1, name: 'x', private: false, language: null }] };
    await cache.set('page:1', value);
    assert.deepEqual(await cache.get('page:1'), value);
  });

  it('get returns a copy, so mutating it leaves the cached value unchanged', async () => {
    const cache = make();
    await cache.set('k', { list: [1] });
    const first = await cache.get<{ list: number[] }>('k');
    first?.list.push(2);
    assert.deepEqual(await cache.get('k'), { list: [1] });
  });

  it('set overwrites an existing value', async () => {
    const cache = make();
    await cache.set('k', 'one');
    await cache.set('k', 'two');
    assert.equal(await cache.get('k'), 'two');
  });

  it('del removes one key or a list of keys', async () => {
    const cache = make();
    await cache.set('a', 1);
    await cache.set('b', 2);
    await cache.set('c', 3);
    await cache.del('a');
    await cache.del(['b', 'c', 'never-set']);
    await cache.del([]);
    assert.deepEqual([await cache.get('a'), await cache.get('b'), await cache.get('c')], [undefined, undefined, undefined]);
  });

  it('falsy values (0, false, empty string, null) are stored, not mistaken for a miss', async () => {
    const cache = make();
    for (const [i, value] of [0, false, '', null].entries()) {
      await cache.set(`f${i}`, value);
      assert.equal(await cache.get(`f${i}`), value);
    }
  });
}
