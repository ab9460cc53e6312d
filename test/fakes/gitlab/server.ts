import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { escapeHtml, html, positiveInt, signInPage as accountsPage, readBody, serve, startFake } from '../http.ts';
import type { FakeOptions, Reply } from '../http.ts';
import { runGraphql } from './graphql.ts';
import { renderBasicProject, renderProject, renderUser } from './render.ts';
import { FakeGitLabState } from './state.ts';
import type { FakeAccount, FakeProject, FakeRoute, FakeUserInput, Fault } from './types.ts';

export interface StartFakeGitLabOptions extends FakeOptions {
  users?: FakeUserInput[];
  /** Above this many results the counts are left out (GitLab: 10,000). */
  countLimit?: number;
  /** Lifetime of OAuth access tokens in seconds (GitLab: 7,200). */
  accessTokenTtlSeconds?: number;
}

export interface FakeGitLab {
  /** Serves the API (`/api/v4`, `/api/graphql`) and the web OAuth pages, as one GitLab instance does. */
  baseUrl: string;
  state: FakeGitLabState;
  close(): Promise<void>;
}

const CODE_TTL_MS = 10 * 60_000;
const DEFAULT_PER_PAGE = 20;
const MAX_PER_PAGE = 100;
const SCOPE_DESCRIPTION = 'The request requires higher privileges than provided by the access token.';

/** The route a path belongs to, with the project id and file path it names. */
function routeOf(pathname: string): { route: FakeRoute | 'other'; projectId?: number; filePath?: string; projectRef?: string } {
  const fixed: readonly FakeRoute[] = ['/oauth/authorize', '/oauth/token', '/oauth/token/info', '/api/v4/user', '/api/v4/personal_access_tokens/self', '/api/v4/projects', '/api/graphql'];
  const exact = fixed.find((r) => r === pathname);
  if (exact) return { route: exact };
  const single = /^\/api\/v4\/projects\/([^/]+)$/.exec(pathname);
  if (single) return { route: '/api/v4/projects/:id', projectRef: decodeURIComponent(single[1]!) };
  const tree = /^\/api\/v4\/projects\/(\d+)\/repository\/tree$/.exec(pathname);
  if (tree) return { route: '/api/v4/projects/:id/repository/tree', projectId: Number(tree[1]) };
  const raw = /^\/api\/v4\/projects\/(\d+)\/repository\/files\/([^/]+)\/raw$/.exec(pathname);
  if (raw) return { route: '/api/v4/projects/:id/repository/files/:path/raw', projectId: Number(raw[1]), filePath: decodeURIComponent(raw[2]!) };
  return { route: 'other' };
}

/**
 * A local stand-in for a GitLab instance: a real HTTP server that answers the OAuth web flow (with
 * PKCE, expiring access tokens and single-use refresh tokens), `GET /api/v4/user`,
 * `GET /api/v4/projects` with offset and keyset pagination, the repository tree and raw-file
 * endpoints and `POST /api/graphql`, in GitLab's shapes and headers, and fails on demand.
 */
export async function startFakeGitLab(options: StartFakeGitLabOptions = {}): Promise<FakeGitLab> {
  const state = new FakeGitLabState();
  if (options.countLimit !== undefined) state.countLimit = options.countLimit;
  if (options.accessTokenTtlSeconds !== undefined) state.accessTokenTtlSeconds = options.accessTokenTtlSeconds;
  for (const user of options.users ?? []) state.addUser(user);
  return startFake(state, options, handle, (error) => json(500, { message: `500 Internal Server Error (fake GitLab: ${String(error)})` }));
}

async function handle(state: FakeGitLabState, baseUrl: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', baseUrl);
  const where = routeOf(url.pathname);
  const page = positiveInt(url.searchParams.get('page')) ?? 1;
  await serve(state, req, res, { url, route: where.route }, {}, {
    takeFault: () => state.takeFault(where.route, page) ?? state.accountFault(where.route, state.lookup(req.headers.authorization)),
    reply: (fault) => (fault && replyForFault(fault)) ?? dispatch(state, baseUrl, where, url, req),
    garbledHeaders: { 'content-type': 'application/json' },
  });
}

