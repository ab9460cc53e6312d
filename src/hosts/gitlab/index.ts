export { GitLabClient, graphqlUrl, statusOf, PER_PAGE } from './client.ts';
export type { GitLabClientOptions, GitLabUser, GitLabTokens, OAuthClient, ListProjectsOptions, ProjectListing, GraphqlAnswer } from './client.ts';
export { toGitLabProject, toGitLabProjectPage, toHostRepository, ACCESS_LEVEL } from './project.ts';
export type { GitLabProject } from './project.ts';
export { toGitLabProblem, problemForStatus, rejectedToken, retryAfterSeconds, GitLabHttpError, MalformedAnswer } from './errors.ts';
export { detectGitLabBatch, createGitLabReader, DETECT_QUERY, DEFAULT_BATCH_SIZE } from './kinds.ts';
export { createGitLabSource } from './source.ts';
export { loadGitLabConfig, GitLabInstances, gitlabEnvSchema } from './config.ts';
export type { GitLabConfig, GitLabInstance } from './config.ts';
