/**
 * GitVerse's public API over Node's fetch.
 *
 * What GitVerse documents: `GET /user/repos` with `Accept: application/vnd.gitverse+json;version=1`,
 * a bearer token with `read:public_api` or `public_api`, ISO 8601 dates (sent with a `+03:00`
 * offset), and failures as `{error, message, status}`. What it does not document, and what this
 * client therefore assumes:
 *
 * - Paging. We ask `page` and `per_page=100` and follow whatever the answer says: a `Link` header
 *   (rel="next"/"last", read for its `page` number), else an `X-Total-Count` header, else nothing.
 *   With nothing, pages are read one by one until one is empty, shorter than the longest page so
 *   far, or brings no repository not seen before (a host that ignores `page`). A short first page
 *   is not trusted to be the end: GitVerse caps other lists at 50 per page whatever `per_page`
 *   asks, so one more page is read to be sure. That costs one request per listing only when
 *   GitVerse sends neither header, and is what keeps a list from being silently cut.
 * - Scopes. GitVerse may or may not report a token's scopes; we read GitHub's `x-oauth-scopes`
 *   header when it is there and report `[]` (not known) when it is not.
 * - Contents. `GET /repos/{owner}/{repo}/contents/{path}` answers like Gitea's: an array of
 *   `{name, type}` for a folder, `{type: 'file', encoding: 'base64', content}` for a file, 404 for
 *   nothing there (an empty repository included). The root is `.../contents` with no path.
 * - Conditional requests. `If-None-Match` is sent with each page's stored ETag; a host that sends no
 *   ETag simply gets unconditional requests.
 */
import parseLinkHeader from 'parse-link-header';
import type { KeyValueCache } from '../../cache/index.ts';
import { systemClock, type Clock } from '../../clock.ts';
import type { GitVerseConfig } from './config.ts';
import { ApiProblem, problems } from '../../contract/problem.ts';
import type { RepoEntry } from '../../kind/detect.ts';
import type { HostRepository } from '../types.ts';
import { failureInWords, requestSignal, retryAfterSeconds } from '../http.ts';
import { range, runBounded, tolerantPageCache, uniqueById } from '../pages.ts';

export interface GitVerseClientOptions {
  /** `https://api.gitverse.ru` by default, or the local fake. */
  apiUrl?: string;
  /** Where repository pages live, for repositories GitVerse lists without an `html_url`. */
  webUrl?: string;
  /** Deadline of each request, body included. */
  timeoutMs: number;
  /** Requests at once when the page count is known in advance (default 4). */
  concurrency?: number;
  /** A listing longer than this many pages fails rather than running on (default 1000). */
  maxPages?: number;
  /** How long a page and its ETag stay in the page cache (default one day). */
  pageCacheTtlSeconds?: number;
  /** Told when the page cache fails; the listing goes on without it. */
  onCacheError?: (error: unknown) => void;
  userAgent?: string;
  /** What a rate limit's wait is read on (default the system clock). */
  clock?: Clock;
}

export interface GitVerseUser {
  id: number;
  login: string;
  full_name: string | null;
  /** From `x-oauth-scopes` when GitVerse sends it; `[]` means "not reported", not "no scopes". */
  scopes: string[];
}

export interface GitVerseListOptions {
  /** Keeps each page's ETag and content between listings, for conditional requests. */
  pageCache: KeyValueCache;
  /** Identifies the user (and token) whose pages these are; the page number is appended. */
  cacheKey: string;
}

export interface GitVerseListing {
  repos: HostRepository[];
  stats: { requests: number; notModified: number; downloaded: number };
}

/** What a contents request found: a folder's entries, or a file's text (`null` when GitVerse sent no readable content). */
export type GitVerseContents = { type: 'dir'; entries: RepoEntry[] } | { type: 'file'; text: string | null };

export const GITVERSE_API_URL = 'https://api.gitverse.ru';
export const GITVERSE_WEB_URL = 'https://gitverse.ru';
export const GITVERSE_ACCEPT = 'application/vnd.gitverse+json;version=1';
const PER_PAGE = 100;

/** What the page cache keeps per page; the paging headers too, because a 304 need not repeat them. */
interface Page {
  etag: string | null;
  link: string | null;
  total: number | null;
  repos: HostRepository[];
}

interface Answer {
  status: number;
  headers: Headers;
  body: unknown;
}

export class GitVerseClient {
  private readonly apiUrl: string;
  private readonly webUrl: string;
  private readonly timeoutMs: number;
  private readonly concurrency: number;
  private readonly maxPages: number;
  private readonly pageCacheTtlSeconds: number;
  private readonly onCacheError: (error: unknown) => void;
  private readonly userAgent: string;
  private readonly clock: Clock;

