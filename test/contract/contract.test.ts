/**
 * One contract suite, driven three ways: against the app in-process on port 0, against the Prism mock
 * started from the spec, and through Prism's validation proxy (`prism proxy --errors`) in front of the
 * app. Every answer is checked by the spec validator in test/support/contract.ts, independent of the
 * app's own middleware. Each case names the state it needs: on the app, a fault in the fake git host or
 * a twin app (rate budget spent, database gone); on the mock, the `Prefer` header that selects it.
 */
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, test } from 'vitest';
import type { Scope } from '../../src/auth/jwt.ts';
import { issueDevToken } from '../../dev/dev-token.ts';
import { generateRepos, idFor } from '../fakes/github/index.ts';
import { gitverseTokenFor } from '../fakes/gitverse/index.ts';
import { KIND_CORPUS } from '../fixtures/kind-corpus.ts';
import { loadContract, type Contract } from '../support/contract.ts';
import { checkObserved as checkAnswer } from '../support/checked.ts';
import { appFetch, startTestApp, type TestApp } from '../support/harness.ts';
import { impatientHosts } from '../support/deadlines.ts';
import { signInThrough } from '../support/sign-in.ts';
import { startPrism, type RunningPrism } from '../support/prism.ts';

type Twin = 'limited' | 'broken';
interface Target {
  kind: 'app' | 'mock' | 'proxy';
  baseUrl: string;
  twin(which: Twin): string | undefined;
  token: string;
  /** The session cookie, `__Host-rapi_session=…`. */
  cookie: string;
  readOnlyToken: string;
  writeOnlyToken: string;
  app?: TestApp;
}

interface Case {
  name: string;
  operationId: string;
  status: number;
  method?: string;
  path: string;
  auth?: 'user' | 'none' | 'readonly' | 'writeonly' | 'cookie';
  body?: unknown;
  rawBody?: string;
  contentType?: string;
  headers?: Record<string, string>;
  /** Which twin of the app answers this case. */
  twin?: Twin;
  /** Puts the app's fake git hosts in the state the case needs; removed after the case. */
  fault?: (app: TestApp) => void;
  /** The named example the mock should answer with. */
  example?: string;
  /** Sequences that only the stateful app can play (the mock has no state). */
  appOnly?: boolean;
  /** Why Prism's proxy cannot pass this request on to the app. */
  notThroughProxy?: string;
  /** Why the mock answers this request its own way (documented in mocks/README.md). */
  notOnMock?: string;
}

// Prism answers a body that is not JSON itself: 400 `{"error":{"code":"invalid_json",...}}` as application/json.
const PRISM_INVALID_JSON = "Prism answers a body that is not JSON with its own error, whatever the Prefer header";
// Prism's proxy validates a request before forwarding it and answers a bad one itself.
const PRISM_ANSWERS = 'the proxy answers an invalid or unauthenticated request itself';
// Prism's proxy parses a JSON body and sends it on compacted, so an oversized body arrives small.
const REENCODED = 'the proxy re-encodes the body';
// Padding with JSON whitespace keeps the body valid for the schema, so only its size is wrong.
const OVERSIZED = (value: unknown) => JSON.stringify(value).replace('{', `{${' '.repeat(20_000)}`);

// A few of them made with app builders, so that the origin filter has something to find on the app.
const BUILT = ['lovable-vite-react', 'bolt-vite-react', 'lovable-app-in-monorepo'].map((name) => KIND_CORPUS.find((f) => f.name === name)?.files);
const repos = generateRepos(40, { owner: { login: 'octocat' }, seed: 5, files: (_r, i) => BUILT[i] });
const repo = (i: number) => repos[i]?.id ?? assert.fail();
const unknownRepo = 987_654_321;
// A repository of an organisation whose OAuth App access restrictions keep the app out.
const vault = { ...generateRepos(1, { owner: { login: 'octocat' }, seed: 6, firstId: 900_000_000 })[0]!, name: 'vault', owner: { login: 'locked-corp', id: idFor('locked-corp'), type: 'Organization' as const } };
/** A repository URL as pasted, for the fake GitHub on loopback (an SSH URL names the host without its port). */
const pasted = (path: string) => `/api/v1/repos/lookup?url=${encodeURIComponent(`git@127.0.0.1:${path}.git`)}`;

