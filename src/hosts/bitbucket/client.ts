/**
 * Bitbucket Cloud's REST API 2.0 over Node's fetch.
 *
 * A listing is every repository of every workspace the user is a member of, and never less:
 * `GET /2.0/user/workspaces` first (the one endpoint left for it: `/2.0/workspaces` and
 * `/2.0/user/permissions/workspaces` answer 410, and so does the cross-workspace
 * `/2.0/repositories?role=member`), then `GET /2.0/repositories/{workspace}?role=member` for each
 * workspace, several workspaces at once within the host's bound. Pages hold `pagelen=100` (the
 * most Bitbucket gives; its default is 10) and the `next` URL each page gives is followed as it is
 * (Bitbucket may page by cursor: a page number is never built here); `size` is optional and not
 * relied on. Any request that fails (one page of one workspace) fails the whole listing.
 *
 * Every request has its own deadline, body included. Failures are mapped in `errors.ts`.
 */
import type { RepoEntry } from '../../kind/detect.ts';
import { systemClock, type Clock } from '../../clock.ts';
import { ApiProblem, problems } from '../../contract/problem.ts';
import type { HostRepository } from '../types.ts';
import { requestSignal } from '../http.ts';
import { runBounded, uniqueById } from '../pages.ts';
import { failedRequest, isObject, MalformedAnswer, problemForStatus, requiredScopes } from './errors.ts';
import { grantsRepositories, isRepositoryScope, repositoryScopeHint, repositoryScopeProblem, withHint } from './hints.ts';
import { toBitbucketRepository, toBitbucketWorkspace, type BitbucketWorkspace } from './repo.ts';

export const BITBUCKET_API_URL = 'https://api.bitbucket.org';
export const BITBUCKET_WEB_URL = 'https://bitbucket.org';
/** The most repositories Bitbucket puts on one page. */
export const PAGELEN = 100;

export interface BitbucketClientOptions {
  /** `https://api.bitbucket.org` by default, or the local fake; the `/2.0` paths are appended. */
  apiUrl?: string;
  /** Where the OAuth endpoints live: `https://bitbucket.org` by default. */
  webUrl?: string;
  /** Deadline of each request, body included. */
  timeoutMs: number;
  /** Requests at once: workspaces listed at once, files read at once (default 4). */
  concurrency?: number;
  /** A workspace longer than this many pages fails the listing rather than running on (default 1000). */
  maxPages?: number;
  userAgent?: string;
  /** What a token's expiry and a rate limit's wait are read on (default the system clock). */
  clock?: Clock;
}

export interface BitbucketUser {
  uuid: string;
  /** `username` where Bitbucket still sends it, else the nickname: what we show as the login. */
  login: string;
  account_id: string | null;
  display_name: string | null;
}

export interface BitbucketListing {
  repos: HostRepository[];
  workspaces: BitbucketWorkspace[];
  /** HTTP requests sent, pages of workspaces and of repositories. */
  stats: ListingStats;
}

export interface ListingStats {
  requests: number;
  /** The scopes an OAuth token was granted, from `X-OAuth-Scopes` on the first answer; absent when not reported. */
  grantedScopes?: string[];
}

/** A directory of a repository's main branch at one commit. */
export interface BitbucketRoot {
  commit: string;
  entries: RepoEntry[];
}

/**
 * What is stored for a Bitbucket link: an OAuth access token as it is, or an Atlassian API token
 * with its account's email as `email:token` (what `apiTokenCredential` writes), sent as HTTP Basic.
 * Bitbucket's access tokens hold neither `@` nor `:`, so the two cannot be mistaken for each other.
 */
export type BitbucketCredential = string;

const EMAIL_AND_TOKEN = /^([^\s:@]+@[^\s:@]+):(\S+)$/;

/** An Atlassian API token as a credential: used with the account's email, over HTTP Basic. */
export function apiTokenCredential(email: string, apiToken: string): BitbucketCredential {
  return `${email}:${apiToken}`;
}

/** The email and API token of a credential written by `apiTokenCredential`, or undefined for an OAuth access token. */
export function emailAndToken(credential: BitbucketCredential): { email: string; apiToken: string } | undefined {
  const m = EMAIL_AND_TOKEN.exec(credential);
  return m ? { email: m[1] as string, apiToken: m[2] as string } : undefined;
}

/** The `Authorization` header for a stored credential. */
export function authorizationFor(credential: BitbucketCredential): string {
  return emailAndToken(credential) ? `Basic ${Buffer.from(credential).toString('base64')}` : `Bearer ${credential}`;
}

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
}

