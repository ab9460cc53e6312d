export { GitHubClient } from './client.ts';
export type { GitHubClientOptions, GitHubUser, ExchangeOAuthCodeInput, ListReposOptions, RepoListing } from './client.ts';
export { toGitHubRepo, toGitHubRepoPage, MalformedAnswer } from './repo.ts';
export type { GitHubRepo, GitHubRepoOwner, GitHubRepoPermissions } from './repo.ts';
export { toGitHubProblem } from './errors.ts';
