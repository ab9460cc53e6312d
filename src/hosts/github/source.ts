import { createHash } from 'node:crypto';
import type { KeyValueCache } from '../../cache/index.ts';
import type { HostMetrics } from '../../contract/metrics.ts';
import type { GitHubClient } from './client.ts';
import type { GitHubRepo } from './repo.ts';
import type { HostRepository, KindAnnotation, RepositorySource } from '../types.ts';
import { checkHostRepositories } from '../boundary.ts';

/** GitHub's repository in our fields, as sent: `checkHostRepositories` then holds it to the spec. */
export function toHostRepository(r: GitHubRepo): HostRepository {
  return {
    provider: 'github',
    id: r.id,
    name: r.name,
    full_name: r.full_name,
    owner: { id: r.owner.id, login: r.owner.login, full_name: null, type: r.owner.type === 'Organization' ? 'Organization' : 'User', avatar_url: r.owner.avatar_url ?? null },
    description: r.description,
    private: r.private,
    fork: r.fork,
    archived: r.archived,
    html_url: r.html_url,
    language: r.language,
    size: r.size,
    stargazers_count: r.stargazers_count,
    watchers_count: r.watchers_count,
    default_branch: r.default_branch,
    created_at: r.created_at,
    updated_at: r.updated_at,
    pushed_at: r.pushed_at,
    permissions: r.permissions,
  };
}

export interface GitHubSourceDeps {
  client: GitHubClient;
  cache: KeyValueCache;
  metrics: HostMetrics;
  kinds?: (input: { token: string; repos: HostRepository[] }) => Promise<Map<number, KindAnnotation>>;
}

/** GitHub as a listing source: every page, conditional requests, the page count remembered per user. */
export function createGitHubSource(deps: GitHubSourceDeps): RepositorySource {
  return {
    provider: 'github',
    async list({ userId, token }) {
      // Pages are per token: another token may see other repositories.
      const tokenTag = createHash('sha256').update(token).digest('base64url').slice(0, 16);
      const pagesKey = `ghpages:${userId}`;
      const knownPageCount = await deps.cache.get<number>(pagesKey);
      try {
        const listing = await deps.client.listRepos(token, {
          pageCache: deps.cache,
          cacheKey: `ghpage:${userId}:${tokenTag}`,
          ...(knownPageCount ? { knownPageCount } : {}),
          // Each page held to the spec as it comes in, while later pages are still on their way.
          convert: (repos, before) => checkHostRepositories('github', repos.map(toHostRepository), before),
        });
        deps.metrics.upstream.inc({ provider: 'github', outcome: 'downloaded' }, listing.stats.downloaded);
        deps.metrics.upstream.inc({ provider: 'github', outcome: 'not_modified' }, listing.stats.notModified);
        await deps.cache.set(pagesKey, listing.pageCount, 86_400);
        return listing.repos;
      } catch (error) {
        deps.metrics.upstream.inc({ provider: 'github', outcome: 'failed' });
        throw error;
      }
    },
    ...(deps.kinds ? { kinds: deps.kinds } : {}),
  };
}
