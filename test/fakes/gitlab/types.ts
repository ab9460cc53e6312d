import type { DeliveryFaultKind, HostFault, RecordedRequest, RequestCounters } from '../types.ts';

/** GitLab's access levels (`Gitlab::Access`): what a member may do in a project or group. */
export const ACCESS = { guest: 10, planner: 15, reporter: 20, developer: 30, maintainer: 40, owner: 50 } as const;
export type AccessLevel = (typeof ACCESS)[keyof typeof ACCESS];

/** A user's personal namespace or a group (a subgroup has a parent). */
export interface FakeNamespace {
  id: number;
  name: string;
  path: string;
  kind: 'user' | 'group';
  /** `acme/platform/team` for a subgroup; the username for a user namespace. */
  full_path: string;
  parent_id: number | null;
}

/** A project as the fake keeps it; the server renders GitLab's objects from it. */
export interface FakeProject {
  id: number;
  /** The display name (may hold spaces); `path` is what URLs use. */
  name: string;
  path: string;
  namespace: FakeNamespace;
  description: string | null;
  visibility: 'public' | 'internal' | 'private';
  archived: boolean;
  /** Null for a project whose repository is empty. */
  default_branch: string | null;
  star_count: number;
  forks_count: number;
  topics: string[];
  created_at: string;
  last_activity_at: string;
  updated_at: string;
  /** The project this one is a fork of, when it is one. */
  forked_from: { id: number; path_with_namespace: string; name: string; path: string; namespace: FakeNamespace } | null;
  /** The signed-in user's access: as a member of the project itself, and through its group (either may be null). */
  project_access: AccessLevel | null;
  group_access: AccessLevel | null;
  /** Path → content at the default branch (kind detection reads them over GraphQL or the files API). */
  files?: Record<string, string>;
  /** Fields written over the rendered project as they are (odd values a GitLab may send). */
  raw?: Record<string, unknown>;
}

export interface FakeUserProfile {
  id: number;
  username: string;
  name: string;
  state: 'active' | 'blocked';
  avatar_url: string | null;
  web_url: string;
  created_at: string;
}

/** A GitLab user of the fake: profile, a personal access token, scopes, the projects they are a member of. */
export interface FakeAccount {
  /** A personal access token (`glpat-…`); OAuth access tokens are issued besides it. */
  token: string;
  scopes: string[];
  user: FakeUserProfile & { login: string };
  projects: FakeProject[];
}

export interface FakeUserInput {
  login: string;
  id?: number;
  name?: string;
  token?: string;
  /** Defaults to `read_api`, `read_user`. */
  scopes?: string[];
  projects?: FakeProject[];
  blocked?: boolean;
}

/** The paths the fake serves; faults and counters use them as route names. */
export type FakeRoute =
  | '/oauth/authorize'
  | '/oauth/token'
  | '/oauth/token/info'
  | '/api/v4/user'
  | '/api/v4/personal_access_tokens/self'
  | '/api/v4/projects'
  | '/api/v4/projects/:id'
  | '/api/v4/projects/:id/repository/tree'
  | '/api/v4/projects/:id/repository/files/:path/raw'
  | '/api/graphql';

export type FaultKind =
  | DeliveryFaultKind
  | 500
  | 502
  | 503
  /** 401 `{"message":"401 Unauthorized"}`: a token GitLab does not know. */
  | 'unauthorized'
  /** 401 `invalid_token`, "Token is expired": an OAuth access token past its two hours. */
  | 'expiredToken'
  /** 403 `insufficient_scope` with `WWW-Authenticate`, for a token without `read_api`. */
  | 'insufficientScope'
  /** 403 "Your account has been blocked." */
  | 'blocked'
  /** 404 `{"message":"404 Project Not Found"}`. */
  | 'notFound'
  /** 429 from GitLab's rate limiter: `RateLimit-*` and `Retry-After` unless `bare`, a `Retry later` text body when `plainText`. */
  | 'rateLimited'
  /** 502 with GitLab's HTML "Whoops, GitLab is taking too much time to respond." page. */
  | 'htmlError'
  /** Exactly the answer in `reply`. */
  | 'reply';

export interface Fault extends HostFault<FakeRoute, FaultKind> {
  /** `rateLimited`: seconds in `Retry-After` (default 60); RateLimit-Reset is as far ahead. */
  retryAfter?: number;
  /** `rateLimited`: no `Retry-After` and no `RateLimit-*` headers, as many of GitLab's 429s come. */
  bare?: boolean;
  /** `rateLimited`: only `RateLimit-Reset` (epoch seconds), no `Retry-After`. */
  resetOnly?: boolean;
  /** `rateLimited`: Rack::Attack's `text/plain` body `Retry later`. */
  plainText?: boolean;
  reply?: { status: number; headers?: Record<string, string>; body: unknown };
}

export type FakeCounters = RequestCounters<FakeRoute> & {
  /** Refresh-token grants that were honoured. */
  refreshes?: number;
};

export type FakeRequestRecord = RecordedRequest<FakeRoute>;
