import type { Provider } from '../contract/problem.ts';
import type { Repository, Schemas } from '../contract/types.ts';

/** A repository as a git host describes it, before we add connection state, kind and origin. */
export type HostRepository = Omit<Repository, 'is_connected' | 'installation_id' | 'kind' | 'reason' | 'kind_pending' | 'origin' | 'origin_reason'>;

/** What the analysis of a repository's files says: its kind and origin, or that it is still running. */
export interface KindAnnotation {
  kind: Repository['kind'];
  reason: string;
  origin: Repository['origin'];
  origin_reason: Repository['origin_reason'];
  pending: boolean;
}

/** A repository whose files are read for its kind and origin. */
export interface RepoRef {
  id: number;
  owner: string;
  name: string;
}

/** Why some of a host's repositories may be missing from its list, and what fixes it. */
export type MissingHint = Schemas['MissingHint'];

/** A host's whole list, and what its checks found the list may be missing. */
export interface HostListing {
  repos: HostRepository[];
  /** From the checks run with the list (a few requests, never failing it); empty when nothing is known to be missing. */
  hints: MissingHint[];
}

/** A repository URL as a user pastes it, read by the host it names. */
export interface RepositoryAddress {
  /** The namespace: a user or organisation, or a group path with its subgroups (`acme/platform`). */
  owner: string;
  name: string;
  /** For a host with several instances, the one the URL is on (its web host). */
  instance?: string;
}

/**
 * A stored host token as the host is called with it: the token, and the host's instance it is for.
 * `instance` is data the host gave when the token was linked (a host with several instances, such as
 * self-managed ones, names the one the token came from); null or absent for a host's only (or main)
 * instance, and for every token of a host with one instance. No host reads anything out of the token text itself.
 */
export interface HostCredential {
  token: string;
  instance?: string | null | undefined;
}

/** One git host as the listing sees it. */
export interface RepositorySource {
  provider: Provider;
  /** Every repository the token can reach; throws an `ApiProblem` on any failure, never returns a partial list. */
  list(input: HostCredential & { userId: number; refresh: boolean }): Promise<HostListing>;
  /** What a token's scopes, as the host reported them, keep out of its list (no request). */
  tokenHints?(scopes: readonly string[]): MissingHint[];
  /** The repository a pasted URL names when it is a URL of this host (as configured); undefined otherwise. */
  parseUrl?(url: string): RepositoryAddress | undefined;
  /** The web hosts (`host` or `host:port`) its URLs are on, for saying which hosts are served. */
  webHosts?(): readonly string[];
  /** For a host with several instances, the instance (web host) a user's credential belongs to. */
  instanceOf?(credential: HostCredential): string;
  /**
   * One repository by its address, asked of the host with the user's token: undefined when the token
   * cannot see it; an `ApiProblem` (with its `hint`) when the host says why it is kept out.
   */
  lookup?(input: HostCredential & { address: RepositoryAddress }): Promise<HostRepository | undefined>;
  /** Kind and origin hints for these repositories; never throws (failures come back as `unknown` with the reason). */
  kinds?(input: HostCredential & { repos: HostRepository[] }): Promise<Map<number, KindAnnotation>>;
}
