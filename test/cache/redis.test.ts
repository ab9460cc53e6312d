import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { afterAll, describe, it } from 'vitest';
import { Redis } from 'ioredis';
import { createCache, RedisCache } from '../../src/cache/index.ts';
import { cacheContract } from './contract.ts';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

async function redisAnswers(): Promise<boolean> {
  const probe = new Redis(REDIS_URL, { lazyConnect: true, connectTimeout: 500, maxRetriesPerRequest: 0, retryStrategy: () => null });
  probe.on('error', () => {});
  try {
    await probe.connect();
    return (await probe.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}

const available = await redisAnswers();
if (!available && process.env.CI) {
  throw new Error(`Redis does not answer at ${REDIS_URL}; CI must run the Redis cache tests`);
}
const skip = available ? false : `Redis does not answer at ${REDIS_URL}; set REDIS_URL or start Redis to run these tests`;

describe('RedisCache', { skip: skip !== false }, () => {
  // Every test gets its own prefix, so runs never see each other's keys.
  const opened: RedisCache[] = [];
  const make = () => {
    const cache = new RedisCache({ url: REDIS_URL, prefix: `rapi-test:${randomUUID()}:` });
    opened.push(cache);
    return cache;
  };
  afterAll(async () => {
    for (const cache of opened) {
      const keys = await cache.client.keys('*');
      // KEYS answers with full names; DEL through the client would add the prefix again.
      const prefix = cache.client.options.keyPrefix ?? '';
      if (keys.length > 0) await cache.client.del(...keys.map((k) => k.slice(prefix.length)));
      await cache.close();
    }
  });

  cacheContract(make);

  it('createCache with a Redis URL gives the Redis cache', async () => {
    const cache = createCache({ redisUrl: REDIS_URL, prefix: `rapi-test:${randomUUID()}:` });
    assert.ok(cache instanceof RedisCache);
    await cache.close();
  });

  it('an entry expires after its TTL (fractional seconds allowed)', async () => {
    const cache = make();
    await cache.set('k', 'v', 0.1);
    assert.equal(await cache.get('k'), 'v');
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(await cache.get('k'), undefined);
  });

  it('two prefixes on one Redis do not see each other’s keys', async () => {
    const a = make();
    const b = make();
    await a.set('same-key', 'from a');
    assert.equal(await b.get('same-key'), undefined);
    assert.equal(await a.get('same-key'), 'from a');
  });

  it('close can be called twice', async () => {
    const cache = new RedisCache({ url: REDIS_URL, prefix: `rapi-test:${randomUUID()}:` });
    await cache.close();
    await cache.close();
  });
});
