import { randomUUID } from 'node:crypto';
import { setImmediate } from 'node:timers/promises';
import type { KeyValueCache } from '../cache/index.ts';
import { LRUCache } from 'lru-cache';
import { ApiProblem, problems, type Provider } from '../contract/problem.ts';
import type { HostProblem, Repository, RepositoryList } from '../contract/types.ts';
import type { HostToken, Installation, Store } from '../store/types.ts';
import { filterAndCount, sortOf, sortOrder, weakEtag, type ListQuery } from './query.ts';
import { hostName, PROVIDERS } from '../hosts/registry.ts';
import type { HostCredential, HostRepository, KindAnnotation, MissingHint, RepositorySource } from '../hosts/types.ts';
import { urlHost } from '../hosts/urls.ts';
import { compileLiteral, REPOSITORY_FIELDS, type AnnotationField } from '../hosts/fields.ts';
import type { TokenKeeper } from '../tokens/keeper.ts';
import { systemClock, type Clock } from '../clock.ts';

export interface ListingDeps {
  store: Store;
  cache: KeyValueCache;
  sources: Partial<Record<Provider, RepositorySource>>;
  /** Renews tokens that expire, before they do or when a host refuses one; without it, tokens are used as stored. */
  tokens?: TokenKeeper;
  cacheTtlSeconds: number;
  /** Builds the problem body for a host that failed while another answered. */
  toProblem: (problem: ApiProblem) => HostProblem;
  /**
   * A refresh within this many seconds of the last read of a host reuses that read (default 0: every
   * refresh reads). Bounds what one user's refreshes, and connects of unknown ids, cost the git host.
   */
  refreshMinIntervalSeconds?: number;
  /** How many users' listings this process keeps decoded (default 1,000). */
  keptListings?: number;
  /** How many bytes of answers, as sent, this process keeps for repeated queries (default 16 MiB; 0 keeps none). */
  keptAnswerBytes?: number;
  /** Told when a listing could not be stored in the cache after it was answered. */
  onCacheError?: (error: unknown) => void;
  /** What the refresh interval and the settled kinds' lifetime are measured on (default the system clock). */
  clock?: Clock;
}

/**
 * One fetch of a host's repositories. The cache holds it under the user's listing key, and its
 * stamp under a key of its own: a warm request reads only the stamp, and uses the copy this process
 * already decoded when the stamps agree. Another instance's newer fetch has another stamp.
 */
interface HostSnapshot {
  stamp: string;
  /** When the host was read (epoch ms); absent in snapshots written before it was kept. */
  fetchedAt?: number;
  repos: readonly HostRepository[];
  /** What the host's checks found the list may be missing; absent in snapshots written before they were kept. */
  hints?: readonly MissingHint[];
}

interface HostResult {
  provider: Provider;
  snapshot?: HostSnapshot;
  /** The user's active connections on this host: repository id to installation id. */
  installed: Map<number, number>;
  /** `installed` as text, for the answer's version. */
  installedTag?: string;
  kinds: Map<number, KindAnnotation>;
  /** Names these kinds while they are settled; absent while some are pending. */
  kindsTag?: number;
  login: string | null;
  /** What the stored token's scopes keep out of the list, and those scopes as text (for the answer's version). */
  tokenHints: MissingHint[];
  scopesTag: string;
  problem?: ApiProblem;
}

/** One answer as it is sent: its JSON bytes (UTF-8), their weak ETag, and what its headers need. */
export interface ListedPage {
  bytes: Buffer;
  etag: string;
  total: number;
  page: number;
  per_page: number;
}

const KINDS_KEPT_MS = 5_000;

const NOT_DETECTED: KindAnnotation = {
  kind: 'unknown',
  reason: 'Kind detection is not available for this host',
  origin: null,
  origin_reason: 'Origin detection is not available for this host',
  pending: false,
};

/** What the listing adds to each repository, as expressions over `i` (its installation id or null) and `k` (its kind). */
const ANNOTATIONS = {
  is_connected: 'i !== null',
  installation_id: 'i',
  kind: 'k.kind',
  reason: 'k.reason',
  kind_pending: 'k.pending',
  origin: 'k.origin',
  origin_reason: 'k.origin_reason',
} as const satisfies Record<AnnotationField, string>;