  constructor(options: GitVerseClientOptions) {
    this.apiUrl = (options.apiUrl ?? GITVERSE_API_URL).replace(/\/+$/, '');
    this.webUrl = (options.webUrl ?? GITVERSE_WEB_URL).replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs;
    this.concurrency = Math.max(1, options.concurrency ?? 4);
    this.maxPages = options.maxPages ?? 1000;
    this.pageCacheTtlSeconds = options.pageCacheTtlSeconds ?? 86_400;
    this.onCacheError = options.onCacheError ?? (() => {});
    this.userAgent = options.userAgent ?? 'repositories-api';
    this.clock = options.clock ?? systemClock;
  }

  static fromConfig(gitverse: GitVerseConfig, extra: Pick<GitVerseClientOptions, 'onCacheError' | 'clock'> = {}): GitVerseClient {
    return new GitVerseClient({ apiUrl: gitverse.apiUrl, webUrl: gitverse.webUrl, timeoutMs: gitverse.timeoutMs, concurrency: gitverse.concurrency, ...extra });
  }

  async getUser(token: string): Promise<GitVerseUser> {
    const answer = await this.call('reading the signed-in user', '/user', token);
    const u = answer.body;
    if (!isObject(u) || !isId(u.id) || typeof u.login !== 'string' || !u.login) {
      throw this.malformed('reading the signed-in user', 'the user has no id or login');
    }
    const scopes = (answer.headers.get('x-oauth-scopes') ?? '').split(/[\s,]+/).filter(Boolean);
    return { id: u.id, login: u.login, full_name: text(u.full_name) ?? text(u.name), scopes };
  }

  /** Asks for one repository: succeeds when the token may list repositories, throws the mapped problem otherwise. */
  async probeRepos(token: string): Promise<void> {
    await this.call('checking repository access', '/user/repos?page=1&per_page=1', token);
  }

  /** Every repository the token can reach. Any page failing fails the whole listing: a shorter list is never returned. */
  async listRepos(token: string, options: GitVerseListOptions): Promise<GitVerseListing> {
    const stats = { requests: 0, notModified: 0, downloaded: 0 };
    const pages = new Map<number, Page>();
    // Aborts the siblings of the first page that fails.
    const listing = new AbortController();
    const pageCache = tolerantPageCache<Page>(options.pageCache, this.pageCacheTtlSeconds, this.onCacheError);

    const fetchPage = async (page: number): Promise<void> => {
      const what = `listing repositories (page ${page})`;
      const key = `${options.cacheKey}:${page}`;
      const cached = await pageCache.get(key);
      stats.requests++;
      const answer = await this.call(what, `/user/repos?page=${page}&per_page=${PER_PAGE}`, token, {
        ...(cached?.etag ? { ifNoneMatch: cached.etag } : {}),
        cancel: listing.signal,
      });
      const link = answer.headers.get('link');
      const total = count(answer.headers.get('x-total-count'));
      if (answer.status === 304) {
        if (!cached) throw problems.upstreamUnavailable('gitverse', `GitVerse answered 304 to an unconditional request while ${what}.`);
        stats.notModified++;
        pages.set(page, { ...cached, link: link ?? cached.link, total: total ?? cached.total });
        return;
      }
      stats.downloaded++;
      if (!Array.isArray(answer.body)) throw this.malformed(what, 'the repository list is not a JSON array');
      const repos = answer.body.map((raw) => this.toHostRepository(raw, what));
      const entry: Page = { etag: answer.headers.get('etag'), link, total, repos };
      pages.set(page, entry);
      if (entry.etag) await pageCache.set(key, entry);
    };

    let from = 1;
    let to = 1;
    for (;;) {
      await runBounded(range(from, to), this.concurrency, fetchPage, listing);
      const next = this.lastPageToRead(to, pages);
      if (next === undefined) break;
      if (next > this.maxPages) {
        throw problems.upstreamUnavailable('gitverse', `The GitVerse repository list is longer than ${this.maxPages} pages.`);
      }
      from = to + 1;
      to = next;
    }

    return { repos: uniqueById(range(1, to).map((page) => pages.get(page)?.repos ?? [])), stats };
  }

