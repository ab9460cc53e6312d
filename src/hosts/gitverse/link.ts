import { ApiProblem, problems } from '../../contract/problem.ts';
import type { GitVerseClient } from './client.ts';

/** Either scope lets a token list repositories, as GitVerse documents for `GET /user/repos`. */
export const GITVERSE_READ_SCOPES = ['read:public_api', 'public_api'] as const;

export const PUBLIC_API_WARNING =
  'This GitVerse token has the public_api scope, which also grants write and delete access. A token with read:public_api is enough.';

const NEEDS_SCOPE = 'GitVerse rejected the token: it needs the read:public_api scope.';

/**
 * Checks a personal access token before it is stored: GitVerse must accept it and it must be able
 * to list repositories. When GitVerse reports the token's scopes, they decide; when it reports none
 * (its docs do not promise the header), listing one repository decides, since that is exactly what
 * the scope is needed for. Failures that are not a rejection (rate limit, outage, timeout) pass
 * through unchanged: they say nothing about the token.
 */
export async function verifyGitVerseToken(
  client: Pick<GitVerseClient, 'getUser' | 'probeRepos'>,
  token: string,
): Promise<{ login: string; scopes: string[] }> {
  const user = await rejectionsAs(client.getUser(token), 'GitVerse rejected the token: it is invalid, expired or revoked, or lacks the read:public_api scope.');
  if (user.scopes.length > 0) {
    if (!user.scopes.some((s) => (GITVERSE_READ_SCOPES as readonly string[]).includes(s))) throw problems.providerAuth('gitverse', NEEDS_SCOPE);
  } else {
    await rejectionsAs(client.probeRepos(token), NEEDS_SCOPE);
  }
  return { login: user.login, scopes: user.scopes };
}

/** What `me` tells the user about a linked token's scopes. */
export function scopeWarnings(scopes: readonly string[]): string[] {
  return scopes.includes('public_api') ? [PUBLIC_API_WARNING] : [];
}

async function rejectionsAs<T>(call: Promise<T>, detail: string): Promise<T> {
  try {
    return await call;
  } catch (error) {
    if (error instanceof ApiProblem && error.code === 'PROVIDER_AUTH') throw problems.providerAuth('gitverse', detail);
    throw error;
  }
}
