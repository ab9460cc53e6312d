import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { etagMatches, html, signInPage as accountsPage, pageUrl, positiveInt, readBody, serve, startFake } from '../http.ts';
import type { FakeOptions, Reply } from '../http.ts';
import type { AccountLookup } from '../state.ts';
import { renderRepo, renderUser } from './render.ts';
import { FakeGitHubState } from './state.ts';
import type { FakeAccount, FakeGraphqlHandler, FakeOrg, FakeRepo, FakeRoute, FakeUserInput, Fault } from './types.ts';

export interface StartFakeGitHubOptions extends FakeOptions {
  users?: FakeUserInput[];
  /** Organisations, some with OAuth App access restrictions or SAML single sign-on. */
  orgs?: Array<Omit<FakeOrg, 'id'> & { id?: number }>;
  etag?: 'weak' | 'strong';
  /** Primary rate limit per token and hour (GitHub: 5000). */
  rateLimit?: number;
  /** Whether a 304 repeats the current `Link` header, as GitHub does (default true). */
  linkOn304?: boolean;
  /** Answers `POST /graphql`; without it the route is 404. */
  graphql?: FakeGraphqlHandler;
  /** Hands out user tokens that expire after this many seconds, with use-once refresh tokens (GitHub Apps). */
  expiringTokensSeconds?: number;
}

export interface FakeGitHub {
  /** Serves both the API and the web (OAuth) endpoints, like GitHub Enterprise on one host. */
  baseUrl: string;
  state: FakeGitHubState;
  close(): Promise<void>;
}

const DOCS = 'https://docs.github.com/rest';
const CODE_TTL_MS = 10 * 60_000;
const ROUTES: readonly FakeRoute[] = ['/login/oauth/authorize', '/login/oauth/access_token', '/user', '/user/repos', '/user/orgs', '/graphql'];
/** Routes with path parameters, each with the pattern that captures them. */
const PARAMETER_ROUTES: ReadonlyArray<[FakeRoute, RegExp]> = [
  ['/orgs/{org}/repos', /^\/orgs\/([^/]+)\/repos$/],
  ['/repos/{owner}/{repo}', /^\/repos\/([^/]+)\/([^/]+)$/],
];
/** What GitHub answers on an organisation's endpoints while its OAuth App access restrictions keep the app out. */
export const OAUTH_RESTRICTED_MESSAGE = (org: string) =>
  `Although you appear to have the correct authorization credentials, the \`${org}\` organization has enabled OAuth App access restrictions, meaning that data access to third-parties is limited. For more information on these restrictions, including how to enable this app, visit https://docs.github.com/articles/restricting-access-to-your-organization-s-data/`;
const SSO_MESSAGE = 'Resource protected by organization SAML enforcement. You must grant your OAuth token access to this organization.';

function routeOf(pathname: string): { route: FakeRoute | 'other'; params: string[] } {
  const plain = ROUTES.find((r) => r === pathname);
  if (plain) return { route: plain, params: [] };
  for (const [route, pattern] of PARAMETER_ROUTES) {
    const match = pattern.exec(pathname);
    if (match) return { route, params: match.slice(1).map((p) => decodeURIComponent(p)) };
  }
  return { route: 'other', params: [] };
}
const SORTS = ['created', 'updated', 'pushed', 'full_name'] as const;
const AFFILIATIONS = ['owner', 'collaborator', 'organization_member'] as const;

type Affiliation = (typeof AFFILIATIONS)[number];

/**
 * A local stand-in for GitHub: a real HTTP server that answers the OAuth web flow, `GET /user`,
 * `GET /user/repos` and `POST /graphql` with GitHub's shapes and headers, and fails on demand.
 */
export async function startFakeGitHub(options: StartFakeGitHubOptions = {}): Promise<FakeGitHub> {
  const state = new FakeGitHubState();
  state.etagStyle = options.etag ?? 'weak';
  state.rateLimit = options.rateLimit ?? 5_000;
  state.linkOn304 = options.linkOn304 ?? true;
  state.graphql = options.graphql;
  state.expiringTokensSeconds = options.expiringTokensSeconds;
  for (const user of options.users ?? []) state.addUser(user);
  for (const org of options.orgs ?? []) state.addOrg(org);
  return startFake(state, options, handle, (error) => json(500, { message: `Fake GitHub failed: ${String(error)}` }));
}

