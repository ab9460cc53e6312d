import type { DeliveryFaultKind, HostFault, RecordedRequest, RequestCounters } from '../types.ts';

/** A repository as the fake keeps it; the server renders GitHub's full object from it. */
export interface FakeRepo {
  id: number;
  name: string;
  owner: FakeOwner;
  private: boolean;
  /** `internal` exists only for organisation repositories; defaults from `private`. */
  visibility?: 'public' | 'private' | 'internal';
  fork: boolean;
  archived: boolean;
  description: string | null;
  homepage?: string | null;
  language: string | null;
  topics?: string[];
  license?: { key: string; name: string; spdx_id: string; node_id: string } | null;
  /** Kilobytes, as GitHub reports it. */
  size: number;
  stargazers_count: number;
  forks_count?: number;
  open_issues_count?: number;
  default_branch: string;
  is_template?: boolean;
  created_at: string;
  updated_at: string;
  pushed_at: string | null;
  /** The signed-in user's access; GitHub puts it on every repository of an authenticated listing. */
  permissions: { admin: boolean; maintain: boolean; push: boolean; triage: boolean; pull: boolean };
  /** Path → content, for kind detection over the GraphQL route. */
  files?: Record<string, string>;
  /**
   * Fields written over the rendered repository as they are: the odd values GitHub's own schema
   * allows (a null date, an id of 0, a negative count, a full_name that is not owner/name...).
   */
  raw?: Record<string, unknown>;
}

export interface FakeOwner {
  login: string;
  id: number;
  type: 'User' | 'Organization';
}

/**
 * An organisation of the fake. Its repositories are those of its members' `repos` whose owner is it;
 * what it restricts hides them the way GitHub does.
 */
export interface FakeOrg {
  login: string;
  id: number;
  /** Logins of its members: `GET /user/orgs` lists it for them. */
  members: string[];
  /**
   * OAuth App access restrictions with this fake's OAuth app not approved: its repositories are left
   * out of `GET /user/repos`, and its endpoints answer 403 with GitHub's documented message.
   */
  oauthRestricted?: boolean;
  /**
   * SAML single sign-on: for a token not in `ssoAuthorized`, its repositories are left out of
   * `GET /user/repos` (which says so in `X-GitHub-SSO: partial-results; organizations=<id>`), and its
   * endpoints answer 403 with `X-GitHub-SSO: required; url=<authorisation URL>`.
   */
  sso?: boolean;
  /** Tokens authorised for its single sign-on. */
  ssoAuthorized?: string[];
}

/** A signed-in GitHub user of the fake: profile, the token that identifies them, scopes, repositories. */
export interface FakeAccount {
  token: string;
  scopes: string[];
  user: FakeUserProfile;
  repos: FakeRepo[];
  /** Primary rate limit window of this token. */
  rate: { used: number; resetAt: number };
}

export interface FakeUserProfile {
  id: number;
  login: string;
  name: string | null;
  email: string | null;
  company: string | null;
  location: string | null;
  bio: string | null;
  created_at: string;
  updated_at: string;
}

export interface FakeUserInput {
  login: string;
  id?: number;
  name?: string | null;
  email?: string | null;
  /** Defaults to a token derived from the login, so a sandbox keeps the same token across restarts. */
  token?: string;
  /** Defaults to `repo`, `read:user`, `user:email` (what our sign-in asks for). */
  scopes?: string[];
  repos?: FakeRepo[];
}

/** The paths the fake serves; faults and counters use them as route names. */
export type FakeRoute =
  | '/login/oauth/authorize'
  | '/login/oauth/access_token'
  | '/user'
  | '/user/repos'
  | '/user/orgs'
  | '/orgs/{org}/repos'
  | '/repos/{owner}/{repo}'
  | '/graphql';

export type FaultKind =
  | DeliveryFaultKind
  | 500
  | 502
  | 503
  /** 401 Bad credentials. */
  | 'badCredentials'
  /** 403 with `x-accepted-oauth-scopes` naming a scope the token lacks. */
  | 'missingScope'
  /** 403 with `x-ratelimit-remaining: 0` and `x-ratelimit-reset`. */
  | 'primaryRateLimit'
  /** 429 (or 403) with `retry-after`. */
  | 'secondaryRateLimit'
  /** Exactly the answer in `reply`: what GitHub (or a proxy before it) sends in rarer cases. */
  | 'reply';

export interface Fault extends HostFault<FakeRoute, FaultKind> {
  /** `secondaryRateLimit`: seconds in `retry-after` (default 60). */
  retryAfter?: number;
  /** `secondaryRateLimit`: 429 (default) or 403; GitHub uses both. */
  status?: 403 | 429;
  /** `primaryRateLimit`: seconds until `x-ratelimit-reset` (default 60). */
  resetInSeconds?: number;
  /** `primaryRateLimit`: `x-ratelimit-reset` in epoch milliseconds instead of GitHub's seconds. */
  resetInMilliseconds?: boolean;
  /** `reply`: the status, the headers besides GitHub's usual ones, and the body (an object is sent as JSON). */
  reply?: { status: number; headers?: Record<string, string>; body: unknown };
}

export type FakeCounters = RequestCounters<FakeRoute>;

export interface FakeGraphqlRequest {
  token: string;
  body: unknown;
  /** The account the token belongs to (the fake answers 401 itself for unknown tokens). */
  account: FakeAccount;
}

export type FakeGraphqlHandler = (req: FakeGraphqlRequest) => Promise<{ status: number; body: unknown }>;

export type FakeRequestRecord = RecordedRequest<FakeRoute>;
