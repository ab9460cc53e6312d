import type { DeliveryFaultKind, HostFault, RecordedRequest, RequestCounters } from '../types.ts';

/** The owner object GitVerse puts on every repository of a listing. */
export interface FakeGitVerseOwner {
  id: number;
  login: string;
  full_name: string;
  type: 'User' | 'Organization';
}

/** A repository as the fake keeps it and, field for field, as `GET /user/repos` renders it. */
export interface FakeGitVerseRepo {
  id: number;
  name: string;
  owner: FakeGitVerseOwner;
  /** GitVerse sends `""` for none. */
  description: string;
  private: boolean;
  fork: boolean;
  language: string | null;
  /** Kilobytes. */
  size: number;
  stargazers_count: number;
  watchers_count: number;
  /** `null` for an empty repository. */
  default_branch: string | null;
  /** ISO 8601 with GitVerse's `+03:00` offset. */
  created_at: string;
  updated_at: string;
  // GitVerse's listing example leaves these out while its other pages show them: rendered only when set.
  archived?: boolean;
  pushed_at?: string | null;
  html_url?: string;
  permissions?: { admin: boolean; push: boolean; pull: boolean };
  /** Path → content, served by the contents API; none means an empty repository. */
  files?: Record<string, string>;
}

export interface FakeGitVerseUser {
  id: number;
  login: string;
  full_name: string;
  email: string;
}

/** A GitVerse user of the fake: profile, the personal access token that identifies them, its scopes, repositories. */
export interface FakeGitVerseAccount {
  token: string;
  scopes: string[];
  user: FakeGitVerseUser;
  repos: FakeGitVerseRepo[];
}

export interface FakeGitVerseUserInput {
  login: string;
  id?: number;
  full_name?: string;
  /** Defaults to a token derived from the login, so a sandbox keeps the same token across restarts. */
  token?: string;
  /** Defaults to `read:public_api`; `public_api` grants everything; anything else cannot list repositories. */
  scopes?: string[];
  repos?: FakeGitVerseRepo[];
}

/** How `GET /user/repos` tells that more pages follow. */
export type GitVersePaging = 'link' | 'total-count' | 'none';

/** The routes the fake serves; faults and counters use them as names. */
export type FakeGitVerseRoute = '/user' | '/user/repos' | '/repos/{owner}/{repo}/contents';

export type GitVerseFaultKind =
  | DeliveryFaultKind
  /** GitVerse's error object with status 500. */
  | 500
  /** A proxy's HTML error page. */
  | 502
  | 503
  /** The token is not accepted. */
  | 401
  /** The token lacks the scope. */
  | 403
  /** Rate limited, with `retry-after` unless `retryAfter` is null. */
  | 429
  /** GitVerse refuses the request as invalid. */
  | 400
  /** Exactly the answer in `reply`: what GitVerse (or the proxy before it) sends in rarer cases. */
  | 'reply';

export interface GitVerseFault extends HostFault<FakeGitVerseRoute, GitVerseFaultKind> {
  /** Contents route only: requests about this repository (`owner/name`). */
  repo?: string;
  /** 429: seconds in `retry-after` (default 60); null sends none. */
  retryAfter?: number | null;
  /** `reply`: the status, the headers besides the usual JSON ones, and the body (an object is sent as JSON). */
  reply?: { status: number; headers?: Record<string, string>; body: unknown };
}

export type FakeGitVerseCounters = RequestCounters<FakeGitVerseRoute>;

export interface FakeGitVerseRequest extends RecordedRequest<FakeGitVerseRoute> {
  path: string;
  accept: string | undefined;
}