const cases: Case[] = [
  { name: 'sign-in starts with a redirect to GitHub', operationId: 'startGitHubSignIn', status: 302, path: '/api/v1/auth/github/login', auth: 'none', notThroughProxy: 'the proxy follows redirects' },
  { name: 'sign-in start, rate budget spent', operationId: 'startGitHubSignIn', status: 429, path: '/api/v1/auth/github/login', auth: 'none', twin: 'limited' },
  { name: 'callback without the sign-in state', operationId: 'completeGitHubSignIn', status: 400, path: '/api/v1/auth/github/callback?code=abc&state=def', auth: 'none', example: 'sign_in_state', notThroughProxy: PRISM_ANSWERS },
  { name: 'callback, rate budget spent', operationId: 'completeGitHubSignIn', status: 429, path: '/api/v1/auth/github/callback?code=abc&state=def', auth: 'none', twin: 'limited' },

  { name: 'me', operationId: 'getMe', status: 200, path: '/api/v1/me' },
  { name: 'me without credentials', operationId: 'getMe', status: 401, path: '/api/v1/me', auth: 'none', notThroughProxy: PRISM_ANSWERS },
  { name: 'me, rate budget spent', operationId: 'getMe', status: 429, path: '/api/v1/me', twin: 'limited' },
  { name: 'me, database gone', operationId: 'getMe', status: 500, path: '/api/v1/me', twin: 'broken' },

  { name: 'list: a typical page', operationId: 'listRepositories', status: 200, path: '/api/v1/repos?per_page=10' },
  { name: 'list: only apps made with an app builder', operationId: 'listRepositories', status: 200, path: '/api/v1/repos?origin=any&per_page=10', example: 'builders' },
  { name: 'list: only apps made with Lovable', operationId: 'listRepositories', status: 200, path: '/api/v1/repos?origin=lovable', example: 'builders' },
  { name: 'list: an app builder the API does not know', operationId: 'listRepositories', status: 400, path: '/api/v1/repos?origin=cursor', example: 'validation', notThroughProxy: PRISM_ANSWERS },
  { name: 'list: invalid parameters', operationId: 'listRepositories', status: 400, path: '/api/v1/repos?per_page=500&sort=stars', example: 'validation', notThroughProxy: PRISM_ANSWERS },
  { name: 'list: no credentials', operationId: 'listRepositories', status: 401, path: '/api/v1/repos', auth: 'none', notThroughProxy: PRISM_ANSWERS },
  { name: 'list: GitHub rejects the token', operationId: 'listRepositories', status: 403, path: '/api/v1/repos?refresh=true', example: 'github_auth', fault: (a) => a.fake.state.injectFault({ route: '/user/repos', kind: 'badCredentials' }) },
  { name: 'list: GitHub rate limit', operationId: 'listRepositories', status: 429, path: '/api/v1/repos?refresh=true', fault: (a) => a.fake.state.injectFault({ route: '/user/repos', kind: 'primaryRateLimit' }) },
  { name: 'list: database gone', operationId: 'listRepositories', status: 500, path: '/api/v1/repos', twin: 'broken' },
  { name: 'list: GitHub down', operationId: 'listRepositories', status: 502, path: '/api/v1/repos?refresh=true', fault: (a) => a.fake.state.injectFault({ route: '/user/repos', kind: 502 }) },
  { name: 'list: GitHub timeout', operationId: 'listRepositories', status: 504, path: '/api/v1/repos?refresh=true', fault: (a) => a.fake.state.injectFault({ route: '/user/repos', kind: 'timeout' }) },

  { name: 'lookup: a repository of the listing', operationId: 'lookupRepository', status: 200, path: pasted(`${repos[1]!.owner.login}/${repos[1]!.name}`) },
  { name: 'lookup: a host the service does not serve', operationId: 'lookupRepository', status: 400, path: '/api/v1/repos/lookup?url=https%3A%2F%2Fgitlab.example.com%2Facme%2Fapp', example: 'unsupported_host' },
  { name: 'lookup: no credentials', operationId: 'lookupRepository', status: 401, path: pasted('octocat/x'), auth: 'none', notThroughProxy: PRISM_ANSWERS },
  { name: 'lookup: an organisation that restricts the app', operationId: 'lookupRepository', status: 403, path: pasted('locked-corp/vault'), example: 'organization_restricted' },
  { name: 'lookup: no such repository', operationId: 'lookupRepository', status: 404, path: pasted('octocat/no-such-repo') },
  { name: 'lookup: rate budget spent', operationId: 'lookupRepository', status: 429, path: pasted('octocat/x'), twin: 'limited' },
  { name: 'lookup: database gone', operationId: 'lookupRepository', status: 500, path: pasted('octocat/x'), twin: 'broken' },
  { name: 'lookup: GitHub down', operationId: 'lookupRepository', status: 502, path: pasted('octocat/not-listed'), fault: (a) => a.fake.state.injectFault({ route: '/repos/{owner}/{repo}', kind: 502 }) },
  { name: 'lookup: GitHub timeout', operationId: 'lookupRepository', status: 504, path: pasted('octocat/not-listed'), fault: (a) => a.fake.state.injectFault({ route: '/repos/{owner}/{repo}', kind: 'timeout' }) },

  { name: 'connect: first time', operationId: 'connectRepository', status: 201, method: 'POST', path: '/api/v1/connections', body: { provider: 'github', repo_id: repo(0) } },
  { name: 'connect: again', operationId: 'connectRepository', status: 200, method: 'POST', path: '/api/v1/connections', body: { provider: 'github', repo_id: repo(0) }, appOnly: true },
  { name: 'connect: invalid body', operationId: 'connectRepository', status: 400, method: 'POST', path: '/api/v1/connections', body: { provider: 'sourcehut' }, notThroughProxy: PRISM_ANSWERS },
  { name: 'connect: no credentials', operationId: 'connectRepository', status: 401, method: 'POST', path: '/api/v1/connections', auth: 'none', body: { provider: 'github', repo_id: repo(1) }, notThroughProxy: PRISM_ANSWERS },
  { name: 'connect: read-only token', operationId: 'connectRepository', status: 403, method: 'POST', path: '/api/v1/connections', auth: 'readonly', body: { provider: 'github', repo_id: repo(1) }, example: 'insufficient_scope' },
  { name: 'connect: not visible on GitHub', operationId: 'connectRepository', status: 404, method: 'POST', path: '/api/v1/connections', body: { provider: 'github', repo_id: unknownRepo } },
  { name: 'connect: body too large', operationId: 'connectRepository', status: 413, method: 'POST', path: '/api/v1/connections', rawBody: OVERSIZED({ provider: 'github', repo_id: 1 }), notThroughProxy: REENCODED },
  { name: 'connect: not JSON', operationId: 'connectRepository', status: 415, method: 'POST', path: '/api/v1/connections', rawBody: 'provider=github', contentType: 'text/plain', notThroughProxy: PRISM_ANSWERS },
  { name: 'connect: rate budget spent', operationId: 'connectRepository', status: 429, method: 'POST', path: '/api/v1/connections', body: { provider: 'github', repo_id: repo(1) }, twin: 'limited' },
  { name: 'connect: database gone', operationId: 'connectRepository', status: 500, method: 'POST', path: '/api/v1/connections', body: { provider: 'github', repo_id: repo(1) }, twin: 'broken' },
  { name: 'connect: GitHub down', operationId: 'connectRepository', status: 502, method: 'POST', path: '/api/v1/connections', body: { provider: 'github', repo_id: unknownRepo }, fault: (a) => a.fake.state.injectFault({ route: '/user/repos', kind: 500 }) },
  { name: 'connect: GitHub timeout', operationId: 'connectRepository', status: 504, method: 'POST', path: '/api/v1/connections', body: { provider: 'github', repo_id: unknownRepo }, fault: (a) => a.fake.state.injectFault({ route: '/user/repos', kind: 'timeout' }) },

  { name: 'connections', operationId: 'listConnections', status: 200, path: '/api/v1/connections' },
  { name: 'connections: unknown provider', operationId: 'listConnections', status: 400, path: '/api/v1/connections?provider=sourcehut', notThroughProxy: PRISM_ANSWERS },
  { name: 'connections: no credentials', operationId: 'listConnections', status: 401, path: '/api/v1/connections', auth: 'none', notThroughProxy: PRISM_ANSWERS },
  { name: 'connections: rate budget spent', operationId: 'listConnections', status: 429, path: '/api/v1/connections', twin: 'limited' },
  { name: 'connections: database gone', operationId: 'listConnections', status: 500, path: '/api/v1/connections', twin: 'broken' },

  { name: 'disconnect', operationId: 'disconnectRepository', status: 204, method: 'DELETE', path: `/api/v1/connections/github/${repo(0)}` },
  { name: 'disconnect: invalid id', operationId: 'disconnectRepository', status: 400, method: 'DELETE', path: '/api/v1/connections/github/not-a-number', notThroughProxy: PRISM_ANSWERS },
  { name: 'disconnect: no credentials', operationId: 'disconnectRepository', status: 401, method: 'DELETE', path: `/api/v1/connections/github/${repo(0)}`, auth: 'none', notThroughProxy: PRISM_ANSWERS },
  { name: 'disconnect: read-only token', operationId: 'disconnectRepository', status: 403, method: 'DELETE', path: `/api/v1/connections/github/${repo(0)}`, auth: 'readonly' },
  { name: 'disconnect: not connected', operationId: 'disconnectRepository', status: 404, method: 'DELETE', path: `/api/v1/connections/github/${repo(0)}` },
  { name: 'disconnect: rate budget spent', operationId: 'disconnectRepository', status: 429, method: 'DELETE', path: `/api/v1/connections/github/${repo(0)}`, twin: 'limited' },
  { name: 'disconnect: database gone', operationId: 'disconnectRepository', status: 500, method: 'DELETE', path: `/api/v1/connections/github/${repo(0)}`, twin: 'broken' },

  { name: 'link GitVerse', operationId: 'linkGitVerseToken', status: 200, method: 'PUT', path: '/api/v1/me/providers/gitverse', body: { token: gitverseTokenFor('octocat') } },
  { name: 'link GitVerse: invalid body', operationId: 'linkGitVerseToken', status: 400, method: 'PUT', path: '/api/v1/me/providers/gitverse', body: { token: 'x' }, notThroughProxy: PRISM_ANSWERS },
  { name: 'link GitVerse: no credentials', operationId: 'linkGitVerseToken', status: 401, method: 'PUT', path: '/api/v1/me/providers/gitverse', auth: 'none', body: { token: gitverseTokenFor('octocat') }, notThroughProxy: PRISM_ANSWERS },
  { name: 'link GitVerse: token rejected', operationId: 'linkGitVerseToken', status: 403, method: 'PUT', path: '/api/v1/me/providers/gitverse', body: { token: 'gv_unknown_token_000' }, example: 'provider_auth' },
  { name: 'link GitVerse: body too large', operationId: 'linkGitVerseToken', status: 413, method: 'PUT', path: '/api/v1/me/providers/gitverse', rawBody: OVERSIZED({ token: gitverseTokenFor('octocat') }), notThroughProxy: REENCODED },
  { name: 'link GitVerse: not JSON', operationId: 'linkGitVerseToken', status: 415, method: 'PUT', path: '/api/v1/me/providers/gitverse', rawBody: 'token=x', contentType: 'text/plain', notThroughProxy: PRISM_ANSWERS },
  { name: 'link GitVerse: rate budget spent', operationId: 'linkGitVerseToken', status: 429, method: 'PUT', path: '/api/v1/me/providers/gitverse', body: { token: gitverseTokenFor('octocat') }, twin: 'limited' },
  { name: 'link GitVerse: database gone', operationId: 'linkGitVerseToken', status: 500, method: 'PUT', path: '/api/v1/me/providers/gitverse', body: { token: gitverseTokenFor('octocat') }, twin: 'broken' },
  { name: 'link GitVerse: GitVerse down', operationId: 'linkGitVerseToken', status: 502, method: 'PUT', path: '/api/v1/me/providers/gitverse', body: { token: gitverseTokenFor('octocat') }, fault: (a) => a.gitverse.state.injectFault({ route: '/user', kind: 500 }) },
  { name: 'link GitVerse: GitVerse timeout', operationId: 'linkGitVerseToken', status: 504, method: 'PUT', path: '/api/v1/me/providers/gitverse', body: { token: gitverseTokenFor('octocat') }, fault: (a) => a.gitverse.state.injectFault({ route: '/user', kind: 'timeout' }) },
  { name: 'unlink GitVerse', operationId: 'unlinkGitVerseToken', status: 204, method: 'DELETE', path: '/api/v1/me/providers/gitverse' },
  { name: 'unlink GitVerse: no credentials', operationId: 'unlinkGitVerseToken', status: 401, method: 'DELETE', path: '/api/v1/me/providers/gitverse', auth: 'none', notThroughProxy: PRISM_ANSWERS },
  { name: 'unlink GitVerse: read-only token', operationId: 'unlinkGitVerseToken', status: 403, method: 'DELETE', path: '/api/v1/me/providers/gitverse', auth: 'readonly' },
  { name: 'unlink GitVerse: not linked', operationId: 'unlinkGitVerseToken', status: 404, method: 'DELETE', path: '/api/v1/me/providers/gitverse' },
  { name: 'unlink GitVerse: rate budget spent', operationId: 'unlinkGitVerseToken', status: 429, method: 'DELETE', path: '/api/v1/me/providers/gitverse', twin: 'limited' },
  { name: 'unlink GitVerse: database gone', operationId: 'unlinkGitVerseToken', status: 500, method: 'DELETE', path: '/api/v1/me/providers/gitverse', twin: 'broken' },

  { name: 'health', operationId: 'getHealth', status: 200, path: '/api/v1/health', auth: 'none' },
  { name: 'readiness', operationId: 'getReadiness', status: 200, path: '/api/v1/ready', auth: 'none' },
  { name: 'readiness, database gone', operationId: 'getReadiness', status: 503, path: '/api/v1/ready', auth: 'none', twin: 'broken' },
  { name: 'the spec', operationId: 'getOpenApiDocument', status: 200, path: '/api/v1/openapi.json', auth: 'none' },
  { name: 'the spec, rate budget spent', operationId: 'getOpenApiDocument', status: 429, path: '/api/v1/openapi.json', auth: 'none', twin: 'limited' },
  { name: 'the reference', operationId: 'getApiReference', status: 200, path: '/docs', auth: 'none' },
  { name: 'the reference, rate budget spent', operationId: 'getApiReference', status: 429, path: '/docs', auth: 'none', twin: 'limited' },

  // Query parameters an operation does not define are ignored, as by GitHub and Prism (a cache-buster `?_=1`).
  { name: 'health: an undeclared query parameter is ignored', operationId: 'getHealth', status: 200, path: '/api/v1/health?_=1', auth: 'none' },
  { name: 'listing: an undeclared query parameter is ignored', operationId: 'listRepositories', status: 200, path: '/api/v1/repos?per_page=5&_=1700000000000', example: 'typical' },

  // A body that is not JSON is refused, also where the operation takes no body.
  ...([
    ['startGitHubSignIn', '/api/v1/auth/github/login', 'GET', 'none'],
    ['signOut', '/api/v1/auth/logout', 'POST', 'user'],
    ['getMe', '/api/v1/me', 'GET', 'user'],
    ['unlinkGitVerseToken', '/api/v1/me/providers/gitverse', 'DELETE', 'user'],
    ['getHealth', '/api/v1/health', 'GET', 'none'],
    ['getReadiness', '/api/v1/ready', 'GET', 'none'],
    ['getOpenApiDocument', '/api/v1/openapi.json', 'GET', 'none'],
    ['getApiReference', '/docs', 'GET', 'none'],
  ] as const).map(([operationId, path, method, auth]): Case => ({
    name: `${operationId}: a body that is not JSON`,
    operationId,
    status: 400,
    method,
    path,
    auth,
    rawBody: '{"unterminated',
    notOnMock: PRISM_INVALID_JSON,
    notThroughProxy: PRISM_ANSWERS,
  })),
  { name: 'me: write-only token', operationId: 'getMe', status: 403, path: '/api/v1/me', auth: 'writeonly' },
  { name: 'connections: write-only token', operationId: 'listConnections', status: 403, path: '/api/v1/connections', auth: 'writeonly' },

  { name: 'renew token', operationId: 'renewAccessToken', status: 200, method: 'POST', path: '/api/v1/auth/token', auth: 'cookie', example: 'renewed' },
  { name: 'renew token: no credentials', operationId: 'renewAccessToken', status: 401, method: 'POST', path: '/api/v1/auth/token', auth: 'none', notThroughProxy: PRISM_ANSWERS },
  { name: 'renew token: a bearer token instead of the cookie', operationId: 'renewAccessToken', status: 401, method: 'POST', path: '/api/v1/auth/token', auth: 'user', notThroughProxy: PRISM_ANSWERS },
  { name: 'renew token: from an untrusted origin', operationId: 'renewAccessToken', status: 403, method: 'POST', path: '/api/v1/auth/token', auth: 'cookie', headers: { origin: 'https://evil.example' }, example: 'cross_site' },
  { name: 'renew token: a body that is not JSON', operationId: 'renewAccessToken', status: 400, method: 'POST', path: '/api/v1/auth/token', auth: 'cookie', rawBody: '{"unterminated', notOnMock: PRISM_INVALID_JSON, notThroughProxy: PRISM_ANSWERS },
  { name: 'renew token: rate budget spent', operationId: 'renewAccessToken', status: 429, method: 'POST', path: '/api/v1/auth/token', auth: 'cookie', twin: 'limited' },
  { name: 'renew token: database gone', operationId: 'renewAccessToken', status: 500, method: 'POST', path: '/api/v1/auth/token', auth: 'cookie', twin: 'broken' },
  { name: 'sign out: rate budget spent', operationId: 'signOut', status: 429, method: 'POST', path: '/api/v1/auth/logout', twin: 'limited' },
  { name: 'sign out: database gone', operationId: 'signOut', status: 500, method: 'POST', path: '/api/v1/auth/logout', twin: 'broken' },
  { name: 'sign out: no credentials', operationId: 'signOut', status: 401, method: 'POST', path: '/api/v1/auth/logout', auth: 'none', notThroughProxy: PRISM_ANSWERS },
  { name: 'sign out', operationId: 'signOut', status: 204, method: 'POST', path: '/api/v1/auth/logout' },
];