interface CallOptions {
  cancel?: AbortSignal;
  /** A 404 comes back as an answer instead of failing (nothing at that path). */
  notFoundIsAnswer?: boolean;
}

export class BitbucketClient {
  readonly apiUrl: string;
  readonly webUrl: string;
  private readonly apiOrigin: string;
  private readonly timeoutMs: number;
  readonly concurrency: number;
  private readonly maxPages: number;
  private readonly userAgent: string;
  /** Also read by the OAuth calls (`oauth.ts`). */
  readonly clock: Clock;

  constructor(options: BitbucketClientOptions) {
    this.apiUrl = (options.apiUrl ?? BITBUCKET_API_URL).replace(/\/+$/, '');
    this.webUrl = (options.webUrl ?? BITBUCKET_WEB_URL).replace(/\/+$/, '');
    this.apiOrigin = new URL(this.apiUrl).origin;
    this.timeoutMs = options.timeoutMs;
    this.concurrency = Math.max(1, options.concurrency ?? 4);
    this.maxPages = Math.max(1, options.maxPages ?? 1000);
    this.userAgent = options.userAgent ?? 'repositories-api';
    this.clock = options.clock ?? systemClock;
  }

  /** `GET /2.0/user`: who the credential belongs to. */
  async getUser(credential: BitbucketCredential): Promise<BitbucketUser> {
    const what = 'reading the signed-in user';
    const u = this.json(await this.call(what, 'GET /2.0/user', `${this.apiUrl}/2.0/user`, credential), what);
    if (!isObject(u) || typeof u.uuid !== 'string') throw this.malformed(what, 'the user has no uuid');
    const login = [u.username, u.nickname, u.account_id].find((v): v is string => typeof v === 'string' && /^\S+$/.test(v) && !v.includes('/'));
    if (!login) throw this.malformed(what, 'the user has no username or nickname');
    return {
      uuid: u.uuid,
      login,
      account_id: typeof u.account_id === 'string' ? u.account_id : null,
      display_name: typeof u.display_name === 'string' && u.display_name ? u.display_name : null,
    };
  }

  /** Every workspace the user is a member of (`GET /2.0/user/workspaces`, every page). */
  async listWorkspaces(credential: BitbucketCredential, stats: ListingStats = { requests: 0 }, cancel?: AbortSignal): Promise<BitbucketWorkspace[]> {
    const workspaces: BitbucketWorkspace[] = [];
    await this.pages('listing workspaces', 'GET /2.0/user/workspaces', `${this.apiUrl}/2.0/user/workspaces?pagelen=${PAGELEN}`, credential, stats, cancel, (values, what) => {
      for (const raw of values) workspaces.push(this.read(what, () => toBitbucketWorkspace(raw)));
    });
    return [...new Map(workspaces.map((w) => [w.uuid, w])).values()];
  }

  /**
   * Every repository of every workspace the user is a member of: the workspaces first, then each
   * one's repositories, `concurrency` workspaces at once. The first failure cancels the rest and is
   * what this throws: a listing is never shorter than what Bitbucket holds.
   */
  async listRepos(credential: BitbucketCredential): Promise<BitbucketListing> {
    const stats: ListingStats = { requests: 0 };
    const listing = new AbortController();
    const workspaces = await this.listWorkspaces(credential, stats, listing.signal);
    // A token granted no repository scope would be refused by every workspace: said once, before asking.
    if (stats.grantedScopes && !grantsRepositories(stats.grantedScopes)) {
      const granted = stats.grantedScopes.join(', ') || 'none';
      throw repositoryScopeProblem(false, `Bitbucket needs the "repository" scope to list repositories, and granted this token ${granted} (X-OAuth-Scopes); reconnect Bitbucket.`);
    }
    const perWorkspace = new Map<string, HostRepository[]>();
    await runBounded(
      workspaces,
      this.concurrency,
      async (workspace) => {
        const repos: HostRepository[] = [];
        const path = `/2.0/repositories/${encodeURIComponent(workspace.slug)}`;
        await this.pages(
          `listing the repositories of workspace ${workspace.slug}`,
          'GET /2.0/repositories/{workspace}',
          `${this.apiUrl}${path}?role=member&pagelen=${PAGELEN}`,
          credential,
          stats,
          listing.signal,
          (values, what) => {
            for (const raw of values) repos.push(this.read(what, () => toBitbucketRepository(raw, workspace)));
          },
        );
        perWorkspace.set(workspace.uuid, repos);
      },
      listing,
    );
    return { repos: uniqueById(workspaces.map((w) => perWorkspace.get(w.uuid) ?? [])), workspaces, stats };
  }

