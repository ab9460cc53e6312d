import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { html, readBody, signInPage as accountsPage, serve, startFake } from '../http.ts';
import type { FakeOptions, Reply } from '../http.ts';
import { FakeBitbucketState } from './state.ts';
import type {
  BitbucketFault,
  FakeBitbucketAccount,
  FakeBitbucketRepo,
  FakeBitbucketRoute,
  FakeBitbucketUserInput,
  FakeBitbucketWorkspace,
  FakeBitbucketWorkspaceInput,
} from './types.ts';

export interface StartFakeBitbucketOptions extends FakeOptions {
  users?: FakeBitbucketUserInput[];
  workspaces?: FakeBitbucketWorkspaceInput[];
}

export interface FakeBitbucket {
  /** Serves the API (`/2.0/…`, as `https://api.bitbucket.org`) and the OAuth pages (as `https://bitbucket.org`). */
  baseUrl: string;
  state: FakeBitbucketState;
  close(): Promise<void>;
}

const CODE_TTL_MS = 10 * 60_000;
const DEFAULT_PAGELEN = 10;
const MAX_PAGELEN = 100;
const WORKSPACE_REPOS = /^\/2\.0\/repositories\/([^/]+)\/?$/;
const ONE_REPO = /^\/2\.0\/repositories\/([^/]+)\/([^/]+)\/?$/;
const SRC_ROOT = /^\/2\.0\/repositories\/([^/]+)\/([^/]+)\/src\/?$/;
const SRC_PATH = /^\/2\.0\/repositories\/([^/]+)\/([^/]+)\/src\/([^/]+)\/(.*)$/;
/** Endpoints Bitbucket Cloud has removed (CHANGE-2770): they answer 410 Gone. */
const REMOVED = new Set(['/2.0/workspaces', '/2.0/user/permissions/workspaces', '/2.0/repositories', '/2.0/repositories/']);
const GONE_MESSAGE = 'This API is no longer supported.';

/** The scope each API route needs: an OAuth consumer's permission, and an Atlassian API token's scope. */
const NEEDS: Partial<Record<FakeBitbucketRoute, { oauth: string; apiToken: string }>> = {
  '/2.0/user': { oauth: 'account', apiToken: 'read:user:bitbucket' },
  '/2.0/user/workspaces': { oauth: 'account', apiToken: 'read:workspace:bitbucket' },
  '/2.0/repositories/{workspace}': { oauth: 'repository', apiToken: 'read:repository:bitbucket' },
  '/2.0/repositories/{workspace}/{repo_slug}': { oauth: 'repository', apiToken: 'read:repository:bitbucket' },
  '/2.0/repositories/{workspace}/{repo_slug}/src': { oauth: 'repository', apiToken: 'read:repository:bitbucket' },
  '/2.0/repositories/{workspace}/{repo_slug}/src/{commit}/{path}': { oauth: 'repository', apiToken: 'read:repository:bitbucket' },
};

interface Parsed {
  route: FakeBitbucketRoute | 'other';
  workspace?: string;
  slug?: string;
  commit?: string;
  path?: string;
}

/**
 * A local stand-in for Bitbucket Cloud: a real HTTP server answering the OAuth 2.0 authorization code
 * flow (with PKCE and refresh tokens; access tokens expire after two hours), `GET /2.0/user`,
 * `GET /2.0/user/workspaces`, `GET /2.0/repositories/{workspace}?role=member` and the `src` endpoints,
 * in the shapes of Bitbucket's OpenAPI description: pages of `{pagelen, size, values, next}` whose
 * `next` is an absolute URL with an opaque cursor, `pagelen` 10 by default and 100 at most. The
 * endpoints Bitbucket removed answer 410 Gone. Faults on demand.
 */
export async function startFakeBitbucket(options: StartFakeBitbucketOptions = {}): Promise<FakeBitbucket> {
  const state = new FakeBitbucketState();
  for (const user of options.users ?? []) state.addUser(user);
  for (const workspace of options.workspaces ?? []) state.addWorkspace(workspace);
  return startFake(state, options, handle, (error) => errorObject(500, `Fake Bitbucket failed: ${String(error)}`));
}

