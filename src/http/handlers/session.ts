import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { CookieOptions, Request, RequestHandler, Response } from 'express';
import { ALL_SCOPES } from '../../auth/jwt.ts';
import { createTokenCipher, TokenDecryptionError } from '../../auth/crypto.ts';
import type { Services } from '../services.ts';
import type { User } from '../../store/types.ts';
import { principalOf } from '../auth.ts';
import { ApiProblem, problems } from '../../contract/problem.ts';
import type { JsonRequest, JsonResponse, Provider, Schemas } from '../../contract/types.ts';
import type { GitHost } from '../../hosts/host.ts';
import { isProvider, PROVIDERS } from '../../hosts/registry.ts';
import { createTokenChecks, type TokenCheck } from '../token-checks.ts';
import { UnrepresentableAccount } from '../../hosts/boundary.ts';

// A `__Host-` cookie must have Path=/ (and no Domain); the state cookie lives ten minutes at most.
const OAUTH_COOKIE_PATH = '/';
const OAUTH_TTL_SECONDS = 600;

interface OAuthState {
  state: string;
  verifier: string;
  expires: number;
  /** The host the flow was started for: a callback of another host does not finish it. */
  provider: Provider;
  /** The host's instance the flow was started for (a host with several), as the host named it; absent for its main one. */
  instance?: string;
  /** The user who was signed in when the flow started: the host account is linked to them. */
  userId?: number;
  sessionId?: string;
}

const toUser = (u: User): Schemas['User'] => ({ id: u.id, login: u.login, name: u.name, avatar_url: u.avatar_url });

const stateMismatch = () =>
  new ApiProblem(400, 'VALIDATION_FAILED', 'The sign-in state does not match; start the sign-in again.', {
    field_errors: { 'query.state': 'does not match the sign-in that was started' },
    issues: [{ path: 'query.state', message: 'does not match the sign-in that was started' }],
  });

