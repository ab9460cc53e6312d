export { startFakeBitbucket, renderRepo as renderBitbucketRepo, commitOf as bitbucketCommitOf, cursorFor as bitbucketCursorFor } from './server.ts';
export type { FakeBitbucket, StartFakeBitbucketOptions } from './server.ts';
export {
  FakeBitbucketState,
  ACCESS_TOKEN_SECONDS,
  BITBUCKET_API_TOKEN_SCOPES,
  BITBUCKET_OAUTH_SCOPES,
  bitbucketApiTokenFor,
  bitbucketUuidFor,
} from './state.ts';
export { generateBitbucketRepos, bitbucketTime } from './generate.ts';
export type { GenerateBitbucketReposOptions } from './generate.ts';
export type * from './types.ts';
export { bitbucketSandbox, linkSandboxBitbucket, startSandboxBitbucket, SANDBOX_BITBUCKET_CLIENT, SANDBOX_BITBUCKET_WORKSPACES } from './sandbox.ts';
