import createClient, { type Client, type ClientOptions } from 'openapi-fetch';
import type { paths } from '../../src/api/schema.d.ts';

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
