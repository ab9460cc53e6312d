import { createHash, randomBytes } from 'node:crypto';
import { FakeHostState } from '../state.ts';
import type {
  BitbucketFault,
  FakeBitbucketAccount,
  FakeBitbucketRepo,
  FakeBitbucketRequest,
  FakeBitbucketRoute,
  FakeBitbucketUserInput,
  FakeBitbucketWorkspace,
  FakeBitbucketWorkspaceInput,
  IssuedToken,
} from './types.ts';

/** What an OAuth consumer with the `account` and `repository` permissions is granted. */
export const BITBUCKET_OAUTH_SCOPES = ['account', 'repository'];
/** What an Atlassian API token needs to read the user, their workspaces and repositories. */
export const BITBUCKET_API_TOKEN_SCOPES = ['read:user:bitbucket', 'read:workspace:bitbucket', 'read:repository:bitbucket'];
/** Bitbucket's access tokens last two hours. */
export const ACCESS_TOKEN_SECONDS = 7_200;

/** A stable `{uuid}` for a name, as Bitbucket writes UUIDs (in braces). */
export function bitbucketUuidFor(name: string): string {
  const hex = createHash('sha256').update(`fake-bitbucket:${name}`).digest('hex');
  return `{${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}}`;
}

/** An Atlassian API token derived from the login (`ATATT` and 40 characters), stable across restarts. */
export function bitbucketApiTokenFor(login: string): string {
  return `ATATT3x${createHash('sha256').update(`fake-bitbucket-api-token:${login}`).digest('base64url').slice(0, 40)}`;
}

export interface PendingAuthorization {
  login: string;
  clientId: string;
  redirectUri: string | undefined;
  codeChallenge: string | undefined;
  expiresAt: number;
}

/** Everything the fake knows, and the handles tests use to shape its answers. Accounts are keyed by API token. */
export class FakeBitbucketState extends FakeHostState<FakeBitbucketRoute, FakeBitbucketAccount, BitbucketFault, FakeBitbucketRequest> {
  readonly workspaces = new Map<string, FakeBitbucketWorkspace>();
  /** OAuth codes issued by the authorize step and not yet exchanged. */
  readonly codes = new Map<string, PendingAuthorization>();
  readonly accessTokens = new Map<string, IssuedToken>();
  readonly refreshTokens = new Map<string, { login: string; scopes: string[] }>();
  /** Refresh grants answered with a new access token. */
  refreshes = 0;
  /** Lifetime of the access tokens the token endpoint issues. */
  accessTokenSeconds = ACCESS_TOKEN_SECONDS;
  /** What the OAuth consumer grants (its permissions). */
  oauthScopes = [...BITBUCKET_OAUTH_SCOPES];
  /**
   * Whether `next` links carry an opaque cursor rather than a page number; a request with a page
   * number it did not hand out is refused, so a client that builds its own links fails.
   */
  opaqueCursors = true;
  /** Whether pages carry `size` (Bitbucket's description makes it optional). */
  sendSize = true;

  addUser(input: FakeBitbucketUserInput): FakeBitbucketAccount {
    const account: FakeBitbucketAccount = {
      user: {
        uuid: bitbucketUuidFor(`user:${input.login}`),
        account_id: `712020:${bitbucketUuidFor(`account:${input.login}`).slice(1, 37)}`,
        login: input.login,
        username: input.login,
        display_name: input.display_name ?? input.login,
        nickname: input.login,
        email: input.email ?? `${input.login}@example.com`,
      },
      apiToken: input.apiToken ?? bitbucketApiTokenFor(input.login),
      apiTokenScopes: input.apiTokenScopes ?? [...BITBUCKET_API_TOKEN_SCOPES],
    };
    this.accounts.set(account.apiToken, account);
    this.defaultLogin ??= input.login;
    return account;
  }

  addWorkspace(input: FakeBitbucketWorkspaceInput): FakeBitbucketWorkspace {
    const workspace: FakeBitbucketWorkspace = {
      uuid: input.uuid ?? bitbucketUuidFor(`workspace:${input.slug}`),
      slug: input.slug,
      name: input.name ?? input.slug,
      is_private: input.is_private ?? true,
      members: input.members ?? [],
      administrators: input.administrators ?? [],
      repos: input.repos ?? [],
    };
    this.workspaces.set(workspace.slug, workspace);
    return workspace;
  }

  /** The workspaces `login` is a member of, in the order they were added. */
  workspacesOf(login: string): FakeBitbucketWorkspace[] {
    return [...this.workspaces.values()].filter((w) => w.members.includes(login) || w.administrators.includes(login));
  }

  /** The repositories of `workspace` that `login` may read (`role=member`). */
  readableRepos(workspace: FakeBitbucketWorkspace, login: string): FakeBitbucketRepo[] {
    const member = workspace.members.includes(login) || workspace.administrators.includes(login);
    return workspace.repos.filter((r) => (r.readers ? r.readers.includes(login) : member));
  }

  /** An access token (two hours by default) and a refresh token for `login`, as the token endpoint issues them. */
  issueTokens(login: string, scopes: string[] = this.oauthScopes, seconds = this.accessTokenSeconds): { access_token: string; refresh_token: string; expires_in: number } {
    const accessToken = randomBytes(24).toString('base64url');
    this.accessTokens.set(accessToken, { login, scopes: [...scopes], expiresAt: Date.now() + seconds * 1000 });
    const refreshToken = randomBytes(18).toString('base64url');
    this.refreshTokens.set(refreshToken, { login, scopes: [...scopes] });
    return { access_token: accessToken, refresh_token: refreshToken, expires_in: seconds };
  }

  /** Makes an access token expire now, as two hours passing would. */
  expire(accessToken: string): void {
    const issued = this.accessTokens.get(accessToken);
    if (issued) issued.expiresAt = Date.now() - 1;
  }

  /** The first fault matching this request, used up by one. */
  takeFault(route: FakeBitbucketRoute | 'other', page: number, workspace: string | undefined, repo: string | undefined): BitbucketFault | undefined {
    return this.takeFaultWhere(
      route,
      page,
      (f) => (f.workspace === undefined || f.workspace === workspace) && (f.repo === undefined || f.repo.toLowerCase() === repo?.toLowerCase()),
    );
  }
}
