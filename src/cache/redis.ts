import { Redis } from 'ioredis';
import type { KeyValueCache } from './index.ts';

export interface RedisCacheOptions {
  url: string;
  /** Prepended to every key (default `rapi:`). */
  prefix?: string;
  /** Called on connection errors; commands still reject on their own. */
  onError?: (error: Error) => void;
  /** Each command's deadline (default 500 ms): a stalled Redis rejects it instead of holding the caller. */
  commandTimeoutMs?: number;
}

/** Cache shared by every instance of the service: JSON strings in Redis with native expiry. */
export class RedisCache implements KeyValueCache {
  readonly client: Redis;

  constructor(options: RedisCacheOptions) {
    this.client = new Redis(options.url, {
      keyPrefix: options.prefix ?? 'rapi:',
      // A cache must not hold a request when Redis is away or stalled: every command fails at its
      // deadline, whether it waits for a connection or was sent on one that does not answer (a
      // stopped process, a partition).
      maxRetriesPerRequest: 1,
      connectTimeout: 2_000,
      commandTimeout: options.commandTimeoutMs ?? 500,
    });
    // Without a listener ioredis reports every reconnect attempt on stderr.
    this.client.on('error', options.onError ?? (() => {}));
  }

  /** Resolves once connected, or after `timeoutMs` whatever the state (a cache that is away is not waited for). */
  async ready(timeoutMs: number): Promise<void> {
    if (this.client.status === 'ready') return;
    let timer: NodeJS.Timeout | undefined;
    await new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
      this.client.once('ready', resolve);
    });
    clearTimeout(timer);
  }

  async get<T>(key: string): Promise<T | undefined> {
    const raw = await this.client.get(key);
    return raw === null ? undefined : (JSON.parse(raw) as T);
  }

  async set<T>(key: string, value: T, ttlSeconds?: number): Promise<void> {
    const json = JSON.stringify(value);
    if (json === undefined) {
      await this.client.del(key);
      return;
    }
    if (ttlSeconds === undefined) await this.client.set(key, json);
    else await this.client.set(key, json, 'PX', Math.max(1, Math.ceil(ttlSeconds * 1000)));
  }

  async del(key: string | readonly string[]): Promise<void> {
    const keys = typeof key === 'string' ? [key] : [...key];
    if (keys.length > 0) await this.client.del(...keys);
  }

  async close(): Promise<void> {
    if (this.client.status === 'end') return;
    try {
      await this.client.quit();
    } catch {
      // quit fails when the connection is already gone; disconnect stops any reconnect loop.
      this.client.disconnect();
    }
  }
}
