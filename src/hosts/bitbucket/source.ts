import type { HostMetrics } from '../../contract/metrics.ts';
import { checkHostRepositories } from '../boundary.ts';
import type { HostRepository, KindAnnotation, RepositorySource } from '../types.ts';
import { hostOf, repositoryAddress } from '../urls.ts';
import { BITBUCKET_WEB_URL, type BitbucketClient } from './client.ts';
import { emptyWorkspacesHint } from './hints.ts';

export interface BitbucketSourceDeps {
  client: Pick<BitbucketClient, 'listRepos' | 'getRepo'>;
  /** Bitbucket's web address (`https://bitbucket.org`): pasted URLs of its host are its repositories. */
  webUrl?: string;
  metrics?: HostMetrics;
  kinds?: (input: { token: string; repos: HostRepository[] }) => Promise<Map<number, KindAnnotation>>;
}

/** Bitbucket Cloud as a listing source: every workspace's repositories, held to the spec. */
export function createBitbucketSource(deps: BitbucketSourceDeps): RepositorySource {
  const webHost = hostOf(deps.webUrl ?? BITBUCKET_WEB_URL);
  return {
    provider: 'bitbucket',
    async list({ token }) {
      try {
        const listing = await deps.client.listRepos(token);
        deps.metrics?.upstream.inc({ provider: 'bitbucket', outcome: 'downloaded' }, listing.stats.requests);
        const repos = checkHostRepositories('bitbucket', listing.repos);
        // From the listing alone: a workspace whose member list is empty costs no request to name.
        const empty = emptyWorkspacesHint(listing.workspaces, repos);
        return { repos, hints: empty ? [empty] : [] };
      } catch (error) {
        deps.metrics?.upstream.inc({ provider: 'bitbucket', outcome: 'failed' });
        throw error;
      }
    },
    webHosts: () => [webHost],
    parseUrl: (url) => repositoryAddress(url, [webHost]),
    async lookup({ token, address }) {
      const repo = await deps.client.getRepo(token, address.owner, address.name);
      return repo ? checkHostRepositories('bitbucket', [repo])[0] : undefined;
    },
    ...(deps.kinds ? { kinds: deps.kinds } : {}),
  };
}