async function handle(state: FakeGitHubState, baseUrl: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', baseUrl);
  const { route, params } = routeOf(url.pathname);
  const page = positiveInt(url.searchParams.get('page')) ?? 1;
  await serve(state, req, res, { url, route }, {}, {
    takeFault: () => state.takeFault(route, page) ?? state.accountFault(route, accountOf(state, req)),
    reply: (fault) => {
      const account = accountOf(state, req);
      return (fault && replyForFault(fault, state, account)) ?? dispatch(state, baseUrl, route, url, req, account, params);
    },
    // Served as JSON whatever was garbled: a 304, or the OAuth flow's HTML or form answer.
    garbledHeaders: { 'content-type': 'application/json; charset=utf-8' },
  });
}

function dispatch(
  state: FakeGitHubState,
  baseUrl: string,
  route: FakeRoute | 'other',
  url: URL,
  req: IncomingMessage,
  account: AccountLookup<FakeAccount>,
  params: string[],
): Promise<Reply> | Reply {
  const method = req.method ?? 'GET';
  if (route === '/login/oauth/authorize' && method === 'GET') return authorize(state, url);
  if (route === '/login/oauth/access_token' && method === 'POST') return accessToken(state, url, req);
  if (route === '/user' && method === 'GET') return withAccount(state, account, (a) => user(state, a, baseUrl, req));
  if (route === '/user/repos' && method === 'GET') return withAccount(state, account, (a) => userRepos(state, a, baseUrl, url, req));
  if (route === '/user/orgs' && method === 'GET') return withAccount(state, account, (a) => userOrgs(state, a, baseUrl, req));
  if (route === '/orgs/{org}/repos' && method === 'GET') return withAccount(state, account, (a) => orgRepos(state, a, baseUrl, params[0]!, url, req));
  if (route === '/repos/{owner}/{repo}' && method === 'GET') return withAccount(state, account, (a) => repository(state, a, baseUrl, params[0]!, params[1]!, req));
  if (route === '/graphql' && method === 'POST') return graphql(state, account, req);
  return json(404, { message: 'Not Found', documentation_url: DOCS, status: '404' });
}

// ---------------------------------------------------------------- OAuth web flow

function authorize(state: FakeGitHubState, url: URL): Reply {
  const q = url.searchParams;
  const clientId = q.get('client_id');
  const redirectUri = q.get('redirect_uri');
  if (!clientId || (state.clientId !== undefined && clientId !== state.clientId)) {
    return html(404, 'Not Found: unknown OAuth application (client_id)');
  }
  if (!redirectUri) return html(400, 'This fake needs redirect_uri: it has no registered callback URL');
  const back = (params: Record<string, string>) => {
    const target = new URL(redirectUri);
    for (const [k, v] of Object.entries(params)) target.searchParams.set(k, v);
    const st = q.get('state');
    if (st !== null) target.searchParams.set('state', st);
    return { status: 302, headers: { location: target.toString(), 'content-type': 'text/html; charset=utf-8' }, body: '' };
  };
  const challenge = q.get('code_challenge') ?? undefined;
  const method = q.get('code_challenge_method') ?? undefined;
  if (challenge !== undefined && method !== 'S256') {
    return back({ error: 'invalid_request', error_description: 'code_challenge_method must be S256' });
  }
  if (!q.has('login') && state.signInPage) return signInPage(state, url);
  // `?login=` picks a seeded user (a browser sign-in as someone else); an unknown one is a denial.
  const login = q.get('login') ?? state.defaultLogin;
  if (!login || !state.accountByLogin(login)) {
    return back({
      error: 'access_denied',
      error_description: 'The user has denied your application access.',
      error_uri: 'https://docs.github.com/apps/managing-oauth-apps/troubleshooting-authorization-request-errors/#access-denied',
    });
  }
  const code = randomBytes(10).toString('hex');
  state.codes.set(code, {
    login,
    clientId,
    redirectUri,
    codeChallenge: challenge,
    codeChallengeMethod: method,
    expiresAt: Date.now() + CODE_TTL_MS,
  });
  return back({ code });
}

