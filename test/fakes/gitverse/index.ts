export { startFakeGitverse, renderRepo as renderGitverseRepo } from './server.ts';
export type { FakeGitverse, StartFakeGitverseOptions } from './server.ts';
export { FakeGitverseState, DEFAULT_GITVERSE_SCOPES, gitverseTokenFor, gitverseIdFor } from './state.ts';
export { generateGitverseRepos, moscowTime } from './generate.ts';
export type { GenerateGitverseReposOptions } from './generate.ts';
export type * from './types.ts';
