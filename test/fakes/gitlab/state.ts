import { createHash, randomBytes } from 'node:crypto';
import { FakeHostState, type AccountLookup } from '../state.ts';
import type { FakeAccount, FakeRequestRecord, FakeRoute, FakeUserInput, Fault } from './types.ts';

export const DEFAULT_SCOPES = ['read_api', 'read_user'];

/** A personal access token in GitLab's form (`glpat-` + 20 characters), derived from the login. */
export function tokenFor(login: string): string {
  return `glpat-${createHash('sha256').update(`fake-gitlab:${login}`).digest('base64url').slice(0, 20)}`;
}

/** A stable numeric id for a name, so users and groups keep their id across runs. */
export function idFor(name: string): number {
  return 1_000 + (createHash('sha256').update(`gitlab:${name}`).digest().readUInt32BE(0) % 90_000_000);
}

export interface PendingAuthorization {
  login: string;
  clientId: string;
  redirectUri: string;
  scope: string;
  codeChallenge: string | undefined;
  expiresAt: number;
}

/** Why a token is not accepted, in GitLab's words. */
export type TokenTrouble = 'expired' | 'revoked';

/** Everything the fake knows, and the handles tests use to shape its answers. */
export class FakeGitLabState extends FakeHostState<FakeRoute, FakeAccount, Fault, FakeRequestRecord> {
  readonly codes = new Map<string, PendingAuthorization>();
  /** OAuth access tokens: whose, and until when (epoch ms). */
  readonly accessTokens = new Map<string, { login: string; expiresAt: number; scope: string }>();
  /** OAuth refresh tokens: whose, and whether already spent (GitLab's can be used once). */
  readonly refreshTokens = new Map<string, { login: string; used: boolean; scope: string }>();
  /** Refresh-token grants honoured, and those refused because the token was already spent. */
  refreshes = 0;
  refusedRefreshes = 0;
  /** Lifetime of an OAuth access token (GitLab: two hours). */
  accessTokenTtlSeconds = 7_200;
  /** GitLab leaves out `X-Total`, `X-Total-Pages` and `rel="last"` above this many results. */
  countLimit = 10_000;
  /** Offset pagination stops here for projects (GitLab: 50,000); keyset goes on. */
  offsetLimit = 50_000;
  /** Told of each request just before its answer is worked out: a test changes the projects mid-listing here. */
  beforeReply: ((route: FakeRoute | 'other', query: Record<string, string>) => void) | undefined;
  /** False: `POST /api/graphql` answers 403, as an instance that refuses GraphQL to this token. */
  graphqlEnabled = true;

  addUser(input: FakeUserInput): FakeAccount {
    const id = input.id ?? idFor(input.login);
    const account: FakeAccount = {
      token: input.token ?? tokenFor(input.login),
      scopes: input.scopes ?? [...DEFAULT_SCOPES],
      user: {
        id,
        login: input.login,
        username: input.login,
        name: input.name ?? input.login,
        state: input.blocked ? 'blocked' : 'active',
        avatar_url: null,
        web_url: '',
        created_at: '2016-05-04T10:11:12.000Z',
      },
      projects: input.projects ?? [],
    };
    this.accounts.set(account.token, account);
    this.defaultLogin ??= input.login;
    return account;
  }

  /** Issues an OAuth access token and its single-use refresh token for `login`. */
  issueTokens(login: string, scope: string): { access_token: string; refresh_token: string; expires_in: number; created_at: number } {
    const access = randomBytes(32).toString('hex');
    const refresh = randomBytes(32).toString('hex');
    this.accessTokens.set(access, { login, expiresAt: Date.now() + this.accessTokenTtlSeconds * 1000, scope });
    this.refreshTokens.set(refresh, { login, used: false, scope });
    return { access_token: access, refresh_token: refresh, expires_in: this.accessTokenTtlSeconds, created_at: Math.floor(Date.now() / 1000) };
  }

  /** Makes an OAuth access token expire now (what two hours do). */
  expire(accessToken: string): void {
    const entry = this.accessTokens.get(accessToken);
    if (entry) entry.expiresAt = Date.now() - 1;
  }

  /** The account of a personal access token or of a live OAuth access token. */
  lookup(authorization: string | undefined): AccountLookup<FakeAccount> | { kind: 'trouble'; trouble: TokenTrouble } {
    const direct = this.accountFor(authorization, /^bearer\s+(\S+)$/i);
    if (direct.kind !== 'unknown') return direct;
    const token = /^bearer\s+(\S+)$/i.exec(authorization?.trim() ?? '')?.[1] ?? '';
    const oauth = this.accessTokens.get(token);
    if (!oauth) return direct;
    if (oauth.expiresAt <= Date.now()) return { kind: 'trouble', trouble: 'expired' };
    const account = this.accountByLogin(oauth.login);
    return account ? { kind: 'ok', account } : { kind: 'trouble', trouble: 'revoked' };
  }

  /** The scopes a request's token carries. */
  scopesOf(authorization: string | undefined, account: FakeAccount): string[] {
    const token = /^bearer\s+(\S+)$/i.exec(authorization?.trim() ?? '')?.[1] ?? '';
    const oauth = this.accessTokens.get(token);
    return oauth ? oauth.scope.split(/\s+/).filter(Boolean) : account.scopes;
  }

  takeFault(route: FakeRoute | 'other', page: number): Fault | undefined {
    return this.takeFaultWhere(route, page);
  }
}