async function accessToken(state: FakeGitHubState, url: URL, req: IncomingMessage): Promise<Reply> {
  const raw = await readBody(req);
  const type = req.headers['content-type'] ?? '';
  const params: Record<string, string> = Object.fromEntries(url.searchParams);
  if (type.includes('application/json')) {
    try {
      for (const [k, v] of Object.entries(JSON.parse(raw || '{}') as Record<string, unknown>)) params[k] = String(v);
    } catch {
      return json(400, { message: 'Problems parsing JSON', documentation_url: DOCS });
    }
  } else {
    Object.assign(params, Object.fromEntries(new URLSearchParams(raw)));
  }
  const wantsJson = (req.headers.accept ?? '').includes('application/json');
  // GitHub answers token errors with 200 and an `error` field.
  const fail = (error: string, description: string, anchor: string) =>
    tokenReply(wantsJson, {
      error,
      error_description: description,
      error_uri: `https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors/#${anchor}`,
    });

  if (state.clientId !== undefined && (params.client_id !== state.clientId || params.client_secret !== state.clientSecret)) {
    return fail('incorrect_client_credentials', 'The client_id and/or client_secret passed are incorrect.', 'incorrect-client-credentials');
  }
  // A GitHub App's user token renewed: each refresh token works once.
  if (params.grant_type === 'refresh_token') {
    const known = params.refresh_token ? state.refreshTokens.get(params.refresh_token) : undefined;
    if (!known || known.used) return fail('bad_refresh_token', 'The refresh token passed is incorrect or expired.', 'bad-refresh-token');
    known.used = true;
    state.refreshes++;
    return tokenReply(wantsJson, state.issueExpiring(known.account));
  }
  const pending = params.code ? state.codes.get(params.code) : undefined;
  if (!pending || pending.expiresAt < Date.now() || pending.clientId !== params.client_id) {
    return fail('bad_verification_code', 'The code passed is incorrect or expired.', 'bad-verification-code');
  }
  if (params.redirect_uri !== undefined && params.redirect_uri !== pending.redirectUri) {
    return fail('redirect_uri_mismatch', 'The redirect_uri MUST match the registered callback URL for this application.', 'redirect-uri-mismatch');
  }
  if (pending.codeChallenge !== undefined) {
    const verifier = params.code_verifier ?? '';
    const computed = createHash('sha256').update(verifier).digest('base64url');
    if (computed !== pending.codeChallenge) {
      return fail('bad_verification_code', 'The code_verifier does not match the code_challenge.', 'bad-verification-code');
    }
  }
  const account = state.accountByLogin(pending.login);
  state.codes.delete(params.code as string);
  if (!account) return fail('bad_verification_code', 'The code passed is incorrect or expired.', 'bad-verification-code');
  state.granted(account.user.login);
  if (state.expiringTokensSeconds !== undefined) return tokenReply(wantsJson, state.issueExpiring(account));
  return tokenReply(wantsJson, { access_token: account.token, token_type: 'bearer', scope: account.scopes.join(',') });
}

function tokenReply(wantsJson: boolean, fields: Record<string, string | number>): Reply {
  if (wantsJson) return json(200, fields);
  return {
    status: 200,
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    body: new URLSearchParams(Object.entries(fields).map(([k, v]) => [k, String(v)])).toString(),
  };
}

// ---------------------------------------------------------------- REST API

/** GitHub takes a token under either scheme. */
function accountOf(state: FakeGitHubState, req: IncomingMessage): AccountLookup<FakeAccount> {
  return state.accountFor(req.headers.authorization, /^(?:bearer|token)\s+(\S+)$/i);
}

function withAccount(state: FakeGitHubState, lookup: AccountLookup<FakeAccount>, answer: (account: FakeAccount) => Reply): Reply {
  if (lookup.kind === 'none') return json(401, { message: 'Requires authentication', documentation_url: DOCS, status: '401' });
  if (lookup.kind === 'unknown') return badCredentials();
  const { account } = lookup;
  const now = Math.floor(Date.now() / 1000);
  if (now >= account.rate.resetAt) account.rate = { used: 0, resetAt: now + 3600 };
  if (account.rate.used >= state.rateLimit) return primaryRateLimit(state, account, account.rate.resetAt - now);
  const reply = answer(account);
  // Conditional requests answered 304 do not count against the rate limit.
  if (reply.status !== 304) account.rate.used++;
  Object.assign(reply.headers, rateHeaders(state.rateLimit, state.rateLimit - account.rate.used, account.rate.resetAt, account.rate.used));
  return reply;
}

