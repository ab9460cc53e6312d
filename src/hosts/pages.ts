/** How both git host clients read a paged repository list: pages at once, cached, merged. */
import pLimit from 'p-limit';
import type { KeyValueCache } from '../cache/index.ts';

export function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);
}

/**
 * Runs `work` over `items` with at most `limit` at once (the one concurrency bound of the project, on
 * p-limit). The first failure aborts `controller` (cancelling the requests still running), stops new
 * ones and is what this throws.
 */
export async function runBounded<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
  controller: AbortController = new AbortController(),
): Promise<void> {
  const bound = pLimit(Math.max(1, limit));
  let failure: { error: unknown } | undefined;
  await Promise.all(
    items.map((item) =>
      bound(async () => {
        if (failure !== undefined) return;
        try {
          await work(item);
        } catch (error) {
          // Tasks still queued settle at once on their turn (the check above): they send nothing.
          if (failure === undefined) {
            failure = { error };
            controller.abort();
          }
        }
      }),
    ),
  );
  if (failure !== undefined) throw failure.error;
}

/** At most `max` tasks at once, started in call order: p-limit, for callers that keep going after a failure. */
export const limiter = (max: number) => pLimit(Math.max(1, max));

/** The repositories of `pages`, in order. The list can shift while pages are read; a repository seen twice is kept once. */
export function uniqueById<T extends { id: number }>(pages: Iterable<readonly T[]>): T[] {
  const seen = new Set<number>();
  const repos: T[] = [];
  for (const page of pages) {
    for (const repo of page) {
      if (seen.has(repo.id)) continue;
      seen.add(repo.id);
      repos.push(repo);
    }
  }
  return repos;
}

export interface PageCache<T> {
  get(key: string): Promise<T | undefined>;
  set(key: string, value: T): Promise<void>;
}

/** The page cache as a listing uses it: a failure is told to `onError` and is otherwise a miss, so the listing goes on without it. */
export function tolerantPageCache<T>(cache: KeyValueCache, ttlSeconds: number, onError: (error: unknown) => void): PageCache<T> {
  return {
    async get(key) {
      try {
        return await cache.get<T>(key);
      } catch (error) {
        onError(error);
        return undefined;
      }
    },
    async set(key, value) {
      try {
        await cache.set(key, value, ttlSeconds);
      } catch (error) {
        onError(error);
      }
    },
  };
}
