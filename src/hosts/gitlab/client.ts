import parseLinkHeader from 'parse-link-header';
import { systemClock, type Clock } from '../../clock.ts';
import { problems, type ApiProblem } from '../../contract/problem.ts';
import { requestSignal } from '../http.ts';
import { range, runBounded, uniqueById } from '../pages.ts';
import { GitLabHttpError, MalformedAnswer, toGitLabProblem } from './errors.ts';
import { toGitLabProject, toGitLabProjectPage, type GitLabProject } from './project.ts';

export interface GitLabClientOptions {
  /** The REST base: `https://gitlab.com/api/v4`, a self-managed instance's, or the local fake's. */
  apiUrl: string;
  /** Where the OAuth pages and token endpoint are: `https://gitlab.com`. */
  webUrl: string;
  /** Deadline of each request, body included. */
  timeoutMs: number;
  /** Pages fetched at once when their number is known (default 10). */
  concurrency?: number;
  /** A listing longer than this many pages fails rather than running on (default 1,000: 100,000 projects). */
  maxPages?: number;
  /**
   * Above this many results GitLab leaves out `X-Total`, `X-Total-Pages` and `rel="last"` (10,000 on
   * every GitLab); a listing known to be longer is read by keyset pagination from its first page.
   */
  countLimit?: number;
  /** What a token's expiry and a rate limit's wait are read on (default the system clock). */
  clock?: Clock;
}

export interface GitLabUser {
  id: number;
  username: string;
  name: string | null;
  avatar_url: string | null;
  state: string;
}

/** An OAuth access token and its single-use refresh token; `expiresAt` in epoch milliseconds. */
export interface GitLabTokens {
  accessToken: string;
  refreshToken: string | null;
  expiresAt: number | null;
  scopes: string[];
}

export interface OAuthClient {
  clientId: string;
  clientSecret: string;
}

export interface ListProjectsOptions<T extends { id: number }> {
  /** The page count of the previous listing: that many pages are asked for at once. */
  knownPageCount?: number;
  /** GitLab's `min_access_level`: only projects where the user has at least this role (absent: every membership). */
  minAccessLevel?: number;
  /** What the caller keeps of each page's projects, worked out as the page comes in; `before` counts the projects ahead of it. */
  convert?: (projects: GitLabProject[], before: number) => T[];
}

export interface ProjectListing<T> {
  repos: T[];
  /** Pages with projects (at least 1): pass it back as `knownPageCount`. */
  pageCount: number;
  /** `offset`: pages read at once, their number from `X-Total-Pages`; `keyset`: one after the other. */
  mode: 'offset' | 'keyset';
  stats: { requests: number };
}

/** A GraphQL answer as GitLab sent it, or why the request failed (never thrown). */
export type GraphqlAnswer =
  | { ok: true; data: unknown; errors: Record<string, unknown>[] }
  | { ok: false; problem: ApiProblem; status: number | undefined };

interface Answer<T> {
  status: number;
  headers: Headers;
  value: T;
}

/** Per page; GitLab's largest. */
export const PER_PAGE = 100;
/** A stable order, so that offset pages neither skip nor repeat projects created while they are read. */
const LIST_QUERY = { membership: 'true', order_by: 'id', sort: 'asc', per_page: String(PER_PAGE) } as const;

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** GraphQL sits beside REST: `https://gitlab.com/api/graphql` for `https://gitlab.com/api/v4`. */
export function graphqlUrl(apiUrl: string): string {
  const base = apiUrl.replace(/\/+$/, '');
  return /\/v4$/.test(base) ? base.replace(/\/v4$/, '/graphql') : `${base}/graphql`;
}

/**
 * One GitLab instance's REST, GraphQL and OAuth endpoints over `fetch`, each request with its own
 * deadline and no redirect followed (a token is sent to the configured instance only). No retries:
 * a rate limit or an outage reaches the caller at once as an ApiProblem.
 */