function user(state: FakeGitHubState, account: FakeAccount, baseUrl: string, req: IncomingMessage): Reply {
  const body = JSON.stringify(renderUser(account, baseUrl, baseUrl));
  return conditional(state, account, req, body, { 'x-accepted-oauth-scopes': '' });
}

function userRepos(state: FakeGitHubState, account: FakeAccount, baseUrl: string, url: URL, req: IncomingMessage): Reply {
  const q = url.searchParams;
  const visibility = q.get('visibility');
  const affiliation = q.get('affiliation');
  const type = q.get('type');
  const sort = q.get('sort') ?? 'full_name';
  const direction = q.get('direction') ?? (sort === 'full_name' ? 'asc' : 'desc');
  if (type !== null && (visibility !== null || affiliation !== null)) {
    return validationFailed('type', 'type cannot be combined with visibility or affiliation');
  }
  if (visibility !== null && !['all', 'public', 'private'].includes(visibility)) return validationFailed('visibility', 'invalid');
  if (type !== null && !['all', 'owner', 'public', 'private', 'member'].includes(type)) return validationFailed('type', 'invalid');
  if (!(SORTS as readonly string[]).includes(sort)) return validationFailed('sort', 'invalid');
  if (direction !== 'asc' && direction !== 'desc') return validationFailed('direction', 'invalid');
  const affiliations = new Set((affiliation ?? AFFILIATIONS.join(',')).split(',').map((s) => s.trim()));
  if (![...affiliations].every((a) => (AFFILIATIONS as readonly string[]).includes(a))) {
    return validationFailed('affiliation', 'invalid');
  }
  const perPage = Math.min(100, positiveInt(q.get('per_page')) ?? 30);
  const page = positiveInt(q.get('page')) ?? 1;

  // Without the `repo` scope GitHub lists public repositories only.
  const seesPrivate = account.scopes.includes('repo');
  const login = account.user.login;
  // Organisations that hide their repositories from this token; those with SSO say so in a header.
  const ssoHidden = new Set<number>();
  const visible = account.repos.filter((repo) => {
    if (repo.private && !seesPrivate) return false;
    const hidden = state.hiddenBy(repo.owner.login, account.token);
    if (hidden) {
      if (hidden.reason === 'sso') ssoHidden.add(hidden.org.id);
      return false;
    }
    const aff = affiliationOf(repo, login);
    if (type !== null) {
      if (type === 'owner') return aff === 'owner';
      if (type === 'member') return aff !== 'owner';
      if (type === 'public') return !repo.private;
      if (type === 'private') return repo.private;
      return true;
    }
    if (!affiliations.has(aff)) return false;
    if (visibility === 'public') return !repo.private;
    if (visibility === 'private') return repo.private;
    return true;
  });
  const sign = direction === 'asc' ? 1 : -1;
  const key = (repo: FakeRepo): string =>
    sort === 'full_name' ? `${repo.owner.login}/${repo.name}`.toLowerCase() : (sort === 'pushed' ? repo.pushed_at : sort === 'created' ? repo.created_at : repo.updated_at) ?? '';
  const keys = new Map(visible.map((repo) => [repo, key(repo)]));
  visible.sort((a, b) => {
    const ka = keys.get(a)!;
    const kb = keys.get(b)!;
    return ka < kb ? -sign : ka > kb ? sign : a.id - b.id;
  });

  const lastPage = Math.max(1, Math.ceil(visible.length / perPage));
  const slice = visible.slice((page - 1) * perPage, page * perPage);
  const body = `[${slice.map((repo) => renderedRepo(repo, baseUrl)).join(',')}]`;
  const headers: Record<string, string> = { 'x-accepted-oauth-scopes': '' };
  if (ssoHidden.size > 0) headers['x-github-sso'] = `partial-results; organizations=${[...ssoHidden].join(',')}`;
  const link = linkHeader(baseUrl, url, page, lastPage);
  if (link) headers.link = link;
  return conditional(state, account, req, body, headers);
}