async function send(target: Target, c: Case): Promise<{ status: number; headers: Headers; body: unknown; path: string }> {
  const base = c.twin && target.kind === 'app' ? target.twin(c.twin) : target.baseUrl;
  const headers: Record<string, string> = { ...c.headers };
  if (c.auth === 'cookie') headers.cookie = target.cookie;
  else if (c.auth !== 'none') {
    headers.authorization = `Bearer ${c.auth === 'readonly' ? target.readOnlyToken : c.auth === 'writeonly' ? target.writeOnlyToken : target.token}`;
  }
  if (target.kind === 'mock') headers.prefer = `code=${c.status}${c.example ? `, example=${c.example}` : ''}`;
  const payload = c.rawBody ?? (c.body === undefined ? undefined : JSON.stringify(c.body));
  if (payload !== undefined) headers['content-type'] = c.contentType ?? 'application/json';
  const method = c.method ?? 'GET';
  // fetch sends no body with GET; a client that does (and the fuzzer) goes through node:http.
  const res = payload !== undefined && method === 'GET' ? await rawRequest(`${base}${c.path}`, method, headers, payload) : await appFetch(`${base}${c.path}`, { method, headers, body: payload, redirect: 'manual' });
  const text = await res.text();
  const type = res.headers.get('content-type') ?? '';
  const body = text === '' ? undefined : /json/.test(type) ? JSON.parse(text) : text;
  if ('raw' in res && target.kind === 'app') checkAnswer({ method, path: c.path, status: res.status, headers: res.headers, body });
  return { status: res.status, headers: res.headers, body, path: c.path };
}

