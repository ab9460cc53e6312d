import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { etagMatches, pageUrl, positiveInt, serve, startFake } from '../http.ts';
import type { FakeOptions, Reply } from '../http.ts';
import type { AccountLookup } from '../state.ts';
import { FakeGitVerseState } from './state.ts';
import type {
  FakeGitVerseAccount,
  FakeGitVerseRepo,
  FakeGitVerseRoute,
  FakeGitVerseUserInput,
  GitVerseFault,
  GitVersePaging,
} from './types.ts';

export interface StartFakeGitVerseOptions extends Pick<FakeOptions, 'host' | 'port' | 'latencyMs'> {
  users?: FakeGitVerseUserInput[];
  /** The most repositories one page holds, whatever `per_page` asks (default 100). */
  pageSize?: number;
  /** How `GET /user/repos` says more pages follow (default `link`). */
  paging?: GitVersePaging;
  /** Whether `x-oauth-scopes` reports the token's scopes (default true). */
  reportScopes?: boolean;
}

export interface FakeGitVerse {
  /** The API's base URL, as `https://api.gitverse.ru` would be. */
  baseUrl: string;
  state: FakeGitVerseState;
  close(): Promise<void>;
}

const READ_SCOPES = ['read:public_api', 'public_api'];
const DEFAULT_PER_PAGE = 30;
const CONTENTS = /^\/repos\/([^/]+)\/([^/]+)\/contents(?:\/(.*))?$/;

/**
 * A local stand-in for GitVerse's public API: a real HTTP server answering `GET /user`,
 * `GET /user/repos` (in the listing's exact shape, paged the way `paging` says) and the contents
 * API, with ETags, GitVerse's error object `{error, message, status}`, and faults on demand.
 */
export async function startFakeGitVerse(options: StartFakeGitVerseOptions = {}): Promise<FakeGitVerse> {
  const state = new FakeGitVerseState();
  state.pageSize = Math.max(1, options.pageSize ?? 100);
  state.paging = options.paging ?? 'link';
  state.reportScopes = options.reportScopes ?? true;
  for (const user of options.users ?? []) state.addUser(user);
  return startFake(state, options, handle, (error) => errorObject(500, 'Internal Server Error', `Fake GitVerse failed: ${String(error)}`));
}

async function handle(state: FakeGitVerseState, baseUrl: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', baseUrl);
  const contents = CONTENTS.exec(url.pathname);
  const route: FakeGitVerseRoute | 'other' =
    url.pathname === '/user' || url.pathname === '/user/repos' ? url.pathname : contents ? '/repos/{owner}/{repo}/contents' : 'other';
  const page = positiveInt(url.searchParams.get('page')) ?? 1;
  await serve(state, req, res, { url, route }, { path: url.pathname, accept: req.headers.accept }, {
    takeFault: () => {
      const repoName = contents ? `${decodeURIComponent(contents[1] ?? '')}/${decodeURIComponent(contents[2] ?? '')}` : undefined;
      return state.takeFault(route, page, repoName) ?? state.accountFault(route, accountOf(state, req));
    },
    reply: (fault) => (fault && replyForFault(fault)) ?? dispatch(state, baseUrl, route, url, req, contents),
  });
}

function dispatch(
  state: FakeGitVerseState,
  baseUrl: string,
  route: FakeGitVerseRoute | 'other',
  url: URL,
  req: IncomingMessage,
  contents: RegExpExecArray | null,
): Reply {
  if (req.method !== 'GET' || route === 'other') return errorObject(404, 'Not Found', 'The requested resource does not exist.');
  const lookup = accountOf(state, req);
  if (lookup.kind !== 'ok') return errorObject(401, 'Unauthorized', 'Authentication failed. Invalid or missing access token.');
  const { account } = lookup;
  if (route === '/user') {
    const { user } = account;
    const body = { id: user.id, login: user.login, full_name: user.full_name, email: user.email, avatar_url: `${baseUrl}/avatars/${user.id}` };
    return conditional(account, req, JSON.stringify(body), state.reportScopes ? { 'x-oauth-scopes': account.scopes.join(', ') } : {});
  }
  if (!account.scopes.some((s) => READ_SCOPES.includes(s))) {
    return errorObject(403, 'Forbidden', 'The token does not have the required scope: read:public_api or public_api.');
  }
  if (route === '/user/repos') return userRepos(state, account, baseUrl, url, req);
  const [, owner = '', name = '', path = ''] = contents ?? [];
  return contentsOf(account, req, decodeURIComponent(owner), decodeURIComponent(name), decodeURIComponent(path));
}

