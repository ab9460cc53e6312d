/**
 * One holder at a time per key, across instances, each wait and hold bounded by a deadline: what
 * keeps two requests (or two instances) from spending a host's use-once refresh token twice.
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Store } from '../store/types.ts';

export interface KeyedLock {
  /** Runs `fn` once no other holder of `key` runs; rejects with `LockTimeout` after waiting `waitMs`. */
  run<T>(key: string, fn: () => Promise<T>): Promise<T>;
}

/** The lock was not had within its deadline. */
export class LockTimeout extends Error {
  override name = 'LockTimeout';
}

/** In this process only: callers of one key run one after another. */
export function processLock(options: { waitMs: number }): KeyedLock {
  const tails = new Map<string, Promise<unknown>>();
  return {
    async run(key, fn) {
      const before = tails.get(key) ?? Promise.resolve();
      let release!: () => void;
      const mine = new Promise<void>((resolve) => (release = resolve));
      const tail = before.then(() => mine);
      tails.set(key, tail);
      try {
        let timer: NodeJS.Timeout | undefined;
        const waited = await Promise.race([
          before.then(() => true),
          new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), options.waitMs))),
        ]);
        clearTimeout(timer);
        if (!waited) throw new LockTimeout(`waited ${options.waitMs} ms for ${key}`);
        return await fn();
      } finally {
        release();
        // Forgotten once every holder before has let go too: a waiter that gave up must not unchain the holder.
        void tail.then(() => {
          if (tails.get(key) === tail) tails.delete(key);
        });
      }
    },
  };
}

/** Across instances sharing one PostgreSQL: the store's advisory lock, behind this process's own (one connection per key waits). */
export function storeLock(store: Pick<Store, 'locks'>, options: { waitMs: number }): KeyedLock {
  const local = processLock(options);
  return { run: (key, fn) => local.run(key, () => store.locks.run(key, options.waitMs, fn)) };
}

/** Compare-and-delete: only the holder's own value releases the key. */
const RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

/**
 * Across instances sharing one Redis: `SET NX PX` with a value only this holder knows, polled until
 * had or `waitMs` passed; the key expires after `holdMs` should its holder die holding it.
 */
export function redisLock(client: Redis, options: { waitMs: number; holdMs: number; pollMs?: number }): KeyedLock {
  const local = processLock(options);
  const pollMs = options.pollMs ?? 25;
  return {
    run: (key, fn) =>
      local.run(key, async () => {
        const name = `lock:${key}`;
        const mine = randomBytes(16).toString('base64url');
        // A real wait on Redis, so a deadline on the monotonic clock rather than the app's (see `src/clock.ts`).
        const until = performance.now() + options.waitMs;
        while ((await client.set(name, mine, 'PX', options.holdMs, 'NX')) !== 'OK') {
          if (performance.now() >= until) throw new LockTimeout(`waited ${options.waitMs} ms for ${key}`);
          await new Promise((resolve) => setTimeout(resolve, pollMs));
        }
        try {
          return await fn();
        } finally {
          await client.eval(RELEASE, 1, name, mine).catch(() => undefined);
        }
      }),
  };
}
