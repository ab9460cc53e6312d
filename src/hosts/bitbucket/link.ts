/**
 * Linking Bitbucket without OAuth: an Atlassian API token (with the account's email, over HTTP
 * Basic). App passwords are not taken: Bitbucket no longer creates them and stops accepting them on
 * 28 July 2026. The token needs Bitbucket's read scopes for the user, workspaces and repositories.
 */
import { ApiProblem, problems } from '../../contract/problem.ts';
import { apiTokenCredential, type BitbucketClient, type BitbucketCredential } from './client.ts';

/** The scopes to tick when creating the API token, as Atlassian names them. */
export const BITBUCKET_API_TOKEN_SCOPES = ['read:user:bitbucket', 'read:workspace:bitbucket', 'read:repository:bitbucket'] as const;

const REJECTED =
  'Bitbucket rejected the API token: the email or token is wrong, or the token was revoked or expired. Create an Atlassian API token with the read:user, read:workspace and read:repository Bitbucket scopes.';

/**
 * Checks an API token before it is stored: Bitbucket must accept it for the user and for listing
 * workspaces (the first step of every listing). A refusal is `PROVIDER_AUTH`; a failure that is not
 * one (rate limit, outage, timeout) passes through unchanged: it says nothing about the token.
 */
export async function verifyBitbucketApiToken(
  client: Pick<BitbucketClient, 'getUser' | 'listWorkspaces'>,
  input: { email: string; apiToken: string },
): Promise<{ login: string; uuid: string; credential: BitbucketCredential }> {
  if (!/^[^\s@:]+@[^\s@:]+$/.test(input.email) || !/^\S+$/.test(input.apiToken)) {
    throw problems.validation([{ path: '/email', message: 'must be the Atlassian account email and its API token' }]);
  }
  const credential = apiTokenCredential(input.email, input.apiToken);
  try {
    const user = await client.getUser(credential);
    await client.listWorkspaces(credential);
    return { login: user.login, uuid: user.uuid, credential };
  } catch (error) {
    if (error instanceof ApiProblem && error.code === 'PROVIDER_AUTH') {
      throw problems.providerAuth('bitbucket', /scope/.test(error.detail) ? error.detail : REJECTED);
    }
    throw error;
  }
}