function parse(pathname: string, method: string): Parsed {
  if (pathname === '/site/oauth2/authorize') return { route: '/site/oauth2/authorize' };
  if (pathname === '/site/oauth2/access_token' && method === 'POST') return { route: '/site/oauth2/access_token' };
  if (pathname === '/2.0/user' || pathname === '/2.0/user/workspaces') return { route: pathname };
  if (REMOVED.has(pathname)) return { route: 'removed' };
  const decode = (s: string | undefined) => decodeURIComponent(s ?? '');
  let m = WORKSPACE_REPOS.exec(pathname);
  if (m) return { route: '/2.0/repositories/{workspace}', workspace: decode(m[1]) };
  m = ONE_REPO.exec(pathname);
  if (m) return { route: '/2.0/repositories/{workspace}/{repo_slug}', workspace: decode(m[1]), slug: decode(m[2]) };
  m = SRC_ROOT.exec(pathname);
  if (m) return { route: '/2.0/repositories/{workspace}/{repo_slug}/src', workspace: decode(m[1]), slug: decode(m[2]) };
  m = SRC_PATH.exec(pathname);
  if (m) {
    return {
      route: '/2.0/repositories/{workspace}/{repo_slug}/src/{commit}/{path}',
      workspace: decode(m[1]),
      slug: decode(m[2]),
      commit: decode(m[3]),
      path: (m[4] ?? '').split('/').map(decode).join('/'),
    };
  }
  return { route: 'other' };
}

async function handle(state: FakeBitbucketState, baseUrl: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', baseUrl);
  const method = req.method ?? 'GET';
  const parsed = parse(url.pathname, method);
  const page = cursorPage(url.searchParams.get('page')) ?? 1;
  const repo = parsed.slug !== undefined ? `${parsed.workspace}/${parsed.slug}` : undefined;
  await serve(state, req, res, { url, route: parsed.route }, { path: url.pathname, url: url.pathname + url.search }, {
    takeFault: () => state.takeFault(parsed.route, page, parsed.workspace, repo),
    reply: async (fault) => (fault && replyForFault(fault)) ?? withGrantedScopes(state, parsed, req, await dispatch(state, baseUrl, parsed, url, req)),
  });
}

async function dispatch(state: FakeBitbucketState, baseUrl: string, parsed: Parsed, url: URL, req: IncomingMessage): Promise<Reply> {
  const method = req.method ?? 'GET';
  if (parsed.route === '/site/oauth2/authorize' && method === 'GET') return authorize(state, url);
  if (parsed.route === '/site/oauth2/access_token') return accessToken(state, url, req);
  if (parsed.route === 'removed') return gone(url.pathname);
  if (parsed.route === 'other' || method !== 'GET') return errorObject(404, `Resource not found: ${url.pathname}`);

  const caller = authenticate(state, req.headers.authorization);
  if ('reply' in caller) return caller.reply;
  const needs = NEEDS[parsed.route];
  if (needs) {
    const required = caller.via === 'oauth' ? needs.oauth : needs.apiToken;
    if (!caller.scopes.includes(required)) {
      return json(403, {
        type: 'error',
        error: { message: 'Your credentials lack one or more required privilege scopes.', detail: { granted: caller.scopes, required: [required] } },
      });
    }
  }
  const { account } = caller;
  switch (parsed.route) {
    case '/2.0/user':
      return json(200, renderUser(account, baseUrl));
    case '/2.0/user/workspaces':
      return paged(state, baseUrl, url, state.workspacesOf(account.user.username), (w) => renderWorkspaceAccess(w, account, baseUrl));
    case '/2.0/repositories/{workspace}':
      return workspaceRepos(state, baseUrl, url, account, parsed.workspace ?? '');
    case '/2.0/repositories/{workspace}/{repo_slug}':
      return oneRepo(state, baseUrl, account, parsed);
    default:
      return src(state, baseUrl, url, account, parsed);
  }
}

// ---------------------------------------------------------------- authentication

/** Bitbucket reports an OAuth access token's granted scopes (`X-OAuth-Scopes`) on the API's answers. */
function withGrantedScopes(state: FakeBitbucketState, parsed: Parsed, req: IncomingMessage, reply: Reply): Reply {
  const bearer = /^bearer\s+(\S+)$/i.exec(req.headers.authorization?.trim() ?? '');
  const issued = bearer ? state.accessTokens.get(bearer[1] ?? '') : undefined;
  if (issued && parsed.route.startsWith('/2.0/')) reply.headers['x-oauth-scopes'] = issued.scopes.join(', ');
  return reply;
}

