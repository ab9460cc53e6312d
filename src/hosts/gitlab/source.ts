import type { KeyValueCache } from '../../cache/index.ts';
import type { HostMetrics } from '../../contract/metrics.ts';
import { checkHostRepositories } from '../boundary.ts';
import type { HostRepository, KindAnnotation, RepositorySource } from '../types.ts';
import type { GitLabClient } from './client.ts';
import { GUEST } from './config.ts';
import { accessLevelHint } from './hints.ts';
import { toHostRepository } from './project.ts';

export interface GitLabSourceDeps {
  client: GitLabClient;
  /** GitLab's `min_access_level` of the listing (default Guest: every membership, and no count is asked). */
  minAccessLevel?: number;
  cache: KeyValueCache;
  metrics: HostMetrics;
  kinds?: (input: { token: string; repos: HostRepository[] }) => Promise<Map<number, KindAnnotation>>;
}

/** GitLab as a listing source: every page, as fast as GitLab's headers allow, the page count remembered per user. */
export function createGitLabSource(deps: GitLabSourceDeps): RepositorySource {
  return {
    provider: 'gitlab',
    async list({ userId, token }) {
      const pagesKey = `glpages:${userId}`;
      let knownPageCount: number | undefined;
      try {
        knownPageCount = await deps.cache.get<number>(pagesKey);
      } catch {
        // A cache that fails costs speed, never an answer.
      }
      const minAccessLevel = deps.minAccessLevel ?? GUEST;
      // Above Guest, GitLab's count of every membership is asked while the pages are read: one request,
      // and never more than the listing's own wait. A count that fails says nothing.
      const memberships = minAccessLevel > GUEST ? deps.client.countMemberships(token).catch(() => null) : Promise.resolve(null);
      try {
        const listing = await deps.client.listProjects(token, {
          ...(knownPageCount ? { knownPageCount } : {}),
          ...(minAccessLevel > GUEST ? { minAccessLevel } : {}),
          // Each page held to the spec as it comes in, while later pages are still on their way.
          convert: (projects, before) => checkHostRepositories('gitlab', projects.map(toHostRepository), before, { nestedOwners: true }),
        });
        const counted = await memberships;
        deps.metrics.upstream.inc({ provider: 'gitlab', outcome: 'downloaded' }, listing.stats.requests + (minAccessLevel > GUEST ? 1 : 0));
        // Remembered after the answer, as the page cache of GitHub's listing is: not on its way.
        setImmediate(() => void deps.cache.set(pagesKey, listing.pageCount, 86_400).catch(() => {}));
        const hint = counted === null ? undefined : accessLevelHint({ memberships: counted, listed: listing.repos.length, minAccessLevel });
        return { repos: listing.repos, hints: hint ? [hint] : [] };
      } catch (error) {
        deps.metrics.upstream.inc({ provider: 'gitlab', outcome: 'failed' });
        throw error;
      }
    },
    ...(deps.kinds ? { kinds: deps.kinds } : {}),
  };
}
