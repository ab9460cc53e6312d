import { createHash } from 'node:crypto';
import type { QueryOf, Repository } from '../contract/types.ts';
import type { KindAnnotation } from '../hosts/types.ts';
import { serialiseQuery } from '../contract/query-string.ts';

export type ListQuery = QueryOf<'listRepositories'>;
type Affiliation = NonNullable<ListQuery['affiliation']>[number];

/** How a repository relates to the user; GitHub's listing does not say, so it is derived from the owner. */
export function affiliationOf(repo: Pick<Repository, 'owner'>, userLogin: string | null): Affiliation {
  if (userLogin && repo.owner.login.toLowerCase() === userLogin.toLowerCase()) return 'owner';
  return repo.owner.type === 'Organization' ? 'organization_member' : 'collaborator';
}

type Listed = Pick<Repository, 'provider' | 'full_name' | 'description' | 'private' | 'owner'>;

type Analysis = Pick<KindAnnotation, 'kind' | 'origin' | 'origin_reason' | 'pending'>;

/**
 * `origin=<builder>`, `any` or `none`. A repository whose origin is not known (analysis pending or
 * failed: no origin, but a reason) matches none of them.
 */
export function originMatches(wanted: NonNullable<ListQuery['origin']>, a: Analysis): boolean {
  if (wanted === 'any') return a.origin !== null;
  if (wanted === 'none') return a.origin === null && a.origin_reason === null && !a.pending;
  return a.origin === wanted;
}

/** The query's filters as one test of a repository and its annotation. */
export function repositoryFilter(
  query: ListQuery,
  loginOf: (provider: Repository['provider']) => string | null,
): (repo: Listed, installationId: number | null, analysis: Analysis) => boolean {
  const text = query.q?.toLowerCase();
  const visibility = query.visibility ?? 'all';
  const affiliations = query.affiliation ? new Set(query.affiliation) : undefined;
  return (r, installationId, analysis) => {
    if (query.provider && r.provider !== query.provider) return false;
    if (query.kind && analysis.kind !== query.kind) return false;
    if (query.origin && !originMatches(query.origin, analysis)) return false;
    if (query.connected !== undefined && (installationId !== null) !== query.connected) return false;
    if (visibility === 'public' && r.private) return false;
    if (visibility === 'private' && !r.private) return false;
    if (affiliations && !affiliations.has(affiliationOf(r, loginOf(r.provider)))) return false;
    if (text && !r.full_name.toLowerCase().includes(text) && !(r.description ?? '').toLowerCase().includes(text)) {
      return false;
    }
    return true;
  };
}


type Sortable = Pick<Repository, 'provider' | 'id' | 'full_name' | 'created_at' | 'updated_at' | 'pushed_at'>;

/**
 * The positions of `repos` in the order the query asks for: by the sort key in the query's
 * direction, then by provider and id (a total order keeps pages stable between requests). A
 * repository without the date sorted by comes last in either direction. Dates arrive from the
 * host boundary written one way (`YYYY-MM-DDTHH:MM:SSZ`), so their text sorts as their time does.
 * Keys are computed once per repository, not once per comparison.
 *
 * `among` limits the positions ordered (all by default), and `limit` how many of the first are
 * wanted: a page near the start of a long list keeps only those as the list goes by, most positions
 * refused by one comparison with the last one kept, instead of sorting the whole list.
 */
export function sortOrder(
  repos: readonly Sortable[],
  sort: NonNullable<ListQuery['sort']>,
  direction: NonNullable<ListQuery['direction']>,
  among?: readonly number[],
  limit?: number,
): number[] {
  const sign = direction === 'asc' ? 1 : -1;
  const keyOf: (r: Sortable) => string | null =
    sort === 'full_name'
      ? (r) => r.full_name.toLowerCase()
      : sort === 'created'
        ? (r) => r.created_at
        : sort === 'pushed'
          ? (r) => r.pushed_at
          : (r) => r.updated_at;
  const keys = repos.map(keyOf);
  const compare = (i: number, j: number): number => {
    const ki = keys[i] as string | null;
    const kj = keys[j] as string | null;
    if (ki === null || kj === null) {
      if (ki !== kj) return ki === null ? 1 : -1;
    } else if (ki !== kj) {
      return ki < kj ? -sign : sign;
    }
    const a = repos[i]!;
    const b = repos[j]!;
    if (a.provider !== b.provider) return a.provider < b.provider ? -1 : 1;
    return a.id - b.id;
  };
  const positions = among ? [...among] : repos.map((_, i) => i);
  const wanted = Math.max(0, Math.min(limit ?? positions.length, positions.length));
  if (wanted === 0) return [];
  // Most of the list wanted: sorting it all is as cheap.
  if (wanted * 8 > positions.length) return positions.sort(compare).slice(0, wanted);
  const first: number[] = [];
  for (const i of positions) {
    if (first.length === wanted) {
      if (compare(i, first[wanted - 1]!) >= 0) continue;
      first.pop();
    }
    let lo = 0;
    let hi = first.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compare(first[mid]!, i) <= 0) lo = mid + 1;
      else hi = mid;
    }
    first.splice(lo, 0, i);
  }
  return first;
}

/** The query's sort and direction, defaults applied (newest first; names A to Z). */
export function sortOf(query: ListQuery): { sort: NonNullable<ListQuery['sort']>; direction: NonNullable<ListQuery['direction']> } {
  const sort = query.sort ?? 'updated';
  return { sort, direction: query.direction ?? (sort === 'full_name' ? 'asc' : 'desc') };
}

/** RFC 8288 links to the other pages, every other parameter kept as the client meant it. */
export function pageLinks(basePath: string, rawQuery: URLSearchParams, page: number, perPage: number, total: number): string | undefined {
  const last = Math.max(1, Math.ceil(total / perPage));
  const url = (p: number) => {
    const params = new URLSearchParams(rawQuery);
    params.set('page', String(p));
    params.set('per_page', String(perPage));
    // A space is written `%20`: a `+` means a space only to readers that follow HTML forms.
    return `<${basePath}?${serialiseQuery(params)}>`;
  };
  const links: string[] = [];
  if (page > 1) links.push(`${url(1)}; rel="first"`, `${url(Math.min(page - 1, last))}; rel="prev"`);
  if (page < last) links.push(`${url(page + 1)}; rel="next"`, `${url(last)}; rel="last"`);
  return links.length ? links.join(', ') : undefined;
}

/** A weak ETag over the serialised answer. */
export function weakEtag(bytes: string | Buffer): string {
  return `W/"${createHash('sha256').update(bytes).digest('base64url').slice(0, 32)}"`;
}

/** RFC 9110 weak comparison against an `If-None-Match` list. */
export function etagMatches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  const bare = (t: string) => t.trim().replace(/^W\//, '');
  return ifNoneMatch.split(',').some((t) => t.trim() === '*' || bare(t) === bare(etag));
}
