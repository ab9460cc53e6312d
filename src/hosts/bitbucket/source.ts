import type { HostMetrics } from '../../contract/metrics.ts';
import { checkHostRepositories } from '../boundary.ts';
import type { HostRepository, KindAnnotation, RepositorySource } from '../types.ts';
import type { BitbucketClient } from './client.ts';

export interface BitbucketSourceDeps {
  client: Pick<BitbucketClient, 'listRepos'>;
  metrics?: HostMetrics;
  kinds?: (input: { token: string; repos: HostRepository[] }) => Promise<Map<number, KindAnnotation>>;
}

/** Bitbucket Cloud as a listing source: every workspace's repositories, held to the spec. */
export function createBitbucketSource(deps: BitbucketSourceDeps): RepositorySource {
  return {
    provider: 'bitbucket',
    async list({ token }) {
      try {
        const listing = await deps.client.listRepos(token);
        deps.metrics?.upstream.inc({ provider: 'bitbucket', outcome: 'downloaded' }, listing.stats.requests);
        // Bitbucket has no check of what a token cannot see yet: no hints.
        return { repos: checkHostRepositories('bitbucket', listing.repos), hints: [] };
      } catch (error) {
        deps.metrics?.upstream.inc({ provider: 'bitbucket', outcome: 'failed' });
        throw error;
      }
    },
    ...(deps.kinds ? { kinds: deps.kinds } : {}),
  };
}