/** A request through node:http, which sends a body with any method; answered like fetch's Response. */
function rawRequest(url: string, method: string, headers: Record<string, string>, body: string): Promise<{ status: number; headers: Headers; text(): Promise<string>; raw: true }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const answer = new Headers();
        for (const [name, value] of Object.entries(res.headers)) for (const v of [value ?? []].flat()) answer.append(name, v);
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: answer, text: async () => text, raw: true });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function scopedToken(app: TestApp, scope: Scope): Promise<string> {
  const { token } = await issueDevToken(app.app.services.store, app.app.services.config, { login: 'octocat', githubId: idFor('octocat'), scopes: [scope] });
  return token;
}

/** The app, and its twins: one whose rate budget is spent, one whose database is gone. */
async function startApps() {
  const fake = { users: [{ login: 'octocat', repos: [...repos, vault] }], orgs: [{ login: 'locked-corp', members: ['octocat'], oauthRestricted: true }] };
  const gitverse = { users: [{ login: 'octocat', repos: [] }] };
  const [app, limited, broken] = await Promise.all([
    // Four cases wait for a host's deadline to pass.
    startTestApp({ fake, gitverse, env: impatientHosts() }),
    startTestApp({ fake, gitverse, env: { RATE_LIMIT_PER_ADDRESS: '1' } }),
    startTestApp({ fake, gitverse }),
  ]);
  const user = await app.signIn('octocat');
  // Health and readiness probes are not counted, so the budget is spent on the spec.
  await appFetch(`${limited.baseUrl}/api/v1/openapi.json`);
  await broken.app.services.store.close();
  return {
    app,
    token: user.token,
    cookie: user.cookie,
    readOnly: await scopedToken(app, 'repos:read'),
    writeOnly: await scopedToken(app, 'repos:write'),
    twin: (which: Twin) => (which === 'limited' ? limited.baseUrl : broken.baseUrl),
    close: () => Promise.all([app.close(), limited.close(), broken.close()]),
  };
}

