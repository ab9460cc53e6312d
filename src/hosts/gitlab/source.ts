import type { KeyValueCache } from '../../cache/index.ts';
import type { HostMetrics } from '../../contract/metrics.ts';
import { checkHostRepositories } from '../boundary.ts';
import type { HostRepository, KindAnnotation, RepositorySource } from '../types.ts';
import type { GitLabClient } from './client.ts';
import { toHostRepository } from './project.ts';

export interface GitLabSourceDeps {
  client: GitLabClient;
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
      try {
        const listing = await deps.client.listProjects(token, {
          ...(knownPageCount ? { knownPageCount } : {}),
          // Each page held to the spec as it comes in, while later pages are still on their way.
          convert: (projects, before) => checkHostRepositories('gitlab', projects.map(toHostRepository), before, { nestedOwners: true }),
        });
        deps.metrics.upstream.inc({ provider: 'gitlab', outcome: 'downloaded' }, listing.stats.requests);
        // Remembered after the answer, as the page cache of GitHub's listing is: not on its way.
        setImmediate(() => void deps.cache.set(pagesKey, listing.pageCount, 86_400).catch(() => {}));
        return { repos: listing.repos, hints: [] };
      } catch (error) {
        deps.metrics.upstream.inc({ provider: 'gitlab', outcome: 'failed' });
        throw error;
      }
    },
    ...(deps.kinds ? { kinds: deps.kinds } : {}),
  };
}
