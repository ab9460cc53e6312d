import { ALL_SCOPES, createJwtService, type Scope } from '../src/auth/jwt.ts';
import type { Config } from '../src/config.ts';
import type { Store } from '../src/store/types.ts';
import type { Provider } from '../src/contract/problem.ts';

export interface DevTokenInput {
  login: string;
  scopes?: Scope[];
  ttlSeconds?: number;
  /** Links this GitHub token to the user (the fake GitHub's token in the sandbox). */
  githubToken?: string;
  /** The user's GitHub id, so a later sign-in through GitHub lands on the same user. */
  githubId?: number;
  /** Another host's account to sign in as (and its token to link), for a user who came in by that host. */
  host?: { provider: Provider; id: string; token: string; scopes: string[] };
}

/** Creates (or reuses) a user, opens a session and returns a bearer token for it: for trying the API by hand. */
export async function issueDevToken(store: Store, config: Config, input: DevTokenInput) {
  const scopes = input.scopes ?? ALL_SCOPES;
  const ttlSeconds = input.ttlSeconds ?? 12 * 3600;
  const user = input.host
    ? await store.accounts.signIn(input.host.provider, { id: input.host.id, login: input.login, name: null, avatar_url: null })
    : input.githubId !== undefined
      ? await store.accounts.signIn('github', { id: String(input.githubId), login: input.login, name: null, avatar_url: null })
      : await store.users.upsertLocal(input.login);
  if (input.host) await store.tokens.put(user.id, input.host.provider, { token: input.host.token, login: input.login, scopes: input.host.scopes });
  if (input.githubToken) await store.tokens.put(user.id, 'github', { token: input.githubToken, login: input.login, scopes: ['repo', 'read:user'] });
  const { session } = await store.sessions.create(user.id, scopes, ttlSeconds);
  const jwt = createJwtService({ ...config.jwt, ttlSeconds });
  return { user, token: await jwt.issue({ userId: user.id, sessionId: session.id, scopes }), expiresIn: ttlSeconds };
}