export class GitLabClient {
  readonly apiUrl: string;
  readonly webUrl: string;
  private readonly timeoutMs: number;
  private readonly concurrency: number;
  private readonly maxPages: number;
  private readonly countLimit: number;
  private readonly graphqlUrl: string;
  private readonly clock: Clock;

  constructor(options: GitLabClientOptions) {
    this.apiUrl = options.apiUrl.replace(/\/+$/, '');
    this.webUrl = options.webUrl.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs;
    this.concurrency = Math.max(1, options.concurrency ?? 10);
    this.maxPages = options.maxPages ?? 1000;
    this.countLimit = options.countLimit ?? 10_000;
    this.clock = options.clock ?? systemClock;
    this.graphqlUrl = graphqlUrl(this.apiUrl);
  }

  async getUser(token: string): Promise<GitLabUser> {
    const answer = await this.call('reading the signed-in user', this.api('/user'), { headers: auth(token) });
    const u = answer.value;
    if (!isRecord(u) || typeof u.id !== 'number' || typeof u.username !== 'string') throw problems.upstreamUnavailable('gitlab', 'GitLab sent a user without id or username.');
    return {
      id: u.id,
      username: u.username,
      name: typeof u.name === 'string' ? u.name : null,
      avatar_url: typeof u.avatar_url === 'string' ? u.avatar_url : null,
      state: typeof u.state === 'string' ? u.state : 'active',
    };
  }

  /** The scopes of a personal access token (`GET /personal_access_tokens/self`). */
  async personalAccessTokenScopes(token: string): Promise<string[]> {
    const answer = await this.call('reading the token', this.api('/personal_access_tokens/self'), { headers: auth(token) });
    const scopes = isRecord(answer.value) && Array.isArray(answer.value.scopes) ? answer.value.scopes : [];
    return scopes.filter((s): s is string => typeof s === 'string');
  }

  /** The scopes of an OAuth access token (`GET /oauth/token/info`), or undefined for a token that is not one. */
  async oauthTokenScopes(token: string): Promise<string[] | undefined> {
    try {
      const answer = await this.call('reading the token', `${this.webUrl}/oauth/token/info`, { headers: auth(token) });
      const scope = isRecord(answer.value) ? answer.value.scope : undefined;
      const scopes = Array.isArray(scope) ? scope : typeof scope === 'string' ? scope.split(/\s+/) : [];
      return scopes.filter((s): s is string => typeof s === 'string' && s !== '');
    } catch (error) {
      if (statusOf(error) === 401) return undefined;
      throw error;
    }
  }

  /** Step two of the OAuth web flow, with the PKCE verifier. */
  async exchangeOAuthCode(input: OAuthClient & { code: string; redirectUri: string; codeVerifier: string }): Promise<GitLabTokens> {
    return this.tokenGrant('exchanging the sign-in code', {
      grant_type: 'authorization_code',
      client_id: input.clientId,
      client_secret: input.clientSecret,
      code: input.code,
      redirect_uri: input.redirectUri,
      code_verifier: input.codeVerifier,
    });
  }

  /**
   * Spends a refresh token (GitLab's can be used once) for a new access token and a new refresh token.
   * A refusal is 403 `PROVIDER_AUTH` with `reconnect`: only signing in again can fix it.
   */
  async refreshOAuthToken(input: OAuthClient & { refreshToken: string; redirectUri?: string }): Promise<GitLabTokens> {
    return this.tokenGrant('refreshing the GitLab token', {
      grant_type: 'refresh_token',
      client_id: input.clientId,
      client_secret: input.clientSecret,
      refresh_token: input.refreshToken,
      ...(input.redirectUri ? { redirect_uri: input.redirectUri } : {}),
    });
  }

