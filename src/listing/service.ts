import type { KeyValueCache } from '../cache/index.ts';
import { ApiProblem, problems, type Provider } from '../http/problem.ts';
import type { Problem, Repository, RepositoryList } from '../http/types.ts';
import type { HostToken, Store } from '../store/types.ts';
import { filterRepositories, sortRepositories, type ListQuery } from './query.ts';
import type { HostRepository, RepositorySource } from './types.ts';

export interface ListingDeps {
  store: Store;
  cache: KeyValueCache;
  sources: Partial<Record<Provider, RepositorySource>>;
  cacheTtlSeconds: number;
  /** Builds the problem body for a host that failed while another answered. */
  toProblem: (problem: ApiProblem) => Problem;
}

interface HostResult {
  provider: Provider;
  repos: Repository[];
  login: string | null;
  problem?: ApiProblem;
}

const NOT_DETECTED = { kind: 'unknown', reason: 'Kind detection is not available for this host', pending: false } as const;

export function createListingService(deps: ListingDeps) {
  // Concurrent cold listings of one user share one fetch from the git host.
  const inFlight = new Map<string, Promise<HostRepository[]>>();
  const cacheKey = (userId: number, provider: Provider) => `listing:v1:${userId}:${provider}`;

  async function hostRepositories(userId: number, source: RepositorySource, token: string, refresh: boolean) {
    const key = cacheKey(userId, source.provider);
    if (!refresh) {
      const cached = await deps.cache.get<HostRepository[]>(key);
      if (cached) return cached;
    }
    const running = inFlight.get(key);
    if (running) return running;
    const fetching = source
      .list({ userId, token, refresh })
      .then(async (repos) => {
        await deps.cache.set(key, repos, deps.cacheTtlSeconds);
        return repos;
      })
      .finally(() => inFlight.delete(key));
    inFlight.set(key, fetching);
    return fetching;
  }

  /** The host's source and the user's readable token for it, or the problem that stops using them. */
  function usable(provider: Provider, stored: HostToken | undefined) {
    const source = deps.sources[provider];
    if (!source || !stored) {
      throw problems.providerAuth(provider, `No ${provider === 'github' ? 'GitHub' : 'GitVerse'} account is linked.`);
    }
    if (stored.status === 'undecryptable') throw problems.sessionExpired();
    return { source, stored };
  }

  /** The hosts a listing covers, each with the user's stored token (read once). */
  async function hostTokens(userId: number, only?: Provider): Promise<Array<[Provider, HostToken | undefined]>> {
    if (only) return [[only, await deps.store.tokens.get(userId, only)]];
    const tokens = (await deps.store.tokens.list(userId)).filter((t) => deps.sources[t.provider]);
    return tokens.length ? tokens.map((t) => [t.provider, t]) : [['github', undefined]];
  }

  /** A host's repositories, annotated with this user's connections and their kinds. */
  async function annotatedHost(userId: number, provider: Provider, token: HostToken | undefined, refresh: boolean): Promise<HostResult> {
    const { source, stored } = usable(provider, token);
    const repos = await hostRepositories(userId, source, stored.token, refresh);
    const [installed, kinds] = await Promise.all([
      deps.store.installations.activeByRepo(userId, provider, repos.map((r) => r.id)),
      source.kinds ? source.kinds({ token: stored.token, repos }) : Promise.resolve(new Map()),
    ]);
    const annotated = repos.map((repo): Repository => {
      const installationId = installed.get(repo.id) ?? null;
      const kind = kinds.get(repo.id) ?? NOT_DETECTED;
      return {
        ...repo,
        is_connected: installationId !== null,
        installation_id: installationId,
        kind: kind.kind,
        reason: kind.reason,
        kind_pending: kind.pending,
      };
    });
    return { provider, repos: annotated, login: stored.login };
  }

  return {
    async list(userId: number, query: ListQuery): Promise<RepositoryList> {
      const hosts = await hostTokens(userId, query.provider);
      const settled = await Promise.all(
        hosts.map(([p, token]) =>
          annotatedHost(userId, p, token, query.refresh ?? false).catch((error: unknown): HostResult => {
            if (error instanceof ApiProblem) return { provider: p, repos: [], login: null, problem: error };
            throw error;
          }),
        ),
      );
      // One host failing while another answered is a knowingly partial answer; every host failing is the answer's problem.
      const failed = settled.filter((h) => h.problem);
      if (failed.length === settled.length && failed[0]?.problem) throw failed[0].problem;
      const sessionExpired = failed.find((h) => h.problem?.code === 'SESSION_EXPIRED');
      if (sessionExpired?.problem) throw sessionExpired.problem;

      const logins = new Map(settled.map((h) => [h.provider, h.login]));
      const all = settled.flatMap((h) => h.repos);
      const matching = sortRepositories(filterRepositories(all, query, (p) => logins.get(p) ?? null), query);
      const page = query.page ?? 1;
      const perPage = query.per_page ?? 30;
      return {
        repositories: matching.slice((page - 1) * perPage, page * perPage),
        total: matching.length,
        page,
        per_page: perPage,
        providers: settled.map((h) => ({
          provider: h.provider,
          status: h.problem ? 'failed' : 'ok',
          problem: h.problem ? deps.toProblem(h.problem) : null,
        })),
      };
    },

    /** Drops the user's cached listing of a host (after its token changed or was unlinked). */
    async forget(userId: number, provider: Provider): Promise<void> {
      await deps.cache.del(cacheKey(userId, provider));
    },

    /** Whether the repository is visible to the user on that host; asks the host again before saying no. */
    async findRepository(userId: number, provider: Provider, repoId: number): Promise<HostRepository | undefined> {
      const { source, stored } = usable(provider, await deps.store.tokens.get(userId, provider));
      const cached = await hostRepositories(userId, source, stored.token, false);
      const hit = cached.find((r) => r.id === repoId);
      if (hit) return hit;
      const fresh = await hostRepositories(userId, source, stored.token, true);
      return fresh.find((r) => r.id === repoId);
    },
  };
}

export type ListingService = ReturnType<typeof createListingService>;
