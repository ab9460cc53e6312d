/**
 * Annotates a listing with kinds, and origins (the app builder that made a repository, found in the
 * same read), within a time budget.
 *
 * - Results are cached in the store by (provider, repo id, pushed_at): a push makes a new key.
 * - Misses are read from the git host in one reader call (which batches them); whatever is not done
 *   when the budget runs out is answered "Analysis pending" and finishes in the background, ready
 *   for the next listing. Work in flight is shared per repository, across callers.
 * - Failures ("Detection failed: ...") never reach the store: they are remembered in this process
 *   for `failureTtlMs` only, so a burst of listings does not hammer a rate-limited or failing host,
 *   and the next listing after that tries again.
 * - `annotate` never rejects: a failing store or reader degrades to unknown kinds.
 */
import { detectionFailed, isDetectionFailure } from './detect.ts';
import type { RepoRef } from '../hosts/types.ts';
import type { Provider } from '../contract/problem.ts';
import type { Detection, DetectionKey, Store } from '../store/types.ts';
import { detectionKey } from '../store/types.ts';
import { systemClock, type Clock } from '../clock.ts';

/**
 * Reads and detects many repositories of one git host; resolves with one entry per repository.
 * `instance`: the host's instance the token is for, as stored with it (see `HostCredential`).
 */
export type DetectionReader = (token: string, repos: RepoRef[], instance?: string | null) => Promise<Map<number, Detection>>;

export interface AnnotateRepo extends RepoRef {
  /** Where the host has no push time, its `updated_at`; null is treated as one unchanging value. */
  pushed_at: string | null;
}

export type AnnotatedDetection = Detection & { pending: boolean };

export interface DetectionService {
  annotate(provider: Provider, token: string, repos: AnnotateRepo[], instance?: string | null): Promise<{ detections: Map<number, AnnotatedDetection> }>;
  /** Resolves once background work has finished and been stored (shutdown, tests). */
  idle(): Promise<void>;
}

export interface DetectionServiceOptions {
  store: Pick<Store, 'detections'>;
  /** Each host's reader; a host without one has its repositories' kinds unknown. */
  readers: Partial<Record<Provider, DetectionReader>>;
  /** How long `annotate` may take, cache lookup included, before answering "Analysis pending". */
  budgetMs: number;
  failureTtlMs?: number;
  /** What the budget and the failures' memory are measured on (default the system clock). */
  clock?: Clock;
}

export const PENDING: AnnotatedDetection = { kind: 'unknown', reason: 'Analysis pending', origin: null, origin_reason: 'Analysis pending', pending: true };

/** A detection as a listing shows it; frozen, so one object can serve every listing that shows it. */
const settled = (d: Detection): AnnotatedDetection =>
  Object.freeze({ kind: d.kind, reason: d.reason, origin: d.origin, origin_reason: d.origin_reason, pending: false });

const DEFAULT_FAILURE_TTL_MS = 30_000;

interface Flight {
  pushed_at: string;
  promise: Promise<Detection>;
  result?: Detection;
}

/** Detections kept in memory per host, the oldest dropped first. */
const KNOWN_LIMIT = 200_000;

