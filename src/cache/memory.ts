import { LRUCache } from 'lru-cache';
import type { KeyValueCache } from './index.ts';

export interface MemoryCacheOptions {
  /** When more entries than this are stored, the least recently used ones go first. */
  maxEntries?: number;
  /** Clock in milliseconds; tests pass their own to step over TTLs without waiting. */
  now?: () => number;
}

/**
 * In-process cache: an `lru-cache` bounded by entry count (a read counts as a use), with lazy expiry.
 * Values are stored as JSON so callers cannot mutate what is cached.
 */
export class MemoryCache implements KeyValueCache {
  private readonly entries: LRUCache<string, string>;

  constructor(options: MemoryCacheOptions = {}) {
    const now = options.now ?? Date.now;
    // No rounding of the clock: an entry expires at its TTL's millisecond, as in Redis.
    this.entries = new LRUCache({ max: Math.max(1, options.maxEntries ?? 10_000), perf: { now }, ttlResolution: 0 });
  }

  get size(): number {
    return this.entries.size;
  }

  async get<T>(key: string): Promise<T | undefined> {
    const json = this.entries.get(key);
    return json === undefined ? undefined : (JSON.parse(json) as T);
  }

  async set<T>(key: string, value: T, ttlSeconds?: number): Promise<void> {
    const json = JSON.stringify(value);
    // Like Redis, `undefined` cannot be stored (and a TTL of 0 expires at once): treat it as a delete.
    if (json === undefined || (ttlSeconds !== undefined && ttlSeconds <= 0)) {
      this.entries.delete(key);
      return;
    }
    // When full, expired entries go first, wherever they are; then the least recently used.
    if (this.entries.size >= this.entries.max && !this.entries.has(key)) this.entries.purgeStale();
    this.entries.set(key, json, ttlSeconds === undefined ? {} : { ttl: ttlSeconds * 1000 });
  }

  async del(key: string | readonly string[]): Promise<void> {
    for (const k of typeof key === 'string' ? [key] : key) this.entries.delete(k);
  }

  async close(): Promise<void> {
    this.entries.clear();
  }
}
