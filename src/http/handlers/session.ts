import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { CookieOptions, RequestHandler, Response } from 'express';
import { ALL_SCOPES } from '../../auth/jwt.ts';
import { createTokenCipher, TokenDecryptionError } from '../../auth/crypto.ts';
import type { Services } from '../services.ts';
import type { User } from '../../store/types.ts';
import { principalOf } from '../auth.ts';
import { ApiProblem, problems } from '../../contract/problem.ts';
import type { JsonRequest, JsonResponse, Schemas } from '../../contract/types.ts';
import { scopeWarnings, verifyGitVerseToken } from '../../hosts/gitverse/link.ts';

// A `__Host-` cookie must have Path=/ (and no Domain); the state cookie lives ten minutes at most.
const OAUTH_COOKIE_PATH = '/';
const OAUTH_TTL_SECONDS = 600;
const GITHUB_SCOPES = 'repo read:user';

interface OAuthState {
  state: string;
  verifier: string;
  expires: number;
}

const toUser = (u: User): Schemas['User'] => ({ id: u.id, login: u.login, name: u.name, avatar_url: u.avatar_url });

export function sessionHandlers(services: Services) {
  const { config, store, jwt } = services;
  // The sign-in state rides in an encrypted cookie, so whichever instance gets the callback can finish it.
  const stateCipher = createTokenCipher(config.secretKey);
  const callbackUrl = `${config.publicUrl}/api/v1/auth/github/callback`;
  const cookieBase: CookieOptions = { httpOnly: true, secure: config.session.secureCookie, sameSite: 'lax' };
  const OAUTH_COOKIE = config.session.oauthCookieName;
  // Every answer that carries a token or a person's data: no browser or proxy may keep it (RFC 6749 §5.1).
  const noStore = (res: Response) => res.setHeader('Cache-Control', 'no-store');

  const startGitHubSignIn: RequestHandler = (_req, res) => {
    const oauth: OAuthState = {
      state: randomBytes(24).toString('base64url'),
      verifier: randomBytes(32).toString('base64url'),
      expires: Date.now() + OAUTH_TTL_SECONDS * 1000,
    };
    const challenge = createHash('sha256').update(oauth.verifier).digest('base64url');
    const url = new URL(`${config.github.webUrl}/login/oauth/authorize`);
    url.search = new URLSearchParams({
      client_id: config.github.clientId,
      redirect_uri: callbackUrl,
      scope: GITHUB_SCOPES,
      state: oauth.state,
      code_challenge: challenge,
      code_challenge_method: 'S256',
    }).toString();
    res.cookie(OAUTH_COOKIE, stateCipher.encrypt(JSON.stringify(oauth), OAUTH_COOKIE), {
      ...cookieBase,
      path: OAUTH_COOKIE_PATH,
      maxAge: OAUTH_TTL_SECONDS * 1000,
    });
    // No body: the spec declares none (express's redirect() would add a text one).
    res.status(302).location(url.toString()).end();
  };

  function readOAuthState(raw: unknown): OAuthState | undefined {
    if (typeof raw !== 'string' || raw.length > 4096) return undefined;
    try {
      const parsed = JSON.parse(stateCipher.decrypt(raw, OAUTH_COOKIE)) as OAuthState;
      return parsed.expires > Date.now() ? parsed : undefined;
    } catch (error) {
      if (error instanceof TokenDecryptionError || error instanceof SyntaxError) return undefined;
      throw error;
    }
  }

  const sameState = (a: string, b: string) => {
    const x = Buffer.from(a);
    const y = Buffer.from(b);
    return x.length === y.length && timingSafeEqual(x, y);
  };

  async function signInWithGitHub(code: string, codeVerifier: string) {
    try {
      const token = await services.github.exchangeOAuthCode({
        webUrl: config.github.webUrl,
        clientId: config.github.clientId,
        clientSecret: config.github.clientSecret,
        code,
        redirectUri: callbackUrl,
        codeVerifier,
      });
      return { token, ghUser: await services.github.getUser(token) };
    } catch (error) {
      // A token GitHub refuses right after issuing it is a failed sign-in, not a reconnect.
      if (error instanceof ApiProblem && error.code === 'GITHUB_AUTH') throw problems.unauthorized(`GitHub sign-in failed: ${error.detail}`);
      throw error;
    }
  }

  const completeGitHubSignIn: RequestHandler = async (req, res) => {
    const query = req.query as { code?: string; state?: string; error?: string };
    res.clearCookie(OAUTH_COOKIE, { ...cookieBase, path: OAUTH_COOKIE_PATH });
    const oauth = readOAuthState(req.cookies?.[OAUTH_COOKIE]);
    if (!oauth || !query.state || !sameState(oauth.state, query.state)) {
      throw new ApiProblem(400, 'VALIDATION_FAILED', 'The sign-in state does not match; start the sign-in again.', {
        field_errors: { 'query.state': 'does not match the sign-in that was started' },
        issues: [{ path: 'query.state', message: 'does not match the sign-in that was started' }],
      });
    }
    if (query.error) throw problems.unauthorized(`GitHub sign-in failed: ${query.error === 'access_denied' ? 'access was denied' : query.error}.`);
    if (!query.code) throw problems.validation([{ path: 'query.code', message: 'is required when error is absent' }]);

    const { token, ghUser } = await signInWithGitHub(query.code, oauth.verifier);
    const user = await store.users.upsertGitHub({
      github_id: ghUser.id,
      login: ghUser.login,
      name: ghUser.name,
      avatar_url: ghUser.avatar_url,
    });
    await store.tokens.put(user.id, 'github', { token, login: ghUser.login, scopes: ghUser.scopes });
    const { session, secret } = await store.sessions.create(user.id, ALL_SCOPES, config.session.ttlSeconds);
    res.cookie(config.session.cookieName, secret, { ...cookieBase, path: '/', maxAge: config.session.ttlSeconds * 1000 });
    noStore(res);
    if (config.postLoginRedirect) {
      res.status(303).location(config.postLoginRedirect).end();
      return;
    }
    const body: JsonResponse<'completeGitHubSignIn', 200> = {
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

  /** Whether GitHub still accepts the stored token, asked now, and why repositories may be missing. */
  async function githubStatus(userId: number): Promise<Schemas['LinkedProvider']> {
    const stored = await store.tokens.get(userId, 'github');
    const base = { provider: 'github' as const, warnings: [] as string[], hints: [] as Schemas['MissingHint'][] };
    if (!stored) return { ...base, linked: false, login: null, scopes: [], token_status: 'not_linked' };
    const meta = { ...base, linked: true, login: stored.login, scopes: stored.scopes };
    if (stored.status === 'undecryptable') return { ...meta, token_status: 'undecryptable' };
    try {
      const current = await services.github.getUser(stored.token);
      const hints = await services.listing.missing(userId, 'github', current.scopes);
      return { ...meta, login: current.login, scopes: current.scopes, token_status: 'valid', hints };
    } catch (error) {
      if (error instanceof ApiProblem && (error.code === 'GITHUB_AUTH' || error.code === 'PROVIDER_AUTH')) {
        return { ...meta, token_status: 'rejected' };
      }
      return { ...meta, token_status: 'unknown' };
    }
  }

  /** Whether GitVerse still accepts the linked token, asked now. */
  async function gitverseStatus(userId: number): Promise<Schemas['LinkedProvider']> {
    const stored = await store.tokens.get(userId, 'gitverse');
    const base = { provider: 'gitverse' as const, hints: [] as Schemas['MissingHint'][] };
    if (!stored) return { ...base, linked: false, login: null, scopes: [], token_status: 'not_linked', warnings: [] };
    const meta = { ...base, linked: true, login: stored.login, scopes: stored.scopes, warnings: scopeWarnings(stored.scopes) };
    if (stored.status === 'undecryptable') return { ...meta, token_status: 'undecryptable' };
    try {
      const current = await services.gitverse.getUser(stored.token);
      const hints = await services.listing.missing(userId, 'gitverse', current.scopes.length ? current.scopes : stored.scopes);
      return { ...meta, token_status: 'valid', hints };
    } catch (error) {
      if (error instanceof ApiProblem && error.code === 'PROVIDER_AUTH') {
        return { ...meta, token_status: 'rejected', hints: await services.listing.missing(userId, 'gitverse', stored.scopes) };
      }
      return { ...meta, token_status: 'unknown' };
    }
  }

  const linkGitVerseToken: RequestHandler = async (req, res) => {
    const { user } = principalOf(req);
    const { token } = req.body as JsonRequest<'linkGitVerseToken'>;
    const { login, scopes } = await verifyGitVerseToken(services.gitverse, token);
    await store.tokens.put(user.id, 'gitverse', { token, login, scopes });
    await services.listing.forget(user.id, 'gitverse');
    const body: JsonResponse<'linkGitVerseToken', 200> = {
      provider: 'gitverse',
      linked: true,
      login,
      scopes,
      token_status: 'valid',
      warnings: scopeWarnings(scopes),
      hints: [],
    };
    noStore(res);
    res.json(body);
  };

  const unlinkGitVerseToken: RequestHandler = async (req, res) => {
    const { user } = principalOf(req);
    if (!(await store.tokens.delete(user.id, 'gitverse'))) throw problems.notFound('No GitVerse token is linked.');
    await services.listing.forget(user.id, 'gitverse');
    res.status(204).end();
  };

  const getMe: RequestHandler = async (req, res) => {
    const principal = principalOf(req);
    const providers = await Promise.all([githubStatus(principal.user.id), gitverseStatus(principal.user.id)]);
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

  return { startGitHubSignIn, completeGitHubSignIn, signOut, getMe, linkGitVerseToken, unlinkGitVerseToken, renewAccessToken };
}
