import { ALL_SCOPES, createJwtService, type Scope } from '../src/auth/jwt.ts';
import type { Config } from '../src/config.ts';
import type { Store } from '../src/store/types.ts';

export interface DevTokenInput {
  login: string;
  scopes?: Scope[];
  ttlSeconds?: number;
  /** Links this GitHub token to the user (the fake GitHub's token in the sandbox). */
  githubToken?: string;
  /** The user's GitHub id, so a later sign-in through GitHub lands on the same user. */
  githubId?: number;
}

/** Creates (or reuses) a user, opens a session and returns a bearer token for it: for trying the API by hand. */
export async function issueDevToken(store: Store, config: Config, input: DevTokenInput) {
  const scopes = input.scopes ?? ALL_SCOPES;
  const ttlSeconds = input.ttlSeconds ?? 12 * 3600;
  const user =
    input.githubId !== undefined
      ? await store.accounts.signIn('github', { id: String(input.githubId), login: input.login, name: null, avatar_url: null })
      : await store.users.upsertLocal(input.login);
  if (input.githubToken) await store.tokens.put(user.id, 'github', { token: input.githubToken, login: input.login, scopes: ['repo', 'read:user'] });
  const { session } = await store.sessions.create(user.id, scopes, ttlSeconds);
  const jwt = createJwtService({ ...config.jwt, ttlSeconds });
  return { user, token: await jwt.issue({ userId: user.id, sessionId: session.id, scopes }), expiresIn: ttlSeconds };
}
