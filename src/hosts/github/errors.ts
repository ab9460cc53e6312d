import { ApiProblem, problems } from '../../contract/problem.ts';
import { failureInWords } from '../http.ts';
import { MalformedAnswer } from './repo.ts';

/** The parts of Octokit's `RequestError` we read (it is not exported by @octokit/core). */
export interface OctokitHttpError {
  name: 'HttpError';
  status: number;
  response?: { status: number; headers: Record<string, string | number | undefined>; data: unknown };
}

export function isOctokitHttpError(error: unknown): error is OctokitHttpError {
  return error instanceof Error && error.name === 'HttpError' && typeof (error as { status?: unknown }).status === 'number';
}

export interface FailureContext {
  /** What we were doing, for the detail ("listing repositories (page 3)"). */
  what: string;
  /** Our own per-request deadline fired. */
  timedOut: boolean;
  timeoutMs: number;
  /** The time of the answer on the app's clock, for a rate limit's reset time (ms since the epoch). */
  now: number;
}

/** Turns anything a GitHub call can throw into the ApiProblem our API answers with. */
export function toGitHubProblem(error: unknown, context: FailureContext): ApiProblem {
  if (error instanceof ApiProblem) return error;
  if (context.timedOut) {
    return problems.upstreamTimeout('github', `GitHub did not answer within ${context.timeoutMs} ms while ${context.what}.`);
  }
  if (isOctokitHttpError(error) && error.response) {
    return problemForStatus(error.response.status, error.response.headers, error.response.data, context.what, context.now);
  }
  if (error instanceof MalformedAnswer || error instanceof SyntaxError) {
    return problems.upstreamUnavailable('github', `GitHub sent an invalid answer while ${context.what}: ${error instanceof SyntaxError ? 'the body is not JSON' : error.message}.`, error);
  }
  return problems.upstreamUnavailable('github', `GitHub ${failureInWords(error)} while ${context.what}.`, error);
}

function problemForStatus(
  status: number,
  headers: Record<string, string | number | undefined>,
  data: unknown,
  what: string,
  now: number,
): ApiProblem {
  const message = typeof data === 'object' && data !== null && typeof (data as { message?: unknown }).message === 'string'
    ? (data as { message: string }).message
    : undefined;
  if (status === 401) {
    return problems.providerAuth('github', 'GitHub rejected the stored token (revoked or expired); reconnect GitHub.');
  }
  if (status === 403 || status === 429) {
    // GitHub's rule: honour retry-after first; otherwise, with no requests left, wait for the reset.
    const retryAfter = seconds(headers['retry-after']);
    if (retryAfter !== undefined) {
      return problems.rateLimited(retryAfter, 'GitHub asks us to slow down (secondary rate limit).', 'github');
    }
    const reset = seconds(headers['x-ratelimit-reset']);
    if (String(headers['x-ratelimit-remaining']) === '0' && reset !== undefined) {
      // GitHub sends epoch seconds; a proxy or an Enterprise version that sends milliseconds is read as such.
      const resetSeconds = reset > 100_000_000_000 ? reset / 1000 : reset;
      return problems.rateLimited(resetSeconds - now / 1000, 'The GitHub API rate limit for this account is used up.', 'github');
    }
    if (status === 429 || /rate limit/i.test(message ?? '')) {
      // GitHub documents waiting at least a minute when it gives no time.
      return problems.rateLimited(60, 'GitHub asks us to slow down (secondary rate limit).', 'github');
    }
    const accepted = headers['x-accepted-oauth-scopes'];
    return problems.providerAuth(
      'github',
      accepted ? `GitHub needs the "${accepted}" scope for this; reconnect GitHub to grant it.` : `GitHub refused access${message ? `: ${message}` : ''}; reconnect GitHub.`,
    );
  }
  return problems.upstreamUnavailable('github', `GitHub answered ${status}${message ? ` (${message})` : ''} while ${what}.`);
}

function seconds(value: string | number | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}
