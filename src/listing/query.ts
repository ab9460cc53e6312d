import { createHash } from 'node:crypto';
import type { QueryOf, Repository } from '../http/types.ts';

export type ListQuery = QueryOf<'listRepositories'>;
type Affiliation = NonNullable<ListQuery['affiliation']>[number];

/** How a repository relates to the user; GitHub's listing does not say, so it is derived from the owner. */
export function affiliationOf(repo: Pick<Repository, 'owner'>, userLogin: string | null): Affiliation {
  if (userLogin && repo.owner.login.toLowerCase() === userLogin.toLowerCase()) return 'owner';
  return repo.owner.type === 'Organization' ? 'organization_member' : 'collaborator';
}

export function filterRepositories(
  repos: Repository[],
  query: ListQuery,
  loginOf: (provider: Repository['provider']) => string | null,
): Repository[] {
  const text = query.q?.toLowerCase();
  const visibility = query.visibility ?? 'all';
  const affiliations = query.affiliation ? new Set(query.affiliation) : undefined;
  return repos.filter((r) => {
    if (query.provider && r.provider !== query.provider) return false;
    if (query.kind && r.kind !== query.kind) return false;
    if (query.connected !== undefined && r.is_connected !== query.connected) return false;
    if (visibility === 'public' && r.private) return false;
    if (visibility === 'private' && !r.private) return false;
    if (affiliations && !affiliations.has(affiliationOf(r, loginOf(r.provider)))) return false;
    if (text && !r.full_name.toLowerCase().includes(text) && !(r.description ?? '').toLowerCase().includes(text)) {
      return false;
    }
    return true;
  });
}

const time = (value: string | null): number => (value ? Date.parse(value) : Number.NEGATIVE_INFINITY);

export function sortRepositories(repos: Repository[], query: ListQuery): Repository[] {
  const sort = query.sort ?? 'updated';
  const direction = query.direction ?? (sort === 'full_name' ? 'asc' : 'desc');
  const sign = direction === 'asc' ? 1 : -1;
  const key: (r: Repository) => number | string =
    sort === 'full_name'
      ? (r) => r.full_name.toLowerCase()
      : sort === 'created'
        ? (r) => time(r.created_at)
        : sort === 'pushed'
          ? (r) => time(r.pushed_at)
          : (r) => time(r.updated_at);
  return [...repos].sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    if (ka < kb) return -sign;
    if (ka > kb) return sign;
    // A total order keeps pages stable between requests.
    if (a.provider !== b.provider) return a.provider < b.provider ? -1 : 1;
    return a.id - b.id;
  });
}

/** RFC 8288 links to the other pages, every other parameter kept as the client sent it. */
export function pageLinks(basePath: string, rawQuery: URLSearchParams, page: number, perPage: number, total: number): string | undefined {
  const last = Math.max(1, Math.ceil(total / perPage));
  const url = (p: number) => {
    const params = new URLSearchParams(rawQuery);
    params.set('page', String(p));
    params.set('per_page', String(perPage));
    return `<${basePath}?${params.toString()}>`;
  };
  const links: string[] = [];
  if (page > 1) links.push(`${url(1)}; rel="first"`, `${url(Math.min(page - 1, last))}; rel="prev"`);
  if (page < last) links.push(`${url(page + 1)}; rel="next"`, `${url(last)}; rel="last"`);
  return links.length ? links.join(', ') : undefined;
}

export function weakEtag(body: unknown): string {
  return `W/"${createHash('sha256').update(JSON.stringify(body)).digest('base64url').slice(0, 32)}"`;
}

/** RFC 9110 weak comparison against an `If-None-Match` list. */
export function etagMatches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  const bare = (t: string) => t.trim().replace(/^W\//, '');
  return ifNoneMatch.split(',').some((t) => t.trim() === '*' || bare(t) === bare(etag));
}