/** GitHub's `organization-simple`. */
function renderOrg(org: FakeOrg, baseUrl: string): Record<string, unknown> {
  const api = `${baseUrl}/orgs/${org.login}`;
  return {
    login: org.login,
    id: org.id,
    node_id: Buffer.from(`04:Organization${org.id}`).toString('base64'),
    url: api,
    repos_url: `${api}/repos`,
    events_url: `${api}/events`,
    hooks_url: `${api}/hooks`,
    issues_url: `${api}/issues`,
    members_url: `${api}/members{/member}`,
    public_members_url: `${api}/public_members{/member}`,
    avatar_url: `https://avatars.githubusercontent.com/u/${org.id}?v=4`,
    description: null,
  };
}

/** The organisations the user is a member of, restricted ones included: membership is the user's own data. */
function userOrgs(state: FakeGitHubState, account: FakeAccount, baseUrl: string, req: IncomingMessage): Reply {
  const login = account.user.login.toLowerCase();
  const orgs = [...state.orgs.values()].filter((o) => o.members.some((m) => m.toLowerCase() === login));
  return conditional(state, account, req, JSON.stringify(orgs.map((o) => renderOrg(o, baseUrl))), { 'x-accepted-oauth-scopes': 'admin:org, read:org, repo, user, write:org' });
}

/** What an organisation's endpoint answers while the organisation keeps this token out; undefined when it does not. */
function refusedByOrg(state: FakeGitHubState, account: FakeAccount, baseUrl: string, ownerLogin: string): Reply | undefined {
  const hidden = state.hiddenBy(ownerLogin, account.token);
  if (!hidden) return undefined;
  if (hidden.reason === 'oauth') return json(403, { message: OAUTH_RESTRICTED_MESSAGE(hidden.org.login), documentation_url: 'https://docs.github.com/articles/restricting-access-to-your-organization-s-data/', status: '403' });
  const reply = json(403, { message: SSO_MESSAGE, documentation_url: 'https://docs.github.com/articles/authenticating-to-a-github-organization-with-saml-single-sign-on/', status: '403' });
  const request = createHash('sha256').update(`${hidden.org.login}:${account.token}`).digest('hex').slice(0, 20).toUpperCase();
  reply.headers['x-github-sso'] = `required; url=${baseUrl}/orgs/${hidden.org.login}/sso?authorization_request=${request}`;
  return reply;
}

/** `GET /orgs/{org}/repos`: the organisation's repositories this user sees, one page. */
function orgRepos(state: FakeGitHubState, account: FakeAccount, baseUrl: string, org: string, url: URL, req: IncomingMessage): Reply {
  if (!state.orgs.has(org.toLowerCase())) return json(404, { message: 'Not Found', documentation_url: `${DOCS}/repos/repos#list-organization-repositories`, status: '404' });
  const refused = refusedByOrg(state, account, baseUrl, org);
  if (refused) return refused;
  const perPage = Math.min(100, positiveInt(url.searchParams.get('per_page')) ?? 30);
  const page = positiveInt(url.searchParams.get('page')) ?? 1;
  const seesPrivate = account.scopes.includes('repo');
  const repos = account.repos.filter((r) => r.owner.login.toLowerCase() === org.toLowerCase() && (seesPrivate || !r.private));
  const slice = repos.slice((page - 1) * perPage, page * perPage);
  return conditional(state, account, req, `[${slice.map((repo) => renderedRepo(repo, baseUrl)).join(',')}]`, {});
}

/** `GET /repos/{owner}/{repo}`: one repository, as GitHub answers it to this token. */
function repository(state: FakeGitHubState, account: FakeAccount, baseUrl: string, owner: string, name: string, req: IncomingMessage): Reply {
  const seesPrivate = account.scopes.includes('repo');
  const repo = account.repos.find((r) => r.owner.login.toLowerCase() === owner.toLowerCase() && r.name.toLowerCase() === name.toLowerCase());
  const refused = repo ? refusedByOrg(state, account, baseUrl, repo.owner.login) : undefined;
  if (refused) return refused;
  if (!repo || (repo.private && !seesPrivate)) return json(404, { message: 'Not Found', documentation_url: `${DOCS}/repos/repos#get-a-repository`, status: '404' });
  return conditional(state, account, req, renderedRepo(repo, baseUrl), {});
}

