/** The keyed locks behind token refreshes: one holder at a time per key, and a bounded wait. */
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { LockTimeout, processLock, redisLock, type KeyedLock } from '../../src/tokens/locks.ts';
import { claimRedisDatabase, redisSkip, type RedisDatabase } from '../ops/support.ts';

/** Runs `n` holders of one key across these locks; the most that ran at once. */
async function mostAtOnce(locks: KeyedLock[], n: number): Promise<number> {
  let running = 0;
  let most = 0;
  await Promise.all(
    Array.from({ length: n }, (_, i) =>
      locks[i % locks.length]!.run('token-refresh:1:github', async () => {
        most = Math.max(most, ++running);
        await delay(10);
        running--;
      }),
    ),
  );
  return most;
}

describe('processLock', () => {
  test('holders of one key run one at a time, holders of two keys side by side', async () => {
    const lock = processLock({ waitMs: 5_000 });
    assert.equal(await mostAtOnce([lock], 10), 1);
    // Each holder waits until the other has started: a lock that ran two keys one after the other never ends this.
    let started = 0;
    let bothStarted!: () => void;
    const together = new Promise<void>((resolve) => (bothStarted = resolve));
    const bothRun = Promise.all(['a', 'b'].map((key) => lock.run(key, async () => { if (++started === 2) bothStarted(); await together; })));
    const stop = new AbortController();
    const bounded = delay(10_000, undefined, { signal: stop.signal }).then(
      () => assert.fail(`holders of two keys ran one at a time (${started} started)`),
      () => undefined,
    );
    await Promise.race([bothRun, bounded]);
    stop.abort();
  });

  test('a holder waiting past its deadline is refused with LockTimeout, and the next one still waits for the holder', async () => {
    const lock = processLock({ waitMs: 50 });
    const order: string[] = [];
    let release!: () => void;
    const held = lock.run('k', () => new Promise<void>((resolve) => (release = () => (order.push('released'), resolve()))));
    await assert.rejects(lock.run('k', async () => 'never'), LockTimeout);
    const next = lock.run('k', async () => (order.push('next'), 'ran'));
    await delay(10);
    release();
    await held;
    assert.equal(await next, 'ran');
    assert.deepEqual(order, ['released', 'next']);
  });
});

describe('redisLock across instances', { skip: redisSkip !== false }, () => {
  let redis: RedisDatabase;
  const clients: Redis[] = [];
  beforeAll(async () => {
    redis = await claimRedisDatabase();
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.quit()));
    await redis?.release();
  });
  const instance = (waitMs = 5_000) => {
    const client = new Redis(redis.url, { keyPrefix: 'rapi:' });
    clients.push(client);
    return redisLock(client, { waitMs, holdMs: 5_000, pollMs: 5 });
  };

  test('two instances holding one key run one at a time', async () => {
    assert.equal(await mostAtOnce([instance(), instance()], 12), 1);
  });

  test('an instance that cannot get the key within its deadline is refused with LockTimeout', async () => {
    const a = instance();
    const b = instance(50);
    let release!: () => void;
    let entered!: () => void;
    const inside = new Promise<void>((resolve) => (entered = resolve));
    const held = a.run('token-refresh:2:github', () => new Promise<void>((resolve) => ((release = resolve), entered())));
    await inside;
    await assert.rejects(b.run('token-refresh:2:github', async () => 'never'), LockTimeout);
    release();
    await held;
    assert.equal(await b.run('token-refresh:2:github', async () => 'ran'), 'ran');
  });
});