export function createDetectionService(opts: DetectionServiceOptions): DetectionService {
  const failureTtlMs = opts.failureTtlMs ?? DEFAULT_FAILURE_TTL_MS;
  const clock = opts.clock ?? systemClock;
  const inFlight = new Map<string, Flight>();
  const failures = new Map<string, { pushed_at: string; detection: Detection; until: number }>();
  const background = new Set<Promise<void>>();
  // A detection for (provider, repository, pushed_at) never changes, so what is known is kept in
  // memory too (bounded, oldest dropped first): a warm listing then asks the store nothing.
  // Per host, by repository id.
  const known = new Map<Provider, Map<number, { pushed_at: string; annotated: AnnotatedDetection }>>();
  const knownOn = (provider: Provider) => {
    let kept = known.get(provider);
    if (!kept) known.set(provider, (kept = new Map()));
    return kept;
  };
  const remember = (provider: Provider, id: number, pushed_at: string, annotated: AnnotatedDetection) => {
    const kept = knownOn(provider);
    kept.delete(id);
    kept.set(id, { pushed_at, annotated });
    if (kept.size > KNOWN_LIMIT) kept.delete(kept.keys().next().value as number);
  };

  function recentFailure(key: string, pushedAt: string, now: number): Detection | undefined {
    const hit = failures.get(key);
    if (hit && hit.until > now && hit.pushed_at === pushedAt) return hit.detection;
    return undefined;
  }

  function start(provider: Provider, token: string, instance: string | null, repos: Array<{ repo: AnnotateRepo; key: string; pushed_at: string }>) {
    const reader = opts.readers[provider];
    const run = (async () => {
      if (!reader) return new Map<number, Detection>();
      try {
        return await reader(token, repos.map(({ repo }) => ({ id: repo.id, owner: repo.owner, name: repo.name })), instance);
      } catch {
        return new Map<number, Detection>();
      }
    })();
    const missing = detectionFailed(reader ? 'no result' : `not available for ${provider}`);

    const flights = repos.map(({ repo, key, pushed_at }) => {
      const flight: Flight = { pushed_at, promise: run.then((m) => m.get(repo.id) ?? missing) };
      flight.promise.then((d) => (flight.result = d));
      inFlight.set(key, flight);
      return flight;
    });

    const settle = (async () => {
      const results = await run;
      const now = clock.now();
      const rows: Array<DetectionKey & Detection> = [];
      for (const { repo, key, pushed_at } of repos) {
        const d = results.get(repo.id) ?? missing;
        if (isDetectionFailure(d)) failures.set(key, { pushed_at, detection: d, until: now + failureTtlMs });
        else {
          rows.push({ provider, repo_id: repo.id, pushed_at, kind: d.kind, reason: d.reason, origin: d.origin, origin_reason: d.origin_reason });
          remember(provider, repo.id, pushed_at, settled(d));
        }
      }
      try {
        if (rows.length > 0) await opts.store.detections.putMany(rows);
      } catch {
        // Not stored: the next listing detects these again.
      }
      // Kept in flight until stored, so a listing in between reuses the result instead of re-reading.
      repos.forEach(({ key }, i) => {
        if (inFlight.get(key) === flights[i]) inFlight.delete(key);
      });
    })();
    background.add(settle);
    void settle.finally(() => background.delete(settle));
    return flights;
  }

  return {
    async annotate(provider, token, repos, instance = null) {
      const deadline = clock.now() + Math.max(0, opts.budgetMs);
      const knownHere = knownOn(provider);
      // Every repository's detection already known for its push: the answer, without another look.
      const detections = new Map<number, AnnotatedDetection>();
      for (const repo of repos) {
        const memo = knownHere.get(repo.id);
        if (!memo || memo.pushed_at !== (repo.pushed_at ?? '')) break;
        detections.set(repo.id, memo.annotated);
      }
      if (detections.size === repos.length) return { detections };
      detections.clear();

      const keyed = repos.map((repo) => ({ repo, key: detectionKey({ provider, repo_id: repo.id }), pushed_at: repo.pushed_at ?? '' }));
      const cached = new Map<string, AnnotatedDetection>();
      const unknown = keyed.filter(({ repo, key, pushed_at }) => {
        const memo = knownHere.get(repo.id);
        if (memo && memo.pushed_at === pushed_at) cached.set(key, memo.annotated);
        return !cached.has(key);
      });
      if (unknown.length > 0) {
        try {
          const stored = await opts.store.detections.getMany(unknown.map(({ repo, pushed_at }) => ({ provider, repo_id: repo.id, pushed_at })));
          for (const { repo, key, pushed_at } of unknown) {
            const hit = stored.get(key);
            if (hit) {
              const annotated = settled(hit);
              cached.set(key, annotated);
              remember(provider, repo.id, pushed_at, annotated);
            }
          }
        } catch {
          // Treated as all misses.
        }
      }

      const now = clock.now();
      for (const [key, f] of failures) if (f.until <= now) failures.delete(key);

      const waiting: Array<{ id: number; flight: Flight }> = [];
      const toRead: typeof keyed = [];
      for (const item of keyed) {
        const hit = cached.get(item.key);
        if (hit) {
          detections.set(item.repo.id, hit);
          continue;
        }
        const failure = recentFailure(item.key, item.pushed_at, now);
        if (failure) {
          detections.set(item.repo.id, settled(failure));
          continue;
        }
        const flight = inFlight.get(item.key);
        if (flight && flight.pushed_at === item.pushed_at) waiting.push({ id: item.repo.id, flight });
        else toRead.push(item);
      }
      if (toRead.length > 0) {
        start(provider, token, instance, toRead).forEach((flight, i) => waiting.push({ id: toRead[i]!.repo.id, flight }));
      }

      if (waiting.length > 0) {
        const budget = clock.after(deadline - clock.now());
        await Promise.race([Promise.all(waiting.map((w) => w.flight.promise)), budget.elapsed]);
        budget.cancel();
      }
      for (const { id, flight } of waiting) {
        detections.set(id, flight.result ? settled(flight.result) : { ...PENDING });
      }
      return { detections };
    },

    async idle() {
      while (background.size > 0) await Promise.all(background);
    },
  };
}