type Caller = { account: FakeBitbucketAccount; via: 'oauth' | 'api_token'; scopes: string[] } | { reply: Reply };

/** Bearer access tokens from the OAuth flow, or HTTP Basic `email:apiToken` for an Atlassian API token. */
function authenticate(state: FakeBitbucketState, authorization: string | undefined): Caller {
  const unauthorized = (message: string): { reply: Reply } => {
    const reply = errorObject(401, message);
    reply.headers['www-authenticate'] = 'Bearer realm="api.bitbucket.org"';
    return { reply };
  };
  if (!authorization) return unauthorized('This API is only accessible with the following authentication types: session, password, apppassword, api_token, oauth2');
  const bearer = /^bearer\s+(\S+)$/i.exec(authorization.trim());
  if (bearer) {
    const issued = state.accessTokens.get(bearer[1] ?? '');
    if (!issued) return unauthorized('Token is invalid or not supported for this endpoint.');
    if (issued.expiresAt <= Date.now()) return unauthorized('Access token expired.');
    const account = state.accountByLogin(issued.login);
    return account ? { account, via: 'oauth', scopes: issued.scopes } : unauthorized('Token is invalid or not supported for this endpoint.');
  }
  const basic = /^basic\s+(\S+)$/i.exec(authorization.trim());
  if (basic) {
    const decoded = Buffer.from(basic[1] ?? '', 'base64').toString('utf8');
    const at = decoded.indexOf(':');
    const email = decoded.slice(0, at);
    const account = at > 0 ? state.accounts.get(decoded.slice(at + 1)) : undefined;
    if (!account || account.user.email.toLowerCase() !== email.toLowerCase()) return unauthorized('Invalid credentials.');
    return { account, via: 'api_token', scopes: account.apiTokenScopes };
  }
  return unauthorized('Token is invalid or not supported for this endpoint.');
}

// ---------------------------------------------------------------- OAuth 2.0

function authorize(state: FakeBitbucketState, url: URL): Reply {
  const q = url.searchParams;
  const clientId = q.get('client_id');
  if (!clientId || (state.clientId !== undefined && clientId !== state.clientId)) return html(400, 'Invalid client_id: no such OAuth consumer');
  if (q.get('response_type') !== 'code') return html(400, 'Unsupported response_type: this consumer uses the authorization code grant');
  const redirectUri = q.get('redirect_uri');
  if (!redirectUri) return html(400, 'This fake needs redirect_uri: it has no registered callback URL');
  const back = (params: Record<string, string>): Reply => {
    const target = new URL(redirectUri);
    for (const [k, v] of Object.entries(params)) target.searchParams.set(k, v);
    const st = q.get('state');
    if (st !== null) target.searchParams.set('state', st);
    return { status: 302, headers: { location: target.toString(), 'content-type': 'text/html; charset=utf-8' }, body: '' };
  };
  const challenge = q.get('code_challenge') ?? undefined;
  if (challenge !== undefined && q.get('code_challenge_method') !== 'S256') {
    return back({ error: 'invalid_request', error_description: 'code_challenge_method must be S256' });
  }
  if (!q.has('login') && state.signInPage) return signInPage(state, url);
  const login = q.get('login') ?? state.defaultLogin;
  if (!login || !state.accountByLogin(login)) return back({ error: 'access_denied', error_description: 'The user denied access.' });
  const code = randomBytes(12).toString('base64url');
  state.codes.set(code, { login, clientId, redirectUri, codeChallenge: challenge, expiresAt: Date.now() + CODE_TTL_MS });
  return back({ code });
}