function runSuite(kind: Target['kind'], setup: () => Promise<{ target: Target; close: () => Promise<unknown> }>) {
  describe(`contract against the ${kind === 'app' ? 'app' : kind === 'mock' ? 'Prism mock' : 'app behind the Prism validation proxy'}`, () => {
    let target: Target;
    let close: () => Promise<unknown>;
    let contract: Contract;
    beforeAll(async () => {
      contract = await loadContract({ exercisedDir: false });
      ({ target, close } = await setup());
    });
    afterAll(() => close());

    for (const c of cases) {
      const skip =
        kind !== 'app' && c.appOnly
          ? 'needs the stateful app'
          : kind === 'mock' && c.notOnMock
            ? c.notOnMock
            : kind === 'proxy' && c.twin
            ? 'needs a twin of the app'
            : kind === 'proxy' && c.notThroughProxy
              ? c.notThroughProxy
              : false;
      test(`${c.name}: ${c.method ?? 'GET'} ${c.path.split('?')[0]} answers ${c.status}`, { skip: skip !== false }, async () => {
        if (kind !== 'mock' && c.fault && target.app) c.fault(target.app);
        try {
          const res = await send(target, c);
          const { operationId, errors } = contract.check({ method: c.method ?? 'GET', path: res.path, status: res.status, headers: res.headers, body: res.body });
          assert.deepEqual(errors, [], `the answer breaks the spec`);
          assert.equal(operationId, c.operationId);
          assert.equal(res.status, c.status, JSON.stringify(res.body));
          if (res.status >= 400 && c.operationId !== 'getReadiness') assert.equal(res.headers.get('content-type')?.split(';')[0], 'application/problem+json');
        } finally {
          target.app?.fake.state.clearFaults();
          target.app?.gitverse.state.clearFaults();
        }
      });
    }
  });
}