function dispatch(
  state: FakeGitLabState,
  baseUrl: string,
  where: ReturnType<typeof routeOf>,
  url: URL,
  req: IncomingMessage,
): Promise<Reply> | Reply {
  const method = req.method ?? 'GET';
  state.beforeReply?.(where.route, Object.fromEntries(url.searchParams));
  switch (where.route) {
    case '/oauth/authorize':
      if (method === 'GET') return authorize(state, url);
      break;
    case '/oauth/token':
      if (method === 'POST') return token(state, req);
      break;
    case '/oauth/token/info':
      if (method === 'GET') return tokenInfo(state, req);
      break;
    case '/api/v4/user':
      if (method === 'GET') return withAccount(state, req, ['read_user', 'read_api', 'api'], (a) => json(200, renderUser(a, baseUrl)));
      break;
    case '/api/v4/personal_access_tokens/self':
      if (method === 'GET') return withAccount(state, req, ['read_user', 'read_api', 'api'], (a) => personalAccessToken(state, a, req));
      break;
    case '/api/v4/projects':
      if (method === 'GET') return withAccount(state, req, ['read_api', 'api'], (a) => projects(state, a, baseUrl, url));
      break;
    case '/api/v4/projects/:id':
      if (method === 'GET') return withAccount(state, req, ['read_api', 'api'], (a) => singleProject(state, a, baseUrl, where.projectRef!));
      break;
    case '/api/v4/projects/:id/repository/tree':
      if (method === 'GET') return withAccount(state, req, ['read_api', 'api'], (a) => tree(a, where.projectId!));
      break;
    case '/api/v4/projects/:id/repository/files/:path/raw':
      if (method === 'GET') return withAccount(state, req, ['read_api', 'api'], (a) => rawFile(a, where.projectId!, where.filePath!));
      break;
    case '/api/graphql':
      if (method === 'POST') return graphqlRoute(state, req);
      break;
    default:
      return json(404, { error: '404 Not Found' });
  }
  return json(405, { message: '405 Method Not Allowed' });
}

// ---------------------------------------------------------------- OAuth web flow

function authorize(state: FakeGitLabState, url: URL): Reply {
  const q = url.searchParams;
  const clientId = q.get('client_id');
  const redirectUri = q.get('redirect_uri');
  if (!clientId || (state.clientId !== undefined && clientId !== state.clientId) || !redirectUri) {
    return html(400, 'The client authentication failed or the redirect URI is not registered for this application.');
  }
  const back = (params: Record<string, string>) => {
    const target = new URL(redirectUri);
    for (const [k, v] of Object.entries(params)) target.searchParams.set(k, v);
    const st = q.get('state');
    if (st !== null) target.searchParams.set('state', st);
    return { status: 302, headers: { location: target.toString(), 'content-type': 'text/html; charset=utf-8' }, body: '' };
  };
  if (q.get('response_type') !== 'code') return back({ error: 'unsupported_response_type', error_description: 'The authorization server does not support this response type.' });
  const challenge = q.get('code_challenge') ?? undefined;
  if (challenge !== undefined && q.get('code_challenge_method') !== 'S256') {
    return back({ error: 'invalid_request', error_description: 'The code challenge method must be S256.' });
  }
  if (!q.has('login') && state.signInPage) return signInPage(state, url);
  const login = q.get('login') ?? state.defaultLogin;
  if (!login || !state.accountByLogin(login)) {
    return back({ error: 'access_denied', error_description: 'The resource owner or authorization server denied the request.' });
  }
  const code = randomBytes(32).toString('hex');
  state.codes.set(code, { login, clientId, redirectUri, scope: q.get('scope') ?? 'read_api', codeChallenge: challenge, expiresAt: Date.now() + CODE_TTL_MS });
  return back({ code });
}

