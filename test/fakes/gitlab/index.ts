export { startFakeGitLab } from './server.ts';
export type { FakeGitLab, StartFakeGitLabOptions } from './server.ts';
export { FakeGitLabState, DEFAULT_SCOPES, tokenFor, idFor } from './state.ts';
export { generateProjects, groupNamespaces, userNamespace } from './generate.ts';
export type { GenerateProjectsOptions } from './generate.ts';
export { renderProject, renderBasicProject, renderUser, renderNamespace } from './render.ts';
export { ACCESS } from './types.ts';
export type * from './types.ts';
