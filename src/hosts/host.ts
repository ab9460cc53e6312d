/**
 * A git host as a plug-in: everything the app, the listing, `me`, sign-in and linking need from a
 * host, in one interface. Each host lives in its own folder under `src/hosts/` and is one line of
 * `registry.ts`; nothing else in `src/` names it.
 */
import { z } from 'zod';
import type { KeyValueCache } from '../cache/index.ts';
import type { Clock } from '../clock.ts';
import type { HostMetrics } from '../contract/metrics.ts';
import type { ApiProblem, Provider } from '../contract/problem.ts';
import type { DetectionReader } from '../kind/service.ts';
import type { HostCredential, HostRepository, KindAnnotation, RepositorySource } from './types.ts';

export type { HostCredential } from './types.ts';

/** A host's settings: the environment variables it reads (merged into the app's schema) and what it makes of them. */
export interface HostConfigSpec<S extends z.ZodRawShape = z.ZodRawShape, C = unknown> {
  variables: S;
  load(vars: z.infer<z.ZodObject<S>>): C;
  /** Variables production refuses to start without. */
  requiredInProduction?: ReadonlyArray<keyof S & string>;
  /** What an operator should hear about settings that start but are not fit for real users (outside production). */
  warnings?(config: C): string[];
}

/** Declares a host's settings with its variables' types carried through to `load`. */
export const hostConfig = <S extends z.ZodRawShape, C>(spec: HostConfigSpec<S, C>): HostConfigSpec<S, C> => spec;

/** Who a host token belongs to, as the host says now. */
export interface HostAccount {
  /**
   * The host's stable id of the account, as text. Accounts are keyed by (provider, id): a host with
   * several instances (self-managed ones) makes it unique across them, e.g. `git.example.com:42`.
   */
  id: string;
  login: string;
  name: string | null;
  avatar_url: string | null;
  /** The scopes the host reported for the token; empty when it reports none. */
  scopes: string[];
}

/** What an OAuth code exchange or refresh hands back. */
export interface HostGrant {
  token: string;
  /** For hosts whose access tokens expire: the token that gets the next one (often usable once). */
  refreshToken?: string | null;
  /** When `token` stops working; null or absent when it does not expire. */
  expiresAt?: Date | null;
  /** The host's instance the tokens are for (stored with them, see `HostCredential`); null or absent for its only one. */
  instance?: string | null;
}

/** A host users link (or sign in with) through an OAuth web flow, with `state` and PKCE S256. */
export interface OAuthLink {
  /**
   * For a host with several instances: the instance a user names when starting the flow (a URL or a
   * name, as the operator configured it), as the id the flow carries to `authorizeUrl` and
   * `exchangeCode`. Anything the operator does not allow, or that has no OAuth application here, is
   * a 400 problem on `query.instance`, found without sending anything anywhere. Absent for a host
   * with one instance: naming one is then refused by the caller.
   */
  instanceOf?(named: string): string;
  /** The authorization page to send the browser to. */
  authorizeUrl(input: { redirectUri: string; state: string; codeChallenge: string; instance?: string | undefined }): string;
  /** Step two of the web flow. A code the host refuses is a 401 problem; a broken host a 502. */
  exchangeCode(input: { code: string; redirectUri: string; codeVerifier: string; instance?: string | undefined }): Promise<HostGrant>;
  /**
   * A new access token from a refresh token. A refusal (revoked, already used, expired) throws an
   * `ApiProblem` with code `PROVIDER_AUTH` (or the host's own auth code): the user must link again.
   */
  refresh?(input: { refreshToken: string; instance?: string | null | undefined }): Promise<HostGrant>;
}

/** A host users link by pasting a personal access token. */
export interface TokenLink {
  /**
   * Checks the token before it is stored; throws the host's auth problem when it cannot be used.
   * `instanceUrl`: the host's instance the user named, for a host with several (self-managed ones).
   * `instance` in the answer: the instance the token is for, stored with it (see `HostCredential`).
   */
  verify(token: string, input?: { instanceUrl?: string | undefined }): Promise<{ login: string; scopes: string[]; instance?: string | null }>;
}

/** What every host gives the app, built once per app by `GitHostModule.create`. */
export interface GitHost {
  provider: Provider;
  displayName: string;
  /** How a user links the host: an OAuth web flow, a pasted token, or both. */
  link: { oauth?: OAuthLink; token?: TokenLink };
  /** Who the token belongs to; throws the host's auth problem when the host refuses the token. */
  account(credential: HostCredential): Promise<HostAccount>;
  /**
   * The token's state for `me`, asked of the host now. What it returns replaces the stored login and
   * scopes in the answer; a refusal throws the host's auth problem.
   */
  status(credential: HostCredential): Promise<{ login?: string; scopes?: string[] }>;
  /** What `me` tells the user about a token with these scopes. */
  warnings(scopes: readonly string[]): string[];
  /** The host's repositories, every page. */
  source: RepositorySource;
  /** Reads repositories' files for kind and origin detection. */
  reader?: DetectionReader;
  /** The host's error mapping: anything a call to it threw, as the problem our API answers with. */
  toProblem(error: unknown, what: string): ApiProblem;
}

/** What the app hands a host when it builds it. */
export interface HostContext<C> {
  config: C;
  /** This service's externally visible base URL (where a user signs in again, say). */
  publicUrl: string;
  cache: KeyValueCache;
  metrics: HostMetrics;
  onCacheError: (error: unknown) => void;
  /** The app's clock: a token's expiry and a rate limit's wait are worked out on it. */
  clock: Clock;
  /** Kind and origin hints for the host's repositories, through the app's detection service (cached, within its budget). */
  kinds: (input: HostCredential & { repos: HostRepository[] }) => Promise<Map<number, KindAnnotation>>;
}

/** A host's folder, as the registry holds it. */
export interface GitHostModule<S extends z.ZodRawShape = z.ZodRawShape, C = unknown> {
  provider: Provider;
  displayName: string;
  config: HostConfigSpec<S, C>;
  create(context: HostContext<C>): GitHost;
}

/** Any host module, whatever its settings: what the registry holds. */
export interface AnyGitHostModule {
  provider: Provider;
  displayName: string;
  config: {
    variables: z.ZodRawShape;
    load(vars: never): unknown;
    requiredInProduction?: ReadonlyArray<string>;
    warnings?(config: never): string[];
  };
  create(context: never): GitHost;
}

/** Declares a host module, its settings' type carried through to `create`. */
export const gitHost = <S extends z.ZodRawShape, C>(module: GitHostModule<S, C>): GitHostModule<S, C> => module;