/** Each repository's JSON, kept while the repository (as tests may change it in place) stays the same. */
const rendered = new WeakMap<FakeRepo, { base: string; source: string; json: string }>();

function renderedRepo(repo: FakeRepo, base: string): string {
  const source = JSON.stringify(repo, (k, v: unknown) => (k === 'files' ? undefined : v));
  const kept = rendered.get(repo);
  if (kept && kept.base === base && kept.source === source) return kept.json;
  const json = JSON.stringify(renderRepo(repo, base, base));
  rendered.set(repo, { base, source, json });
  return json;
}

function affiliationOf(repo: FakeRepo, login: string): Affiliation {
  if (repo.owner.login === login) return 'owner';
  return repo.owner.type === 'Organization' ? 'organization_member' : 'collaborator';
}

/** GitHub's `Link`: absolute URLs with the request's query, in GitHub's order (prev, next, last, first). */
function linkHeader(baseUrl: string, url: URL, page: number, lastPage: number): string | undefined {
  if (page === 1 && lastPage === 1) return undefined;
  const to = (p: number) => pageUrl(baseUrl, url, p);
  const parts: string[] = [];
  if (page > 1) parts.push(`<${to(Math.min(page - 1, lastPage))}>; rel="prev"`);
  if (page < lastPage) parts.push(`<${to(page + 1)}>; rel="next"`, `<${to(lastPage)}>; rel="last"`);
  if (page > 1) parts.push(`<${to(1)}>; rel="first"`);
  return parts.join(', ');
}

/** 200 with an ETag over body and token (GitHub varies on Authorization), or 304 when it matches. */
function conditional(state: FakeGitHubState, account: FakeAccount, req: IncomingMessage, body: string, extra: Record<string, string>): Reply {
  const hash = createHash('sha256').update(account.token).update('\0').update(body).digest('hex').slice(0, 40);
  const etag = state.etagStyle === 'weak' ? `W/"${hash}"` : `"${hash}"`;
  const headers: Record<string, string> = {
    ...apiHeaders(),
    etag,
    'cache-control': 'private, max-age=60, s-maxage=60',
    'x-oauth-scopes': account.scopes.join(', '),
    ...extra,
  };
  if (etagMatches(req.headers['if-none-match'], hash)) {
    delete headers['content-type'];
    if (!state.linkOn304) delete headers.link;
    return { status: 304, headers };
  }
  return { status: 200, headers, body };
}

async function graphql(state: FakeGitHubState, lookup: AccountLookup<FakeAccount>, req: IncomingMessage): Promise<Reply> {
  if (lookup.kind !== 'ok') {
    return json(401, { message: lookup.kind === 'none' ? 'This endpoint requires you to be authenticated.' : 'Bad credentials', documentation_url: 'https://docs.github.com/graphql/guides/forming-calls-with-graphql#authenticating-with-graphql' });
  }
  if (!state.graphql) return json(404, { message: 'Not Found', documentation_url: DOCS, status: '404' });
  let body: unknown;
  try {
    body = JSON.parse(await readBody(req));
  } catch {
    return json(400, { message: 'Problems parsing JSON', documentation_url: 'https://docs.github.com/graphql' });
  }
  const { account } = lookup;
  const answer = await state.graphql({ token: account.token, body, account });
  const reply = json(answer.status, answer.body);
  Object.assign(reply.headers, { 'x-oauth-scopes': account.scopes.join(', ') }, rateHeaders(5_000, 4_999, Math.floor(Date.now() / 1000) + 3600, 1, 'graphql'));
  return reply;
}

// ---------------------------------------------------------------- faults

