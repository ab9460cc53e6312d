/**
 * GitLab's failures in our problems, from the statuses, headers and bodies GitLab documents:
 * - 401 (`{"message":"401 Unauthorized"}`, or OAuth's `invalid_token` "Token is expired" / "was
 *   revoked") → 403 `PROVIDER_AUTH` with `reconnect`; `rejectedToken` tells a refresh may help;
 * - 403 `insufficient_scope` (body or `WWW-Authenticate`), a blocked account ("403 Forbidden - Your
 *   account has been blocked."), any other 403 → 403 `PROVIDER_AUTH` with `reconnect`;
 * - 429 → 429 `RATE_LIMITED`, waiting `Retry-After` (seconds or an HTTP date), else until
 *   `RateLimit-Reset` (epoch seconds) or `RateLimit-ResetTime` (an HTTP date), else 60 s: GitLab's
 *   429 often carries none of them, sometimes only Rack::Attack's plain-text "Retry later";
 * - 5xx, HTML error pages, any other status, a body that is not what the API describes → 502;
 * - our deadline → 504.
 */
import { ApiProblem, problems } from '../../contract/problem.ts';
import { failureInWords, retryAfterSeconds as retryAfterHeader } from '../http.ts';

/** A GitLab answer whose status is not a success: what it said, as it said it. */
export class GitLabHttpError extends Error {
  override name = 'GitLabHttpError';
  readonly status: number;
  readonly headers: Headers;
  readonly body: string;

  constructor(status: number, headers: Headers, body: string) {
    super(`GitLab answered ${status}`);
    this.status = status;
    this.headers = headers;
    this.body = body;
  }
}

/** GitLab answered with something that is not what its API describes. */
export class MalformedAnswer extends Error {
  override name = 'MalformedAnswer';
}

export interface FailureContext {
  /** What we were doing, for the detail ("listing projects (page 3)"). */
  what: string;
  timedOut: boolean;
  timeoutMs: number;
  /** The time of the answer on the app's clock, for a `Retry-After` date or a reset time (ms since the epoch). */
  now: number;
}

/** Problems made from a 401: the token itself was refused, so a refreshed token may succeed. */
const fromRejectedToken = new WeakSet<ApiProblem>();

export function rejectedToken(problem: unknown): boolean {
  return problem instanceof ApiProblem && fromRejectedToken.has(problem);
}

/** How long GitLab's rate limiter asks us to wait, at least one second; 60 s when it does not say. */
export function retryAfterSeconds(headers: Headers, now: number): number {
  const retryAfter = retryAfterHeader(headers.get('retry-after'), now);
  if (retryAfter !== undefined) return retryAfter;
  const reset = headers.get('ratelimit-reset')?.trim();
  if (reset && /^\d+$/.test(reset)) return Number(reset) - now / 1000;
  const resetTime = headers.get('ratelimit-resettime');
  if (resetTime) {
    const at = Date.parse(resetTime);
    if (!Number.isNaN(at)) return (at - now) / 1000;
  }
  return 60;
}

/** The JSON fields of an error body, when it is JSON: `message` (string or object) and OAuth's `error`/`error_description`. */
function fieldsOf(body: string): { message: string | undefined; error: string | undefined; description: string | undefined } {
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed !== 'object' || parsed === null) return { message: undefined, error: undefined, description: undefined };
    const p = parsed as Record<string, unknown>;
    const message = typeof p.message === 'string' ? p.message : p.message !== undefined ? JSON.stringify(p.message) : undefined;
    return {
      message: message?.slice(0, 200),
      error: typeof p.error === 'string' ? p.error.slice(0, 200) : undefined,
      description: typeof p.error_description === 'string' ? p.error_description.slice(0, 200) : undefined,
    };
  } catch {
    return { message: undefined, error: undefined, description: undefined };
  }
}

const isHtml = (headers: Headers, body: string) => /text\/html/i.test(headers.get('content-type') ?? '') || /^\s*<(!doctype|html)/i.test(body);

export function problemForStatus(status: number, headers: Headers, body: string, what: string, now: number): ApiProblem {
  const { message, error, description } = fieldsOf(body);
  const challenge = headers.get('www-authenticate') ?? '';
  if (status === 401) {
    const expired = /expired/i.test(description ?? '') || /expired/i.test(challenge);
    const problem = problems.providerAuth(
      'gitlab',
      expired ? 'The GitLab token has expired; reconnect GitLab.' : 'GitLab rejected the stored token (revoked or expired); reconnect GitLab.',
    );
    fromRejectedToken.add(problem);
    return problem;
  }
  if (status === 403) {
    if (error === 'insufficient_scope' || /insufficient_scope/.test(challenge)) {
      return problems.providerAuth('gitlab', 'The GitLab token lacks the read_api scope this needs; reconnect GitLab to grant it.');
    }
    if (/blocked|deactivated|banned/i.test(message ?? '')) {
      return problems.providerAuth('gitlab', 'GitLab says this account is blocked or deactivated; reconnect with an active GitLab account.');
    }
    return problems.providerAuth('gitlab', `GitLab refused access${message ? ` (${message})` : ''}; reconnect GitLab.`);
  }
  if (status === 429) return problems.rateLimited(retryAfterSeconds(headers, now), 'GitLab asks us to slow down (rate limit).', 'gitlab');
  const said = isHtml(headers, body) ? ' with an HTML error page' : message || error ? ` (${message ?? error})` : '';
  return problems.upstreamUnavailable('gitlab', `GitLab answered ${status}${said} while ${what}.`);
}

/** Anything a GitLab call can throw, as the ApiProblem our API answers with. */
export function toGitLabProblem(error: unknown, context: FailureContext): ApiProblem {
  if (error instanceof ApiProblem) return error;
  if (context.timedOut) return problems.upstreamTimeout('gitlab', `GitLab did not answer within ${context.timeoutMs} ms while ${context.what}.`);
  if (error instanceof GitLabHttpError) return problemForStatus(error.status, error.headers, error.body, context.what, context.now);
  if (error instanceof MalformedAnswer || error instanceof SyntaxError) {
    return problems.upstreamUnavailable('gitlab', `GitLab sent an invalid answer while ${context.what}: ${error instanceof SyntaxError ? 'the body is not JSON' : (error as Error).message}.`, error);
  }
  return problems.upstreamUnavailable('gitlab', `GitLab ${failureInWords(error)} while ${context.what}.`, error);
}
