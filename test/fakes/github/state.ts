import { createHash } from 'node:crypto';
import { FakeHostState, type AccountLookup } from '../state.ts';
import type { FakeAccount, FakeOrg, FakeGraphqlHandler, FakeRequestRecord, FakeRoute, FakeUserInput, Fault } from './types.ts';

export const DEFAULT_SCOPES = ['repo', 'read:user', 'user:email'];

/** A token that looks like a GitHub OAuth token (`gho_` + 36 characters), derived from the login. */
export function tokenFor(login: string): string {
  return `gho_${createHash('sha256').update(`fake-github:${login}`).digest('hex').slice(0, 36)}`;
}

/** A stable numeric id for a login, so owners keep their id across runs. */
export function idFor(login: string): number {
  return 1_000 + (createHash('sha256').update(login).digest().readUInt32BE(0) % 90_000_000);
}

export interface PendingAuthorization {
  login: string;
  clientId: string;
  redirectUri: string | undefined;
  codeChallenge: string | undefined;
  codeChallengeMethod: string | undefined;
  expiresAt: number;
}

/** Everything the fake knows, and the handles tests use to shape its answers. */
export class FakeGitHubState extends FakeHostState<FakeRoute, FakeAccount, Fault, FakeRequestRecord> {
  /** OAuth codes issued by the authorize step and not yet exchanged. */
  readonly codes = new Map<string, PendingAuthorization>();
  /** Primary rate limit per token and hour. */
  rateLimit = 5_000;
  etagStyle: 'weak' | 'strong' = 'weak';
  /** GitHub repeats the current `Link` on a 304 (the ETag covers the body only); false leaves it out. */
  linkOn304 = true;
  graphql: FakeGraphqlHandler | undefined;
  /**
   * When set, the code exchange hands out access tokens that expire after this many seconds, each with
   * a refresh token that can be used once, as GitHub Apps' user tokens do.
   */
  expiringTokensSeconds: number | undefined;
  /** Expiring access tokens handed out, with their account and expiry (epoch ms). */
  readonly issued = new Map<string, { account: FakeAccount; expiresAt: number }>();
  /** Refresh tokens handed out; a used one is refused. */
  readonly refreshTokens = new Map<string, { account: FakeAccount; used: boolean }>();
  /** Refresh requests answered with a new token. */
  refreshes = 0;
  private serial = 0;

  /** A new expiring access token and refresh token for the account, as the token endpoint answers them. */
  issueExpiring(account: FakeAccount): Record<string, string | number> {
    const n = ++this.serial;
    const token = `ghu_${account.user.login}_${n}`.padEnd(40, '0');
    const refresh = `ghr_${account.user.login}_${n}`.padEnd(76, '0');
    const lifetime = this.expiringTokensSeconds ?? 28_800;
    this.issued.set(token, { account, expiresAt: Date.now() + lifetime * 1000 });
    this.refreshTokens.set(refresh, { account, used: false });
    return { access_token: token, expires_in: lifetime, refresh_token: refresh, refresh_token_expires_in: 15_811_200, token_type: 'bearer', scope: '' };
  }

  /** Expires every token handed out so far, as time passing would. */
  expireIssued(): void {
    for (const entry of this.issued.values()) entry.expiresAt = 0;
  }

  override accountFor(authorization: string | undefined, pattern: RegExp): AccountLookup<FakeAccount> {
    const match = authorization ? pattern.exec(authorization.trim()) : null;
    const issued = match?.[1] ? this.issued.get(match[1]) : undefined;
    if (issued) return issued.expiresAt > Date.now() ? { kind: 'ok', account: issued.account } : { kind: 'unknown' };
    return super.accountFor(authorization, pattern);
  }

  /** Organisations by login. */
  readonly orgs = new Map<string, FakeOrg>();

  addOrg(org: Omit<FakeOrg, 'id'> & { id?: number }): FakeOrg {
    const kept: FakeOrg = { ...org, id: org.id ?? idFor(org.login) };
    this.orgs.set(org.login.toLowerCase(), kept);
    return kept;
  }

  /** What the organisation owning a repository hides from this token: nothing, all of it (OAuth restrictions), or all of it until SSO. */
  hiddenBy(ownerLogin: string, token: string): { org: FakeOrg; reason: 'oauth' | 'sso' } | undefined {
    const org = this.orgs.get(ownerLogin.toLowerCase());
    if (!org) return undefined;
    if (org.oauthRestricted) return { org, reason: 'oauth' };
    if (org.sso && !(org.ssoAuthorized ?? []).includes(token)) return { org, reason: 'sso' };
    return undefined;
  }

  addUser(input: FakeUserInput): FakeAccount {
    const now = new Date().toISOString();
    const id = input.id ?? idFor(input.login);
    const account: FakeAccount = {
      token: input.token ?? tokenFor(input.login),
      scopes: input.scopes ?? [...DEFAULT_SCOPES],
      user: {
        id,
        login: input.login,
        name: input.name === undefined ? input.login : input.name,
        email: input.email === undefined ? `${input.login}@users.noreply.example` : input.email,
        company: null,
        location: null,
        bio: null,
        created_at: '2015-03-14T09:26:53Z',
        updated_at: now,
      },
      repos: input.repos ?? [],
      rate: { used: 0, resetAt: Math.floor(Date.now() / 1000) + 3600 },
    };
    this.accounts.set(account.token, account);
    this.defaultLogin ??= input.login;
    return account;
  }

  /** The first fault matching this request, used up by one. */
  takeFault(route: FakeRoute | 'other', page: number): Fault | undefined {
    return this.takeFaultWhere(route, page);
  }
}
