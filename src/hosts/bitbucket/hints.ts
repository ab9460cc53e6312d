/**
 * Why some of a user's Bitbucket repositories may be missing, as Bitbucket lets us find out without
 * asking more than the listing does: credentials without the repository read scope (an OAuth token's
 * granted scopes come in `X-OAuth-Scopes`; a 403 names the scope it required), and workspaces the user
 * is a member of where no repository is shared with them (their `role=member` list is empty).
 */
import { ApiProblem, problems } from '../../contract/problem.ts';
import type { HostRepository, MissingHint } from '../types.ts';
import type { BitbucketWorkspace } from './repo.ts';

/** Where an Atlassian account creates API tokens (with their scopes). */
export const ATLASSIAN_API_TOKENS_URL = 'https://id.atlassian.com/manage-profile/security/api-tokens';

/** The OAuth scopes that let a token read repositories (`repository:write` and `repository:admin` imply `repository`). */
const REPOSITORY_SCOPES = ['repository', 'repository:write', 'repository:admin'];

/** Whether a scope Bitbucket names is one of reading repositories (OAuth's `repository`, an API token's `read:repository:bitbucket`). */
export const isRepositoryScope = (scope: string): boolean => REPOSITORY_SCOPES.includes(scope) || /^(read|write|admin):repository:bitbucket$/.test(scope);

/** Whether the scopes `X-OAuth-Scopes` reported let the token read repositories. */
export const grantsRepositories = (scopes: readonly string[]): boolean => scopes.some(isRepositoryScope);

/**
 * The credentials lack the repository scope: Bitbucket lists no repository for them. An API token is
 * fixed on Atlassian's API token page; an OAuth consumer's permissions are set by its owner, not the user.
 */
export function repositoryScopeHint(apiToken: boolean): MissingHint {
  return {
    code: 'bitbucket_repository_scope',
    message: apiToken
      ? 'The Atlassian API token lacks the read:repository:bitbucket scope, so Bitbucket lists no repository for it. Create a token with it and link Bitbucket again.'
      : 'The Bitbucket OAuth consumer has no Repositories permission, so Bitbucket lists no repository for this account. The operator of this service must grant it Repositories: Read.',
    url: apiToken ? ATLASSIAN_API_TOKENS_URL : null,
    organizations: [],
  };
}

/** The listing's failure when the token cannot read repositories, with the hint that says why. */
export function repositoryScopeProblem(apiToken: boolean, detail?: string): ApiProblem {
  const base = problems.providerAuth('bitbucket', detail ?? 'Bitbucket granted this token no repository scope; reconnect Bitbucket with one.');
  return withHint(base, repositoryScopeHint(apiToken));
}

export function withHint(problem: ApiProblem, hint: MissingHint): ApiProblem {
  return new ApiProblem(problem.status, problem.code, problem.detail, { ...problem.extras, hint }, problem.cause);
}

/**
 * Workspaces the user is a member of (not an administrator, who sees every repository) whose
 * `role=member` list is empty: none of their repositories is shared with the user, or they have none.
 */
export function emptyWorkspacesHint(workspaces: readonly BitbucketWorkspace[], repos: readonly HostRepository[]): MissingHint | undefined {
  const listed = new Set(repos.map((r) => r.owner.login.toLowerCase()));
  const empty = workspaces.filter((w) => !w.administrator && !listed.has(w.slug.toLowerCase())).map((w) => w.slug).slice(0, 100);
  if (empty.length === 0) return undefined;
  const one = empty.length === 1;
  const names = one ? `the ${empty[0]} workspace` : `the ${empty.slice(0, -1).join(', ')} and ${empty.at(-1)} workspaces`;
  return {
    code: 'bitbucket_workspace_no_access',
    message: `You are a member of ${names}, but no repository of ${one ? 'it' : 'them'} is shared with you (or ${one ? 'it has' : 'they have'} none). An administrator of the workspace can give you access to its repositories.`,
    url: null,
    organizations: empty,
  };
}
