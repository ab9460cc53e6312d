import type { Provider } from '../contract/problem.ts';
import type { Repository } from '../contract/types.ts';

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

/** One git host as the listing sees it. */
export interface RepositorySource {
  provider: Provider;
  /** Every repository the token can reach; throws an `ApiProblem` on any failure, never returns a partial list. */
  list(input: { userId: number; token: string; refresh: boolean }): Promise<HostRepository[]>;
  /** Kind and origin hints for these repositories; never throws (failures come back as `unknown` with the reason). */
  kinds?(input: { token: string; repos: HostRepository[] }): Promise<Map<number, KindAnnotation>>;
}
