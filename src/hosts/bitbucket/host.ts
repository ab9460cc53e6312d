import { ApiProblem } from '../../contract/problem.ts';
import { gitHost } from '../host.ts';
import { BitbucketClient, emailAndToken } from './client.ts';
import { bitbucketConfig } from './config.ts';
import { failedRequest } from './errors.ts';
import { createBitbucketKindReader } from './kinds.ts';
import { verifyBitbucketApiToken } from './link.ts';
import { authorizeUrl, exchangeCode, refreshTokens, BITBUCKET_SCOPES } from './oauth.ts';
import { createBitbucketSource } from './source.ts';

/**
 * Bitbucket Cloud: sign-in and linking by OAuth 2.0 (access tokens of two hours, refreshed), or a
 * linked Atlassian API token (`email:token`); every workspace's repositories; files by `src`.
 */
export const bitbucket = gitHost({
  provider: 'bitbucket',
  displayName: 'Bitbucket',
  config: bitbucketConfig,
  create({ config, metrics, clock, kinds }) {
    const client = new BitbucketClient({ apiUrl: config.apiUrl, webUrl: config.webUrl, timeoutMs: config.timeoutMs, concurrency: config.concurrency, clock });
    const consumer = { clientId: config.clientId, clientSecret: config.clientSecret };
    const grantOf = (tokens: Awaited<ReturnType<typeof refreshTokens>>) => ({ token: tokens.accessToken, refreshToken: tokens.refreshToken, expiresAt: tokens.expiresAt });
    const account = async (token: string) => {
      const user = await client.getUser(token);
      return {
        id: user.uuid,
        login: user.login,
        name: user.display_name,
        avatar_url: null,
        // An API token's scopes are not reported back; an OAuth token's are those the consumer was granted.
        scopes: emailAndToken(token) ? [] : [...BITBUCKET_SCOPES],
      };
    };
    return {
      provider: 'bitbucket',
      displayName: 'Bitbucket',
      link: {
        oauth: {
          authorizeUrl: ({ redirectUri, state, codeChallenge }) => authorizeUrl(client, { clientId: config.clientId, redirectUri, state, codeChallenge }),
          exchangeCode: async ({ code, redirectUri, codeVerifier }) => grantOf(await exchangeCode(client, { ...consumer, code, redirectUri, codeVerifier })),
          refresh: async ({ refreshToken }) => grantOf(await refreshTokens(client, { ...consumer, refreshToken })),
        },
        token: { verify: (token) => verifyBitbucketApiToken(client, token) },
      },
      account: ({ token }) => account(token),
      async status({ token }) {
        const { login } = await account(token);
        return { login };
      },
      warnings: () => [],
      source: createBitbucketSource({ client, webUrl: config.webUrl, metrics, kinds }),
      reader: createBitbucketKindReader(client),
      toProblem: (error, what) => (error instanceof ApiProblem ? error : failedRequest(error, what, false, config.timeoutMs)),
    };
  },
});
