/**
 * The mock and the app answer the same requests alike: each request below goes to the app (on the
 * embedded database, against the fake GitHub and GitVerse seeded like the sandbox) and to the Prism mock,
 * and the two must agree on the status and the media type. Where Prism cannot be made to agree, the
 * request is in KNOWN_DIFFERENCES with the reason, and mocks/README.md says so too.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { generateRepos } from '../fakes/github/index.ts';
import { generateGitVerseRepos } from '../fakes/gitverse/index.ts';
import { KIND_CORPUS } from '../fixtures/kind-corpus.ts';
import { startTestApp, type TestApp } from '../support/harness.ts';
import { startPrism, type RunningPrism } from '../support/prism.ts';

const README = fileURLToPath(new URL('../../mocks/README.md', import.meta.url));

interface Probe {
  name: string;
  method?: string;
  path: string;
  auth?: 'user' | 'none' | 'junk';
  body?: string;
  contentType?: string;
}

const corpusFiles = (i: number) => ({ ...KIND_CORPUS[i % KIND_CORPUS.length]?.files });
const repos = generateRepos(120, { owner: { login: 'octocat' }, seed: 42, files: (_r, i) => corpusFiles(i) });
const connectable = repos[3]!.id;

const PROBES: Probe[] = [
  { name: 'health', path: '/api/v1/health', auth: 'none' },
  { name: 'health with a cache-buster', path: '/api/v1/health?_=1700000000000', auth: 'none' },
  { name: 'readiness', path: '/api/v1/ready', auth: 'none' },
  { name: 'the spec', path: '/api/v1/openapi.json', auth: 'none' },
  { name: 'the reference', path: '/docs', auth: 'none' },
  { name: 'sign-in start', path: '/api/v1/auth/github/login', auth: 'none' },
  { name: 'me', path: '/api/v1/me' },
  { name: 'me without credentials', path: '/api/v1/me', auth: 'none' },
  { name: 'me with a token that is not ours', path: '/api/v1/me', auth: 'junk' },
  { name: 'listing', path: '/api/v1/repos' },
  { name: 'listing with a cache-buster', path: '/api/v1/repos?_=1700000000000' },
  { name: 'listing with tracking parameters', path: '/api/v1/repos?per_page=5&utm_source=picker&debug=1' },
  { name: 'listing filtered, sorted and paged', path: '/api/v1/repos?provider=github&kind=frontend&sort=pushed&direction=desc&page=1&per_page=10' },
  { name: 'listing with a text query', path: '/api/v1/repos?q=api&visibility=all&affiliation=owner' },
  { name: 'listing without credentials', path: '/api/v1/repos', auth: 'none' },
  { name: 'listing, per_page too large', path: '/api/v1/repos?per_page=500' },
  { name: 'listing, page 0', path: '/api/v1/repos?page=0' },
  { name: 'listing, unknown kind', path: '/api/v1/repos?kind=mobile' },
  { name: 'listing, page not a number', path: '/api/v1/repos?page=two' },
  { name: 'connections', path: '/api/v1/connections' },
  { name: 'connect', method: 'POST', path: '/api/v1/connections', body: JSON.stringify({ provider: 'github', repo_id: connectable }) },
  { name: 'connect, invalid body', method: 'POST', path: '/api/v1/connections', body: JSON.stringify({ provider: 'bitbucket', repo_id: 'x' }) },
  { name: 'connect, body not JSON', method: 'POST', path: '/api/v1/connections', body: '{"provider":', contentType: 'application/json' },
  { name: 'connect, body as text', method: 'POST', path: '/api/v1/connections', body: 'provider=github', contentType: 'text/plain' },
  { name: 'connect without credentials', method: 'POST', path: '/api/v1/connections', auth: 'none', body: JSON.stringify({ provider: 'github', repo_id: connectable }) },
  { name: 'disconnect', method: 'DELETE', path: `/api/v1/connections/github/${connectable}` },
  { name: 'disconnect, repo id not a number', method: 'DELETE', path: '/api/v1/connections/github/abc' },
  { name: 'disconnect, unknown provider', method: 'DELETE', path: '/api/v1/connections/bitbucket/1' },
  { name: 'link GitVerse, invalid body', method: 'PUT', path: '/api/v1/me/providers/gitverse', body: JSON.stringify({ token: '' }) },
  { name: 'sign out', method: 'POST', path: '/api/v1/auth/logout' },
];

/** Requests the mock answers differently, and why; each is named in mocks/README.md. */
const KNOWN_DIFFERENCES: Record<string, string> = {
  'me with a token that is not ours': 'the mock checks that credentials are there, not that they are valid',
  connect: 'the mock is stateless: its first success is the lowest status, 200 (already connected), where the app says 201 the first time; ask the mock for `Prefer: code=201`',
  'connect, body not JSON': "Prism answers a body that is not JSON itself: 400 with its own `{\"error\":{\"code\":\"invalid_json\"}}` as application/json",
};

const mediaType = (res: Response) => (res.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();

describe('the mock and the app, the same requests', () => {
  let app: TestApp | undefined;
  let prism: RunningPrism | undefined;
  let token = '';
  const answers = new Map<string, { app: string; mock: string }>();

  beforeAll(async () => {
    [app, prism] = await Promise.all([
      startTestApp({
        fake: { users: [{ login: 'octocat', repos }, { login: 'hubot', repos: generateRepos(12, { owner: { login: 'hubot' }, seed: 7 }) }] },
        gitverse: { users: [{ login: 'octocat', repos: generateGitVerseRepos(20, { owner: { login: 'octocat' }, seed: 43 }) }] },
      }),
      startPrism('mock'),
    ]);
    ({ token } = await app.signIn('octocat'));
    // In order: connect before disconnect, sign out last, as a screen would.
    for (const probe of PROBES) {
      const send = async (baseUrl: string) => {
        const headers: Record<string, string> = {};
        if ((probe.auth ?? 'user') === 'user') headers.authorization = `Bearer ${token}`;
        if (probe.auth === 'junk') headers.authorization = 'Bearer not-a-token-of-ours';
        if (probe.body !== undefined) headers['content-type'] = probe.contentType ?? 'application/json';
        const res = await fetch(`${baseUrl}${probe.path}`, { method: probe.method ?? 'GET', headers, redirect: 'manual', ...(probe.body === undefined ? {} : { body: probe.body }) });
        await res.arrayBuffer();
        return `${res.status} ${mediaType(res) || '(no body)'}`;
      };
      answers.set(probe.name, { app: await send(app.baseUrl), mock: await send(prism.baseUrl) });
    }
  });
  afterAll(async () => {
    await Promise.all([app?.close(), prism?.stop()]);
  });

  for (const probe of PROBES) {
    const known = KNOWN_DIFFERENCES[probe.name];
    it(`when ${probe.method ?? 'GET'} ${probe.path} (${probe.name}) goes to both, then ${known ? `they differ as documented: ${known}` : 'they answer the same status and media type'}`, () => {
      const answer = answers.get(probe.name);
      assert.ok(answer);
      if (known) assert.notEqual(answer.app, answer.mock, `no longer a difference: remove "${probe.name}" from the known differences and mocks/README.md`);
      else assert.equal(answer.mock, answer.app, `the app answers ${answer.app}, the mock ${answer.mock}`);
    });
  }

  it('when the mock differs from the app, then mocks/README.md says where', () => {
    const readme = readFileSync(README, 'utf8');
    assert.deepEqual(Object.keys(KNOWN_DIFFERENCES).filter((name) => !readme.includes(name)), []);
  });
});