/** Doorkeeper's `POST /oauth/token`: errors are 400 (or 401 for the client) with `error` and `error_description`. */
async function token(state: FakeGitLabState, req: IncomingMessage): Promise<Reply> {
  const raw = await readBody(req);
  const type = req.headers['content-type'] ?? '';
  let params: Record<string, string>;
  try {
    params = type.includes('application/json')
      ? Object.fromEntries(Object.entries(JSON.parse(raw || '{}') as Record<string, unknown>).map(([k, v]) => [k, String(v)]))
      : Object.fromEntries(new URLSearchParams(raw));
  } catch {
    return json(400, { error: 'invalid_request', error_description: 'The request is missing a required parameter or is otherwise malformed.' });
  }
  const invalidGrant = () =>
    json(400, {
      error: 'invalid_grant',
      error_description:
        'The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.',
    });
  if (state.clientId !== undefined && (params.client_id !== state.clientId || params.client_secret !== state.clientSecret)) {
    return json(401, {
      error: 'invalid_client',
      error_description: 'Client authentication failed due to unknown client, no client authentication included, or unsupported authentication method.',
    });
  }
  if (params.grant_type === 'authorization_code') {
    const pending = params.code ? state.codes.get(params.code) : undefined;
    if (!pending || pending.expiresAt < Date.now() || pending.redirectUri !== params.redirect_uri) return invalidGrant();
    if (pending.codeChallenge !== undefined) {
      const computed = createHash('sha256').update(params.code_verifier ?? '').digest('base64url');
      if (computed !== pending.codeChallenge) return invalidGrant();
    }
    state.codes.delete(params.code!);
    state.granted(pending.login);
    return json(200, { ...state.issueTokens(pending.login, pending.scope), token_type: 'Bearer', scope: pending.scope });
  }
  if (params.grant_type === 'refresh_token') {
    const entry = params.refresh_token ? state.refreshTokens.get(params.refresh_token) : undefined;
    if (!entry || entry.used) {
      if (entry) state.refusedRefreshes++;
      return invalidGrant();
    }
    entry.used = true;
    state.refreshes++;
    // The access token the refresh token came with is revoked with it.
    for (const [access, owner] of state.accessTokens) if (owner.login === entry.login && owner.scope === entry.scope) state.accessTokens.delete(access);
    return json(200, { ...state.issueTokens(entry.login, entry.scope), token_type: 'Bearer', scope: entry.scope });
  }
  return json(400, { error: 'unsupported_grant_type', error_description: 'The authorization grant type is not supported by the authorization server.' });
}

/** Doorkeeper's token introspection for the bearer token: 401 `invalid_token` for anything but a live OAuth token. */
function tokenInfo(state: FakeGitLabState, req: IncomingMessage): Reply {
  const token = /^bearer\s+(\S+)$/i.exec(req.headers.authorization?.trim() ?? '')?.[1] ?? '';
  const entry = state.accessTokens.get(token);
  const account = entry ? state.accountByLogin(entry.login) : undefined;
  if (!entry || !account || entry.expiresAt <= Date.now()) return invalidToken(entry ? 'expired' : 'revoked');
  return json(200, {
    resource_owner_id: account.user.id,
    scope: entry.scope.split(/\s+/).filter(Boolean),
    expires_in: Math.max(0, Math.floor((entry.expiresAt - Date.now()) / 1000)),
    application: { uid: state.clientId ?? 'fake-app' },
    created_at: Math.floor(Date.now() / 1000),
  });
}

// ---------------------------------------------------------------- REST API

function withAccount(state: FakeGitLabState, req: IncomingMessage, scopes: string[], answer: (account: FakeAccount) => Reply): Reply {
  const lookup = state.lookup(req.headers.authorization);
  if (lookup.kind === 'none' || lookup.kind === 'unknown') return json(401, { message: '401 Unauthorized' });
  if (lookup.kind === 'trouble') return invalidToken(lookup.trouble);
  const { account } = lookup;
  if (account.user.state === 'blocked') return blocked();
  if (!state.scopesOf(req.headers.authorization, account).some((s) => scopes.includes(s))) return insufficientScope(scopes);
  return answer(account);
}