/** GitVerse documents the bearer scheme only. */
function accountOf(state: FakeGitVerseState, req: IncomingMessage): AccountLookup<FakeGitVerseAccount> {
  return state.accountFor(req.headers.authorization, /^bearer\s+(\S+)$/i);
}

function userRepos(state: FakeGitVerseState, account: FakeGitVerseAccount, baseUrl: string, url: URL, req: IncomingMessage): Reply {
  const perPage = Math.min(state.pageSize, positiveInt(url.searchParams.get('per_page')) ?? DEFAULT_PER_PAGE);
  const page = positiveInt(url.searchParams.get('page')) ?? 1;
  // Newest first, as in GitVerse's example.
  const all = [...account.repos].sort((a, b) => b.id - a.id);
  const lastPage = Math.max(1, Math.ceil(all.length / perPage));
  const body = JSON.stringify(all.slice((page - 1) * perPage, page * perPage).map(renderRepo));
  const headers: Record<string, string> = {};
  if (state.paging === 'total-count') headers['x-total-count'] = String(all.length);
  if (state.paging === 'link') {
    const link = linkHeader(baseUrl, url, page, lastPage);
    if (link) headers.link = link;
  }
  return conditional(account, req, body, headers);
}

/** Exactly the listing's shape: the documented fields in the documented order, then the optional ones that are set. */
export function renderRepo(repo: FakeGitVerseRepo): Record<string, unknown> {
  const { files: _files, owner, archived, pushed_at, html_url, permissions, ...rest } = repo;
  return {
    id: rest.id,
    owner: { id: owner.id, login: owner.login, full_name: owner.full_name, type: owner.type },
    name: rest.name,
    full_name: `${owner.login}/${rest.name}`,
    description: rest.description,
    private: rest.private,
    fork: rest.fork,
    language: rest.language,
    size: rest.size,
    stargazers_count: rest.stargazers_count,
    watchers_count: rest.watchers_count,
    default_branch: rest.default_branch,
    created_at: rest.created_at,
    updated_at: rest.updated_at,
    ...(archived !== undefined ? { archived } : {}),
    ...(pushed_at !== undefined ? { pushed_at } : {}),
    ...(html_url !== undefined ? { html_url } : {}),
    ...(permissions !== undefined ? { permissions: { ...permissions } } : {}),
  };
}

/** Gitea-style `Link`: absolute URLs with the request's query, next and last before first and prev. */
function linkHeader(baseUrl: string, url: URL, page: number, lastPage: number): string | undefined {
  if (page === 1 && lastPage === 1) return undefined;
  const to = (p: number) => pageUrl(baseUrl, url, p);
  const parts: string[] = [];
  if (page < lastPage) parts.push(`<${to(page + 1)}>; rel="next"`, `<${to(lastPage)}>; rel="last"`);
  if (page > 1) parts.push(`<${to(1)}>; rel="first"`, `<${to(Math.min(page - 1, lastPage))}>; rel="prev"`);
  return parts.join(',');
}

