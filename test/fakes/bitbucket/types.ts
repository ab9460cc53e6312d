import type { DeliveryFaultKind, HostFault, RecordedRequest, RequestCounters } from '../types.ts';

/**
 * A repository as the fake keeps it; `GET /2.0/repositories/{workspace}` renders it in the shape of
 * Bitbucket's `repository` schema (its OpenAPI description), with the workspace it lives in.
 */
export interface FakeBitbucketRepo {
  /** `{…}`: Bitbucket writes UUIDs in braces. */
  uuid: string;
  /** The name in URLs (`full_name` is `workspace/slug`). */
  slug: string;
  /** The display name, which may differ from the slug. */
  name: string;
  /** Bitbucket sends `""` for none. */
  description: string;
  is_private: boolean;
  /** Bitbucket sends `""` when it has not detected one. */
  language: string;
  /** Bytes. */
  size: number;
  /** Bitbucket's ISO 8601 with microseconds and `+00:00`. */
  created_on: string;
  updated_on: string;
  /** The main branch's name; `null` for an empty repository (rendered without `mainbranch`). */
  mainbranch: string | null;
  /** The repository this one was forked from. */
  parent?: { full_name: string; uuid: string; name: string };
  /** `team` for a shared workspace's repositories, `user` for a personal one's. */
  owner_type: 'team' | 'user';
  /** Path → content, served by the `src` endpoints; none means an empty repository. */
  files?: Record<string, string>;
  /** Logins that may read it; all members of its workspace when omitted. */
  readers?: string[];
}

export interface FakeBitbucketWorkspace {
  uuid: string;
  slug: string;
  name: string;
  is_private: boolean;
  /** Logins of its members; administrators see `administrator: true` in `/2.0/user/workspaces`. */
  members: string[];
  administrators: string[];
  repos: FakeBitbucketRepo[];
}

export interface FakeBitbucketWorkspaceInput {
  slug: string;
  name?: string;
  uuid?: string;
  is_private?: boolean;
  members?: string[];
  administrators?: string[];
  repos?: FakeBitbucketRepo[];
}

export interface FakeBitbucketUser {
  uuid: string;
  account_id: string;
  /** The fake's name for the account; `/2.0/user` sends it as `username`. */
  login: string;
  username: string;
  display_name: string;
  nickname: string;
  /** An Atlassian API token is used with this email (HTTP Basic). */
  email: string;
}

/** A Bitbucket user of the fake: who they are and the Atlassian API token they can link with. */
export interface FakeBitbucketAccount {
  user: FakeBitbucketUser;
  /** Used as HTTP Basic `email:apiToken`, as Atlassian API tokens are. */
  apiToken: string;
  /** The API token's scopes (Atlassian's `read:…:bitbucket` names). */
  apiTokenScopes: string[];
}

export interface FakeBitbucketUserInput {
  login: string;
  display_name?: string;
  email?: string;
  /** Defaults to a token derived from the login, so a sandbox keeps the same token across restarts. */
  apiToken?: string;
  apiTokenScopes?: string[];
}

/** An access token the fake issued, with what it grants and until when. */
export interface IssuedToken {
  login: string;
  scopes: string[];
  expiresAt: number;
}

/** The routes the fake serves; faults and counters use them as names. */
export type FakeBitbucketRoute =
  | '/site/oauth2/authorize'
  | '/site/oauth2/access_token'
  | '/2.0/user'
  | '/2.0/user/workspaces'
  | '/2.0/repositories/{workspace}'
  | '/2.0/repositories/{workspace}/{repo_slug}'
  | '/2.0/repositories/{workspace}/{repo_slug}/src'
  | '/2.0/repositories/{workspace}/{repo_slug}/src/{commit}/{path}'
  /** The endpoints Bitbucket removed: `/2.0/workspaces`, `/2.0/user/permissions/workspaces`, `/2.0/repositories`. */
  | 'removed';

export type BitbucketFaultKind =
  | DeliveryFaultKind
  /** The token is not accepted. */
  | 401
  /** The token lacks a scope. */
  | 403
  /** Gone, as the removed endpoints answer. */
  | 410
  /** Rate limited, with `retry-after` unless `retryAfter` is null. */
  | 429
  /** Bitbucket's error object with status 500. */
  | 500
  /** A proxy's HTML error page. */
  | 502
  | 503
  /** Exactly the answer in `reply`. */
  | 'reply';

export interface BitbucketFault extends HostFault<FakeBitbucketRoute, BitbucketFaultKind> {
  /** Only requests about this workspace (its slug). */
  workspace?: string;
  /** `src` routes only: requests about this repository (`workspace/slug`). */
  repo?: string;
  /** 429: seconds in `retry-after` (default 60); null sends none. */
  retryAfter?: number | null;
  /** `reply`: the status, the headers besides the usual JSON ones, and the body (an object is sent as JSON). */
  reply?: { status: number; headers?: Record<string, string>; body: unknown };
}

export type FakeBitbucketCounters = RequestCounters<FakeBitbucketRoute>;

export interface FakeBitbucketRequest extends RecordedRequest<FakeBitbucketRoute> {
  path: string;
  /** The whole URL as received (path and query). */
  url: string;
}
