import type { KeyValueCache } from './index.ts';

export interface CacheGuardOptions {
  /** After a failure, how long the cache is left alone before it is tried again (default 5 s). */
  retryAfterMs?: number;
  /** Once per outage, at its first failure. */
  onOutage?: (error: unknown) => void;
  /** Once per outage, when the cache answers again; `failures` is how many operations failed meanwhile. */
  onRecovery?: (outageMs: number, failures: number) => void;
  /** Every failed or skipped operation, by its name. */
  onFailure?: (operation: 'get' | 'set' | 'del') => void;
  /** Clock in milliseconds (tests step it). */
  now?: () => number;
}

/** Keys whose deletion is remembered while the cache is away: beyond this, the oldest are dropped. */
const MAX_PENDING_DELETES = 10_000;

/**
 * A cache is a cache: this one never fails its caller. A read that fails is a miss and a write that
 * fails is skipped, so a cache that is down, stalled (each command has its deadline, see RedisCache)
 * or full costs speed, not answers. After a failure the cache is left alone for `retryAfterMs`, so an
 * outage costs each request nothing rather than a deadline per command; then one request tries it
 * again. Deletions asked for while it is away (a token changed, a listing to forget) are remembered
 * and carried out before anything is read from it again, so nothing forgotten comes back.
 */
export class GuardedCache implements KeyValueCache {
  private readonly retryAfterMs: number;
  private readonly now: () => number;
  private downSince: number | undefined;
  private retryAt = 0;
  private failures = 0;
  private readonly pendingDeletes = new Set<string>();
  readonly inner: KeyValueCache;
  private readonly options: CacheGuardOptions;

  constructor(inner: KeyValueCache, options: CacheGuardOptions = {}) {
    this.inner = inner;
    this.options = options;
    this.retryAfterMs = options.retryAfterMs ?? 5_000;
    this.now = options.now ?? Date.now;
  }

  /** Whether the cache is believed to answer: false from a failure until it answers again. */
  get available(): boolean {
    return this.downSince === undefined;
  }

  /** Whether to try the cache now: it is up, or its pause after a failure is over. */
  usable(): boolean {
    return this.downSince === undefined || this.now() >= this.retryAt;
  }

  /** Records a failure of the cache seen by someone else sharing it (the rate limiter). */
  failed(operation: 'get' | 'set' | 'del', error: unknown): void {
    this.failures++;
    this.options.onFailure?.(operation);
    this.retryAt = this.now() + this.retryAfterMs;
    if (this.downSince === undefined) {
      this.downSince = this.now();
      this.options.onOutage?.(error);
    }
  }

  /** Records an answer of the cache: an outage, if any, is over. */
  answered(): void {
    if (this.downSince === undefined) return;
    const outageMs = this.now() - this.downSince;
    const failures = this.failures;
    this.downSince = undefined;
    this.failures = 0;
    this.options.onRecovery?.(outageMs, failures);
  }

  async get<T>(key: string): Promise<T | undefined> {
    if (!this.usable()) {
      this.options.onFailure?.('get');
      return undefined;
    }
    try {
      await this.flushDeletes();
      const value = await this.inner.get<T>(key);
      this.answered();
      return value;
    } catch (error) {
      this.failed('get', error);
      return undefined;
    }
  }

  async set<T>(key: string, value: T, ttlSeconds?: number): Promise<void> {
    if (!this.usable()) {
      this.options.onFailure?.('set');
      return;
    }
    try {
      await this.flushDeletes();
      await this.inner.set(key, value, ttlSeconds);
      this.pendingDeletes.delete(key);
      this.answered();
    } catch (error) {
      this.failed('set', error);
    }
  }

  async del(key: string | readonly string[]): Promise<void> {
    const keys = typeof key === 'string' ? [key] : [...key];
    if (keys.length === 0) return;
    if (!this.usable()) {
      this.remember(keys);
      this.options.onFailure?.('del');
      return;
    }
    try {
      await this.inner.del(keys);
      for (const k of keys) this.pendingDeletes.delete(k);
      this.answered();
    } catch (error) {
      this.remember(keys);
      this.failed('del', error);
    }
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  private remember(keys: readonly string[]): void {
    for (const k of keys) {
      this.pendingDeletes.delete(k);
      this.pendingDeletes.add(k);
    }
    for (const k of this.pendingDeletes) {
      if (this.pendingDeletes.size <= MAX_PENDING_DELETES) break;
      this.pendingDeletes.delete(k);
    }
  }

  /** Carries out the deletions remembered during an outage, before anything else is asked of the cache. */
  private async flushDeletes(): Promise<void> {
    if (this.pendingDeletes.size === 0) return;
    const keys = [...this.pendingDeletes];
    await this.inner.del(keys);
    for (const k of keys) this.pendingDeletes.delete(k);
  }
}