async function accessToken(state: FakeBitbucketState, url: URL, req: IncomingMessage): Promise<Reply> {
  const params: Record<string, string> = { ...Object.fromEntries(url.searchParams), ...Object.fromEntries(new URLSearchParams(await readBody(req, 100_000))) };
  // The consumer authenticates with HTTP Basic (key:secret), or with both in the body.
  const basic = /^basic\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  if (basic) {
    const [id = '', ...secret] = Buffer.from(basic[1] ?? '', 'base64').toString('utf8').split(':');
    params.client_id = id;
    params.client_secret = secret.join(':');
  }
  const fail = (status: number, error: string, description: string) => json(status, { error, error_description: description });
  if (!params.client_id || (state.clientId !== undefined && (params.client_id !== state.clientId || params.client_secret !== state.clientSecret))) {
    return fail(400, 'invalid_client', 'Invalid OAuth client credentials');
  }
  if (params.grant_type === 'authorization_code') {
    const pending = params.code ? state.codes.get(params.code) : undefined;
    if (!pending || pending.expiresAt < Date.now() || pending.clientId !== params.client_id) {
      return fail(400, 'invalid_grant', 'The specified code is not valid.');
    }
    if (params.redirect_uri !== undefined && params.redirect_uri !== pending.redirectUri) {
      return fail(400, 'invalid_grant', 'The redirect_uri does not match the one of the authorization request.');
    }
    if (pending.codeChallenge !== undefined) {
      const computed = createHash('sha256').update(params.code_verifier ?? '').digest('base64url');
      if (computed !== pending.codeChallenge) return fail(400, 'invalid_grant', 'The code_verifier does not match the code_challenge.');
    }
    state.codes.delete(params.code as string);
    return tokenReply(state, state.issueTokens(pending.login), 'authorization_code');
  }
  if (params.grant_type === 'refresh_token') {
    const known = params.refresh_token ? state.refreshTokens.get(params.refresh_token) : undefined;
    if (!known) return fail(400, 'invalid_grant', 'Invalid refresh_token');
    const issued = state.issueTokens(known.login, known.scopes);
    // Bitbucket's refresh tokens do not rotate: the same one comes back.
    state.refreshTokens.delete(issued.refresh_token);
    state.refreshes++;
    return tokenReply(state, { ...issued, refresh_token: params.refresh_token as string }, 'refresh_token');
  }
  return fail(400, 'unsupported_grant_type', `Unsupported grant type: ${params.grant_type ?? ''}`);
}

function tokenReply(state: FakeBitbucketState, issued: { access_token: string; refresh_token: string; expires_in: number }, grant: string): Reply {
  const scopes = state.accessTokens.get(issued.access_token)?.scopes ?? [];
  return json(200, { access_token: issued.access_token, scopes: scopes.join(' '), expires_in: issued.expires_in, refresh_token: issued.refresh_token, token_type: 'bearer', state: grant });
}

// ---------------------------------------------------------------- API

/** One page of `items` in Bitbucket's paging envelope; `next` is absolute, with an opaque cursor. */
function paged<T>(state: FakeBitbucketState, baseUrl: string, url: URL, items: readonly T[], render: (item: T) => unknown): Reply {
  const pagelen = Math.min(MAX_PAGELEN, positive(url.searchParams.get('pagelen')) ?? DEFAULT_PAGELEN);
  const raw = url.searchParams.get('page');
  const page = raw === null ? 1 : state.opaqueCursors ? decodeCursor(raw) : positive(raw);
  if (page === undefined) return errorObject(400, `Invalid page: ${raw}`);
  const values = items.slice((page - 1) * pagelen, page * pagelen).map(render);
  const body: Record<string, unknown> = { pagelen, ...(state.sendSize ? { size: items.length } : {}), ...(state.opaqueCursors ? {} : { page }), values };
  if (page * pagelen < items.length) {
    const next = new URL(url.pathname + url.search, baseUrl);
    next.searchParams.set('page', state.opaqueCursors ? cursorFor(page + 1) : String(page + 1));
    body.next = next.toString();
  }
  return json(200, body);
}

/** An opaque page cursor (a client cannot build one from a page number). */
export function cursorFor(page: number): string {
  return Buffer.from(`fake-bitbucket-page:${page}`).toString('base64url');
}

function decodeCursor(raw: string): number | undefined {
  const m = /^fake-bitbucket-page:(\d+)$/.exec(Buffer.from(raw, 'base64url').toString('utf8'));
  return m ? Number(m[1]) : undefined;
}

/** The page a request asks for, by cursor or number (what faults aim at). */
function cursorPage(raw: string | null): number | undefined {
  return raw === null ? undefined : (decodeCursor(raw) ?? positive(raw));
}