function replyForFault(fault: Fault, state: FakeGitHubState, lookup: AccountLookup<FakeAccount>): Reply | undefined {
  const account = lookup.kind === 'ok' ? lookup.account : undefined;
  switch (fault.kind) {
    case 500:
      return json(500, { message: 'Server Error' });
    case 502:
      return json(502, { message: 'Server Error' });
    case 503:
      return json(503, { message: 'Service Unavailable' });
    case 'badCredentials':
      return badCredentials();
    case 'missingScope': {
      const reply = json(403, {
        message: 'Must have admin rights to Repository.',
        documentation_url: `${DOCS}/repos/repos#list-repositories-for-the-authenticated-user`,
        status: '403',
      });
      reply.headers['x-accepted-oauth-scopes'] = 'repo';
      reply.headers['x-oauth-scopes'] = (account?.scopes ?? ['read:user']).filter((s) => s !== 'repo').join(', ');
      return reply;
    }
    case 'primaryRateLimit':
      return primaryRateLimit(state, account, fault.resetInSeconds ?? 60, fault.resetInMilliseconds === true);
    case 'secondaryRateLimit': {
      const reply = json(fault.status ?? 429, {
        message:
          'You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID ' +
          requestId() + '.',
        documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits',
        status: String(fault.status ?? 429),
      });
      reply.headers['retry-after'] = String(fault.retryAfter ?? 60);
      return reply;
    }
    case 'reply': {
      const { status, headers = {}, body } = fault.reply ?? { status: 500, body: { message: 'A reply fault without its reply' } };
      return { status, headers: { ...apiHeaders(), ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) };
    }
    default:
      // timeout, reset, badJson and truncated shape the delivery, not the reply.
      return undefined;
  }
}

function primaryRateLimit(state: FakeGitHubState, account: FakeAccount | undefined, resetInSeconds: number, inMilliseconds = false): Reply {
  const id = requestId();
  const reply = json(403, {
    message: `API rate limit exceeded for user ID ${account?.user.id ?? 0}. If you reach out to GitHub Support for help, please include the request ID ${id} and timestamp ${new Date().toISOString().replace('T', ' ').slice(0, 19)} UTC.`,
    documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api',
    status: '403',
  });
  const reset = inMilliseconds ? Date.now() + resetInSeconds * 1000 : Math.floor(Date.now() / 1000) + resetInSeconds;
  Object.assign(reply.headers, rateHeaders(state.rateLimit, 0, reset, state.rateLimit));
  return reply;
}

function badCredentials(): Reply {
  return json(401, { message: 'Bad credentials', documentation_url: DOCS, status: '401' });
}

function validationFailed(field: string, code: string): Reply {
  return json(422, {
    message: 'Validation Failed',
    errors: [{ resource: 'Repository', field, code }],
    documentation_url: `${DOCS}/repos/repos#list-repositories-for-the-authenticated-user`,
    status: '422',
  });
}

// ---------------------------------------------------------------- plumbing

function apiHeaders(): Record<string, string> {
  return {
    'content-type': 'application/json; charset=utf-8',
    'x-github-media-type': 'github.v3; format=json',
    'x-github-api-version-selected': '2022-11-28',
    'x-github-request-id': requestId(),
    vary: 'Accept, Authorization, Cookie, X-GitHub-OTP, Accept-Encoding',
  };
}

function rateHeaders(limit: number, remaining: number, reset: number, used: number, resource = 'core'): Record<string, string> {
  return {
    'x-ratelimit-limit': String(limit),
    'x-ratelimit-remaining': String(Math.max(0, remaining)),
    'x-ratelimit-reset': String(reset),
    'x-ratelimit-used': String(used),
    'x-ratelimit-resource': resource,
  };
}

function json(status: number, body: unknown): Reply {
  return { status, headers: apiHeaders(), body: JSON.stringify(body) };
}

/** The fake's own "Sign in to GitHub" page: one button per account, each continuing the same authorization. */
function signInPage(state: FakeGitHubState, url: URL): Reply {
  return accountsPage(url, {
    title: 'Sign in to the fake GitHub',
    intro: "This is the sandbox's stand-in for GitHub. Pick the account to authorize the Repositories API as:",
    deny: 'Cancel (deny access)',
    look: { border: '#d0d7de', radius: '6px', hover: '#f6f8fa', muted: '#57606a' },
    accounts: [...state.accounts.values()].map((a) => ({ login: a.user.login, name: a.user.name ?? '', aside: `${a.repos.length} ${a.repos.length === 1 ? 'repository' : 'repositories'}` })),
  });
}

function requestId(): string {
  return randomBytes(8).toString('hex').toUpperCase().replace(/(.{4})(.{4})(.{4})(.{4})/, '$1:$2:$3:$4');
}