runSuite('app', async () => {
  const apps = await startApps();
  const target: Target = { kind: 'app', baseUrl: apps.app.baseUrl, token: apps.token, cookie: apps.cookie, readOnlyToken: apps.readOnly, writeOnlyToken: apps.writeOnly, twin: apps.twin, app: apps.app };
  return { target, close: apps.close };
});

runSuite('mock', async () => {
  const prism: RunningPrism = await startPrism('mock');
  return { target: { kind: 'mock', baseUrl: prism.baseUrl, token: 'x', cookie: '__Host-rapi_session=x', readOnlyToken: 'x', writeOnlyToken: 'x', twin: () => undefined }, close: () => prism.stop() };
});

runSuite('proxy', async () => {
  const apps = await startApps();
  const prism = await startPrism({ proxyTo: apps.app.baseUrl });
  return {
    target: { kind: 'proxy', baseUrl: prism.baseUrl, token: apps.token, cookie: apps.cookie, readOnlyToken: apps.readOnly, writeOnlyToken: apps.writeOnly, twin: () => undefined, app: apps.app },
    close: async () => {
      await prism.stop();
      await apps.close();
    },
  };
});

test('sign-in callback on the app, through the real OAuth round trip, answers 200 with a session', async () => {
  const app = await startTestApp({ fake: { users: [{ login: 'octocat', repos }] } });
  try {
    const signed = await signInThrough(app.baseUrl, 'octocat', { appFetch });
    assert.ok(signed.token);
  } finally {
    await app.close();
  }
});