/** The contents API, Gitea-style: a folder as an array of entries, a file with base64 content, 404 for nothing there. */
function contentsOf(account: FakeGitVerseAccount, req: IncomingMessage, owner: string, name: string, rawPath: string): Reply {
  const repo = account.repos.find((r) => r.owner.login.toLowerCase() === owner.toLowerCase() && r.name.toLowerCase() === name.toLowerCase());
  if (!repo) return errorObject(404, 'Not Found', 'Repository not found.');
  const files = repo.files ?? {};
  if (Object.keys(files).length === 0) return errorObject(404, 'Not Found', 'The repository is empty.');
  const path = rawPath.replace(/^\/+|\/+$/g, '');
  const file = files[path];
  if (path && file !== undefined) {
    const body = { ...entry(path, 'file', file), encoding: 'base64', content: Buffer.from(file).toString('base64') };
    return conditional(account, req, JSON.stringify(body), {});
  }
  const prefix = path ? `${path}/` : '';
  const children = new Map<string, 'file' | 'dir'>();
  for (const key of Object.keys(files)) {
    if (!key.startsWith(prefix)) continue;
    const [head, ...tail] = key.slice(prefix.length).split('/');
    if (head) children.set(head, tail.length > 0 ? 'dir' : children.get(head) ?? 'file');
  }
  if (children.size === 0) return errorObject(404, 'Not Found', 'File not found.');
  const body = [...children]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([child, type]) => ({ ...entry(`${prefix}${child}`, type, type === 'file' ? files[`${prefix}${child}`] ?? '' : ''), encoding: null, content: null }));
  return conditional(account, req, JSON.stringify(body), {});
}

function entry(path: string, type: 'file' | 'dir', content: string): Record<string, unknown> {
  return {
    name: path.split('/').pop(),
    path,
    sha: createHash('sha1').update(`${type}:${path}:${content}`).digest('hex'),
    type,
    size: type === 'file' ? Buffer.byteLength(content) : 0,
  };
}

/** 200 with an ETag over body and token, or 304 when `If-None-Match` matches it. */
function conditional(account: FakeGitVerseAccount, req: IncomingMessage, body: string, extra: Record<string, string>): Reply {
  const hash = createHash('sha256').update(account.token).update('\0').update(body).digest('hex').slice(0, 32);
  const headers: Record<string, string> = { ...jsonHeaders(), etag: `W/"${hash}"`, 'cache-control': 'private, max-age=0', ...extra };
  if (etagMatches(req.headers['if-none-match'], hash)) {
    delete headers['content-type'];
    return { status: 304, headers };
  }
  return { status: 200, headers, body };
}

function replyForFault(fault: GitVerseFault): Reply | undefined {
  switch (fault.kind) {
    case 400:
      return errorObject(400, 'Bad Request', 'Invalid request parameters.');
    case 401:
      return errorObject(401, 'Unauthorized', 'Authentication failed. Invalid or missing access token.');
    case 403:
      return errorObject(403, 'Forbidden', 'The token does not have the required scope: read:public_api or public_api.');
    case 429: {
      const reply = errorObject(429, 'Too Many Requests', 'Rate limit exceeded. Try again later.');
      const retryAfter = fault.retryAfter === undefined ? 60 : fault.retryAfter;
      if (retryAfter !== null) reply.headers['retry-after'] = String(retryAfter);
      return reply;
    }
    case 500:
      return errorObject(500, 'Internal Server Error', 'An internal server error occurred.');
    case 502:
      return proxyPage(502, 'Bad Gateway');
    case 503:
      return proxyPage(503, 'Service Temporarily Unavailable');
    case 'reply': {
      const { status, headers = {}, body } = fault.reply ?? { status: 500, body: { error: 'Internal Server Error', message: 'A reply fault without its reply', status: 500 } };
      return { status, headers: { ...jsonHeaders(), ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) };
    }
    default:
      // timeout, reset, badJson and truncated shape the delivery, not the reply.
      return undefined;
  }
}

/** GitVerse's documented error object. */
function errorObject(status: number, error: string, message: string): Reply {
  return { status, headers: jsonHeaders(), body: JSON.stringify({ error, message, status }) };
}

/** What the reverse proxy in front of an API answers when the API behind it is down. */
function proxyPage(status: number, text: string): Reply {
  return {
    status,
    headers: { 'content-type': 'text/html' },
    body: `<html>\r\n<head><title>${status} ${text}</title></head>\r\n<body>\r\n<center><h1>${status} ${text}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`,
  };
}

function jsonHeaders(): Record<string, string> {
  return { 'content-type': 'application/json; charset=utf-8', vary: 'Accept, Authorization' };
}