function workspaceRepos(state: FakeBitbucketState, baseUrl: string, url: URL, account: FakeBitbucketAccount, slug: string): Reply {
  const workspace = state.workspaces.get(slug) ?? [...state.workspaces.values()].find((w) => w.uuid === slug);
  if (!workspace) return errorObject(404, `Workspace ${slug} not found`);
  const role = url.searchParams.get('role');
  if (role !== null && !['member', 'contributor', 'admin', 'owner'].includes(role)) return errorObject(400, `Invalid role: ${role}`);
  // Without `role`, the workspace's public repositories; `role=member`: every one the caller may read.
  const repos = role === null ? workspace.repos.filter((r) => !r.is_private) : state.readableRepos(workspace, account.user.username);
  return paged(state, baseUrl, url, repos, (r) => renderRepo(r, workspace, baseUrl));
}

/** One repository the caller may read (a member's, or a public one); Bitbucket's 404 for any other, private or missing alike. */
function oneRepo(state: FakeBitbucketState, baseUrl: string, account: FakeBitbucketAccount, parsed: Parsed): Reply {
  const found = findRepo(state, account, parsed);
  if (!found) {
    return errorObject(404, 'You may not have access to this repository or it no longer exists in this workspace. If you think this repository exists and you have access, make sure you are authenticated.');
  }
  return json(200, renderRepo(found.repo, found.workspace, baseUrl));
}

function findRepo(state: FakeBitbucketState, account: FakeBitbucketAccount, parsed: Parsed): { repo: FakeBitbucketRepo; workspace: FakeBitbucketWorkspace } | undefined {
  const workspace = state.workspaces.get(parsed.workspace ?? '');
  if (!workspace) return undefined;
  const repo = state.readableRepos(workspace, account.user.username).find((r) => r.slug === parsed.slug);
  if (repo) return { repo, workspace };
  // A public repository can be read by anyone.
  const open = workspace.repos.find((r) => r.slug === parsed.slug && !r.is_private);
  return open ? { repo: open, workspace } : undefined;
}

/** The commit the main branch points at: a hash of the files, so a change of files is a new commit. */
export function commitOf(repo: FakeBitbucketRepo): string {
  return createHash('sha1').update(repo.uuid).update(JSON.stringify(repo.files ?? {})).digest('hex');
}

function src(state: FakeBitbucketState, baseUrl: string, url: URL, account: FakeBitbucketAccount, parsed: Parsed): Reply {
  const found = findRepo(state, account, parsed);
  if (!found) return errorObject(404, `Repository ${parsed.workspace}/${parsed.slug} not found`);
  const { repo, workspace } = found;
  const files = repo.files ?? {};
  const hash = commitOf(repo);
  const base = `${baseUrl}/2.0/repositories/${workspace.slug}/${repo.slug}/src`;
  if (parsed.route === '/2.0/repositories/{workspace}/{repo_slug}/src') {
    // Bitbucket redirects to the root of the main branch's head commit.
    if (repo.mainbranch === null || Object.keys(files).length === 0) return errorObject(404, 'This repository is empty.');
    return { status: 302, headers: { location: `${base}/${hash}/${url.search}`, 'content-type': 'text/html; charset=utf-8' }, body: '' };
  }
  if (parsed.commit !== hash && parsed.commit !== repo.mainbranch) return errorObject(404, `Commit not found: ${parsed.commit}`);
  const path = (parsed.path ?? '').replace(/^\/+|\/+$/g, '');
  const file = path ? files[path] : undefined;
  if (file !== undefined) return { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: file };
  const prefix = path ? `${path}/` : '';
  const children = new Map<string, 'commit_file' | 'commit_directory'>();
  for (const key of Object.keys(files)) {
    if (!key.startsWith(prefix)) continue;
    const [head, ...tail] = key.slice(prefix.length).split('/');
    if (head) children.set(`${prefix}${head}`, tail.length > 0 ? 'commit_directory' : children.get(`${prefix}${head}`) ?? 'commit_file');
  }
  if (children.size === 0) return errorObject(404, `No such file or directory: ${path}`);
  const commit = { type: 'commit', hash, links: { self: { href: `${baseUrl}/2.0/repositories/${workspace.slug}/${repo.slug}/commit/${hash}` } } };
  const entries = [...children].sort(([a], [b]) => (a < b ? -1 : 1));
  return paged(state, baseUrl, url, entries, ([entryPath, type]) => ({
    type,
    path: entryPath,
    commit,
    links: { self: { href: `${base}/${hash}/${entryPath}` }, meta: { href: `${base}/${hash}/${entryPath}?format=meta` } },
    ...(type === 'commit_file' ? { attributes: [], escaped_path: entryPath, size: Buffer.byteLength(files[entryPath] ?? ''), mimetype: null } : {}),
  }));
}

