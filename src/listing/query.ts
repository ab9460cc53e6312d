import { createHash } from 'node:crypto';
import type { QueryOf, Repository, Schemas } from '../contract/types.ts';
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

type Facets = Schemas['RepositoryFacets'];

/** The filters that have a facet, one bit each: a repository's failures among them, as a mask. */
const OWNER = 1;
const KIND = 2;
const ORIGIN = 4;
const PROVIDER = 8;
const VISIBILITY = 16;
/** A repository that fails a filter without a facet counts nowhere. */
const OUT = 32;

/**
 * The query's filters as one test of a repository and its annotation: 0 when it matches them all,
 * otherwise a mask of the faceted filters it fails (`OUT` when it fails one without a facet).
 */
function filterMask(
  query: ListQuery,
  loginOf: (provider: Repository['provider']) => string | null,
): (repo: Listed, installationId: number | null, analysis: Analysis) => number {
  const text = query.q?.toLowerCase();
  const visibility = query.visibility ?? 'all';
  const affiliations = query.affiliation ? new Set(query.affiliation) : undefined;
  const owners = query.owner ? new Set(query.owner.map((o) => o.toLowerCase())) : undefined;
  return (r, installationId, analysis) => {
    if (query.connected !== undefined && (installationId !== null) !== query.connected) return OUT;
    if (affiliations && !affiliations.has(affiliationOf(r, loginOf(r.provider)))) return OUT;
    if (text && !r.full_name.toLowerCase().includes(text) && !(r.description ?? '').toLowerCase().includes(text)) return OUT;
    let mask = 0;
    if (owners && !owners.has(r.owner.login.toLowerCase())) mask |= OWNER;
    if (query.kind && analysis.kind !== query.kind) mask |= KIND;
    if (query.origin && !originMatches(query.origin, analysis)) mask |= ORIGIN;
    if (query.provider && r.provider !== query.provider) mask |= PROVIDER;
    if ((visibility === 'public' && r.private) || (visibility === 'private' && !r.private)) mask |= VISIBILITY;
    return mask;
  };
}

/** The query's filters as one test of a repository and its annotation. */
export function repositoryFilter(
  query: ListQuery,
  loginOf: (provider: Repository['provider']) => string | null,
): (repo: Listed, installationId: number | null, analysis: Analysis) => boolean {
  const mask = filterMask(query, loginOf);
  return (r, installationId, analysis) => mask(r, installationId, analysis) === 0;
}

/** `origin`'s facet value of an analysis: its builder, `none`, or nothing while its origin is not known. */
function originValue(a: Analysis): string | undefined {
  if (a.origin !== null) return a.origin;
  return originMatches('none', a) ? 'none' : undefined;
}

const bump = (counts: Map<string, number>, value: string) => counts.set(value, (counts.get(value) ?? 0) + 1);

/** Most first, ties by value; the selected value is listed even at zero. */
function ranked(counts: Map<string, number>, selected?: string): Schemas['FacetCount'][] {
  if (selected !== undefined && !counts.has(selected)) counts.set(selected, 0);
  return [...counts]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .map(([value, count]) => ({ value, count }));
}

type OwnerOf = Listed['owner'] & { avatar_url?: string | null };

/**
 * The listing's filters over every repository, in one pass: which repositories match them all, and the
 * facets. Each facet counts the repositories that match every other filter of the query but not its
 * own, the way search pages count: a repository that fails only the kind filter still counts under its
 * kind. `annotation` gives a repository's connection and analysis.
 */
export function filterAndCount<R extends Listed>(
  repos: readonly R[],
  query: ListQuery,
  loginOf: (provider: Repository['provider']) => string | null,
  annotation: (repo: R) => { installationId: number | null; kind: Analysis },
): { matched: number[]; facets: Facets } {
  const test = filterMask(query, loginOf);
  const matched: number[] = [];
  const owners = new Map<string, { owner: OwnerOf; provider: Repository['provider']; count: number }>();
  const kinds = new Map<string, number>();
  const origins = new Map<string, number>();
  const providers = new Map<string, number>();
  const visibilities = new Map<string, number>();
  for (let index = 0; index < repos.length; index++) {
    const repo = repos[index]!;
    const { installationId, kind } = annotation(repo);
    const mask = test(repo, installationId, kind);
    // Counted under a facet when it fails no filter but that facet's own.
    if (mask !== 0 && (mask & (mask - 1)) !== 0) continue;
    if (mask === 0) matched.push(index);
    if ((mask | OWNER) === OWNER) {
      const key = `${repo.provider}/${repo.owner.login.toLowerCase()}`;
      const kept = owners.get(key);
      if (kept) kept.count++;
      else owners.set(key, { owner: repo.owner, provider: repo.provider, count: 1 });
    }
    if ((mask | KIND) === KIND) bump(kinds, kind.kind);
    if ((mask | ORIGIN) === ORIGIN) {
      const value = originValue(kind);
      if (value !== undefined) bump(origins, value);
    }
    if ((mask | PROVIDER) === PROVIDER) bump(providers, repo.provider);
    if ((mask | VISIBILITY) === VISIBILITY) bump(visibilities, repo.private ? 'private' : 'public');
  }
  const visibility = query.visibility && query.visibility !== 'all' ? query.visibility : undefined;
  const origin = query.origin && query.origin !== 'any' ? query.origin : undefined;
  return {
    matched,
    facets: {
      owner: [...owners.values()]
        .sort((a, b) => b.count - a.count || (a.owner.login.toLowerCase() < b.owner.login.toLowerCase() ? -1 : 1) || (a.provider < b.provider ? -1 : 1))
        .map(({ owner, provider, count }) => ({ provider, login: owner.login, type: owner.type, avatar_url: owner.avatar_url ?? null, count })),
      kind: ranked(kinds, query.kind),
      origin: ranked(origins, origin),
      provider: ranked(providers, query.provider),
      visibility: ranked(visibilities, visibility),
    },
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
