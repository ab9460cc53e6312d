import type { Provider } from '../contract/problem.ts';
import type { Repository } from '../contract/types.ts';

/** A repository as a git host describes it, before we add connection state and kind. */
export type HostRepository = Omit<Repository, 'is_connected' | 'installation_id' | 'kind' | 'reason' | 'kind_pending'>;

export interface KindAnnotation {
  kind: Repository['kind'];
  reason: string;
  pending: boolean;
}

/** One git host as the listing sees it. */
export interface RepositorySource {
  provider: Provider;
  /** Every repository the token can reach; throws an `ApiProblem` on any failure, never returns a partial list. */
  list(input: { userId: number; token: string; refresh: boolean }): Promise<HostRepository[]>;
  /** Kind hints for these repositories; never throws (failures come back as `unknown` with the reason). */
  kinds?(input: { token: string; repos: HostRepository[] }): Promise<Map<number, KindAnnotation>>;
}
