export { BitbucketClient, BITBUCKET_API_URL, BITBUCKET_WEB_URL, PAGELEN, apiTokenCredential, authorizationFor } from './client.ts';
export type { BitbucketClientOptions, BitbucketCredential, BitbucketListing, BitbucketRoot, BitbucketUser, BitbucketWorkspace } from './client.ts';
export { createBitbucketKindReader } from './kinds.ts';
export type { BitbucketKindReaderOptions } from './kinds.ts';
export { createBitbucketSource } from './source.ts';
export { authorizeUrl, exchangeCode, refreshTokens, BITBUCKET_SCOPES } from './oauth.ts';
export type { BitbucketTokens, BitbucketConsumer } from './oauth.ts';
export { verifyBitbucketApiToken, BITBUCKET_API_TOKEN_SCOPES } from './link.ts';
export { idFromUuid, toBitbucketRepository, toBitbucketWorkspace } from './repo.ts';
