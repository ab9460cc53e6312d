import type { ProblemCode, Provider, Schemas, ValidationIssue } from './types.ts';

/**
 * The one error type every layer throws. The central error handler turns it into an RFC 9457
 * `application/problem+json` body whose shape is the spec's `Problem` schema.
 */
export type { ProblemCode, Provider, ValidationIssue } from './types.ts';

export interface ProblemExtras {
  /** Re-linking the git host may fix it; the app session itself is still valid. */
  reconnect?: boolean;
  /** Seconds until a retry can succeed; also sent as `Retry-After`. */
  retry_after?: number;
  field_errors?: Record<string, string>;
  issues?: ValidationIssue[];
  /** The git host the problem came from, when it came from one. */
  provider?: Provider;
  /** Why the user cannot see a repository, with the URL that fixes it. */
  hint?: Schemas['MissingHint'];
}

/** Every code a problem may carry: the shared `ProblemCode`s, and those with a schema of their own. */
export type AnyProblemCode = ProblemCode | Schemas['ConflictProblem']['code'];

const TITLES: Record<AnyProblemCode, string> = {
  UNAUTHORIZED: 'Unauthorized',
  SESSION_EXPIRED: 'Session expired',
  GITHUB_AUTH: 'GitHub authorization failed',
  PROVIDER_AUTH: 'Git host authorization failed',
  FORBIDDEN: 'Forbidden',
  CROSS_SITE_REQUEST: 'Cross-site request refused',
  NOT_FOUND: 'Not found',
  ACCOUNT_CONFLICT: 'Host account linked to another user',
  METHOD_NOT_ALLOWED: 'Method not allowed',
  VALIDATION_FAILED: 'Validation failed',
  PAYLOAD_TOO_LARGE: 'Payload too large',
  UNSUPPORTED_MEDIA_TYPE: 'Unsupported media type',
  REQUEST_HEADERS_TOO_LARGE: 'Request headers too large',
  RATE_LIMITED: 'Too many requests',
  UPSTREAM_UNAVAILABLE: 'Git host unavailable',
  UPSTREAM_TIMEOUT: 'Git host timeout',
  REQUEST_TIMEOUT: 'Request timeout',
  STORAGE_UNAVAILABLE: 'Storage unavailable',
  INTERNAL: 'Internal server error',
};

export class ApiProblem extends Error {
  readonly title: string;
  readonly status: number;
  readonly code: AnyProblemCode;
  readonly detail: string;
  readonly extras: ProblemExtras;

  /** `cause`: what went wrong underneath (a socket error, say): logged with the request id, never answered. */
  constructor(status: number, code: AnyProblemCode, detail: string, extras: ProblemExtras = {}, cause?: unknown) {
    super(detail, cause === undefined ? undefined : { cause });
    this.name = 'ApiProblem';
    this.title = TITLES[code];
    this.status = status;
    this.code = code;
    this.detail = detail;
    this.extras = extras;
  }
}

/** How long a client is asked to wait when our storage fails: about a restart or a failover of the database. */
export const STORAGE_RETRY_AFTER_SECONDS = 5;

/** The spec's bound of `retry_after` and `Retry-After`: one day. */
export const MAX_RETRY_AFTER = 86_400;

export const SESSION_EXPIRED_DETAIL =
  'Session expired — please log out and sign in again to reconnect your GitHub account.';

export const problems = {
  unauthorized: (detail = 'Missing, invalid or expired credentials.') =>
    new ApiProblem(401, 'UNAUTHORIZED', detail),
  sessionExpired: () => new ApiProblem(401, 'SESSION_EXPIRED', SESSION_EXPIRED_DETAIL),
  forbidden: (detail: string) => new ApiProblem(403, 'FORBIDDEN', detail),
  /** The git host rejected our stored token; the app session stays valid. */
  providerAuth: (provider: Provider, detail: string) =>
    new ApiProblem(403, provider === 'github' ? 'GITHUB_AUTH' : 'PROVIDER_AUTH', detail, {
      reconnect: true,
      provider,
    }),
  notFound: (detail: string) => new ApiProblem(404, 'NOT_FOUND', detail),
  /** A host account that belongs to another of our users: never merged, never taken over. */
  accountConflict: (detail: string) => new ApiProblem(409, 'ACCOUNT_CONFLICT', detail),
  validation: (issues: ValidationIssue[], detail = 'The request is not valid.') => {
    const field_errors: Record<string, string> = {};
    for (const issue of issues) field_errors[issue.path] ??= issue.message;
    return new ApiProblem(400, 'VALIDATION_FAILED', detail, { field_errors, issues });
  },
  /** The wait is held to the spec's bound (1 s to a day), whatever a git host asked for. */
  rateLimited: (retryAfterSeconds: number, detail: string, provider?: Provider) =>
    new ApiProblem(429, 'RATE_LIMITED', detail, {
      retry_after: Number.isFinite(retryAfterSeconds) ? Math.min(MAX_RETRY_AFTER, Math.max(1, Math.ceil(retryAfterSeconds))) : 60,
      ...(provider ? { provider } : {}),
    }),
  upstreamUnavailable: (provider: Provider, detail: string, cause?: unknown) =>
    new ApiProblem(502, 'UPSTREAM_UNAVAILABLE', detail, { provider }, cause),
  upstreamTimeout: (provider: Provider, detail: string) =>
    new ApiProblem(504, 'UPSTREAM_TIMEOUT', detail, { provider }),
  /** `from`: the request's `Origin`, or how the browser described where it came from. */
  crossSite: (from: string) =>
    new ApiProblem(
      403,
      'CROSS_SITE_REQUEST',
      `This write is authenticated by the session cookie and comes from ${from.replace(/[^\x20-\x7e]/g, '?').slice(0, 200)}, which is not a trusted origin; nothing was changed.`,
    ),
  /** Our own database failed or missed its deadline; `cause` is logged, never answered. */
  storageUnavailable: (cause?: unknown) =>
    new ApiProblem(503, 'STORAGE_UNAVAILABLE', "The service's storage is unavailable; nothing was changed. Retry shortly.", { retry_after: STORAGE_RETRY_AFTER_SECONDS }, cause),
  internal: () => new ApiProblem(500, 'INTERNAL', 'An unexpected error occurred.'),
};