function projects(state: FakeGitLabState, account: FakeAccount, baseUrl: string, url: URL): Reply {
  const q = url.searchParams;
  const orderBy = q.get('order_by') ?? 'created_at';
  const sort = q.get('sort') ?? 'desc';
  if (!['id', 'name', 'path', 'created_at', 'updated_at', 'last_activity_at', 'star_count'].includes(orderBy)) {
    return json(400, { error: 'order_by does not have a valid value' });
  }
  if (sort !== 'asc' && sort !== 'desc') return json(400, { error: 'sort does not have a valid value' });
  const perPage = Math.min(MAX_PER_PAGE, positiveInt(q.get('per_page')) ?? DEFAULT_PER_PAGE);
  const archived = q.get('archived');
  const visibility = q.get('visibility');
  const minAccess = positiveInt(q.get('min_access_level'));
  // Without `membership`, GitLab lists every project the user can see; the fake knows only their own.
  let list = account.projects.filter(
    (p) =>
      (archived === null || String(p.archived) === archived) &&
      (visibility === null || p.visibility === visibility) &&
      (minAccess === undefined || Math.max(p.project_access ?? 0, p.group_access ?? 0) >= minAccess),
  );
  const sign = sort === 'asc' ? 1 : -1;
  const key = (p: FakeProject): string | number =>
    orderBy === 'id' ? p.id : orderBy === 'star_count' ? p.star_count : orderBy === 'name' ? p.name.toLowerCase() : orderBy === 'path' ? p.path : p[orderBy as 'created_at'];
  list = [...list].sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    return ka < kb ? -sign : ka > kb ? sign : sign * (a.id - b.id);
  });
  const simple = q.get('simple') === 'true';
  const render = (p: FakeProject) => (simple ? renderBasicProject(p, baseUrl) : renderProject(p, baseUrl, baseUrl, p.namespace.kind === 'user' ? account.user : undefined));
  const headers: Record<string, string> = { 'x-per-page': String(perPage) };

  if (q.get('pagination') === 'keyset') {
    if (orderBy !== 'id') return json(405, { error: `Keyset pagination is not supported for ordering by ${orderBy}.` });
    const after = positiveInt(q.get('id_after'));
    const before = positiveInt(q.get('id_before'));
    const rest = list.filter((p) => (after === undefined || (sign > 0 ? p.id > after : p.id < after)) && (before === undefined || (sign > 0 ? p.id < before : p.id > before)));
    const slice = rest.slice(0, perPage);
    if (rest.length > perPage) {
      const next = new URL(url.pathname + url.search, baseUrl);
      next.searchParams.delete('id_before');
      next.searchParams.set('id_after', String(slice[slice.length - 1]!.id));
      headers.link = `<${next.toString()}>; rel="next"`;
    }
    return json(200, slice.map(render), headers);
  }

  const page = positiveInt(q.get('page')) ?? 1;
  if ((page - 1) * perPage >= state.offsetLimit) {
    return json(405, {
      error: `Offset pagination has a maximum allowed offset of ${state.offsetLimit} for requests that return objects of type Project. Remaining records can be retrieved using keyset pagination.`,
    });
  }
  const slice = list.slice((page - 1) * perPage, page * perPage);
  const counted = list.length <= state.countLimit;
  const lastPage = Math.max(1, Math.ceil(list.length / perPage));
  const hasNext = page * perPage < list.length;
  const to = (p: number) => {
    const target = new URL(url.pathname + url.search, baseUrl);
    target.searchParams.set('page', String(p));
    target.searchParams.set('per_page', String(perPage));
    return target.toString();
  };
  const links: string[] = [];
  if (page > 1) links.push(`<${to(page - 1)}>; rel="prev"`);
  if (hasNext) links.push(`<${to(page + 1)}>; rel="next"`);
  links.push(`<${to(1)}>; rel="first"`);
  if (counted) links.push(`<${to(lastPage)}>; rel="last"`);
  Object.assign(headers, {
    link: links.join(', '),
    'x-page': String(page),
    'x-next-page': hasNext ? String(page + 1) : '',
    'x-prev-page': page > 1 ? String(page - 1) : '',
  });
  if (counted) Object.assign(headers, { 'x-total': String(list.length), 'x-total-pages': String(lastPage) });
  return json(200, slice.map(render), headers);
}

/**
 * `GET /projects/:id`, by id or by URL-encoded full path: a project the user is a member of, or one
 * any signed-in user may see (public or internal, on another account of this instance) with no access
 * levels; `404 Project Not Found` for any other, as GitLab answers for a private project the user cannot see.
 */
