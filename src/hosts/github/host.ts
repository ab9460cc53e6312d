import { gitHost } from '../host.ts';
import { checkHostAccount } from '../boundary.ts';
import { GitHubClient } from './client.ts';
import { githubConfig } from './config.ts';
import { toGitHubProblem } from './errors.ts';
import { createGitHubReader } from './kinds.ts';
import { createGitHubSource } from './source.ts';

/** Scopes asked for at sign-in: `repo` to list private repositories and read their files, `read:user` for who signed in. */
const GITHUB_SCOPES = 'repo read:user';

/** GitHub (or GitHub Enterprise): sign-in and linking by OAuth, listing by REST, files by GraphQL. */
export const github = gitHost({
  provider: 'github',
  displayName: 'GitHub',
  config: githubConfig,
  create({ config, publicUrl, cache, metrics, onCacheError, clock, kinds }) {
    const client = new GitHubClient({ apiUrl: config.apiUrl, timeoutMs: config.timeoutMs, concurrency: config.concurrency, onCacheError, clock });
    const account = async (token: string) => {
      // Held to the boundary a listing is: an identity field the spec cannot hold is a 502 naming it.
      const user = checkHostAccount('github', await client.getUser(token));
      return { id: String(user.id), login: user.login, name: user.name, avatar_url: user.avatar_url, scopes: user.scopes };
    };
    return {
      provider: 'github',
      displayName: 'GitHub',
      link: {
        oauth: {
          authorizeUrl({ redirectUri, state, codeChallenge }) {
            const url = new URL(`${config.webUrl}/login/oauth/authorize`);
            url.search = new URLSearchParams({
              client_id: config.clientId,
              redirect_uri: redirectUri,
              scope: GITHUB_SCOPES,
              state,
              code_challenge: codeChallenge,
              code_challenge_method: 'S256',
            }).toString();
            return url.toString();
          },
          exchangeCode: ({ code, redirectUri, codeVerifier }) =>
            client.exchangeOAuthCodeForGrant({
              webUrl: config.webUrl,
              clientId: config.clientId,
              clientSecret: config.clientSecret,
              code,
              redirectUri,
              codeVerifier,
            }),
          // The user tokens of a GitHub App expire (eight hours) and come with a refresh token.
          refresh: ({ refreshToken }) =>
            client.refreshOAuthToken({ webUrl: config.webUrl, clientId: config.clientId, clientSecret: config.clientSecret, refreshToken }),
        },
      },
      account: ({ token }) => account(token),
      async status({ token }) {
        const { login, scopes } = await account(token);
        return { login, scopes };
      },
      warnings: () => [],
      source: createGitHubSource({
        client,
        cache,
        metrics,
        kinds,
        apiUrl: config.apiUrl,
        hints: { webUrl: config.webUrl, clientId: config.clientId, signInUrl: `${publicUrl}/api/v1/auth/github/login` },
      }),
      reader: createGitHubReader({ apiUrl: config.apiUrl, timeoutMs: config.timeoutMs, client }),
      toProblem: (error, what) => toGitHubProblem(error, { what, timedOut: false, timeoutMs: config.timeoutMs, now: clock.now() }),
    };
  },
});
