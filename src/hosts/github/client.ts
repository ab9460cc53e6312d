import { setImmediate } from 'node:timers/promises';
import { Octokit } from '@octokit/core';
import parseLinkHeader from 'parse-link-header';
import type { KeyValueCache } from '../../cache/index.ts';
import { systemClock, type Clock } from '../../clock.ts';
import type { GitHubConfig } from './config.ts';
import { problems, type ApiProblem } from '../../contract/problem.ts';
import { requestSignal } from '../http.ts';
import { range, runBounded, tolerantPageCache, uniqueById, type PageCache } from '../pages.ts';
import { isOctokitHttpError, toGitHubProblem } from './errors.ts';
import { decodeRepositories, encodeRepositories, type LeanRepositories } from '../lean.ts';
import { MalformedAnswer, toGitHubRepo, toGitHubRepoPage } from './repo.ts';
import type { GitHubRepo } from './repo.ts';

export interface GitHubClientOptions {
  /** `https://api.github.com`, a GitHub Enterprise `/api/v3` URL, or the local fake. */
  apiUrl: string;
  /** Deadline of each request, body included. */
  timeoutMs: number;
  userAgent?: string;
  /** Pages fetched at once after the first (default 10). */
  concurrency?: number;
  /** A listing longer than this many pages fails rather than running on (default 1000: 100,000 repositories). */
  maxPages?: number;
  /** How long a page and its ETag stay in the page cache (default one day). */
  pageCacheTtlSeconds?: number;
  /** Told when the page cache fails; the listing goes on without it. */
  onCacheError?: (error: unknown) => void;
  /** What a token's expiry and a rate limit's reset are read on (default the system clock). */
  clock?: Clock;
}

/** An organisation the user belongs to, from `GET /user/orgs`. */
export interface GitHubOrg {
  id: number;
  login: string;
  avatar_url: string | null;
}

/**
 * How an organisation's endpoint answered the token: it let us in, its OAuth App access restrictions
 * keep this app out, its SAML single sign-on wants the token authorised (at `url`), or the answer said
 * nothing either way (not found, rate limited, failed).
 */
export type OrgAccess = { kind: 'open' } | { kind: 'oauth_restricted' } | { kind: 'sso_required'; url: string | null } | { kind: 'unknown' };

/** A repository asked for by name: found, not there for this token, or kept out by its organisation. */
export type RepoAnswer = { kind: 'found'; repo: GitHubRepo } | { kind: 'not_found' } | Exclude<OrgAccess, { kind: 'open' } | { kind: 'unknown' }>;

/** GitHub's documented answer on an organisation's endpoints while its OAuth App access restrictions keep the app out. */
const OAUTH_RESTRICTED = /organization has enabled OAuth App access restrictions/i;

/** `X-GitHub-SSO: partial-results; organizations=1,2` → [1, 2]. */
export function ssoHiddenOrganizations(header: unknown): number[] {
  if (typeof header !== 'string') return [];
  const ids = /(?:^|;)\s*organizations=([\d,\s]+)/i.exec(header)?.[1] ?? '';
  return ids.split(',').map((s) => Number(s.trim())).filter((n) => Number.isSafeInteger(n) && n > 0);
}

