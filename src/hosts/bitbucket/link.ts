/**
 * Linking Bitbucket without OAuth: an Atlassian API token (with the account's email, over HTTP
 * Basic). App passwords are not taken: Bitbucket no longer creates them and stops accepting them on
 * 28 July 2026. The token needs Bitbucket's read scopes for the user, workspaces and repositories.
 */
import { ApiProblem, problems } from '../../contract/problem.ts';
import { emailAndToken, type BitbucketClient, type BitbucketCredential } from './client.ts';

/** The scopes to tick when creating the API token, as Atlassian names them. */
export const BITBUCKET_API_TOKEN_SCOPES = ['read:user:bitbucket', 'read:workspace:bitbucket', 'read:repository:bitbucket'] as const;

const REJECTED =
  'Bitbucket rejected the API token: the email or token is wrong, or the token was revoked or expired. Create an Atlassian API token with the read:user, read:workspace and read:repository Bitbucket scopes.';

/**
 * Checks an API token before it is stored, given as `email:token` (the Atlassian account's email and
 * the token, as HTTP Basic takes them): Bitbucket must accept it for the user and for listing
 * workspaces (the first step of every listing). A refusal is `PROVIDER_AUTH`; a failure that is not
 * one (rate limit, outage, timeout) passes through unchanged: it says nothing about the token.
 */
export async function verifyBitbucketApiToken(
  client: Pick<BitbucketClient, 'getUser' | 'listWorkspaces'>,
  credential: BitbucketCredential,
): Promise<{ login: string; uuid: string; scopes: string[] }> {
  if (!emailAndToken(credential)) {
    throw problems.validation(
      [{ path: 'body.token', message: 'is not what Bitbucket links with: the Atlassian account email and an API token, as email:token' }],
      'Bitbucket is linked with an Atlassian API token given with its account email, as email:token.',
    );
  }
  try {
    const user = await client.getUser(credential);
    await client.listWorkspaces(credential);
    // Bitbucket does not report an API token's scopes: none are claimed.
    return { login: user.login, uuid: user.uuid, scopes: [] };
  } catch (error) {
    if (error instanceof ApiProblem && error.code === 'PROVIDER_AUTH') {
      throw problems.providerAuth('bitbucket', /scope/.test(error.detail) ? error.detail : REJECTED);
    }
    throw error;
  }
}