  /**
   * One path of a repository's default branch (`''` is the root). `null` when nothing is there,
   * which is also how GitVerse answers for the root of an empty repository.
   */
  async getContents(token: string, owner: string, repo: string, path: string): Promise<GitVerseContents | null> {
    const segments = path.split('/').filter(Boolean).map(encodeURIComponent);
    const url = `/repos/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}/contents${segments.length ? `/${segments.join('/')}` : ''}`;
    const what = `reading ${owner}/${repo}/${path}`;
    const answer = await this.call(what, url, token, { notFoundIsNull: true });
    if (answer.status === 404) return null;
    const body = answer.body;
    if (Array.isArray(body)) {
      const entries = body.filter(isObject).flatMap((e): RepoEntry[] =>
        // Submodules are folders from where we stand; symlinks are read as files.
        typeof e.name === 'string' ? [{ name: e.name, type: e.type === 'dir' || e.type === 'submodule' ? 'dir' : 'file' }] : [],
      );
      return { type: 'dir', entries };
    }
    if (!isObject(body)) throw this.malformed(what, 'the contents are neither a list nor an object');
    const content = body.encoding === 'base64' && typeof body.content === 'string' ? Buffer.from(body.content, 'base64').toString('utf8') : null;
    return { type: 'file', text: content };
  }

  /**
   * After reading up to page `read`: the last page still to read, or undefined when the list is
   * complete. Paging headers of the last page read decide; see the module comment for the fallback.
   */
  private lastPageToRead(read: number, pages: Map<number, Page>): number | undefined {
    const page = pages.get(read) as Page;
    const links = parseLinkHeader(page.link);
    if (links) {
      if (!links.next) return undefined;
      const last = Number(links.last?.page ?? links.next.page);
      if (!Number.isInteger(last) || last <= read) {
        throw problems.upstreamUnavailable('gitverse', `GitVerse's paging links are inconsistent after page ${read}.`);
      }
      return last;
    }
    // The host's page size: the longest page seen (GitVerse may hand out fewer than `per_page`).
    const earlier = range(1, read - 1).map((p) => pages.get(p)?.repos.length ?? 0);
    const pageSize = Math.max(page.repos.length, ...earlier);
    if (page.total !== null) {
      if (page.total === 0) return undefined;
      if (pageSize === 0) throw problems.upstreamUnavailable('gitverse', `GitVerse reported ${page.total} repositories but sent none.`);
      const last = Math.ceil(page.total / pageSize);
      return last > read ? last : undefined;
    }
    if (page.repos.length === 0) return undefined;
    if (read === 1) return 2;
    if (page.repos.length < Math.max(...earlier)) return undefined;
    const before = new Set(range(1, read - 1).flatMap((p) => pages.get(p)?.repos.map((r) => r.id) ?? []));
    return page.repos.some((r) => !before.has(r.id)) ? read + 1 : undefined;
  }

  /** Maps one element of `GET /user/repos`; throws when the identity fields are missing. */
  private toHostRepository(raw: unknown, what: string): HostRepository {
    if (!isObject(raw) || !isId(raw.id) || typeof raw.name !== 'string' || !raw.name) {
      throw this.malformed(what, 'a repository without id or name');
    }
    const owner = raw.owner;
    if (!isObject(owner) || !isCount(owner.id) || typeof owner.login !== 'string' || !owner.login) {
      throw this.malformed(what, `repository ${raw.id} without an owner`);
    }
    const fullName = typeof raw.full_name === 'string' && raw.full_name.includes('/') ? raw.full_name : `${owner.login}/${raw.name}`;
    const pushed = utc(raw.pushed_at);
    const updated = utc(raw.updated_at);
    const p = raw.permissions;
    return {
      provider: 'gitverse',
      id: raw.id,
      name: raw.name,
      full_name: fullName,
      owner: {
        id: owner.id,
        login: owner.login,
        full_name: text(owner.full_name),
        type: typeof owner.type === 'string' && /^org/i.test(owner.type) ? 'Organization' : 'User',
        avatar_url: text(owner.avatar_url),
      },
      description: text(raw.description),
      private: raw.private === true,
      // GitVerse says public or private only.
      visibility: raw.private === true ? 'private' : 'public',
      fork: raw.fork === true,
      archived: raw.archived === true,
      html_url: webPage(raw.html_url) ?? `${this.webUrl}/${fullName.split('/').map(encodeURIComponent).join('/')}`,
      language: text(raw.language),
      size: isCount(raw.size) ? raw.size : 0,
      stargazers_count: isCount(raw.stargazers_count) ? raw.stargazers_count : isCount(raw.stars_count) ? raw.stars_count : 0,
      watchers_count: isCount(raw.watchers_count) ? raw.watchers_count : isCount(raw.watchers) ? raw.watchers : 0,
      default_branch: text(raw.default_branch),
      created_at: utc(raw.created_at),
      updated_at: updated,
      pushed_at: pushed,
      permissions: isObject(p) ? { admin: p.admin === true, push: p.push === true, pull: p.pull !== false } : null,
    };
  }

