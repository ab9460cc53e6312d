import createClient, { type Client, type ClientOptions } from 'openapi-fetch';
import type { paths } from '../../src/api/schema.d.ts';
import { checkedFetch, type CheckedFetchOptions } from './checked.ts';
import { signInThrough, type SignedIn } from './sign-in.ts';

export type { paths, components, operations } from '../../src/api/schema.d.ts';
export type RepositoriesApiClient = Client<paths>;

export interface ApiClientOptions extends ClientOptions {
  /** A bearer JWT from sign-in; browsers can rely on the session cookie instead. */
  token?: string;
}

/**
 * The typed client the tests use: every path, parameter and answer is checked against the spec. (Frontend
 * code uses the client package under clients/typescript.)
 *
 *   const api = createApiClient({ baseUrl: 'https://api.example.com', token });
 *   const { data, error } = await api.GET('/api/v1/repos', { params: { query: { kind: 'frontend' } } });
 */
export function createApiClient({ token, headers, ...options }: ApiClientOptions = {}): RepositoriesApiClient {
  return createClient<paths>({
    ...options,
    headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), ...(headers as Record<string, string> | undefined) },
  });
}

/** The typed client against the app at `baseUrl` (in this process or another), every answer checked against the spec. */
export function apiClient(
  baseUrl: string,
  credentials: { token?: string; cookie?: string } = {},
  options: CheckedFetchOptions | { fetch: typeof fetch } = {},
): RepositoriesApiClient {
  return createApiClient({
    baseUrl,
    ...(credentials.token ? { token: credentials.token } : {}),
    ...(credentials.cookie ? { headers: { cookie: credentials.cookie } } : {}),
    fetch: 'fetch' in options ? options.fetch : checkedFetch(options),
  });
}

/**
 * The real OAuth web flow: login on `baseUrl`, approval at the fake GitHub as `login`, and the
 * callback on `callbackBase` (another instance of the app, when given); every answer of ours checked.
 */
export function signIn(
  baseUrl: string,
  login: string,
  options: (CheckedFetchOptions | { fetch: typeof fetch }) & { callbackBase?: string } = {},
): Promise<SignedIn> {
  const { callbackBase, ...checks } = options;
  const appFetch = 'fetch' in checks ? checks.fetch : checkedFetch(checks);
  return signInThrough(baseUrl, login, { appFetch, ...(callbackBase ? { callbackBase } : {}) });
}