/**
 * The repository as the listing answers it: the declared fields of `r`, then the annotations, in one
 * object literal compiled from the field list (see `src/hosts/fields.ts`).
 */
const annotated = compileLiteral<(r: HostRepository, installationId: number | null, kind: KindAnnotation) => Repository>(
  ['r', 'i', 'k'],
  [...REPOSITORY_FIELDS.map((f) => [f, `r.${f}`] as const), ...Object.entries(ANNOTATIONS)],
);

/** The listing's parameters that shape an answer, in a fixed order: every one but `refresh`. */
const ANSWER_PARAMETERS = [
  'affiliation', 'connected', 'direction', 'kind', 'origin', 'owner', 'page', 'per_page', 'provider', 'q', 'sort', 'visibility',
] as const satisfies ReadonlyArray<keyof ListQuery>;
// Fails to compile when the spec gains a parameter that is not in the list above.
const EVERY_PARAMETER: Exclude<keyof ListQuery, (typeof ANSWER_PARAMETERS)[number] | 'refresh'> extends never ? true : never = true;
void EVERY_PARAMETER;

/** The query's parameters in a fixed order, `refresh` left out: equal keys are equal questions. */
function queryKey(query: ListQuery): string {
  let key = '';
  for (const k of ANSWER_PARAMETERS) {
    const value = query[k];
    // Array values joined by a space, which no value holds (the spec says so; a comma it allows).
    if (value !== undefined) key += `${k}=${Array.isArray(value) ? value.join(' ') : String(value)}&`;
  }
  return key;
}

/** The hint a host's failure names (a credential without the scope the list needs, say), as a hint of its entry. */
const problemHints = (problem: ApiProblem | undefined): MissingHint[] => (problem?.extras.hint ? [problem.extras.hint] : []);