function singleProject(state: FakeGitLabState, account: FakeAccount, baseUrl: string, ref: string): Reply {
  const matches = (p: FakeProject) => (/^\d+$/.test(ref) ? p.id === Number(ref) : `${p.namespace.full_path}/${p.path}`.toLowerCase() === ref.toLowerCase());
  const own = account.projects.find(matches);
  if (own) return json(200, renderProject(own, baseUrl, baseUrl, own.namespace.kind === 'user' ? account.user : undefined));
  for (const other of state.accounts.values()) {
    const seen = other.projects.find((p) => matches(p) && p.visibility !== 'private');
    if (seen) return json(200, renderProject({ ...seen, project_access: null, group_access: null }, baseUrl, baseUrl, seen.namespace.kind === 'user' ? other.user : undefined));
  }
  return json(404, { message: '404 Project Not Found' });
}

/** `GET /personal_access_tokens/self`: 401 for an OAuth token, as GitLab answers one that is not a personal access token. */
function personalAccessToken(state: FakeGitLabState, account: FakeAccount, req: IncomingMessage): Reply {
  const token = /^bearer\s+(\S+)$/i.exec(req.headers.authorization?.trim() ?? '')?.[1];
  if (token !== account.token) return json(401, { message: '401 Unauthorized' });
  return json(200, {
    id: account.user.id + 1,
    name: 'repositories-api',
    revoked: false,
    created_at: '2026-01-01T00:00:00.000Z',
    description: null,
    scopes: state.scopesOf(req.headers.authorization, account),
    user_id: account.user.id,
    last_used_at: new Date().toISOString(),
    active: true,
    expires_at: '2027-01-01',
  });
}

function projectOf(account: FakeAccount, id: number): FakeProject | undefined {
  return account.projects.find((p) => p.id === id);
}

function tree(account: FakeAccount, id: number): Reply {
  const project = projectOf(account, id);
  if (!project) return json(404, { message: '404 Project Not Found' });
  if (project.default_branch === null) return json(404, { message: '404 Tree Not Found' });
  const names = new Map<string, 'blob' | 'tree'>();
  for (const path of Object.keys(project.files ?? {})) {
    const slash = path.indexOf('/');
    names.set(slash === -1 ? path : path.slice(0, slash), slash === -1 ? 'blob' : 'tree');
  }
  const entries = [...names].sort(([a], [b]) => (a < b ? -1 : 1)).map(([name, type]) => ({
    id: createHash('sha1').update(`${id}:${name}`).digest('hex'),
    name,
    type,
    path: name,
    mode: type === 'tree' ? '040000' : '100644',
  }));
  return json(200, entries.slice(0, MAX_PER_PAGE), { 'x-total': String(entries.length), 'x-total-pages': String(Math.max(1, Math.ceil(entries.length / MAX_PER_PAGE))) });
}

function rawFile(account: FakeAccount, id: number, path: string): Reply {
  const project = projectOf(account, id);
  if (!project) return json(404, { message: '404 Project Not Found' });
  const content = project.files?.[path];
  if (content === undefined || project.default_branch === null) return json(404, { message: '404 File Not Found' });
  return { status: 200, headers: { ...apiHeaders(), 'content-type': 'text/plain; charset=utf-8', 'x-gitlab-file-path': path }, body: content };
}

async function graphqlRoute(state: FakeGitLabState, req: IncomingMessage): Promise<Reply> {
  const raw = await readBody(req);
  const lookup = state.lookup(req.headers.authorization);
  if (lookup.kind === 'unknown' || lookup.kind === 'none') return json(401, { errors: [{ message: 'Invalid token' }] });
  if (lookup.kind === 'trouble') return invalidToken(lookup.trouble);
  if (lookup.account.user.state === 'blocked') return blocked();
  if (!state.graphqlEnabled) return json(403, { errors: [{ message: 'GraphQL is not available to this token' }] });
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    return json(400, { errors: [{ message: 'Invalid JSON' }] });
  }
  const result = await runGraphql(lookup.account.projects, body);
  return json(result.status, result.body);
}

// ---------------------------------------------------------------- failures, as GitLab sends them