  private async tokenGrant(what: string, form: Record<string, string>): Promise<GitLabTokens> {
    let answer: Answer<unknown>;
    try {
      answer = await this.call(what, `${this.webUrl}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams(form).toString(),
      });
    } catch (error) {
      // Doorkeeper answers 400 `invalid_grant` for a code or refresh token that is spent, expired,
      // revoked or (with PKCE) does not match its verifier; 401 `invalid_client` is our own credentials.
      const failure = failureOf(error);
      if (failure?.status === 400 && /"invalid_grant"/.test(failure.body)) {
        if (form.grant_type === 'refresh_token') throw problems.providerAuth('gitlab', 'GitLab refused to refresh the token (spent, expired or revoked); reconnect GitLab.');
        throw problems.unauthorized('GitLab sign-in failed: the code is incorrect, expired or does not match the PKCE verifier. Sign in again.');
      }
      if (failure && failure.status >= 400 && failure.status < 500 && failure.status !== 429) {
        throw problems.upstreamUnavailable('gitlab', `GitLab refused the token request (HTTP ${failure.status}) while ${what}; check the OAuth application settings.`);
      }
      throw error;
    }
    const fields = isRecord(answer.value) ? answer.value : {};
    if (typeof fields.access_token !== 'string' || !fields.access_token) {
      throw problems.upstreamUnavailable('gitlab', `GitLab sent no access token while ${what}.`);
    }
    const expiresIn = typeof fields.expires_in === 'number' ? fields.expires_in : null;
    const createdAt = typeof fields.created_at === 'number' ? fields.created_at * 1000 : this.clock.now();
    return {
      accessToken: fields.access_token,
      refreshToken: typeof fields.refresh_token === 'string' ? fields.refresh_token : null,
      expiresAt: expiresIn === null ? null : createdAt + expiresIn * 1000,
      scopes: typeof fields.scope === 'string' ? fields.scope.split(/\s+/).filter(Boolean) : [],
    };
  }

  /**
   * Every project the token's user is a member of. Offset pages while GitLab counts them: page 1 (or
   * the pages the last listing had) first, and as soon as its headers give `X-Total-Pages`, every
   * other page at once. Above GitLab's count limit the headers leave the total out, and the list is
   * read by keyset pagination, page after page, as its `next` link allows. A page that fails fails
   * the listing: never a shorter list.
   */
  async listProjects<T extends { id: number } = GitLabProject>(token: string, options: ListProjectsOptions<T> = {}): Promise<ProjectListing<T>> {
    const convert = options.convert ?? ((projects: GitLabProject[]) => projects as unknown as T[]);
    const stats = { requests: 0 };
    const query: Record<string, string> = { ...LIST_QUERY, ...(options.minAccessLevel !== undefined ? { min_access_level: String(options.minAccessLevel) } : {}) };
    const countedPages = Math.floor(this.countLimit / PER_PAGE);
    const known = Number.isInteger(options.knownPageCount) && (options.knownPageCount as number) > 0 ? (options.knownPageCount as number) : undefined;
    if (known !== undefined && known > countedPages) return this.keysetListing(token, convert, stats, query);

    const listing = new AbortController();
    const pages = new Map<number, T[]>();
    const nextPage = new Map<number, string | null>();
    let firstHeaders: ((headers: Headers) => void) | undefined;
    const first = new Promise<Headers>((resolve) => (firstHeaders = resolve));
    let failed: { error: unknown } | undefined;
    const fetchPage = async (page: number) => {
      stats.requests++;
      try {
        const answer = await this.call(`listing projects (page ${page})`, this.api('/projects', { ...query, page: String(page) }), { headers: auth(token) }, listing.signal, (headers) => {
          if (page === 1) firstHeaders?.(headers);
        });
        nextPage.set(page, answer.headers.get('x-next-page') || null);
        pages.set(page, convert(toGitLabProjectPage(answer.value), (page - 1) * PER_PAGE));
      } catch (error) {
        failed ??= { error: error instanceof MalformedAnswer ? toGitLabProblem(error, { what: `listing projects (page ${page})`, timedOut: false, timeoutMs: this.timeoutMs, now: this.clock.now() }) : error };
        throw failed.error;
      }
    };

    let to = Math.min(known ?? 1, countedPages);
    const rounds: Promise<void>[] = [runBounded(range(1, to), this.concurrency, fetchPage, listing)];
    try {
      const headers = await Promise.race([first, rounds[0]!.then(() => first)]);
      const total = Number(headers.get('x-total-pages') ?? NaN);
      if (!Number.isInteger(total) || total < 1) {
        // Uncounted: more than GitLab counts. Keyset pages from the start; the offset pages are dropped.
        listing.abort();
        await Promise.allSettled(rounds);
        return await this.keysetListing(token, convert, stats, query);
      }
      if (total > this.maxPages) throw problems.upstreamUnavailable('gitlab', `The project list is longer than ${this.maxPages} pages.`);
      if (total > to) {
        rounds.push(runBounded(range(to + 1, total), this.concurrency, fetchPage, listing));
        to = total;
      }
      await Promise.all(rounds);
      // Projects created while the pages were read land after the last counted page.
      while (nextPage.get(to) && to < this.maxPages) await fetchPage(++to);
    } catch (error) {
      listing.abort();
      await Promise.allSettled(rounds);
      throw failed ? failed.error : error;
    }
    const lists = range(1, to).map((page) => pages.get(page) ?? []);
    const pageCount = Math.max(1, lists.findLastIndex((list) => list.length > 0) + 1);
    return { repos: uniqueById(lists), pageCount, mode: 'offset', stats };
  }

  /** Keyset pagination (`pagination=keyset&order_by=id`): each page's `next` link, and only that, leads on. */
  private async keysetListing<T extends { id: number }>(
    token: string,
    convert: (projects: GitLabProject[], before: number) => T[],
    stats: { requests: number },
    query: Record<string, string>,
  ): Promise<ProjectListing<T>> {
    const lists: T[][] = [];
    const projectsPath = new URL(this.api('/projects')).pathname;
    let url = this.api('/projects', { ...query, pagination: 'keyset' });
    let before = 0;
    for (let page = 1; ; page++) {
      stats.requests++;
      const what = `listing projects (keyset page ${page})`;
      const answer = await this.call(what, url, { headers: auth(token) });
      let projects: GitLabProject[];
      try {
        projects = toGitLabProjectPage(answer.value);
      } catch (error) {
        throw toGitLabProblem(error, { what, timedOut: false, timeoutMs: this.timeoutMs, now: this.clock.now() });
      }
      lists.push(convert(projects, before));
      before += projects.length;
      const next = parseLinkHeader(answer.headers.get('link'))?.next?.url;
      if (!next) return { repos: uniqueById(lists), pageCount: page, mode: 'keyset', stats };
      // The token goes only where we were configured to send it.
      const target = new URL(next, this.apiUrl);
      if (target.origin !== new URL(this.apiUrl).origin || target.pathname !== projectsPath) {
        throw problems.upstreamUnavailable('gitlab', 'GitLab pointed the next page at another address.');
      }
      if (page >= this.maxPages) throw problems.upstreamUnavailable('gitlab', `The project list is longer than ${this.maxPages} pages.`);
      url = target.toString();
    }
  }

  /**
   * How many projects the user is a member of, at any role: one request of one project
   * (`per_page=1`), its `X-Total`. Undefined when GitLab does not count them (above its count limit).
   */
  async countMemberships(token: string): Promise<number | undefined> {
    const answer = await this.call('counting project memberships', this.api('/projects', { membership: 'true', simple: 'true', per_page: '1' }), { headers: auth(token) });
    const total = Number(answer.headers.get('x-total') ?? NaN);
    return Number.isInteger(total) && total >= 0 ? total : undefined;
  }

  /**
   * One project by its full path (`GET /projects/:id` with the path URL-encoded): undefined when
   * GitLab answers 404, as it does for a project that does not exist and for one the token cannot see.
   */
  async getProject(token: string, fullPath: string): Promise<GitLabProject | undefined> {
    const what = `reading project ${fullPath}`;
    try {
      const answer = await this.call(what, this.api(`/projects/${encodeURIComponent(fullPath)}`), { headers: auth(token) });
      return toGitLabProject(answer.value);
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      if (error instanceof MalformedAnswer) throw toGitLabProblem(error, { what, timedOut: false, timeoutMs: this.timeoutMs, now: this.clock.now() });
      throw error;
    }
  }

  /** One GraphQL query with the deadline of every call; never throws. */
  async graphql(token: string, body: { query: string; variables: Record<string, unknown> }): Promise<GraphqlAnswer> {
    try {
      const answer = await this.call('reading repository roots (GraphQL)', this.graphqlUrl, {
        method: 'POST',
        headers: { ...auth(token), 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const payload = answer.value;
      if (!isRecord(payload)) throw problems.upstreamUnavailable('gitlab', 'GitLab sent a GraphQL answer that is not a JSON object.');
      return { ok: true, data: payload.data, errors: Array.isArray(payload.errors) ? payload.errors.filter(isRecord) : [] };
    } catch (error) {
      const problem = error as ApiProblem;
      return { ok: false, problem, status: statusOf(problem) };
    }
  }

  /** A REST GET whose 404 is an answer, not a failure (a file or tree that is not there): `undefined`. */
  async getOptional(token: string, what: string, path: string, query: Record<string, string> = {}, as: 'json' | 'text' = 'json'): Promise<unknown> {
    try {
      return (await this.call(what, this.api(path, query), { headers: auth(token) }, undefined, undefined, as)).value;
    } catch (error) {
      if (statusOf(error as ApiProblem) === 404) return undefined;
      throw error;
    }
  }

  private api(path: string, query: Record<string, string> = {}): string {
    const url = new URL(`${this.apiUrl}${path}`);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    return url.toString();
  }

  /**
   * One request with its own deadline, body included. A status that is not 2xx becomes the mapped
   * ApiProblem (`statusOf` recovers the status); so does a body that is not JSON.
   */
  private async call(
    what: string,
    url: string,
    init: { method?: string; headers: Record<string, string>; body?: string },
    cancel?: AbortSignal,
    onHeaders?: (headers: Headers) => void,
    as: 'json' | 'text' = 'json',
  ): Promise<Answer<unknown>> {
    const { deadline, signal } = requestSignal(this.timeoutMs, cancel);
    try {
      const response = await fetch(url, { ...init, headers: { accept: 'application/json', ...init.headers }, signal, redirect: 'manual' });
      if (response.status < 200 || response.status > 299) throw new GitLabHttpError(response.status, response.headers, await response.text());
      onHeaders?.(response.headers);
      const text = await response.text();
      return { status: response.status, headers: response.headers, value: as === 'text' ? text : JSON.parse(text) };
    } catch (error) {
      const problem = toGitLabProblem(error, { what, timedOut: deadline.aborted, timeoutMs: this.timeoutMs, now: this.clock.now() });
      if (error instanceof GitLabHttpError) failures.set(problem, { status: error.status, body: error.body.slice(0, 2000) });
      throw problem;
    }
  }
}

/** The HTTP answer a GitLab problem was made from, if it came from one. */
const failures = new WeakMap<object, { status: number; body: string }>();

function failureOf(problem: unknown): { status: number; body: string } | undefined {
  return typeof problem === 'object' && problem !== null ? failures.get(problem) : undefined;
}

/** The HTTP status a GitLab problem came with, if it came with one. */
export function statusOf(problem: unknown): number | undefined {
  return failureOf(problem)?.status;
}

function auth(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}
