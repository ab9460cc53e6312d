/** How a failed Bitbucket request becomes the ApiProblem our API answers with. */
import { ApiProblem, problems } from '../../contract/problem.ts';
import { failureInWords, retryAfterSeconds } from '../http.ts';

/** How long to wait after a 429 that names no time: Bitbucket's limits are counted over an hour, a minute is a fair first wait. */
export const DEFAULT_RETRY_AFTER_SECONDS = 60;

/** Bitbucket answered with something its API description does not allow. */
export class MalformedAnswer extends Error {
  override name = 'MalformedAnswer';
}

/** A request that never got an answer: our deadline fired, or the connection failed. */
export function failedRequest(error: unknown, what: string, timedOut: boolean, timeoutMs: number): ApiProblem {
  if (error instanceof ApiProblem) return error;
  if (timedOut) return problems.upstreamTimeout('bitbucket', `Bitbucket did not answer within ${timeoutMs} ms while ${what}.`);
  return problems.upstreamUnavailable('bitbucket', `Bitbucket ${failureInWords(error)} while ${what}.`, error);
}

/**
 * An answer with a status that is not a success. `endpoint` names the request without its query
 * (`GET /2.0/user/workspaces`), for a 410: Bitbucket removes endpoints (CHANGE-2770), and an
 * operator must see which one is gone to know that this service needs upgrading.
 */
export function problemForStatus(status: number, headers: Headers, raw: string, what: string, endpoint: string, now: number): ApiProblem {
  const said = errorMessage(raw);
  const because = said ? `: ${said}` : '';
  if (status === 401) {
    return problems.providerAuth('bitbucket', `Bitbucket rejected the stored credentials${because} (expired or revoked); reconnect Bitbucket.`);
  }
  if (status === 403) {
    const required = requiredScopes(raw);
    return problems.providerAuth(
      'bitbucket',
      required.length > 0
        ? `Bitbucket needs the ${required.map((s) => `"${s}"`).join(', ')} scope for this; reconnect Bitbucket to grant it.`
        : `Bitbucket refused access${because}; reconnect Bitbucket.`,
    );
  }
  if (status === 410) {
    return problems.upstreamUnavailable(
      'bitbucket',
      `Bitbucket answered 410 Gone for ${endpoint}: Bitbucket has removed this endpoint, so this version of the service can no longer list Bitbucket repositories. Upgrade the service.`,
    );
  }
  if (status === 429) {
    return problems.rateLimited(retryAfterSeconds(headers.get('retry-after'), now) ?? DEFAULT_RETRY_AFTER_SECONDS, 'Bitbucket asks us to slow down (rate limit).', 'bitbucket');
  }
  return problems.upstreamUnavailable('bitbucket', `Bitbucket answered ${status}${because} while ${what}.`);
}

/** Bitbucket's `error` object: `{type: "error", error: {message, detail}}`. */
function errorMessage(raw: string): string | undefined {
  const body = parseJson(raw);
  const error = isObject(body) && isObject(body.error) ? body.error : undefined;
  const message = typeof error?.message === 'string' ? error.message : isObject(body) && typeof body.error_description === 'string' ? body.error_description : undefined;
  return message ? message.replace(/[\r\n]+/g, ' ').slice(0, 300).replace(/[.\s]+$/, '') : undefined;
}

/** The scopes a 403 says were required (`error.detail.required`), when it says. */
export function requiredScopes(raw: string): string[] {
  const body = parseJson(raw);
  const detail = isObject(body) && isObject(body.error) && isObject(body.error.detail) ? body.error.detail : undefined;
  return Array.isArray(detail?.required) ? detail.required.filter((s): s is string => typeof s === 'string' && /^[\w:.-]{1,64}$/.test(s)).slice(0, 5) : [];
}

function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    // Proxies answer 502/503 with HTML; the status says enough.
    return undefined;
  }
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