test('sign-in callback when the database is gone after GitHub answered: 500 INTERNAL, and no session', async () => {
  const app = await startTestApp({ fake: { users: [{ login: 'octocat', repos }] } });
  try {
    const start = await appFetch(`${app.baseUrl}/api/v1/auth/github/login`, { redirect: 'manual' });
    const oauth = start.headers.getSetCookie().map((c) => c.split(';')[0] ?? '').find((c) => c.startsWith('__Host-rapi_oauth=')) ?? '';
    const authorize = new URL(start.headers.get('location') ?? '');
    authorize.searchParams.set('login', 'octocat');
    const callback = (await appFetch(authorize, { redirect: 'manual' })).headers.get('location') ?? '';
    await app.app.services.store.close();
    const res = await appFetch(callback, { headers: { cookie: oauth } });
    assert.equal(res.status, 500);
    assert.equal(((await res.json()) as { code: string }).code, 'INTERNAL');
    assert.ok(!res.headers.getSetCookie().some((c) => c.startsWith('__Host-rapi_session=')));
  } finally {
    await app.close();
  }
});

test('the reference on a deployment that did not build it: 404 NOT_FOUND', async () => {
  const app = await startTestApp({ env: { API_REFERENCE_FILE: 'docs-build/not-built.html' } });
  try {
    const res = await appFetch(`${app.baseUrl}/docs`);
    assert.equal(res.status, 404);
    assert.equal(((await res.json()) as { code: string }).code, 'NOT_FOUND');
  } finally {
    await app.close();
  }
});
