import createClient, { type Client, type ClientOptions } from 'openapi-fetch';
import type { paths } from './schema.js';
import { bearerToken, type BearerTokenMiddleware } from './renew.js';

export type { paths, components, operations } from './schema.js';
export { bearerToken, RENEW_PATH, type BearerTokenMiddleware, type BearerTokenOptions } from './renew.js';
// What a project needs of openapi-fetch, so it imports this package alone (openapi-fetch is only its dependency).
export { default as createClient } from 'openapi-fetch';
export type { Client, ClientOptions, FetchOptions, FetchResponse, Middleware, MiddlewareCallbackParams } from 'openapi-fetch';

export type RepositoriesApiClient = Client<paths>;
/** A schema of the spec by name: `Schema<'Repository'>`. */
export type Schema<Name extends keyof import('./schema.js').components['schemas']> = import('./schema.js').components['schemas'][Name];

export interface ApiClientOptions extends ClientOptions {
  /** A bearer JWT from sign-in; browsers can rely on the session cookie instead. */
  token?: string | undefined;
  /**
   * Renew the bearer token once on a 401 with the session cookie (`POST /api/v1/auth/token`);
   * `onToken` hears every fresh token.
   */
  renewToken?: boolean | { onToken?: (token: string) => void } | undefined;
}

/**
 * The typed client: every path, parameter and answer is checked against the spec.
 *
 *   const api = createApiClient({ baseUrl: 'http://localhost:3000', credentials: 'include' });
 *   const { data, error } = await api.GET('/api/v1/repos', { params: { query: { kind: 'frontend' } } });
 */
export function createApiClient({ token, renewToken, ...options }: ApiClientOptions = {}): RepositoriesApiClient {
  const client = createClient<paths>(options);
  if (renewToken) {
    const middleware: BearerTokenMiddleware = bearerToken({
      token,
      credentials: options.credentials ?? 'include',
      onToken: typeof renewToken === 'object' ? renewToken.onToken : undefined,
    });
    client.use(middleware);
  } else if (token) {
    client.use({
      onRequest({ request }) {
        if (!request.headers.has('Authorization')) request.headers.set('Authorization', `Bearer ${token}`);
        return request;
      },
    });
  }
  return client;
}
