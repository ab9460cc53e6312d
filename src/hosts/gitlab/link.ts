import { problems } from '../../contract/problem.ts';
import type { GitLabClient, GitLabUser } from './client.ts';
import type { GitLabInstance, GitLabInstances } from './config.ts';

/** Scopes that let a token read projects and repository files; `api` also writes, which the link warns about. */
export const READ_SCOPES = ['read_api', 'api'] as const;

export interface PersonalAccessTokenLink {
  instance: GitLabInstance;
  user: GitLabUser;
  scopes: string[];
  warnings: string[];
}

/**
 * Checks a personal access token a user gives for a self-managed instance: the instance must be on
 * the operator's list (checked before anything is sent anywhere), the token must belong to an active
 * user and carry `read_api` (or `api`).
 */
export async function checkPersonalAccessToken(input: {
  instances: GitLabInstances;
  clientFor: (instance: GitLabInstance) => GitLabClient;
  instanceUrl: string;
  token: string;
}): Promise<PersonalAccessTokenLink> {
  const instance = input.instances.allowed(input.instanceUrl);
  const client = input.clientFor(instance);
  const user = await client.getUser(input.token);
  const scopes = await client.personalAccessTokenScopes(input.token);
  if (!scopes.some((s) => (READ_SCOPES as readonly string[]).includes(s))) {
    throw problems.providerAuth('gitlab', 'The GitLab token needs the read_api scope to list projects and read their files; create one with read_api.');
  }
  const warnings = scopes.includes('api') ? ['This token has the api scope, which can also write; read_api is enough for this service.'] : [];
  return { instance, user, scopes, warnings };
}
