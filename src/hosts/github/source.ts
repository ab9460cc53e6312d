import { createHash } from 'node:crypto';
import type { KeyValueCache } from '../../cache/index.ts';
import type { HostMetrics } from '../../contract/metrics.ts';
import type { GitHubClient, GitHubOrg } from './client.ts';
import type { HostRepository, KindAnnotation, RepositorySource } from '../types.ts';
import { checkHostRepositories } from '../boundary.ts';
import { hostOf, repositoryAddress } from '../urls.ts';
import { githubOrgHints, githubScopeHints, refusalProblem, type GitHubHintSettings } from './hints.ts';

export interface GitHubSourceDeps {
  client: GitHubClient;
  /** What the hints link to. */
  hints: GitHubHintSettings;
  /** The REST API's base URL: its host, like the web URL's, names this instance in a pasted URL. */
  apiUrl: string;
  cache: KeyValueCache;
  metrics: HostMetrics;
  kinds?: (input: { token: string; repos: HostRepository[] }) => Promise<Map<number, KindAnnotation>>;
}

/** GitHub as a listing source: every page, conditional requests, the page count remembered per user. */
export function createGitHubSource(deps: GitHubSourceDeps): RepositorySource {
  // The instance's hosts as a pasted URL names them: its web host (github.com's API host is another).
  const webHosts = [...new Set([deps.hints.webUrl, deps.apiUrl].map(hostOf))];
  return {
    provider: 'github',
    async list({ userId, token }) {
      // Pages are per token: another token may see other repositories.
      const tokenTag = createHash('sha256').update(token).digest('base64url').slice(0, 16);
      const pagesKey = `ghpages:${userId}`;
      const knownPageCount = await deps.cache.get<number>(pagesKey);
      // The organisation list is read while the pages are: the checks then wait one round trip at most.
      const orgs: Promise<GitHubOrg[]> = deps.client.listOrgs(token).catch(() => []);
      try {
        const listing = await deps.client.listRepos(token, {
          pageCache: deps.cache,
          // v2: pages in the lean form; a page cached by an earlier version is a miss.
          cacheKey: `ghpage:v2:${userId}:${tokenTag}`,
          ...(knownPageCount ? { knownPageCount } : {}),
          // Each page held to the spec as it comes in, while later pages are still on their way (GitHub's
          // repository is in our field names already).
          convert: (repos, before) => checkHostRepositories('github', repos, before),
        });
        deps.metrics.upstream.inc({ provider: 'github', outcome: 'downloaded' }, listing.stats.downloaded);
        deps.metrics.upstream.inc({ provider: 'github', outcome: 'not_modified' }, listing.stats.notModified);
        await deps.cache.set(pagesKey, listing.pageCount, 86_400);
        const listedOwners = new Set(listing.repos.map((r) => r.owner.login.toLowerCase()));
        const hints = await githubOrgHints(deps.client, token, { orgs: await orgs, listedOwners, ssoHidden: listing.ssoHiddenOrganizations }, deps.hints);
        return { repos: listing.repos, hints };
      } catch (error) {
        deps.metrics.upstream.inc({ provider: 'github', outcome: 'failed' });
        throw error;
      }
    },
    tokenHints: (scopes) => githubScopeHints(scopes, deps.hints),
    webHosts: () => webHosts.slice(0, 1),
    parseUrl: (url) => repositoryAddress(url, webHosts),
    async lookup({ token, address }) {
      const answer = await deps.client.getRepo(token, address.owner, address.name);
      if (answer.kind === 'not_found') return undefined;
      if (answer.kind === 'found') return checkHostRepositories('github', [answer.repo])[0];
      throw refusalProblem(answer, address.owner, address.name, deps.hints);
    },
    ...(deps.kinds ? { kinds: deps.kinds } : {}),
  };
}
