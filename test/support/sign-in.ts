/** Sign-in through the real OAuth web flow with the fake GitHub: what tests and the benchmark share. */

export interface SignedIn {
  token: string;
  /** `__Host-rapi_session=…` (`rapi_session=…` without Secure cookies), ready for a Cookie header. */
  cookie: string;
  /** The cookie's value alone. */
  cookieValue: string;
  userId: number;
  /** The OAuth code the fake GitHub issued for this sign-in. */
  code: string;
}

export const cookieOf = (res: Response, name: string): string | undefined =>
  res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0] ?? '')
    .find((c) => c.startsWith(`${name}=`) && c.length > name.length + 1);

/**
 * Login on `baseUrl`, approval at the fake GitHub as `login`, and the callback on `callbackBase`
 * (another instance of the app, when given). `appFetch` makes the requests to our app (a checked
 * fetch in tests, the plain one in the benchmark); the fake's approval goes through the plain fetch.
 */
export async function signInThrough(
  baseUrl: string,
  login: string,
  options: { appFetch?: typeof fetch; callbackBase?: string; provider?: string; sessionCookie?: string; instance?: string } = {},
): Promise<SignedIn> {
  const app = options.appFetch ?? fetch;
  // With a session cookie, the flow links the host's account to the user signed in.
  const session = options.sessionCookie ? { cookie: options.sessionCookie } : undefined;
  const instance = options.instance ? `?${new URLSearchParams({ instance: options.instance })}` : '';
  const start = await app(`${baseUrl}/api/v1/auth/${options.provider ?? 'github'}/login${instance}`, { redirect: 'manual', ...(session ? { headers: session } : {}) });
  await start.arrayBuffer();
  const oauthCookie = cookieOf(start, '__Host-rapi_oauth') ?? cookieOf(start, 'rapi_oauth');
  const authorize = new URL(start.headers.get('location') ?? '');
  authorize.searchParams.set('login', login);
  const approved = await fetch(authorize, { redirect: 'manual' });
  await approved.arrayBuffer();
  const location = approved.headers.get('location');
  if (approved.status !== 302 || !location || !oauthCookie) throw new Error(`sign-in of ${login} did not reach the callback (${approved.status})`);
  const callback = new URL(location);
  if (options.callbackBase) {
    const other = new URL(options.callbackBase);
    callback.protocol = other.protocol;
    callback.host = other.host;
  }
  const code = callback.searchParams.get('code') ?? '';
  const done = await app(callback, { headers: { cookie: [oauthCookie, options.sessionCookie].filter(Boolean).join('; ') } });
  if (done.status !== 200) throw new Error(`sign-in of ${login} failed: ${done.status} ${await done.text()}`);
  const body = (await done.json()) as { access_token: string; user: { id: number } };
  const cookie = cookieOf(done, '__Host-rapi_session') ?? cookieOf(done, 'rapi_session');
  if (!cookie) throw new Error('sign-in set no session cookie');
  return { token: body.access_token, cookie, cookieValue: cookie.slice(cookie.indexOf('=') + 1), userId: body.user.id, code };
}
