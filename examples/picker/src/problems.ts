/**
 * What the picker draws for an answer that is not a list: the API's problem (RFC 9457), read by its stable
 * `code`, never by its wording. One place, so every screen that calls the API draws a problem the same way.
 */
import type { Schema } from 'repositories-api-client';

export type Problem = Schema<'Problem'>;
export type Provider = Schema<'Provider'>;

/** What a screen offers to fix a problem. */
export type Remedy =
  /** The app session is gone (or its renewal failed): sign in again. */
  | { kind: 'sign_in' }
  /** The app session is fine, the git host's token is not: link the host again. */
  | { kind: 'reconnect'; provider: Provider }
  /** Asked to slow down: wait this long, then the picker asks again by itself. */
  | { kind: 'wait'; seconds: number }
  /** Worth asking again now (a host that failed or was slow, our own error). */
  | { kind: 'retry' };

export interface ProblemScreen {
  title: string;
  detail: string;
  remedy: Remedy;
  /** To quote when reporting it. */
  requestId: string | undefined;
}

const HOST_NAMES: Partial<Record<string, string>> = { github: 'GitHub', gitverse: 'GitVerse', gitlab: 'GitLab', bitbucket: 'Bitbucket' };

/** A host's name for people; a host this picker does not know yet keeps its identifier. */
export const hostName = (provider: string | undefined): string => (provider ? (HOST_NAMES[provider] ?? provider) : 'The git host');

/**
 * The screen for a problem. `status` and `retryAfterHeader` come from the response: a problem body that is
 * not ours (a proxy's HTML error page, Prism's own errors) still gets a screen by its status.
 */
export function screenFor(problem: Partial<Problem> | undefined, status: number, retryAfterHeader: string | null): ProblemScreen {
  const host = hostName(problem?.provider);
  const requestId = problem?.request_id;
  const detail = problem?.detail ?? '';
  switch (problem?.code) {
    case 'UNAUTHORIZED':
      return { title: 'You are signed out', detail: 'Sign in to see your repositories.', remedy: { kind: 'sign_in' }, requestId };
    case 'SESSION_EXPIRED':
      return { title: 'Your session has expired', detail: 'Sign in again to continue.', remedy: { kind: 'sign_in' }, requestId };
    case 'GITHUB_AUTH':
    case 'PROVIDER_AUTH':
      // `reconnect: true`: the app session is still valid; only the host's token needs renewing.
      return problem.reconnect
        ? { title: `${host} needs to be reconnected`, detail, remedy: { kind: 'reconnect', provider: problem.provider ?? 'github' }, requestId }
        : { title: `${host} refused access`, detail, remedy: { kind: 'retry' }, requestId };
    case 'RATE_LIMITED': {
      // The body's `retry_after` and the `Retry-After` header say the same; the header also reaches
      // clients that read no body (it must be exposed to the page by CORS, by name).
      const seconds = problem.retry_after ?? (Number(retryAfterHeader) || 60);
      return { title: 'Too many requests', detail, remedy: { kind: 'wait', seconds }, requestId };
    }
    case 'UPSTREAM_UNAVAILABLE':
      return { title: `${host} is not answering`, detail, remedy: { kind: 'retry' }, requestId };
    case 'UPSTREAM_TIMEOUT':
      return { title: `${host} took too long to answer`, detail, remedy: { kind: 'retry' }, requestId };
    default:
      if (status === 401) return { title: 'You are signed out', detail: 'Sign in to see your repositories.', remedy: { kind: 'sign_in' }, requestId };
      return { title: 'Something went wrong', detail: detail || `The API answered ${status}.`, remedy: { kind: 'retry' }, requestId };
  }
}