  /**
   * One repository (`GET /2.0/repositories/{workspace}/{repo_slug}`): undefined when Bitbucket answers
   * 404, as it does for a repository that does not exist and for a private one the credentials cannot read.
   */
  async getRepo(credential: BitbucketCredential, workspace: string, slug: string): Promise<HostRepository | undefined> {
    const what = `reading repository ${workspace}/${slug}`;
    const url = `${this.apiUrl}/2.0/repositories/${encodeURIComponent(workspace)}/${encodeURIComponent(slug)}`;
    const answer = await this.call(what, 'GET /2.0/repositories/{workspace}/{repo_slug}', url, credential, { notFoundIsAnswer: true });
    if (answer.status === 404) return undefined;
    const raw = this.json(answer, what);
    const ws = isObject(raw) && isObject(raw.workspace) ? raw.workspace : undefined;
    // The repository names its workspace; read as `/2.0/user/workspaces` gives one (not as an administrator: not known here).
    const owner = this.read(what, () => toBitbucketWorkspace({ workspace: ws }));
    return this.read(what, () => toBitbucketRepository(raw, owner));
  }

  /**
   * The root of a repository's main branch (`GET …/src`, which Bitbucket redirects to the head
   * commit's root), at most `maxPages` pages of it. `null` for an empty repository.
   */
  async readRoot(credential: BitbucketCredential, workspace: string, slug: string, maxPages = 2): Promise<BitbucketRoot | null> {
    const what = `reading the root of ${workspace}/${slug}`;
    const entries: RepoEntry[] = [];
    let commit: string | undefined;
    let url: string | undefined = `${this.apiUrl}/2.0/repositories/${encodeURIComponent(workspace)}/${encodeURIComponent(slug)}/src?pagelen=${PAGELEN}`;
    const seen = new Set<string>();
    for (let page = 1; url !== undefined && page <= maxPages; page++) {
      seen.add(url);
      const answer = await this.call(what, 'GET /2.0/repositories/{workspace}/{repo_slug}/src', url, credential, { notFoundIsAnswer: true });
      if (answer.status === 404) return null;
      const body = this.json(answer, what);
      if (!isObject(body) || !Array.isArray(body.values)) throw this.malformed(what, 'the directory listing has no values');
      for (const value of body.values) {
        if (!isObject(value) || typeof value.path !== 'string') continue;
        const name = value.path.split('/').pop() ?? '';
        if (!name) continue;
        entries.push({ name, type: value.type === 'commit_directory' ? 'dir' : 'file' });
        if (commit === undefined && isObject(value.commit) && typeof value.commit.hash === 'string' && /^[0-9a-f]{7,64}$/i.test(value.commit.hash)) {
          commit = value.commit.hash;
        }
      }
      url = this.nextOf(body, what, seen);
    }
    if (commit === undefined) {
      if (entries.length === 0) return null;
      throw this.malformed(what, 'the directory listing names no commit');
    }
    return { commit, entries };
  }

