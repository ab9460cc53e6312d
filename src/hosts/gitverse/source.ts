import { createHash } from 'node:crypto';
import type { KeyValueCache } from '../../cache/index.ts';
import type { HostMetrics } from '../../contract/metrics.ts';
import { APP_MANIFEST_PATH, detectKind, detectionFailed, emptyRepository, MANIFEST_PATHS, readFailureReason, untilRateLimited } from '../../kind/detect.ts';
import type { DetectionReader } from '../../kind/service.ts';
import type { HostRepository, KindAnnotation, MissingHint, RepoRef, RepositorySource } from '../types.ts';
import { hostOf, repositoryAddress } from '../urls.ts';
import { GITVERSE_READ_SCOPES } from './link.ts';
import { checkHostRepositories } from '../boundary.ts';
import type { Detection } from '../../store/types.ts';
import { GITVERSE_WEB_URL, type GitVerseClient, type GitVerseContents } from './client.ts';

export interface GitVerseSourceDeps {
  client: Pick<GitVerseClient, 'listRepos'>;
  /** GitVerse's web address (`https://gitverse.ru`): pasted URLs of its host are its repositories. */
  webUrl?: string;
  cache: KeyValueCache;
  metrics?: HostMetrics;
  kinds?: (input: { token: string; repos: HostRepository[] }) => Promise<Map<number, KindAnnotation>>;
}

/** GitVerse as a listing source: every page, with conditional requests. */
export function createGitVerseSource(deps: GitVerseSourceDeps): RepositorySource {
  return {
    provider: 'gitverse',
    async list({ userId, token }) {
      // Pages are per token: another token may see other repositories.
      const tokenTag = createHash('sha256').update(token).digest('base64url').slice(0, 16);
      try {
        const listing = await deps.client.listRepos(token, { pageCache: deps.cache, cacheKey: `gvpage:v1:${userId}:${tokenTag}` });
        deps.metrics?.upstream.inc({ provider: 'gitverse', outcome: 'downloaded' }, listing.stats.downloaded);
        deps.metrics?.upstream.inc({ provider: 'gitverse', outcome: 'not_modified' }, listing.stats.notModified);
        return { repos: checkHostRepositories('gitverse', listing.repos), hints: [] };
      } catch (error) {
        deps.metrics?.upstream.inc({ provider: 'gitverse', outcome: 'failed' });
        throw error;
      }
    },
    tokenHints: (scopes) => gitverseScopeHints(scopes, deps.webUrl ?? GITVERSE_WEB_URL),
    webHosts: () => [hostOf(deps.webUrl ?? GITVERSE_WEB_URL)],
    parseUrl: (url) => repositoryAddress(url, [hostOf(deps.webUrl ?? GITVERSE_WEB_URL)]),
    ...(deps.kinds ? { kinds: deps.kinds } : {}),
  };
}

/** A token whose reported scopes include neither repository scope gets no repository from GitVerse. */
export function gitverseScopeHints(scopes: readonly string[], webUrl: string): MissingHint[] {
  if (scopes.length === 0 || scopes.some((s) => (GITVERSE_READ_SCOPES as readonly string[]).includes(s))) return [];
  return [
    {
      code: 'gitverse_repository_scope',
      message: 'The GitVerse token has neither the read:public_api nor the public_api scope, so GitVerse lists no repository for it. Link a token with read:public_api.',
      url: `${webUrl}/settings/tokens`,
      organizations: [],
    },
  ];
}

export interface GitVerseKindReaderOptions {
  /** Contents requests in flight at once (default 4). */
  concurrency?: number;
  /**
   * Repositories read per call (default 50); the rest come back as failures, which the detection
   * service does not store, so a later listing reads them. GitVerse allows about 500 requests an
   * hour per client address and each repository costs one request plus one per manifest present
   * (plus `APP_MANIFEST_PATH` when the root has an `apps` folder).
   */
  maxRepos?: number;
}

const HOST = 'GitVerse';

/**
 * A detection reader for GitVerse, which has no batch API: per repository, the root listing, then
 * only those `MANIFEST_PATHS` the root actually holds, and `APP_MANIFEST_PATH` only when the root has
 * an `apps` folder (at most one more request, read beside the manifests). Never throws: a repository that cannot be
 * read comes back as a "Detection failed" unknown, and after a rate limit nothing more is asked.
 */
export function createGitVerseKindReader(client: Pick<GitVerseClient, 'getContents'>, options: GitVerseKindReaderOptions = {}): DetectionReader {
  const concurrency = Math.max(1, options.concurrency ?? 4);
  const maxRepos = Math.max(0, options.maxRepos ?? 50);

  return async (token: string, repos: RepoRef[]): Promise<Map<number, Detection>> => {
    const out = new Map<number, Detection>();
    const unique = [...new Map(repos.map((r) => [r.id, r])).values()];
    for (const repo of unique.slice(maxRepos)) out.set(repo.id, detectionFailed('deferred to a later listing (GitVerse request budget)'));

    const send = untilRateLimited(concurrency, HOST);
    const read = (repo: RepoRef, path: string): Promise<GitVerseContents | null> => send(() => client.getContents(token, repo.owner, repo.name, path));

    const detect = async (repo: RepoRef): Promise<Detection> => {
      try {
        const root = await read(repo, '');
        if (root === null) return emptyRepository();
        if (root.type !== 'dir') return detectionFailed('GitVerse answered a file for the root folder');
        const present: string[] = MANIFEST_PATHS.filter((path) => root.entries.some((e) => e.name === path && e.type === 'file'));
        const appsFolder = APP_MANIFEST_PATH.slice(0, APP_MANIFEST_PATH.indexOf('/'));
        if (root.entries.some((e) => e.name === appsFolder && e.type === 'dir')) present.push(APP_MANIFEST_PATH);
        const files: Record<string, string | null> = {};
        await Promise.all(
          present.map(async (path) => {
            const file = await read(repo, path);
            files[path] = file?.type === 'file' ? file.text : null;
          }),
        );
        return detectKind({ entries: root.entries, files });
      } catch (error) {
        return detectionFailed(readFailureReason(error, HOST));
      }
    };

    await Promise.all(
      unique.slice(0, maxRepos).map(async (repo) => {
        out.set(repo.id, await detect(repo));
      }),
    );
    return out;
  };
}