  /**
   * One GET with its own deadline, body included. Every failure leaves as an ApiProblem; 304 is
   * returned, and 404 too when the caller treats it as "nothing there".
   */
  private async call(
    what: string,
    path: string,
    token: string,
    options: { ifNoneMatch?: string; cancel?: AbortSignal; notFoundIsNull?: boolean } = {},
  ): Promise<Answer> {
    const { deadline, signal } = requestSignal(this.timeoutMs, options.cancel);
    let status: number;
    let headers: Headers;
    let raw: string;
    try {
      const response = await fetch(`${this.apiUrl}${path}`, {
        headers: {
          authorization: `Bearer ${token}`,
          accept: GITVERSE_ACCEPT,
          'user-agent': this.userAgent,
          ...(options.ifNoneMatch ? { 'if-none-match': options.ifNoneMatch } : {}),
        },
        signal,
      });
      status = response.status;
      headers = response.headers;
      raw = await response.text();
    } catch (error) {
      if (deadline.aborted) {
        throw problems.upstreamTimeout('gitverse', `GitVerse did not answer within ${this.timeoutMs} ms while ${what}.`);
      }
      throw problems.upstreamUnavailable('gitverse', `GitVerse ${failureInWords(error)} while ${what}.`, error);
    }
    if (status === 304 || (status === 404 && options.notFoundIsNull)) return { status, headers, body: undefined };
    if (status < 200 || status > 299) throw problemForStatus(status, headers, raw, what, this.clock.now());
    try {
      return { status, headers, body: JSON.parse(raw) };
    } catch {
      throw this.malformed(what, 'the answer is not JSON');
    }
  }

  private malformed(what: string, why: string): ApiProblem {
    return problems.upstreamUnavailable('gitverse', `GitVerse sent an invalid answer while ${what}: ${why}.`);
  }
}

/** GitVerse's error object `{error, message, status}` turned into ours. */
function problemForStatus(status: number, headers: Headers, raw: string, what: string, now: number): ApiProblem {
  const said = errorMessage(raw);
  const because = said ? `: ${said}` : '';
  if (status === 401) return problems.providerAuth('gitverse', `GitVerse rejected the token${because}. Link GitVerse again with a valid token.`);
  if (status === 403) return problems.providerAuth('gitverse', `GitVerse refused access${because}. Link GitVerse again with a token that has the read:public_api scope.`);
  if (status === 429) {
    const wait = retryAfterSeconds(headers.get('retry-after'), now) ?? 60;
    return problems.rateLimited(Math.min(wait, 86_400), 'GitVerse asks us to slow down (rate limit).', 'gitverse');
  }
  // We only send what GitVerse documents, so its 400 says the host changed or broke, not that our caller erred.
  if (status === 400) return problems.upstreamUnavailable('gitverse', `GitVerse refused our request as invalid${because} while ${what}.`);
  return problems.upstreamUnavailable('gitverse', `GitVerse answered ${status}${because} while ${what}.`);
}

function errorMessage(raw: string): string | undefined {
  try {
    const body: unknown = JSON.parse(raw);
    if (isObject(body)) {
      const message = text(body.message) ?? text(body.error);
      return message ? message.slice(0, 300).replace(/[.\s]+$/, '') : undefined;
    }
  } catch {
    // Proxies answer 502/503 with HTML; the status says enough.
  }
  return undefined;
}

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * GitVerse's `2025-04-28T13:46:42+03:00` as `2025-04-28T10:46:42Z`: one zone and one shape (whole
 * seconds, like GitHub's) so that dates from both hosts also sort correctly as strings. A time
 * without an offset is taken as UTC rather than as this server's local time.
 */
function utc(value: unknown): string | null {
  if (typeof value !== 'string' || !ISO_DATE_TIME.test(value)) return null;
  // A leap second (`…:60`), which `Date.parse` cannot read, is the second before it.
  const zoned = (/(?:Z|[+-]\d{2}:?\d{2})$/i.test(value) ? value : `${value}Z`).replace(/(T\d{2}:\d{2}):60/i, '$1:59');
  const ms = Date.parse(zoned.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  if (Number.isNaN(ms)) return null;
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** An absolute http(s) URL, or undefined. */
function webPage(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:' ? value : undefined;
  } catch {
    return undefined;
  }
}

/** A non-empty string, or null: GitVerse sends `""` where GitHub sends null. */
function text(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

function count(value: string | null): number | null {
  return value !== null && /^\d+$/.test(value.trim()) ? Number(value) : null;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function isId(value: unknown): value is number {
  return isCount(value) && value >= 1;
}
