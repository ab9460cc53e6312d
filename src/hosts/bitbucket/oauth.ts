/**
 * Signing in and linking with Bitbucket Cloud: OAuth 2.0's authorization code grant, with PKCE,
 * and the refresh of the access tokens it issues (they last two hours).
 *
 * The scopes are the OAuth consumer's permissions (Bitbucket takes none in the authorize URL), and
 * the token answer's `scopes` says what was granted. We need two, and no more:
 * - `account`: `GET /2.0/user` (who signed in: their UUID, which keeps one person one user) and
 *   `GET /2.0/user/workspaces` (the workspaces whose repositories are listed);
 * - `repository`: read access to repositories, for `GET /2.0/repositories/{workspace}` and the `src`
 *   endpoints kind detection reads. It grants nothing but reading (`repository:write` would).
 *
 * Bitbucket's documentation does not promise PKCE; the challenge is sent with the authorization and
 * the verifier with the exchange, which a server that ignores them accepts, and the consumer's
 * secret authenticates the exchange in any case.
 */
import { problems } from '../../contract/problem.ts';
import type { BitbucketClient } from './client.ts';
import { isObject, problemForStatus } from './errors.ts';

export const BITBUCKET_SCOPES = ['account', 'repository'] as const;

export interface BitbucketTokens {
  accessToken: string;
  /** Bitbucket sends one with every grant; the one sent before is kept if an answer lacks it. */
  refreshToken: string;
  /** When the access token stops working (Bitbucket: two hours after it was issued). */
  expiresAt: Date;
  scopes: string[];
}

/** A token answer as read, before a missing refresh token is filled in. */
type FreshTokens = Omit<BitbucketTokens, 'refreshToken'> & { refreshToken: string | null };

export interface BitbucketConsumer {
  clientId: string;
  clientSecret: string;
}

/** Where to send the browser: Bitbucket's authorize page, for the authorization code grant with PKCE (S256). */
export function authorizeUrl(client: Pick<BitbucketClient, 'webUrl'>, input: { clientId: string; redirectUri: string; state: string; codeChallenge: string }): string {
  const url = new URL(`${client.webUrl}/site/oauth2/authorize`);
  url.searchParams.set('client_id', input.clientId);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('redirect_uri', input.redirectUri);
  url.searchParams.set('state', input.state);
  url.searchParams.set('code_challenge', input.codeChallenge);
  url.searchParams.set('code_challenge_method', 'S256');
  return url.toString();
}

/** Step two: the code for tokens. A code Bitbucket refuses (wrong, expired, other verifier) is a 401 to sign in again. */
export async function exchangeCode(
  client: BitbucketClient,
  input: BitbucketConsumer & { code: string; redirectUri: string; codeVerifier: string },
): Promise<BitbucketTokens> {
  const tokens = await tokenRequest(client, input, 'exchanging the sign-in code', {
    grant_type: 'authorization_code',
    code: input.code,
    redirect_uri: input.redirectUri,
    code_verifier: input.codeVerifier,
  });
  if (tokens.kind === 'refused') {
    throw problems.unauthorized('Bitbucket sign-in failed: the code is incorrect, expired or does not match the PKCE verifier. Sign in again.');
  }
  return requireScopes(tokens.tokens, undefined);
}

/**
 * A new access token for a refresh token. A refresh token Bitbucket refuses (the access was revoked)
 * is `PROVIDER_AUTH` with `reconnect`: the user must link Bitbucket again.
 */
export async function refreshTokens(client: BitbucketClient, input: BitbucketConsumer & { refreshToken: string }): Promise<BitbucketTokens> {
  const tokens = await tokenRequest(client, input, 'renewing the access token', { grant_type: 'refresh_token', refresh_token: input.refreshToken });
  if (tokens.kind === 'refused') {
    throw problems.providerAuth('bitbucket', 'Bitbucket refused to renew the access (it was revoked or the authorization removed); reconnect Bitbucket.');
  }
  return requireScopes(tokens.tokens, input.refreshToken);
}

/** Tokens that grant less than `BITBUCKET_SCOPES` are refused: a listing with them would fail later, less clearly. */
function requireScopes(tokens: FreshTokens, previousRefresh: string | undefined): BitbucketTokens {
  const missing = BITBUCKET_SCOPES.filter((s) => !tokens.scopes.includes(s));
  if (missing.length > 0) {
    throw problems.providerAuth(
      'bitbucket',
      `Bitbucket granted the OAuth consumer no ${missing.map((s) => `"${s}"`).join(' or ')} permission; the consumer must have the account and repository permissions.`,
    );
  }
  const refreshToken = tokens.refreshToken ?? previousRefresh;
  if (!refreshToken) throw problems.upstreamUnavailable('bitbucket', 'Bitbucket issued an access token without a refresh token.');
  return { ...tokens, refreshToken };
}

async function tokenRequest(
  client: BitbucketClient,
  consumer: BitbucketConsumer,
  what: string,
  params: Record<string, string>,
): Promise<{ kind: 'refused' } | { kind: 'ok'; tokens: FreshTokens }> {
  const endpoint = 'POST /site/oauth2/access_token';
  const answer = await client.post(
    what,
    endpoint,
    `${client.webUrl}/site/oauth2/access_token`,
    {
      authorization: `Basic ${Buffer.from(`${consumer.clientId}:${consumer.clientSecret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    new URLSearchParams(params),
  );
  let body: unknown;
  try {
    body = JSON.parse(answer.text);
  } catch {
    body = undefined;
  }
  const error = isObject(body) && typeof body.error === 'string' ? body.error : undefined;
  if (answer.status === 400 && error === 'invalid_grant') return { kind: 'refused' };
  if (answer.status === 400 && (error === 'invalid_client' || error === 'unauthorized_client')) {
    throw problems.upstreamUnavailable('bitbucket', 'Bitbucket refused the OAuth consumer\'s key or secret; check the Bitbucket OAuth settings.');
  }
  if (answer.status < 200 || answer.status > 299) throw problemForStatus(answer.status, answer.headers, answer.text, what, endpoint, client.clock.now());
  if (!isObject(body) || typeof body.access_token !== 'string' || body.access_token === '') {
    throw client.malformed(what, 'the token answer has no access_token');
  }
  const expiresIn = typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : 7_200;
  return {
    kind: 'ok',
    tokens: {
      accessToken: body.access_token,
      refreshToken: typeof body.refresh_token === 'string' && body.refresh_token ? body.refresh_token : null,
      expiresAt: new Date(client.clock.now() + expiresIn * 1000),
      scopes: typeof body.scopes === 'string' ? body.scopes.split(/[\s,]+/).filter(Boolean) : [],
    },
  };
}