function replyForFault(fault: Fault): Reply | undefined {
  switch (fault.kind) {
    case 500:
      return json(500, { message: '500 Internal Server Error' });
    case 502:
      return json(502, { message: '502 Bad Gateway' });
    case 503:
      return json(503, { message: '503 Service Unavailable' });
    case 'unauthorized':
      return json(401, { message: '401 Unauthorized' });
    case 'expiredToken':
      return invalidToken('expired');
    case 'insufficientScope':
      return insufficientScope(['read_api', 'api']);
    case 'blocked':
      return blocked();
    case 'notFound':
      return json(404, { message: '404 Project Not Found' });
    case 'rateLimited':
      return rateLimited(fault);
    case 'htmlError':
      return {
        status: 502,
        headers: { 'content-type': 'text/html; charset=utf-8' },
        body: '<!DOCTYPE html>\n<html>\n<head><title>GitLab is not responding (502)</title></head>\n<body>\n<h1>502</h1>\n<h3>Whoops, GitLab is taking too much time to respond.</h3>\n<hr>\n<p>Try refreshing the page, or going back and attempting the action again.</p>\n</body>\n</html>\n',
      };
    case 'reply': {
      const { status, headers = {}, body } = fault.reply ?? { status: 500, body: { message: 'A reply fault without its reply' } };
      return { status, headers: { ...apiHeaders(), ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) };
    }
    default:
      return undefined;
  }
}

/** GitLab's rate limiter (Rack::Attack): `RateLimit-*` and `Retry-After`, or none of them; JSON or its plain `Retry later`. */
function rateLimited(fault: Fault): Reply {
  const wait = fault.retryAfter ?? 60;
  const now = Math.floor(Date.now() / 1000);
  const headers: Record<string, string> = fault.bare
    ? {}
    : {
        'ratelimit-name': 'throttle_authenticated_api',
        'ratelimit-limit': '2000',
        'ratelimit-observed': '2001',
        'ratelimit-remaining': '0',
        'ratelimit-reset': String(now + wait),
        'ratelimit-resettime': new Date((now + wait) * 1000).toUTCString(),
        ...(fault.resetOnly ? {} : { 'retry-after': String(wait) }),
      };
  if (fault.plainText) return { status: 429, headers: { 'content-type': 'text/plain', ...headers }, body: 'Retry later\n' };
  return { status: 429, headers: { ...apiHeaders(), ...headers }, body: JSON.stringify({ message: 'This endpoint has been requested too many times. Try again later.' }) };
}

function invalidToken(trouble: 'expired' | 'revoked'): Reply {
  const description = trouble === 'expired' ? 'Token is expired. You can either do re-authorization or token refresh.' : 'Token was revoked. You have to re-authorize from the user.';
  const reply = json(401, { error: 'invalid_token', error_description: description });
  reply.headers['www-authenticate'] = `Bearer realm="Protected by OAuth 2.0", error="invalid_token", error_description="${description}"`;
  return reply;
}

function insufficientScope(scopes: string[]): Reply {
  const reply = json(403, { error: 'insufficient_scope', error_description: SCOPE_DESCRIPTION, scope: scopes.join(' ') });
  reply.headers['www-authenticate'] = `Bearer realm="Protected by OAuth 2.0", error="insufficient_scope", error_description="${SCOPE_DESCRIPTION}", scope="${scopes.join(' ')}"`;
  return reply;
}

function blocked(): Reply {
  return json(403, { message: '403 Forbidden - Your account has been blocked.' });
}

// ---------------------------------------------------------------- plumbing

function apiHeaders(): Record<string, string> {
  return {
    'content-type': 'application/json',
    'cache-control': 'max-age=0, private, must-revalidate',
    'x-request-id': randomBytes(13).toString('hex').toUpperCase(),
    'x-content-type-options': 'nosniff',
    vary: 'Origin, Accept-Encoding',
  };
}

function json(status: number, body: unknown, extra: Record<string, string> = {}): Reply {
  return { status, headers: { ...apiHeaders(), ...extra }, body: JSON.stringify(body) };
}

/** The fake's "Sign in to GitLab" page: one link per account, each continuing the same authorization. */
function signInPage(state: FakeGitLabState, url: URL): Reply {
  return accountsPage(url, {
    title: 'Sign in to the fake GitLab',
    intro: `This is the sandbox's stand-in for GitLab. Pick the account to authorize the Repositories API as (scopes: ${escapeHtml(url.searchParams.get('scope') ?? '')}):`,
    deny: 'Deny',
    look: { border: '#dcdcde', radius: '4px', hover: '#fbfafd', muted: '#737278' },
    accounts: [...state.accounts.values()].map((a) => ({ login: a.user.login, name: a.user.name, aside: `${a.projects.length} ${a.projects.length === 1 ? 'project' : 'projects'}` })),
  });
}
