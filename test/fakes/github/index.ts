export { startFakeGitHub } from './server.ts';
export type { FakeGitHub, StartFakeGitHubOptions } from './server.ts';
export { FakeGitHubState, DEFAULT_SCOPES, tokenFor, idFor } from './state.ts';
export { generateRepos } from './generate.ts';
export { seededRandom } from '../random.ts';
export type { GenerateReposOptions } from './generate.ts';
export { renderRepo, renderUser, renderOwner } from './render.ts';
export type * from './types.ts';