// ---------------------------------------------------------------- rendering

function renderUser(account: FakeBitbucketAccount, baseUrl: string): Record<string, unknown> {
  const { user } = account;
  return {
    display_name: user.display_name,
    links: { self: { href: `${baseUrl}/2.0/users/${encodeURIComponent(user.uuid)}` }, html: { href: `${baseUrl}/${encodeURIComponent(user.uuid)}/` }, avatar: { href: `${baseUrl}/avatars/${user.username}` } },
    created_on: '2018-03-14T09:26:53.123456+00:00',
    type: 'user',
    uuid: user.uuid,
    has_2fa_enabled: null,
    username: user.username,
    is_staff: false,
    account_id: user.account_id,
    nickname: user.nickname,
    account_status: 'active',
    location: null,
  };
}

function workspaceLinks(w: FakeBitbucketWorkspace, baseUrl: string) {
  return { avatar: { href: `${baseUrl}/workspaces/${w.slug}/avatar/` }, html: { href: `${baseUrl}/${w.slug}/` }, self: { href: `${baseUrl}/2.0/workspaces/${w.slug}` } };
}

/** An element of `/2.0/user/workspaces`: the caller's access to one workspace, with the workspace. */
function renderWorkspaceAccess(w: FakeBitbucketWorkspace, account: FakeBitbucketAccount, baseUrl: string): Record<string, unknown> {
  return {
    type: 'workspace_access',
    administrator: w.administrators.includes(account.user.username),
    // A `workspace_base`, as Bitbucket's description has it: no name, and only these two links.
    workspace: { type: 'workspace_base', uuid: w.uuid, slug: w.slug, links: { avatar: { href: `${baseUrl}/workspaces/${w.slug}/avatar/` }, self: { href: `${baseUrl}/2.0/workspaces/${w.slug}` } } },
  };
}

/** A repository in the shape of Bitbucket's `repository` schema, with the `workspace` and `slug` its answers carry. */
export function renderRepo(r: FakeBitbucketRepo, w: FakeBitbucketWorkspace, baseUrl: string): Record<string, unknown> {
  const api = `${baseUrl}/2.0/repositories/${w.slug}/${r.slug}`;
  const web = `${baseUrl}/${w.slug}/${r.slug}`;
  const host = new URL(baseUrl).host;
  return {
    type: 'repository',
    full_name: `${w.slug}/${r.slug}`,
    links: {
      self: { href: api },
      html: { href: web },
      avatar: { href: `${baseUrl}/${w.slug}/${r.slug}/avatar/32/` },
      pullrequests: { href: `${api}/pullrequests` },
      commits: { href: `${api}/commits` },
      forks: { href: `${api}/forks` },
      watchers: { href: `${api}/watchers` },
      downloads: { href: `${api}/downloads` },
      // Bitbucket also lists an scp-style `git@host:…` ssh link, which is no URI as its description requires.
      clone: [{ name: 'https', href: `https://${host}/${w.slug}/${r.slug}.git` }],
      hooks: { href: `${api}/hooks` },
    },
    name: r.name,
    slug: r.slug,
    description: r.description,
    scm: 'git',
    website: null,
    owner:
      r.owner_type === 'team'
        ? { display_name: w.name, links: workspaceLinks(w, baseUrl), type: 'team', uuid: w.uuid, username: w.slug }
        : { display_name: w.name, links: workspaceLinks(w, baseUrl), type: 'user', uuid: w.uuid, account_id: `712020:${w.uuid.slice(1, 37)}`, nickname: w.slug },
    workspace: { type: 'workspace', uuid: w.uuid, name: w.name, slug: w.slug, links: workspaceLinks(w, baseUrl) },
    is_private: r.is_private,
    project: { type: 'project', key: 'PROJ', uuid: `{${w.uuid.slice(1, 9)}-0000-4000-a000-000000000001}`, name: 'Main', links: { html: { href: `${baseUrl}/${w.slug}/workspace/projects/PROJ` }, avatar: { href: `${baseUrl}/${w.slug}/workspace/projects/PROJ/avatar/32` } } },
    fork_policy: 'allow_forks',
    created_on: r.created_on,
    updated_on: r.updated_on,
    size: r.size,
    language: r.language,
    uuid: r.uuid,
    // An empty repository has no main branch; the description allows no null here, so it is left out.
    ...(r.mainbranch === null ? {} : { mainbranch: { name: r.mainbranch, type: 'branch' } }),
    override_settings: { default_merge_strategy: true, branching_model: true },
    ...(r.parent
      ? { parent: { type: 'repository', full_name: r.parent.full_name, links: { self: { href: `${baseUrl}/2.0/repositories/${r.parent.full_name}` }, html: { href: `${baseUrl}/${r.parent.full_name}` } }, name: r.parent.name, uuid: r.parent.uuid } }
      : {}),
    enforced_signed_commits: null,
    has_issues: false,
    has_wiki: false,
  };
}

