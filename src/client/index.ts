import createClient, { type Client, type ClientOptions } from 'openapi-fetch';
import type { paths } from '../api/schema.d.ts';

export type { paths, components, operations } from '../api/schema.d.ts';
export type RepositoriesApiClient = Client<paths>;

export interface ApiClientOptions extends ClientOptions {
  /** A bearer JWT from sign-in; browsers can rely on the session cookie instead. */
  token?: string;
}

/**
 * The typed client for frontend code: every path, parameter and answer is checked against the spec.
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