export function createListingService(deps: ListingDeps) {
  const keptListings = deps.keptListings ?? 1000;
  const clock = deps.clock ?? systemClock;
  const keptAnswerBytes = deps.keptAnswerBytes ?? 16 * 1024 * 1024;
  const refreshMinIntervalMs = Math.max(0, deps.refreshMinIntervalSeconds ?? 0) * 1000;
  // The user's listing as this process last decoded it from the cache, under its stamp.
  const decoded = keptListings > 0 ? new LRUCache<string, HostSnapshot>({ max: keptListings }) : undefined;
  // When this process last asked each host for each user's listing (bounded like the decoded listings).
  const attempts = new LRUCache<string, number>({ max: Math.max(1, keptListings) });
  // Answers as sent, per user and query, each with what it was built from (see `versionOf`).
  const answers =
    keptAnswerBytes > 0
      ? new LRUCache<string, { version: string; page: ListedPage }>({ maxSize: keptAnswerBytes, sizeCalculation: (a) => a.page.bytes.length })
      : undefined;
  const listingKey = (userId: number, provider: Provider) => `listing:v2:${userId}:${provider}`;
  const stampKey = (userId: number, provider: Provider) => `listing:v2:${userId}:${provider}:stamp`;

  // The one read of a host running for a user: concurrent cold listings share it (`fetch` joins the
  // read in flight). Its snapshot stays here until it is stored in the cache, so a request in between
  // gets it from here. `forget` deletes the entry: the read then answers those who asked
  // (`ignoreFetchAbort`), but its snapshot is neither kept here nor stored.
  interface HostRead {
    userId: number;
    source: RepositorySource;
    token: string;
    /** The host's instance the token is for, as stored with it. */
    instance?: string | null | undefined;
    refresh: boolean;
  }
  const reads = new LRUCache<string, HostSnapshot, HostRead>({
    // Entries live for one read and its store; the bound is for users read at once, not kept.
    max: 10_000,
    ignoreFetchAbort: true,
    fetchMethod: async (key, _stale, { context: { userId, source, token, instance, refresh }, signal }) => {
      attempts.set(key, clock.now());
      const list = (t: string) => source.list({ userId, token: t, instance, refresh });
      const { repos, hints } = await (deps.tokens ? deps.tokens.retried(userId, source.provider, token, list) : list(token));
      const snapshot: HostSnapshot = { stamp: randomUUID(), fetchedAt: clock.now(), repos, hints };
      if (!signal.aborted) void store(key, stampKey(userId, source.provider), snapshot);
      return snapshot;
    },
  });

  // Stored after the answers that wait for it have gone (serialising a long listing takes milliseconds).
  async function store(key: string, stamp: string, snapshot: HostSnapshot): Promise<void> {
    const current = () => reads.peek(key) === snapshot;
    try {
      await setImmediate();
      if (!current()) return;
      // The listing before its stamp: a reader that sees the stamp finds the listing.
      await deps.cache.set(key, snapshot, deps.cacheTtlSeconds);
      await deps.cache.set(stamp, snapshot.stamp, deps.cacheTtlSeconds);
      // Forgotten while it was being stored: what `forget` deleted must stay deleted.
      if (!current()) await deps.cache.del([stamp, key]);
      else decoded?.set(key, snapshot);
    } catch (error) {
      // Not kept: the next request reads the host again, and meets the cache's failure itself.
      deps.onCacheError?.(error);
    } finally {
      if (current()) reads.delete(key);
    }
  }

  async function cachedSnapshot(userId: number, provider: Provider): Promise<HostSnapshot | undefined> {
    const stamp = await deps.cache.get<string>(stampKey(userId, provider));
    if (!stamp) return undefined;
    const key = listingKey(userId, provider);
    const local = decoded?.get(key);
    if (local?.stamp === stamp) return local;
    const stored = await deps.cache.get<HostSnapshot>(key);
    if (stored?.stamp !== stamp) return undefined;
    decoded?.set(key, stored);
    return stored;
  }

  async function hostSnapshot(userId: number, source: RepositorySource, { token, instance }: HostCredential, refresh: boolean): Promise<HostSnapshot> {
    const key = listingKey(userId, source.provider);
    const cached = await cachedSnapshot(userId, source.provider);
    // The last read counts whether it succeeded or not: refreshes against a failing host are bounded too.
    const lastRead = Math.max(cached?.fetchedAt ?? 0, attempts.get(key) ?? 0);
    if (cached && (!refresh || clock.now() - lastRead < refreshMinIntervalMs)) return cached;
    return (await reads.fetch(key, { context: { userId, source, token, instance, refresh } }))!;
  }

  // A snapshot's kinds once none is pending: a detection for a repository's push never changes.
  // They are asked again after a few seconds all the same, so a failed detection is retried on time.
  const settledKinds = new WeakMap<HostSnapshot, { kinds: Map<number, KindAnnotation>; tag: number; until: number }>();
  let lastKindsTag = 0;
  async function kindsOf(snapshot: HostSnapshot, source: RepositorySource, { token, instance }: HostCredential): Promise<Pick<HostResult, 'kinds' | 'kindsTag'>> {
    if (!source.kinds) return { kinds: new Map(), kindsTag: 0 };
    const kept = settledKinds.get(snapshot);
    if (kept && kept.until > clock.now()) return { kinds: kept.kinds, kindsTag: kept.tag };
    const kinds = await source.kinds({ token, instance, repos: snapshot.repos as HostRepository[] });
    if ([...kinds.values()].some((k) => k.pending)) return { kinds };
    const settled = { kinds, tag: ++lastKindsTag, until: clock.now() + KINDS_KEPT_MS };
    settledKinds.set(snapshot, settled);
    return { kinds, kindsTag: settled.tag };
  }

  // The user's connections on a host by repository, and as a part of an answer's version: worked
  // out once per list the store hands out (it hands out the same list until the connections change).
  const installedByList = new WeakMap<readonly Installation[], Pick<HostResult, 'installed' | 'installedTag'>>();
  function installedOf(connections: readonly Installation[]): Pick<HostResult, 'installed' | 'installedTag'> {
    let kept = installedByList.get(connections);
    if (!kept) {
      const installed = new Map(connections.map((c) => [c.repo_id, c.id]));
      kept = { installed, installedTag: [...installed].join(',') };
      installedByList.set(connections, kept);
    }
    return kept;
  }

  /** The host's source and the user's readable token for it, or the problem that stops using them. */
  function usable(provider: Provider, stored: HostToken | undefined) {
    const source = deps.sources[provider];
    if (!source || !stored) {
      throw problems.providerAuth(provider, `No ${hostName(provider)} account is linked.`);
    }
    if (stored.status === 'undecryptable') throw problems.sessionExpired();
    return { source, stored };
  }

  /** The token to call the host with, and its instance: renewed first when it is about to expire. */
  const tokenOf = (userId: number, provider: Provider, stored: Extract<HostToken, { status: 'ok' }>): HostCredential | Promise<HostCredential> =>
    deps.tokens
      ? deps.tokens.usable(userId, provider, stored).then((token) => ({ token, instance: stored.instance }))
      : { token: stored.token, instance: stored.instance };

  /** The hosts a listing covers, each with the user's stored token (read once). */
  async function hostTokens(userId: number, only?: Provider): Promise<Array<[Provider, HostToken | undefined]>> {
    if (only) return [[only, await deps.store.tokens.get(userId, only)]];
    const tokens = (await deps.store.tokens.list(userId)).filter((t) => deps.sources[t.provider]);
    // With no host linked, the answer says the registry's first host (the one most users sign in with) is not.
    return tokens.length ? tokens.map((t) => [t.provider, t]) : [[PROVIDERS[0]!, undefined]];
  }

  /** What a stored token's scopes keep out of its host's list. */
  function tokenHintsOf(provider: Provider, token: HostToken | undefined): Pick<HostResult, 'tokenHints' | 'scopesTag'> {
    if (!token || token.status === 'undecryptable') return { tokenHints: [], scopesTag: '' };
    return { tokenHints: deps.sources[provider]?.tokenHints?.(token.scopes) ?? [], scopesTag: token.scopes.join(',') };
  }

  /** A host's repositories, with this user's connections and their kinds beside them. */
  async function host(userId: number, provider: Provider, token: HostToken | undefined, refresh: boolean): Promise<HostResult> {
    const { source, stored } = usable(provider, token);
    const hostToken = await tokenOf(userId, provider, stored);
    // The connections are read while the host is: they do not depend on its answer.
    const [snapshot, connections] = await Promise.all([
      hostSnapshot(userId, source, hostToken, refresh),
      deps.store.installations.listActive(userId, provider),
    ]);
    const kinds = await kindsOf(snapshot, source, hostToken);
    return { provider, snapshot, ...installedOf(connections), ...kinds, login: stored.login, ...tokenHintsOf(provider, stored) };
  }

  /** Every host the listing covers, each answered or with the problem that stopped it. */
  async function hosts(userId: number, query: ListQuery): Promise<HostResult[]> {
    const settled = await Promise.all(
      (await hostTokens(userId, query.provider)).map(([p, token]) =>
        host(userId, p, token, query.refresh ?? false).catch((error: unknown): HostResult => {
          if (error instanceof ApiProblem) return { provider: p, installed: new Map(), kinds: new Map(), login: null, ...tokenHintsOf(p, token), problem: error };
          throw error;
        }),
      ),
    );
    // One host failing while another answered is a knowingly partial answer; every host failing is the answer's problem.
    const failed = settled.filter((h) => h.problem);
    if (failed.length === settled.length && failed[0]?.problem) throw failed[0].problem;
    const sessionExpired = failed.find((h) => h.problem?.code === 'SESSION_EXPIRED');
    if (sessionExpired?.problem) throw sessionExpired.problem;
    return settled;
  }

  /**
   * What an answer is built from, as a string: each host's snapshot, the user's connections there,
   * their login and the settled kinds. Undefined when the answer is not to be kept: a host failed
   * (the next request asks it again) or some kinds are still pending.
   */
  function versionOf(settled: HostResult[]): string | undefined {
    const parts: string[] = [];
    for (const h of settled) {
      if (!h.snapshot || h.kindsTag === undefined) return undefined;
      parts.push(h.provider, h.snapshot.stamp, String(h.kindsTag), h.login ?? '', h.installedTag ?? '', h.scopesTag);
    }
    return parts.join(' ');
  }

  /** The page the query asks for, filtered and sorted over every host that answered. */
  function build(settled: HostResult[], query: ListQuery): RepositoryList {
    const answered = settled.filter((h): h is HostResult & { snapshot: HostSnapshot } => h.snapshot !== undefined);
    const byProvider = new Map(answered.map((h) => [h.provider, h]));
    const repos = answered.length === 1 ? answered[0]!.snapshot.repos : answered.flatMap((h) => h.snapshot.repos);
    const { sort, direction } = sortOf(query);
    const page = query.page ?? 1;
    const perPage = query.per_page ?? 30;
    const first = (page - 1) * perPage;

    // Every match counted (with the facets, in the same pass), and only those up to the page's last put in order.
    const annotation = (repo: HostRepository) => {
      const h = byProvider.get(repo.provider)!;
      return { installationId: h.installed.get(repo.id) ?? null, kind: h.kinds.get(repo.id) ?? NOT_DETECTED };
    };
    const { matched, facets } = filterAndCount(repos, query, (p) => byProvider.get(p)?.login ?? null, annotation);
    const onPage: Repository[] = [];
    for (const index of sortOrder(repos, sort, direction, matched, first + perPage).slice(first)) {
      const repo = repos[index]!;
      const { installationId, kind } = annotation(repo);
      onPage.push(annotated(repo, installationId, kind));
    }
    return {
      repositories: onPage,
      total: matched.length,
      page,
      per_page: perPage,
      facets,
      providers: settled.map((h) => ({
        provider: h.provider,
        status: h.problem ? 'failed' : 'ok',
        problem: h.problem ? deps.toProblem(h.problem) : null,
        hints: [...(h.snapshot?.hints ?? []), ...problemHints(h.problem), ...h.tokenHints],
      })),
    };
  }

  return {
    /** The listing the query asks for, as an object. */
    async list(userId: number, query: ListQuery): Promise<RepositoryList> {
      return build(await hosts(userId, query), query);
    },

    /**
     * The same listing serialised, with its ETag. An answer built from the same snapshots,
     * connections and kinds as one already sent for this query is sent again as it was.
     */
    async page(userId: number, query: ListQuery): Promise<ListedPage> {
      const settled = await hosts(userId, query);
      const version = versionOf(settled);
      const key = `${userId} ${queryKey(query)}`;
      const kept = version === undefined ? undefined : answers?.get(key);
      if (kept && kept.version === version) return kept.page;
      const body = build(settled, query);
      const bytes = Buffer.from(JSON.stringify(body));
      const page: ListedPage = { bytes, etag: weakEtag(bytes), total: body.total, page: body.page, per_page: body.per_page };
      if (version !== undefined) answers?.set(key, { version, page });
      else answers?.delete(key);
      return page;
    },

    /**
     * Why some of the user's repositories on a host may be missing: what the checks run with the host's
     * list found (the cached list's, or a new list's), and what `scopes` keep out. Never throws: a host
     * that cannot be read says nothing here (the listing says why).
     */
    async missing(userId: number, provider: Provider, scopes: readonly string[]): Promise<MissingHint[]> {
      const source = deps.sources[provider];
      if (!source) return [];
      const fromScopes = source.tokenHints?.(scopes) ?? [];
      try {
        const { stored } = usable(provider, await deps.store.tokens.get(userId, provider));
        const snapshot = await hostSnapshot(userId, source, await tokenOf(userId, provider, stored), false);
        return [...(snapshot.hints ?? []), ...fromScopes];
      } catch (error) {
        if (error instanceof ApiProblem) return [...problemHints(error), ...fromScopes];
        throw error;
      }
    },

    /**
     * The repository a pasted URL names, as the listing shows it. The host whose URL it is reads it;
     * a URL of no host this service serves is refused without being fetched. A repository the cached
     * list holds is answered from it; otherwise the host is asked (and says why the user cannot see it).
     */
    async lookup(userId: number, url: string): Promise<Repository> {
      const sources = Object.values(deps.sources).filter((s): s is RepositorySource => s !== undefined);
      let found: { source: RepositorySource; owner: string; name: string; instance?: string } | undefined;
      for (const source of sources) {
        const address = source.parseUrl?.(url);
        if (address) {
          found = { source, ...address };
          break;
        }
      }
      if (!found) {
        const hosts = sources.flatMap((s) => s.webHosts?.() ?? []);
        const served = hosts.join(', ');
        const host = urlHost(url);
        const ours = host !== undefined && hosts.includes(host);
        const message = ours || host === undefined ? 'is not a repository URL (https://host/owner/name or git@host:owner/name.git)' : `is not on a git host this service serves (${served})`;
        const detail = ours || host === undefined ? 'The URL does not name a repository.' : `${host} is not a git host this service serves (${served}).`;
        throw problems.validation([{ path: 'query.url', message }], detail);
      }
      const { source, owner, name, instance } = found;
      const provider = source.provider;
      const stored = await deps.store.tokens.get(userId, provider);
      if (!stored) {
        throw new ApiProblem(404, 'NOT_FOUND', `The URL is a ${hostName(provider)} repository, and no ${hostName(provider)} account is linked. Link ${hostName(provider)} to look it up.`, { provider });
      }
      if (stored.status === 'undecryptable') throw problems.sessionExpired();
      const token = await tokenOf(userId, provider, stored);
      if (instance !== undefined && source.instanceOf && source.instanceOf(token) !== instance) {
        throw new ApiProblem(404, 'NOT_FOUND', `The URL is a ${hostName(provider)} repository on ${instance}, and the ${hostName(provider)} account linked is on another instance. Link ${hostName(provider)} at ${instance} to look it up.`, { provider });
      }
      const fullName = `${owner}/${name}`.toLowerCase();
      const inList = (snapshot: HostSnapshot | undefined) => snapshot?.repos.find((r) => r.full_name.toLowerCase() === fullName);
      const cached = await cachedSnapshot(userId, provider);
      let repo = inList(cached);
      if (!repo) {
        // A host that cannot read one repository looks for it in a list read now (within the refresh interval).
        repo = source.lookup
          ? await source.lookup({ ...token, address: { owner, name, ...(instance !== undefined ? { instance } : {}) } })
          : inList(await hostSnapshot(userId, source, token, true));
      }
      if (!repo) throw new ApiProblem(404, 'NOT_FOUND', `${hostName(provider)} has no repository ${owner}/${name} that this account can see.`, { provider });
      const [connections, kinds] = await Promise.all([
        deps.store.installations.listActive(userId, provider),
        source.kinds ? source.kinds({ ...token, repos: [repo] }) : Promise.resolve(new Map<number, KindAnnotation>()),
      ]);
      const installed = installedOf(connections).installed;
      return annotated(repo, installed.get(repo.id) ?? null, kinds.get(repo.id) ?? NOT_DETECTED);
    },

    /** Drops the user's cached listing of a host (after its token changed or was unlinked). */
    async forget(userId: number, provider: Provider): Promise<void> {
      const key = listingKey(userId, provider);
      reads.delete(key);
      decoded?.delete(key);
      await deps.cache.del([stampKey(userId, provider), key]);
    },

    /**
     * Whether the repository is visible to the user on that host; asks the host again before saying no,
     * unless it was read within the refresh interval (then that read is the answer).
     */
    async findRepository(userId: number, provider: Provider, repoId: number): Promise<HostRepository | undefined> {
      const { source, stored } = usable(provider, await deps.store.tokens.get(userId, provider));
      const token = await tokenOf(userId, provider, stored);
      const cached = await hostSnapshot(userId, source, token, false);
      const hit = cached.repos.find((r) => r.id === repoId);
      if (hit) return hit;
      const fresh = await hostSnapshot(userId, source, token, true);
      return fresh.repos.find((r) => r.id === repoId);
    },
  };
}

export type ListingService = ReturnType<typeof createListingService>;