/** The fake's own "Log in to Bitbucket" page: one button per account, each continuing the same authorization. */
function signInPage(state: FakeBitbucketState, url: URL): Reply {
  return accountsPage(url, {
    title: 'Log in to the fake Bitbucket',
    intro: "This is the sandbox's stand-in for Bitbucket Cloud. Pick the account to grant the Repositories API access to its account and repositories:",
    deny: 'Cancel (deny access)',
    look: { border: '#c1c7d0', radius: '3px', hover: '#f4f5f7', muted: '#5e6c84' },
    accounts: [...state.accounts.values()].map((a) => ({ login: a.user.username, name: a.user.display_name, aside: state.workspacesOf(a.user.username).map((w) => w.slug).join(', ') || 'no workspace' })),
  });
}

// ---------------------------------------------------------------- errors

function replyForFault(fault: BitbucketFault): Reply | undefined {
  switch (fault.kind) {
    case 401:
      return errorObject(401, 'Access token expired.');
    case 403:
      return json(403, { type: 'error', error: { message: 'Your credentials lack one or more required privilege scopes.', detail: { granted: ['account'], required: ['repository'] } } });
    case 410:
      return gone('/2.0/…');
    case 429: {
      const reply = errorObject(429, 'Rate limit for this resource has been exceeded');
      const retryAfter = fault.retryAfter === undefined ? 60 : fault.retryAfter;
      if (retryAfter !== null) reply.headers['retry-after'] = String(retryAfter);
      return reply;
    }
    case 500:
      return errorObject(500, 'Something went wrong');
    case 502:
      return proxyPage(502, 'Bad Gateway');
    case 503:
      return proxyPage(503, 'Service Unavailable');
    case 'reply': {
      const { status, headers = {}, body } = fault.reply ?? { status: 500, body: { type: 'error', error: { message: 'A reply fault without its reply' } } };
      return { status, headers: { ...jsonHeaders(), ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) };
    }
    default:
      return undefined;
  }
}

function gone(path: string): Reply {
  return json(410, { type: 'error', error: { message: GONE_MESSAGE, detail: `${path} has been removed. See https://developer.atlassian.com/cloud/bitbucket/changelog/#CHANGE-2770` } });
}

/** Bitbucket's `error` schema. */
function errorObject(status: number, message: string): Reply {
  return json(status, { type: 'error', error: { message } });
}

function json(status: number, body: unknown): Reply {
  return { status, headers: jsonHeaders(), body: JSON.stringify(body) };
}

function jsonHeaders(): Record<string, string> {
  return { 'content-type': 'application/json; charset=utf-8', vary: 'Authorization' };
}

function proxyPage(status: number, text: string): Reply {
  return { status, headers: { 'content-type': 'text/html' }, body: `<html><head><title>${status} ${text}</title></head><body><h1>${status} ${text}</h1></body></html>` };
}

function positive(raw: string | null): number | undefined {
  if (raw === null || !/^\d+$/.test(raw)) return undefined;
  const n = Number(raw);
  return n >= 1 ? n : undefined;
}
