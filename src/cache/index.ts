import { MemoryCache } from './memory.ts';
import { RedisCache } from './redis.ts';

/**
 * A small key-value cache of JSON values. Both implementations serialise values as JSON, so a
 * value read back is a fresh copy and behaves the same whichever implementation is configured.
 */
export interface KeyValueCache {
  get<T>(key: string): Promise<T | undefined>;
  /** `ttlSeconds` may be fractional; omitted means the entry lives until evicted or deleted. */
  set<T>(key: string, value: T, ttlSeconds?: number): Promise<void>;
  del(key: string | readonly string[]): Promise<void>;
  close(): Promise<void>;
}

export interface CreateCacheOptions {
  /** Redis when set (shared between instances); in-process otherwise. */
  redisUrl?: string | undefined;
  /** Prefix for every key, so several services or tests can share one Redis. */
  prefix?: string;
  /** Entry bound of the in-process cache. */
  maxEntries?: number;
  /** Each Redis command's deadline. */
  commandTimeoutMs?: number;
  /** The in-process cache's clock in milliseconds (Redis keeps its own). */
  now?: () => number;
}

export function createCache(options: CreateCacheOptions = {}): KeyValueCache {
  if (options.redisUrl) {
    return new RedisCache({
      url: options.redisUrl,
      ...(options.prefix !== undefined ? { prefix: options.prefix } : {}),
      ...(options.commandTimeoutMs !== undefined ? { commandTimeoutMs: options.commandTimeoutMs } : {}),
    });
  }
  return new MemoryCache({ ...(options.maxEntries !== undefined ? { maxEntries: options.maxEntries } : {}), ...(options.now ? { now: options.now } : {}) });
}

export { MemoryCache } from './memory.ts';
export type { MemoryCacheOptions } from './memory.ts';
export { RedisCache } from './redis.ts';
export { GuardedCache } from './guarded.ts';
export type { CacheGuardOptions } from './guarded.ts';
export type { RedisCacheOptions } from './redis.ts';
