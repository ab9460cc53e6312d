export { startFakeGitVerse, renderRepo as renderGitVerseRepo } from './server.ts';
export type { FakeGitVerse, StartFakeGitVerseOptions } from './server.ts';
export { FakeGitVerseState, DEFAULT_GITVERSE_SCOPES, gitverseTokenFor, gitverseIdFor } from './state.ts';
export { generateGitVerseRepos, moscowTime } from './generate.ts';
export type { GenerateGitVerseReposOptions } from './generate.ts';
export type * from './types.ts';
