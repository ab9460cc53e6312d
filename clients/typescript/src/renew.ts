import type { Middleware, MiddlewareCallbackParams } from 'openapi-fetch';

/** Where a live session (the session cookie) gets a fresh bearer token. */
export const RENEW_PATH = '/api/v1/auth/token';

export interface BearerTokenOptions {
  /** The bearer token from sign-in, if there is one yet. */
  token?: string | undefined;
  /** Called with every fresh token the middleware obtains, e.g. to keep it in the app's state. */
  onToken?: ((token: string) => void) | undefined;
  /**
   * Credentials of the renewal request. The session cookie must travel with it, so the default is
   * `include` (needed when the API is on another origin; the API must list the page's origin).
   */
  credentials?: RequestCredentials | undefined;
}

export type BearerTokenMiddleware = Middleware & {
  /** The token the next request will carry. */
  readonly token: string | undefined;
};

/**
 * Sends `Authorization: Bearer <token>` on every request and, when an answer is 401, asks
 * `POST /api/v1/auth/token` for a fresh token with the session cookie, then repeats the request once
 * with it. Concurrent 401s share one renewal; a renewal that fails leaves the 401 as it was.
 */
export function bearerToken(options: BearerTokenOptions = {}): BearerTokenMiddleware {
  let token = options.token;
  let renewing: Promise<string | undefined> | undefined;
  const pending = new Map<string, Request>();

  async function renew(baseUrl: string, fetcher: typeof fetch): Promise<string | undefined> {
    const res = await fetcher(new Request(`${baseUrl.replace(/\/$/, '')}${RENEW_PATH}`, {
      method: 'POST',
      credentials: options.credentials ?? 'include',
      headers: { Accept: 'application/json' },
    }));
    if (!res.ok) return undefined;
    const body = (await res.json()) as { access_token?: unknown };
    if (typeof body.access_token !== 'string') return undefined;
    token = body.access_token;
    options.onToken?.(token);
    return token;
  }

  return {
    get token() {
      return token;
    },
    onRequest({ request, id }: MiddlewareCallbackParams) {
      if (token && !request.headers.has('Authorization')) request.headers.set('Authorization', `Bearer ${token}`);
      // Kept to repeat the request once after a renewal: the original's body is spent by then.
      pending.set(id, request.clone());
      return request;
    },
    async onResponse({ request, response, id, options: client }: MiddlewareCallbackParams & { response: Response }) {
      const copy = pending.get(id);
      pending.delete(id);
      if (response.status !== 401 || !copy || new URL(request.url).pathname.endsWith(RENEW_PATH)) return undefined;
      const sent = copy.headers.get('Authorization');
      // Another request renewed the token meanwhile: repeat with it without asking again.
      const fresh = token && sent !== `Bearer ${token}` ? token : await (renewing ??= renew(client.baseUrl, client.fetch).finally(() => (renewing = undefined)));
      if (!fresh) return undefined;
      const headers = new Headers(copy.headers);
      headers.set('Authorization', `Bearer ${fresh}`);
      // Called as a plain function: a browser's fetch called as a method of another object throws "Illegal invocation".
      const fetcher = client.fetch;
      return fetcher(new Request(copy, { headers }));
    },
    onError({ id }: MiddlewareCallbackParams & { error: unknown }) {
      pending.delete(id);
    },
  };
}
