import type { KeyValueCache } from './index.ts';

export interface MemoryCacheOptions {
  /** When more entries than this are stored, the least recently used ones go first. */
  maxEntries?: number;
  /** Clock in milliseconds; tests pass their own to step over TTLs without waiting. */
  now?: () => number;
}

interface Entry {
  json: string;
  /** Epoch milliseconds, or Infinity. */
  expiresAt: number;
}

/**
 * In-process cache: a Map kept in recency order (a read moves the entry to the end), bounded by
 * entry count, with lazy expiry. Values are stored as JSON so callers cannot mutate what is cached.
 */
export class MemoryCache implements KeyValueCache {
  private readonly entries = new Map<string, Entry>();
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(options: MemoryCacheOptions = {}) {
    this.maxEntries = Math.max(1, options.maxEntries ?? 10_000);
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    return this.entries.size;
  }

  async get<T>(key: string): Promise<T | undefined> {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    if (entry.expiresAt <= this.now()) return undefined;
    this.entries.set(key, entry);
    return JSON.parse(entry.json) as T;
  }

  async set<T>(key: string, value: T, ttlSeconds?: number): Promise<void> {
    const json = JSON.stringify(value);
    // Like Redis, `undefined` cannot be stored; treat it as a delete.
    if (json === undefined) {
      this.entries.delete(key);
      return;
    }
    const expiresAt = ttlSeconds === undefined ? Infinity : this.now() + ttlSeconds * 1000;
    this.entries.delete(key);
    this.entries.set(key, { json, expiresAt });
    this.evict();
  }

  async del(key: string | readonly string[]): Promise<void> {
    for (const k of typeof key === 'string' ? [key] : key) this.entries.delete(k);
  }

  async close(): Promise<void> {
    this.entries.clear();
  }

  private evict(): void {
    if (this.entries.size <= this.maxEntries) return;
    // Expired entries go first, wherever they are; then the least recently used.
    const now = this.now();
    for (const [k, entry] of this.entries) if (entry.expiresAt <= now) this.entries.delete(k);
    for (const k of this.entries.keys()) {
      if (this.entries.size <= this.maxEntries) break;
      this.entries.delete(k);
    }
  }
}