export function sessionHandlers(services: Services) {
  const { config, store, jwt } = services;
  // The sign-in state rides in an encrypted cookie, so whichever instance gets the callback can finish it.
  const stateCipher = createTokenCipher(config.secretKey);
  const callbackUrl = (provider: Provider) => `${config.publicUrl}/api/v1/auth/${provider}/callback`;
  const cookieBase: CookieOptions = { httpOnly: true, secure: config.session.secureCookie, sameSite: 'lax' };
  const OAUTH_COOKIE = config.session.oauthCookieName;
  // Every answer that carries a token or a person's data: no browser or proxy may keep it (RFC 6749 §5.1).
  const noStore = (res: Response) => res.setHeader('Cache-Control', 'no-store');
  const checks = createTokenChecks({ cache: services.cache, ttlSeconds: config.tokenCheckTtlSeconds });

  /** The host a request's path names; the spec's enum has already held it to the registry's providers. */
  function hostOf(req: Request): GitHost {
    const provider = req.params.provider;
    if (typeof provider !== 'string' || !isProvider(provider)) throw problems.validation([{ path: 'path.provider', message: 'is not a git host this service serves' }]);
    return services.hosts[provider];
  }

  function oauthOf(host: GitHost) {
    if (!host.link.oauth) {
      throw problems.validation(
        [{ path: 'path.provider', message: `${host.displayName} is linked with a token, not by signing in` }],
        `${host.displayName} has no sign-in; link it with PUT /api/v1/me/providers/${host.provider}.`,
      );
    }
    return host.link.oauth;
  }

  function tokenLinkOf(host: GitHost) {
    if (!host.link.token) {
      throw problems.validation(
        [{ path: 'path.provider', message: `${host.displayName} is linked by signing in, not with a token` }],
        `${host.displayName} is linked through GET /api/v1/auth/${host.provider}/login.`,
      );
    }
    return host.link.token;
  }

  /**
   * The host's instance a sign-in names (`?instance=`), as the host's id of it; undefined for its main
   * one. Refused with 400 when the host has one instance, or does not allow the one named: nothing is
   * sent to a named instance before the host has found it on the operator's list.
   */
  function instanceOf(host: GitHost, oauth: NonNullable<GitHost['link']['oauth']>, named: string | undefined): string | undefined {
    if (named === undefined) return undefined;
    if (!oauth.instanceOf) {
      throw problems.validation([{ path: 'query.instance', message: `${host.displayName} has one instance here` }], `${host.displayName} has one instance here; leave out instance.`);
    }
    return oauth.instanceOf(named);
  }

  /** The user signed in with the session cookie, if any: whom a host account found by this flow is linked to. */
  async function cookieSession(req: Request) {
    const secret: unknown = req.cookies?.[config.session.cookieName];
    if (typeof secret !== 'string' || secret.length === 0 || secret.length > 256) return undefined;
    return store.sessions.getBySecret(secret);
  }

  const startSignIn: RequestHandler = async (req, res) => {
    const host = hostOf(req);
    const oauth = oauthOf(host);
    const instance = instanceOf(host, oauth, (req.query as { instance?: string }).instance);
    const session = await cookieSession(req);
    const flow: OAuthState = {
      state: randomBytes(24).toString('base64url'),
      verifier: randomBytes(32).toString('base64url'),
      expires: services.clock.now() + OAUTH_TTL_SECONDS * 1000,
      provider: host.provider,
      ...(instance !== undefined ? { instance } : {}),
      ...(session ? { userId: session.user_id, sessionId: session.id } : {}),
    };
    const challenge = createHash('sha256').update(flow.verifier).digest('base64url');
    const url = oauth.authorizeUrl({ redirectUri: callbackUrl(host.provider), state: flow.state, codeChallenge: challenge, instance });
    res.cookie(OAUTH_COOKIE, stateCipher.encrypt(JSON.stringify(flow), OAUTH_COOKIE), {
      ...cookieBase,
      path: OAUTH_COOKIE_PATH,
      maxAge: OAUTH_TTL_SECONDS * 1000,
    });
    // No body: the spec declares none (express's redirect() would add a text one).
    res.status(302).location(url).end();
  };

  function readOAuthState(raw: unknown): OAuthState | undefined {
    if (typeof raw !== 'string' || raw.length > 4096) return undefined;
    try {
      const parsed = JSON.parse(stateCipher.decrypt(raw, OAUTH_COOKIE)) as OAuthState;
      return parsed.expires > services.clock.now() ? parsed : undefined;
    } catch (error) {
      if (error instanceof TokenDecryptionError || error instanceof SyntaxError) return undefined;
      throw error;
    }
  }

  // A sign-in state is good for one callback: one that came back is kept as used until it expires, in
  // this process and in the shared cache (so another instance refuses it too).
  const usedStates = new Map<string, number>();
  async function useState(oauth: OAuthState): Promise<boolean> {
    const now = services.clock.now();
    if (usedStates.size >= 10_000) for (const [state, expires] of usedStates) if (expires <= now || usedStates.size >= 10_000) usedStates.delete(state);
    const key = `oauth:used:${createHash('sha256').update(oauth.state).digest('base64url')}`;
    if (usedStates.has(oauth.state) || (await services.cache.get<boolean>(key))) return false;
    usedStates.set(oauth.state, oauth.expires);
    await services.cache.set(key, true, Math.max(1, Math.ceil((oauth.expires - now) / 1000)));
    return true;
  }

  const sameState = (a: string, b: string) => {
    const x = Buffer.from(a);
    const y = Buffer.from(b);
    return x.length === y.length && timingSafeEqual(x, y);
  };

  async function signInWith(host: GitHost, code: string, codeVerifier: string, instance: string | undefined) {
    try {
      const grant = await oauthOf(host).exchangeCode({ code, redirectUri: callbackUrl(host.provider), codeVerifier, instance });
      return { grant, account: await host.account({ token: grant.token, instance: grant.instance ?? null }) };
    } catch (error) {
      // A token the host refuses right after issuing it is a failed sign-in, not a reconnect.
      if (error instanceof ApiProblem && error.status === 403 && error.extras.reconnect) {
        throw problems.unauthorized(`${host.displayName} sign-in failed: ${error.detail}`);
      }
      throw error;
    }
  }

  const completeSignIn: RequestHandler = async (req, res) => {
    const host = hostOf(req);
    const query = req.query as { code?: string; state?: string; error?: string };
    res.clearCookie(OAUTH_COOKIE, { ...cookieBase, path: OAUTH_COOKIE_PATH });
    const flow = readOAuthState(req.cookies?.[OAUTH_COOKIE]);
    // A flow started by an earlier version, which named no host, signs in with the registry's first host.
    const flowProvider = flow?.provider ?? PROVIDERS[0];
    if (!flow || flowProvider !== host.provider || !query.state || !sameState(flow.state, query.state) || !(await useState(flow))) throw stateMismatch();
    if (query.error) throw problems.unauthorized(`${host.displayName} sign-in failed: ${query.error === 'access_denied' ? 'access was denied' : query.error}.`);
    if (!query.code) throw problems.validation([{ path: 'query.code', message: 'is required when error is absent' }]);

    const { grant, account } = await signInWith(host, query.code, flow.verifier, flow.instance);
    // Signed in when the flow started (and still): the account is linked to that user, or refused when it is another's.
    const linking = flow.userId !== undefined && flow.sessionId !== undefined ? await store.sessions.get(flow.sessionId) : undefined;
    const profile = { id: account.id, login: account.login, name: account.name, avatar_url: account.avatar_url };
    const user =
      linking && linking.user_id === flow.userId
        ? await store.accounts.link(linking.user_id, host.provider, profile)
        : await store.accounts.signIn(host.provider, profile);
    if (!user) {
      throw problems.accountConflict(`This ${host.displayName} account (${account.login}) is already linked to another user; sign in with it to use that user, or unlink it there first.`);
    }
    await store.tokens.put(user.id, host.provider, {
      token: grant.token,
      login: account.login,
      scopes: account.scopes,
      refreshToken: grant.refreshToken ?? null,
      expiresAt: grant.expiresAt ?? null,
      instance: grant.instance ?? null,
    });
    // A linked account may be another one of this host than before: its listing is not the old one's.
    if (linking) await services.listing.forget(user.id, host.provider);
    await checks.forget(user.id, host.provider);
    const { session, secret } = await store.sessions.create(user.id, ALL_SCOPES, config.session.ttlSeconds);
    res.cookie(config.session.cookieName, secret, { ...cookieBase, path: '/', maxAge: config.session.ttlSeconds * 1000 });
    noStore(res);
    if (config.postLoginRedirect) {
      res.status(303).location(config.postLoginRedirect).end();
      return;
    }
    const body: JsonResponse<'completeSignIn', 200> = {
      access_token: await jwt.issue({ userId: user.id, sessionId: session.id, scopes: ALL_SCOPES }),
      token_type: 'Bearer',
      expires_in: jwt.ttlSeconds,
      scope: ALL_SCOPES.join(' '),
      user: toUser(user),
    };
    res.setHeader('Pragma', 'no-cache');
    res.status(200).json(body);
  };

  const signOut: RequestHandler = async (req, res) => {
    const { session } = principalOf(req);
    await store.sessions.revoke(session.id);
    res.clearCookie(config.session.cookieName, { ...cookieBase, path: '/' });
    res.status(204).end();
  };

  /** Whether the host still accepts the stored token, asked now, and why some of its repositories may be missing. */
  async function hostStatus(userId: number, host: GitHost): Promise<Schemas['LinkedProvider']> {
    const stored = await store.tokens.get(userId, host.provider);
    const base = { provider: host.provider, hints: [] as Schemas['MissingHint'][] };
    if (!stored) return { ...base, linked: false, login: null, scopes: [], token_status: 'not_linked', warnings: [] };
    const meta = { ...base, linked: true, login: stored.login, scopes: stored.scopes, warnings: host.warnings(stored.scopes) };
    if (stored.status === 'undecryptable') return { ...meta, token_status: 'undecryptable' };
    const check = await checks.check(userId, host.provider, stored.token, async (): Promise<TokenCheck> => {
      try {
        const token = await services.tokens.usable(userId, host.provider, stored);
        const now = await services.tokens.retried(userId, host.provider, token, (t) => host.status({ token: t, instance: stored.instance }));
        return { token_status: 'valid', ...(now.login !== undefined ? { login: now.login } : {}), ...(now.scopes !== undefined ? { scopes: now.scopes } : {}) };
      } catch (error) {
        // An account the spec cannot hold is the host's failure, named: a 502, as for a listing.
        if (error instanceof UnrepresentableAccount) throw error;
        if (error instanceof ApiProblem && error.status === 403 && error.extras.reconnect) return { token_status: 'rejected' };
        return { token_status: 'unknown' };
      }
    });
    // A rejected token still says what its scopes keep out; an unknown one says nothing it has not checked.
    if (check.token_status === 'rejected') return { ...meta, token_status: 'rejected', hints: host.source.tokenHints?.(meta.scopes) ?? [] };
    if (check.token_status !== 'valid') return { ...meta, token_status: check.token_status };
    const scopes = check.scopes ?? meta.scopes;
    const hints = await services.listing.missing(userId, host.provider, scopes);
    return { ...meta, login: check.login ?? meta.login, scopes, warnings: host.warnings(scopes), token_status: 'valid', hints };
  }

  const linkToken: RequestHandler = async (req, res) => {
    const { user } = principalOf(req);
    const host = hostOf(req);
    const link = tokenLinkOf(host);
    const { token, instance_url } = req.body as JsonRequest<'linkHostToken'>;
    const verified = await link.verify(token, { instanceUrl: instance_url });
    const { login, scopes } = verified;
    await store.tokens.put(user.id, host.provider, { token, login, scopes, instance: verified.instance ?? null });
    await services.listing.forget(user.id, host.provider);
    await checks.forget(user.id, host.provider);
    const body: JsonResponse<'linkHostToken', 200> = {
      provider: host.provider,
      linked: true,
      login,
      scopes,
      token_status: 'valid',
      warnings: host.warnings(scopes),
      hints: host.source.tokenHints?.(scopes) ?? [],
    };
    noStore(res);
    res.json(body);
  };

  const unlinkToken: RequestHandler = async (req, res) => {
    const { user } = principalOf(req);
    const host = hostOf(req);
    if (!(await store.tokens.delete(user.id, host.provider))) throw problems.notFound(`No ${host.displayName} token is linked.`);
    await services.listing.forget(user.id, host.provider);
    await checks.forget(user.id, host.provider);
    res.status(204).end();
  };

  const getMe: RequestHandler = async (req, res) => {
    const principal = principalOf(req);
    const providers = await Promise.all(PROVIDERS.map((p) => hostStatus(principal.user.id, services.hosts[p])));
    const body: JsonResponse<'getMe', 200> = { user: toUser(principal.user), scopes: principal.scopes, providers };
    noStore(res);
    res.json(body);
  };

  /** A fresh bearer token for the session of the cookie (the cross-site check runs before). */
  const renewAccessToken: RequestHandler = async (req, res) => {
    const { user, session, scopes } = principalOf(req);
    const body: JsonResponse<'renewAccessToken', 200> = {
      access_token: await jwt.issue({ userId: user.id, sessionId: session.id, scopes }),
      token_type: 'Bearer',
      expires_in: jwt.ttlSeconds,
      scope: scopes.join(' '),
    };
    res.setHeader('Cache-Control', 'no-store');
    res.status(200).json(body);
  };

  return { startSignIn, completeSignIn, signOut, getMe, linkToken, unlinkToken, renewAccessToken };
}