  /** One file at `commit` (`GET …/src/{commit}/{path}`): its text, or `null` when nothing is there. */
  async readFile(credential: BitbucketCredential, workspace: string, slug: string, commit: string, path: string): Promise<string | null> {
    const segments = path.split('/').filter(Boolean).map(encodeURIComponent).join('/');
    const url = `${this.apiUrl}/2.0/repositories/${encodeURIComponent(workspace)}/${encodeURIComponent(slug)}/src/${encodeURIComponent(commit)}/${segments}`;
    const answer = await this.call(`reading ${workspace}/${slug}/${path}`, 'GET /2.0/repositories/{workspace}/{repo_slug}/src/{commit}/{path}', url, credential, { notFoundIsAnswer: true });
    if (answer.status === 404) return null;
    // A folder at that path comes back as a JSON listing: not a file.
    if ((answer.headers.get('content-type') ?? '').includes('application/json') && /^\s*\{\s*"pagelen"/.test(answer.text)) return null;
    return answer.text;
  }

  /**
   * Reads the pages of a list from `first`, following each page's `next` as given, handing each
   * page's `values` to `onPage`. The token only ever goes to the API we were configured with.
   */
  private async pages(
    what: string,
    endpoint: string,
    first: string,
    credential: BitbucketCredential,
    stats: ListingStats,
    cancel: AbortSignal | undefined,
    onPage: (values: unknown[], what: string) => void,
  ): Promise<void> {
    const seen = new Set<string>();
    let url: string | undefined = first;
    for (let page = 1; url !== undefined; page++) {
      if (page > this.maxPages) throw problems.upstreamUnavailable('bitbucket', `Bitbucket's list is longer than ${this.maxPages} pages while ${what}.`);
      seen.add(url);
      const pageWhat = page === 1 ? what : `${what} (page ${page})`;
      stats.requests++;
      const answer = await this.call(pageWhat, endpoint, url, credential, cancel ? { cancel } : {});
      const granted = answer.headers.get('x-oauth-scopes');
      if (granted !== null && stats.grantedScopes === undefined) stats.grantedScopes = granted.split(/[\s,]+/).filter(Boolean);
      const body = this.json(answer, pageWhat);
      if (!isObject(body) || !Array.isArray(body.values)) throw this.malformed(pageWhat, 'the page has no values');
      onPage(body.values, pageWhat);
      url = this.nextOf(body, pageWhat, seen);
    }
  }

  /** A page's `next`: absolute, on our API, not a page already read (a loop would never end). */
  private nextOf(body: Record<string, unknown>, what: string, seen: Set<string>): string | undefined {
    if (body.next === undefined || body.next === null) return undefined;
    if (typeof body.next !== 'string') throw this.malformed(what, 'next is not a URL');
    let next: URL;
    try {
      next = new URL(body.next);
    } catch {
      throw this.malformed(what, 'next is not an absolute URL');
    }
    if (next.origin !== this.apiOrigin) throw problems.upstreamUnavailable('bitbucket', `Bitbucket pointed the next page at another host while ${what}.`);
    if (seen.has(next.href) || seen.has(body.next)) throw problems.upstreamUnavailable('bitbucket', `Bitbucket's next page repeats a page already read while ${what}.`);
    return body.next;
  }

  /** One GET with its own deadline, body included; every failure leaves as an ApiProblem. */
  private async call(what: string, endpoint: string, url: string, credential: BitbucketCredential, options: CallOptions = {}): Promise<Answer> {
    const { deadline, signal } = requestSignal(this.timeoutMs, options.cancel);
    let answer: Answer;
    try {
      const response = await fetch(url, {
        headers: { authorization: authorizationFor(credential), accept: 'application/json', 'user-agent': this.userAgent },
        signal,
      });
      answer = { status: response.status, headers: response.headers, text: await response.text() };
    } catch (error) {
      throw failedRequest(error, what, deadline.aborted, this.timeoutMs);
    }
    if (answer.status === 404 && options.notFoundIsAnswer) return answer;
    if (answer.status < 200 || answer.status > 299) {
      const problem = problemForStatus(answer.status, answer.headers, answer.text, what, endpoint, this.clock.now());
      // A refusal for want of the repository scope says so as a hint, with where an API token gets it.
      if (answer.status === 403 && requiredScopes(answer.text).some(isRepositoryScope)) throw withHint(problem, repositoryScopeHint(emailAndToken(credential) !== undefined));
      throw problem;
    }
    return answer;
  }

  private json(answer: Answer, what: string): unknown {
    try {
      return JSON.parse(answer.text);
    } catch {
      throw this.malformed(what, 'the answer is not JSON');
    }
  }

  /** Runs a mapping, a `MalformedAnswer` from it as the 502 it is. */
  private read<T>(what: string, map: () => T): T {
    try {
      return map();
    } catch (error) {
      if (error instanceof MalformedAnswer) throw this.malformed(what, error.message);
      throw error;
    }
  }

  malformed(what: string, why: string): ApiProblem {
    return problems.upstreamUnavailable('bitbucket', `Bitbucket sent an invalid answer while ${what}: ${why}.`);
  }

  /** For the OAuth calls in `oauth.ts`: a POST with the same deadline and failure mapping. */
  async post(what: string, endpoint: string, url: string, headers: Record<string, string>, body: URLSearchParams): Promise<Answer> {
    const { deadline, signal } = requestSignal(this.timeoutMs);
    try {
      const response = await fetch(url, { method: 'POST', headers: { ...headers, accept: 'application/json', 'user-agent': this.userAgent }, body, signal });
      return { status: response.status, headers: response.headers, text: await response.text() };
    } catch (error) {
      throw failedRequest(error, what, deadline.aborted, this.timeoutMs);
    }
  }
}

export type { BitbucketWorkspace };