/** What a 403 of an organisation's endpoint says: OAuth App restrictions, SSO (with its URL from `X-GitHub-SSO: required; url=…`), or neither. */
export function orgRefusal(status: number, headers: Record<string, string | number | undefined>, data: unknown): OrgAccess {
  if (status !== 403) return { kind: 'unknown' };
  const sso = headers['x-github-sso'];
  if (typeof sso === 'string' && /^\s*required\b/i.test(sso)) {
    const url = /url=(\S+)/i.exec(sso)?.[1];
    return { kind: 'sso_required', url: url && /^https?:\/\//i.test(url) ? url : null };
  }
  const message = isRecord(data) && typeof data.message === 'string' ? data.message : '';
  return OAUTH_RESTRICTED.test(message) ? { kind: 'oauth_restricted' } : { kind: 'unknown' };
}

export interface GitHubUser {
  id: number;
  login: string;
  name: string | null;
  avatar_url: string | null;
  /** From `x-oauth-scopes`; empty for tokens that have no OAuth scopes. */
  scopes: string[];
}

/** An access token from the token endpoint, with its expiry and refresh token where GitHub gives them (GitHub Apps). */
export interface OAuthGrant {
  token: string;
  refreshToken: string | null;
  expiresAt: Date | null;
}

function grantOf(fields: Record<string, unknown>, now: number): OAuthGrant | undefined {
  if (typeof fields.access_token !== 'string' || !fields.access_token) return undefined;
  const expiresIn = Number(fields.expires_in);
  return {
    token: fields.access_token,
    refreshToken: typeof fields.refresh_token === 'string' && fields.refresh_token ? fields.refresh_token : null,
    expiresAt: Number.isFinite(expiresIn) && expiresIn > 0 ? new Date(now + expiresIn * 1000) : null,
  };
}

export interface ExchangeOAuthCodeInput {
  /** `https://github.com`, a GitHub Enterprise host, or the local fake: not the API URL. */
  webUrl: string;
  clientId: string;
  clientSecret: string;
  code: string;
  redirectUri: string;
  codeVerifier: string;
}

export interface ListReposOptions<T extends { id: number } = GitHubRepo> {
  /** Keeps each page's ETag and content between listings, for conditional requests. */
  pageCache: KeyValueCache;
  /** Identifies the user (and token) whose pages these are; the page number is appended. */
  cacheKey: string;
  /** The page count of the previous listing: all of them are asked for at once. */
  knownPageCount?: number;
  /**
   * What the caller keeps of each page's repositories, worked out as soon as that page is in, while
   * later pages are still on their way (one item per repository); `before` is how many repositories
   * the pages before it hold. The repositories as read when absent.
   */
  convert?: (repos: GitHubRepo[], before: number) => T[];
}

export interface RepoListing<T extends { id: number } = GitHubRepo> {
  repos: T[];
  /**
   * Organisations whose repositories GitHub left out because the token is not authorised for their
   * SAML single sign-on, by id, from `X-GitHub-SSO: partial-results; organizations=…` on any page.
   */
  ssoHiddenOrganizations: number[];
  /** Pages with repositories in them (at least 1): pass it back as `knownPageCount`. */
  pageCount: number;
  stats: { requests: number; notModified: number; downloaded: number };
}

/**
 * What the page cache keeps per page: its ETag, its Link (a 304 need not repeat it) and its repositories
 * in the lean form (`src/hosts/lean.ts`), not GitHub's whole objects.
 */
interface CachedPage {
  etag: string;
  link: string | null;
  repos: LeanRepositories;
}

/** A page read, until it is written to the page cache. */
interface PageRead {
  etag: string;
  link: string | null;
  repos: GitHubRepo[];
}

interface Answer<T> {
  status: number;
  headers: Record<string, string | number | undefined>;
  value: T | undefined;
}

interface RequestSpec {
  method: 'GET' | 'POST';
  url: string;
  headers: Record<string, string>;
  [parameter: string]: unknown;
}

/** Order stays fixed while we read page after page; the service sorts by activity afterwards. */
const LIST_QUERY = { affiliation: 'owner,collaborator,organization_member', sort: 'full_name', direction: 'asc', per_page: 100 } as const;

/**
 * GraphQL sits beside the REST API: `https://api.github.com/graphql`, and on GitHub Enterprise
 * Server `https://HOST/api/graphql` for a REST base of `https://HOST/api/v3`.
 */
export function graphqlUrl(apiUrl: string): string {
  const base = apiUrl.replace(/\/+$/, '');
  return /\/api\/v3$/.test(base) ? base.replace(/\/v3$/, '/graphql') : `${base}/graphql`;
}

/**
 * A GraphQL answer: its `data` and `errors` as GitHub sent them (a query can half succeed), or the
 * failure of the request, mapped as every REST call's, with the HTTP status it came with (if any) and
 * whether the answer was unreadable.
 */
export type GraphqlAnswer =
  | { ok: true; data: unknown; errors: Record<string, unknown>[] }
  | { ok: false; problem: ApiProblem; status: number | undefined; malformed: boolean };

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * GitHub over Octokit's bare `request`: no retry or throttling plugin, because a rate limit or an
 * outage must reach our caller at once as an ApiProblem instead of holding the request.
 */
export class GitHubClient {
  private readonly octokit: Octokit;
  private readonly timeoutMs: number;
  private readonly concurrency: number;
  private readonly maxPages: number;
  private readonly pageCacheTtlSeconds: number;
  private readonly apiOrigin: string;
  private readonly graphqlUrl: string;
  private readonly onCacheError: (error: unknown) => void;
  private readonly clock: Clock;
  /**
   * Whether this server repeats a page's Link on its 304, as GitHub does: learnt from the answers
   * (a 304 that carried a Link says yes; one that dropped the Link its page had says no, for good).
   * Unknown until then, and treated as no.
   */
  private notModifiedRepeatsLink: boolean | undefined;
  /**
   * Pages being written to the page cache, per listing's cache key. They are written just after the
   * listing is handed back (serialising them would delay it); a later listing of the same pages in
   * this process waits for them, so it still asks with their ETags.
   */
  private readonly writing = new Map<string, Promise<void>>();

  constructor(options: GitHubClientOptions) {
    const apiUrl = options.apiUrl.replace(/\/$/, '');
    this.octokit = new Octokit({ baseUrl: apiUrl, userAgent: options.userAgent ?? 'repositories-api' });
    this.apiOrigin = new URL(apiUrl).origin;
    this.graphqlUrl = graphqlUrl(apiUrl);
    this.timeoutMs = options.timeoutMs;
    this.concurrency = Math.max(1, options.concurrency ?? 10);
    this.maxPages = options.maxPages ?? 1000;
    this.pageCacheTtlSeconds = options.pageCacheTtlSeconds ?? 86_400;
    this.onCacheError = options.onCacheError ?? (() => {});
    this.clock = options.clock ?? systemClock;
  }

  static fromConfig(github: GitHubConfig): GitHubClient {
    return new GitHubClient({ apiUrl: github.apiUrl, timeoutMs: github.timeoutMs, concurrency: github.concurrency });
  }

  async getUser(token: string): Promise<GitHubUser> {
    const answer = await this.call('reading the signed-in user', { method: 'GET', url: '/user', headers: auth(token) }, (body) => {
      if (typeof body !== 'object' || body === null) throw new MalformedAnswer('the user is not a JSON object');
      const u = body as Record<string, unknown>;
      if (typeof u.id !== 'number' || typeof u.login !== 'string') throw new MalformedAnswer('the user has no id or login');
      return {
        id: u.id,
        login: u.login,
        name: typeof u.name === 'string' ? u.name : null,
        avatar_url: typeof u.avatar_url === 'string' ? u.avatar_url : null,
      };
    });
    const user = answer.value as Omit<GitHubUser, 'scopes'>;
    const scopes = String(answer.headers['x-oauth-scopes'] ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    return { ...user, scopes };
  }

  /** Step two of the OAuth web flow (with PKCE). Returns the access token. */
  async exchangeOAuthCode(input: ExchangeOAuthCodeInput): Promise<string> {
    return (await this.exchangeOAuthCodeForGrant(input)).token;
  }

  /**
   * Step two of the OAuth web flow (with PKCE): the access token, and for a GitHub App whose user
   * tokens expire, when it does and the refresh token that renews it.
   */
  async exchangeOAuthCodeForGrant(input: ExchangeOAuthCodeInput): Promise<OAuthGrant> {
    const fields = await this.tokenEndpoint('exchanging the sign-in code', input.webUrl, {
      client_id: input.clientId,
      client_secret: input.clientSecret,
      code: input.code,
      redirect_uri: input.redirectUri,
      code_verifier: input.codeVerifier,
    });
    const grant = grantOf(fields, this.clock.now());
    if (grant) return grant;
    // GitHub reports a refused exchange as 200 with an `error` field.
    const error = typeof fields.error === 'string' ? fields.error : 'no_access_token';
    if (error === 'bad_verification_code') {
      throw problems.unauthorized('GitHub sign-in failed: the code is incorrect, expired or does not match the PKCE verifier. Sign in again.');
    }
    throw problems.upstreamUnavailable('github', `GitHub refused the sign-in code exchange (${error}); check the OAuth application settings.`);
  }

  /** Renews an expiring user token (GitHub Apps); a refresh token GitHub refuses is a 403 GITHUB_AUTH with reconnect. */
  async refreshOAuthToken(input: { webUrl: string; clientId: string; clientSecret: string; refreshToken: string }): Promise<OAuthGrant> {
    const fields = await this.tokenEndpoint('renewing the token', input.webUrl, {
      client_id: input.clientId,
      client_secret: input.clientSecret,
      grant_type: 'refresh_token',
      refresh_token: input.refreshToken,
    });
    const grant = grantOf(fields, this.clock.now());
    if (grant) return grant;
    const error = typeof fields.error === 'string' ? fields.error : 'no_access_token';
    if (error === 'bad_refresh_token') throw problems.providerAuth('github', 'GitHub refused to renew the token: the refresh token is used, expired or revoked.');
    throw problems.upstreamUnavailable('github', `GitHub refused to renew the token (${error}); check the OAuth application settings.`);
  }

  private async tokenEndpoint(what: string, webUrl: string, data: Record<string, string>): Promise<Record<string, unknown>> {
    const answer = await this.call(
      what,
      { method: 'POST', url: `${webUrl.replace(/\/$/, '')}/login/oauth/access_token`, headers: { accept: 'application/json' }, data },
      (body) => (typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {}),
    );
    return answer.value ?? {};
  }

  /**
   * Every repository the token can reach. Page 1 (or the known page count) first, then the rest
   * concurrently: they are asked for as soon as the last page asked for has answered its headers,
   * whose Link tells how many there are, while its body is still being read. Any failing page fails
   * the whole listing: a shorter list is never returned.
   */
  async listRepos<T extends { id: number } = GitHubRepo>(token: string, options: ListReposOptions<T>): Promise<RepoListing<T>> {
    const convert = options.convert ?? ((repos: GitHubRepo[]) => repos as unknown as T[]);
    const stats = { requests: 0, notModified: 0, downloaded: 0 };
    const pages = new Map<number, T[]>();
    const ssoHidden = new Set<number>();
    // What each page's headers said, as soon as they came. `linkFresh`: the Link came with this
    // answer, not from the cache; `full`: a 304's cached page holds a whole page of repositories.
    const heads = new Map<number, { link: string | null; linkFresh: boolean; full: boolean }>();
    const waiting = new Map<number, () => void>();
    const headed = (page: number, head: { link: string | null; linkFresh: boolean; full: boolean }) => {
      heads.set(page, head);
      waiting.get(page)?.();
    };
    const headOf = (page: number) =>
      heads.has(page) ? Promise.resolve() : new Promise<void>((resolve) => waiting.set(page, resolve));
    // Aborts the siblings of the first page that fails.
    const listing = new AbortController();
    const pageCache = tolerantPageCache<CachedPage>(options.pageCache, this.pageCacheTtlSeconds, this.onCacheError);
    await this.writing.get(options.cacheKey);
    const writes: Array<[string, PageRead]> = [];

    const fetchPage = async (page: number): Promise<void> => {
      const key = `${options.cacheKey}:${page}`;
      const cached = keptPage(await pageCache.get(key));
      stats.requests++;
      const answer = await this.call(
        `listing repositories (page ${page})`,
        {
          method: 'GET',
          url: '/user/repos',
          headers: { ...auth(token), ...(cached ? { 'if-none-match': cached.etag } : {}) },
          ...LIST_QUERY,
          page,
        },
        toGitHubRepoPage,
        listing.signal,
        // A page sent whole (a 304 comes back below, without a body to wait for).
        (_status, headers) => headed(page, { link: typeof headers.link === 'string' ? headers.link : null, linkFresh: true, full: false }),
      );
      for (const id of ssoHiddenOrganizations(answer.headers['x-github-sso'])) ssoHidden.add(id);
      if (answer.status === 304 && cached) {
        stats.notModified++;
        const link = typeof answer.headers.link === 'string' ? answer.headers.link : null;
        if (link !== null) this.notModifiedRepeatsLink ??= true;
        else if (cached.link !== null) this.notModifiedRepeatsLink = false;
        const repos = decodeRepositories<GitHubRepo>(cached.repos);
        headed(page, { link: link ?? cached.link, linkFresh: link !== null, full: repos.length >= LIST_QUERY.per_page });
        pages.set(page, convert(repos, (page - 1) * LIST_QUERY.per_page));
        return;
      }
      if (answer.status === 304) throw problems.upstreamUnavailable('github', `GitHub answered 304 to an unconditional request (page ${page}).`);
      stats.downloaded++;
      const etag = typeof answer.headers.etag === 'string' ? answer.headers.etag : null;
      const link = typeof answer.headers.link === 'string' ? answer.headers.link : null;
      const repos = answer.value ?? [];
      pages.set(page, convert(repos, (page - 1) * LIST_QUERY.per_page));
      if (etag) writes.push([key, { etag, link, repos }]);
    };

    const known = options.knownPageCount;
    let from = 1;
    let to = Number.isInteger(known) && (known as number) > 0 ? Math.min(known as number, this.maxPages) : 1;
    const rounds: Promise<void>[] = [];
    // The first page to fail is the listing's failure, not the pages of other rounds it cancelled.
    let failed: { error: unknown } | undefined;
    const fetchOrFail = (page: number) =>
      fetchPage(page).catch((error: unknown) => {
        failed ??= { error };
        throw error;
      });
    try {
      for (;;) {
        const round = runBounded(range(from, to), this.concurrency, fetchOrFail, listing);
        rounds.push(round);
        // The next round needs only the last page's headers; a failure of the round ends the listing.
        await Promise.race([headOf(to), round]);
        const tail = heads.get(to);
        const links = parseLinkHeader(tail?.link);
        if (!links?.next) {
          // A full last page that was not modified, and came without a Link, says nothing about
          // repositories added after it unless this server is known to repeat Links on a 304 (then
          // no Link means no other page): otherwise ask for the page after it.
          const vouched = tail?.linkFresh || (tail?.link === null && this.notModifiedRepeatsLink === true);
          if (tail && !vouched && tail.full && to < this.maxPages) {
            from = to + 1;
            to = from;
            continue;
          }
          break;
        }
        const last = Number(links.last?.page ?? links.next.page);
        if (!Number.isInteger(last) || last <= to) {
          throw problems.upstreamUnavailable('github', `GitHub's pagination is inconsistent after page ${to}.`);
        }
        if (last > this.maxPages) {
          throw problems.upstreamUnavailable('github', `The repository list is longer than ${this.maxPages} pages.`);
        }
        from = to + 1;
        to = last;
      }
      await Promise.all(rounds);
    } catch (error) {
      // Whatever is still in flight is no longer wanted.
      const first = failed;
      listing.abort();
      await Promise.allSettled(rounds);
      throw first ? first.error : error;
    } finally {
      // The pages read are kept whether or not the listing as a whole succeeded.
      if (writes.length > 0) this.keepPages(options.cacheKey, pageCache, writes);
    }

    const lists = range(1, to).map((page) => pages.get(page) ?? []);
    const pageCount = Math.max(1, lists.findLastIndex((repos) => repos.length > 0) + 1);
    return { repos: uniqueById(lists), ssoHiddenOrganizations: [...ssoHidden], pageCount, stats };
  }

  /** The organisations the user belongs to (the first 100: a hint check, not a listing). */
  async listOrgs(token: string): Promise<GitHubOrg[]> {
    const answer = await this.call('listing organisations', { method: 'GET', url: '/user/orgs', headers: auth(token), per_page: 100 }, (body) => {
      if (!Array.isArray(body)) throw new MalformedAnswer('the organisation list is not a JSON array');
      return body.filter(isRecord).flatMap((o) =>
        typeof o.id === 'number' && typeof o.login === 'string' ? [{ id: o.id, login: o.login, avatar_url: typeof o.avatar_url === 'string' ? o.avatar_url : null }] : [],
      );
    });
    return answer.value ?? [];
  }

  /** Whether an organisation lets the token in, asked of one of its endpoints (one repository of its list); never throws. */
  async orgAccess(token: string, org: string): Promise<OrgAccess> {
    const answer = await this.answer({ method: 'GET', url: '/orgs/{org}/repos', org, per_page: 1, headers: auth(token) });
    if (answer === undefined) return { kind: 'unknown' };
    return answer.status === 200 ? { kind: 'open' } : orgRefusal(answer.status, answer.headers, answer.data);
  }

  /** One repository by owner and name, or why the token cannot see it; other failures are thrown as problems. */
  async getRepo(token: string, owner: string, name: string): Promise<RepoAnswer> {
    const { deadline, signal } = requestSignal(this.timeoutMs);
    try {
      const response = await this.octokit.request({ method: 'GET', url: '/repos/{owner}/{repo}', owner, repo: name, headers: auth(token), request: { signal } });
      return { kind: 'found', repo: toGitHubRepo(response.data) };
    } catch (error) {
      if (isOctokitHttpError(error) && error.response) {
        if (error.response.status === 404) return { kind: 'not_found' };
        const access = orgRefusal(error.response.status, error.response.headers, error.response.data);
        if (access.kind === 'oauth_restricted' || access.kind === 'sso_required') return access;
      }
      throw toGitHubProblem(error, { what: `reading the repository ${owner}/${name}`, timedOut: deadline.aborted, timeoutMs: this.timeoutMs, now: this.clock.now() });
    }
  }

  /** A request whose refusal is read rather than thrown: its status, headers and JSON body, or undefined when it failed outright. */
  private async answer(spec: RequestSpec): Promise<{ status: number; headers: Answer<unknown>['headers']; data: unknown } | undefined> {
    const { signal } = requestSignal(this.timeoutMs);
    try {
      const response = await this.octokit.request({ ...spec, request: { signal } });
      return { status: response.status, headers: response.headers, data: response.data };
    } catch (error) {
      if (isOctokitHttpError(error) && error.response) return { status: error.response.status, headers: error.response.headers, data: error.response.data };
      return undefined;
    }
  }

  /** Writes a listing's pages to the page cache once the listing has been handed back (see `writing`). */
  private keepPages(cacheKey: string, pageCache: PageCache<CachedPage>, writes: Array<[string, PageRead]>): void {
    const before = this.writing.get(cacheKey);
    const kept: Promise<void> = (async () => {
      await before;
      // A page at a time, each in a turn of its own: encoding and serialising one takes a fraction of
      // a millisecond, and the requests that came in meanwhile are served in between.
      for (const [key, { etag, link, repos }] of writes) {
        await setImmediate();
        let lean: LeanRepositories;
        try {
          lean = encodeRepositories(repos);
        } catch (error) {
          // A page that cannot be kept is not kept: its next listing downloads it again.
          this.onCacheError(error);
          continue;
        }
        await pageCache.set(key, { etag, link, repos: lean });
      }
    })().finally(() => {
      if (this.writing.get(cacheKey) === kept) this.writing.delete(cacheKey);
    });
    this.writing.set(cacheKey, kept);
  }

  /**
   * The way Octokit's `paginate` reads a list: one page after another, following `rel="next"`.
   * Kept as the baseline the benchmark compares `listRepos` with.
   */
  async sequentialListRepos(token: string): Promise<RepoListing> {
    const stats = { requests: 0, notModified: 0, downloaded: 0 };
    const lists: GitHubRepo[][] = [];
    let request: RequestSpec = { method: 'GET', url: '/user/repos', headers: auth(token), ...LIST_QUERY };
    let page = 0;
    for (;;) {
      page++;
      stats.requests++;
      const answer = await this.call(`listing repositories (page ${page})`, request, toGitHubRepoPage);
      stats.downloaded++;
      lists.push(answer.value ?? []);
      const next = parseLinkHeader(typeof answer.headers.link === 'string' ? answer.headers.link : null)?.next?.url;
      if (!next) break;
      // The token goes wherever the next link points: only ever to the API we were configured with.
      if (new URL(next).origin !== this.apiOrigin) {
        throw problems.upstreamUnavailable('github', 'GitHub pointed the next page at another host.');
      }
      if (page >= this.maxPages) throw problems.upstreamUnavailable('github', `The repository list is longer than ${this.maxPages} pages.`);
      request = { method: 'GET', url: next, headers: auth(token) };
    }
    return { repos: uniqueById(lists), ssoHiddenOrganizations: [], pageCount: page, stats };
  }

  /** One GraphQL query with the request deadline of every call; never throws. */
  async graphql(token: string, body: { query: string; variables: Record<string, string> }): Promise<GraphqlAnswer> {
    const { deadline, signal } = requestSignal(this.timeoutMs);
    try {
      const request = { method: 'POST', url: this.graphqlUrl, headers: auth(token), ...body, request: { signal, parseSuccessResponseBody: false } } as const;
      const response = await this.octokit.request(request);
      const payload: unknown = JSON.parse(await new Response(response.data as ReadableStream<Uint8Array> | null).text());
      if (!isRecord(payload)) throw new MalformedAnswer('the GraphQL answer is not a JSON object');
      return { ok: true, data: payload.data, errors: Array.isArray(payload.errors) ? payload.errors.filter(isRecord) : [] };
    } catch (error) {
      return {
        ok: false,
        problem: toGitHubProblem(error, { what: 'reading repository roots (GraphQL)', timedOut: deadline.aborted, timeoutMs: this.timeoutMs, now: this.clock.now() }),
        status: isOctokitHttpError(error) && error.response ? error.response.status : undefined,
        malformed: error instanceof MalformedAnswer || error instanceof SyntaxError,
      };
    }
  }

  /**
   * One request with its own deadline. The body is read and parsed here rather than by Octokit,
   * which would hand back a cut-off or non-JSON body as a string instead of failing.
   */
  private async call<T>(
    what: string,
    spec: RequestSpec,
    parse: (body: unknown) => T,
    cancel?: AbortSignal,
    /** Told the status and headers of a successful answer before its body is read. */
    onHeaders?: (status: number, headers: Answer<T>['headers']) => void,
  ): Promise<Answer<T>> {
    const { deadline, signal } = requestSignal(this.timeoutMs, cancel);
    try {
      const response = await this.octokit.request({ ...spec, request: { signal, parseSuccessResponseBody: false } });
      onHeaders?.(response.status, response.headers);
      const text = await new Response(response.data as ReadableStream<Uint8Array> | null).text();
      return { status: response.status, headers: response.headers, value: parse(JSON.parse(text)) };
    } catch (error) {
      if (isOctokitHttpError(error) && error.status === 304 && error.response) {
        return { status: 304, headers: error.response.headers, value: undefined };
      }
      throw toGitHubProblem(error, { what, timedOut: deadline.aborted, timeoutMs: this.timeoutMs, now: this.clock.now() });
    }
  }
}

/** A page cache entry in the form this version writes, or undefined (a miss) for anything else. */
function keptPage(value: CachedPage | undefined): CachedPage | undefined {
  if (!isRecord(value) || typeof value.etag !== 'string' || !isRecord(value.repos) || !Array.isArray(value.repos.repos) || !Array.isArray(value.repos.owners) || !Array.isArray(value.repos.texts)) return undefined;
  return value;
}

function auth(token: string): Record<string, string> {
  return { authorization: `bearer ${token}`, 'x-github-api-version': '2022-11-28' };
}
