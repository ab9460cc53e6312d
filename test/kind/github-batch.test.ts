import assert from 'node:assert/strict';
import { test } from 'vitest';
import { detectionFailed, emptyRepository } from '../../src/kind/detect.ts';
import { buildBatchQuery, detectGitHubBatch, graphqlUrl } from '../../src/hosts/github/kinds.ts';
import { KIND_CORPUS } from '../fixtures/kind-corpus.ts';
import { corpusRepos, kindHosts, ORIGINS, READER_TOKEN, startKindHost } from './helpers.ts';
import type { Fault } from '../fakes/github/index.ts';
import { assertEvery } from '../support/assertions.ts';
import { ANSWERED_MS, GIVE_UP_MS } from '../support/deadlines.ts';

const fake = kindHosts();

const ids = (repos: Array<{ id: number }>) => repos.map((r) => r.id);

test('1,000 repositories are detected in at most 40 requests, each correctly', async () => {
  const { repos, lookup } = corpusRepos(1000);
  const gh = await fake({ lookup });
  const started = performance.now();
  const result = await detectGitHubBatch({ apiUrl: gh.apiUrl, token: READER_TOKEN, timeoutMs: ANSWERED_MS, repos });
  const ms = performance.now() - started;

  assert.ok(gh.requests <= 40, `${gh.requests} requests`);
  assert.equal(gh.requests, 25);
  assertEvery(gh.repositoriesPerRequest, (n) => n <= 40);
  assert.equal(result.size, 1000);
  for (const repo of repos) assert.deepEqual(result.get(repo.id), repo.fixture.expected, repo.fixture.name);
  console.log(`1,000 repositories: ${gh.requests} GraphQL requests in ${ms.toFixed(0)} ms`);
});

test('when a builder-made app sits in apps/web of a monorepo, then it is found in the same single request as the kinds', async () => {
  const { repos, lookup } = corpusRepos(KIND_CORPUS.length);
  const gh = await fake({ lookup });
  const result = await detectGitHubBatch({ apiUrl: gh.apiUrl, token: READER_TOKEN, timeoutMs: ANSWERED_MS, repos, batchSize: KIND_CORPUS.length });
  assert.equal(gh.requests, 1);
  const monorepo = repos.find((r) => r.fixture.name === 'lovable-app-in-monorepo') ?? assert.fail();
  assert.deepEqual(result.get(monorepo.id), {
    kind: 'monorepo',
    reason: 'Turbo monorepo',
    origin: 'lovable',
    origin_reason: 'apps/web: lovable-tagger in devDependencies',
  });
  const builtWith = new Set([...result.values()].flatMap((d) => (d.origin ? [d.origin] : [])));
  assert.deepEqual([...builtWith].sort(), [...ORIGINS].sort());
  const { query } = buildBatchQuery(repos.slice(0, 1));
  assert.match(query, /app: object\(expression: "HEAD:apps\/web\/package\.json"\)/);
});

test('batch size and concurrency are configurable', async () => {
  const { repos, lookup } = corpusRepos(100);
  const gh = await fake({ lookup });
  const result = await detectGitHubBatch({ apiUrl: gh.apiUrl, token: READER_TOKEN, timeoutMs: ANSWERED_MS, repos, batchSize: 25, concurrency: 1 });
  assert.equal(gh.requests, 4);
  assert.deepEqual(gh.repositoriesPerRequest, [25, 25, 25, 25]);
  assert.equal(result.size, 100);
});

test('owners and names travel as variables, so quotes and backslashes are harmless', async () => {
  const owner = 'ev"il\\ }';
  const name = 'x") { __typename } #';
  const gh = await fake({ lookup: (o, n) => (o === owner && n === name ? { files: { 'go.mod': 'module x\n' } } : null) });
  const result = await detectGitHubBatch({ apiUrl: gh.apiUrl, token: READER_TOKEN, timeoutMs: ANSWERED_MS, repos: [{ id: 7, owner, name }] });
  assert.deepEqual(result.get(7), { kind: 'backend', reason: 'Go module', origin: null, origin_reason: null });
  const { query, variables } = buildBatchQuery([{ id: 7, owner, name }]);
  assert.ok(!query.includes(owner) && !query.includes(name));
  assert.deepEqual(variables, { o0: owner, n0: name });
});

test('not found and empty repositories are "Empty repository"; the others in the batch are fine', async () => {
  const contents: Record<string, Record<string, string>> = { empty: {}, api: { 'package.json': '{"dependencies":{"express":"4"}}' } };
  const gh = await fake({ lookup: (_o, n) => (contents[n] ? { files: contents[n] } : null) });
  const repos = [
    { id: 1, owner: 'a', name: 'empty' },
    { id: 2, owner: 'a', name: 'gone' },
    { id: 3, owner: 'a', name: 'api' },
  ];
  const result = await detectGitHubBatch({ apiUrl: gh.apiUrl, token: READER_TOKEN, timeoutMs: ANSWERED_MS, repos });
  assert.deepEqual(result.get(1), emptyRepository());
  assert.deepEqual(result.get(2), emptyRepository());
  assert.deepEqual(result.get(3), { kind: 'backend', reason: 'Express', origin: null, origin_reason: null });
});

test('GitHub Enterprise GraphQL lives at /api/graphql', () => {
  assert.equal(graphqlUrl('https://api.github.com'), 'https://api.github.com/graphql');
  assert.equal(graphqlUrl('https://ghe.example.com/api/v3/'), 'https://ghe.example.com/api/graphql');
  assert.equal(graphqlUrl('http://127.0.0.1:9000'), 'http://127.0.0.1:9000/graphql');
});

/** A GraphQL answer of the fake's, as a fault every request to the route meets. */
const reply = (status: number, body: unknown, headers?: Record<string, string>): Omit<Fault, 'route'> => ({
  kind: 'reply',
  reply: { status, body, ...(headers ? { headers } : {}) },
});

const failureCases: Array<[string, Omit<Fault, 'route'>, string]> = [
  ['HTTP 500', reply(500, { message: 'Server Error' }), 'Detection failed: GitHub unavailable'],
  ['HTTP 502 with an HTML body', reply(502, '<html>bad gateway</html>'), 'Detection failed: GitHub unavailable'],
  ['GraphQL error', reply(200, { errors: [{ message: 'Something went wrong while executing your query.' }] }), 'Detection failed: GitHub error'],
  [
    'GraphQL rate limit',
    reply(200, { errors: [{ type: 'RATE_LIMITED', message: 'API rate limit exceeded for user ID 1.' }] }),
    'Detection failed: GitHub rate limit',
  ],
  [
    'GraphQL rate limit, newer wording',
    reply(200, { errors: [{ type: 'RATE_LIMIT', code: 'graphql_rate_limit', message: 'API rate limit already exceeded for user ID 1.' }] }),
    'Detection failed: GitHub rate limit',
  ],
  [
    'HTTP 403 primary rate limit',
    reply(403, { message: 'API rate limit exceeded' }, { 'x-ratelimit-remaining': '0' }),
    'Detection failed: GitHub rate limit',
  ],
  [
    'HTTP 429 secondary rate limit',
    reply(429, { message: 'You have exceeded a secondary rate limit.' }, { 'retry-after': '60' }),
    'Detection failed: GitHub rate limit',
  ],
  ['HTTP 401', reply(401, { message: 'Bad credentials' }), 'Detection failed: GitHub token rejected'],
  ['timeout', { kind: 'timeout' }, 'Detection failed: GitHub timeout'],
];

for (const [label, fault, reason] of failureCases) {
  test(`${label} → unknown "${reason}", never a throw`, async () => {
    const { repos, lookup } = corpusRepos(3);
    const gh = await fake({ lookup });
    gh.fake.state.injectFault({ route: '/graphql', ...fault });
    // Only the hanging case waits for the deadline; the others have the production one.
    const result = await detectGitHubBatch({ apiUrl: gh.apiUrl, token: READER_TOKEN, timeoutMs: fault.kind === 'timeout' ? GIVE_UP_MS : ANSWERED_MS, repos });
    assert.deepEqual([...result.keys()], ids(repos));
    for (const d of result.values()) assert.deepEqual(d, { kind: 'unknown', reason, origin: null, origin_reason: reason });
  });
}

test('a failing batch does not spoil the others', async () => {
  const { repos, lookup } = corpusRepos(30);
  const gh = await fake({ lookup, answer: (n) => (n === 2 ? { status: 500, body: {} } : undefined) });
  const result = await detectGitHubBatch({ apiUrl: gh.apiUrl, token: READER_TOKEN, timeoutMs: ANSWERED_MS, repos, batchSize: 10, concurrency: 1 });
  const failed = repos.filter((r) => result.get(r.id)?.reason === 'Detection failed: GitHub unavailable');
  assert.deepEqual(ids(failed), ids(repos.slice(10, 20)));
  for (const r of [...repos.slice(0, 10), ...repos.slice(20)]) assert.deepEqual(result.get(r.id), r.fixture.expected);
});

test('after a rate limit the remaining batches are not sent', async () => {
  const { repos, lookup } = corpusRepos(50);
  const gh = await fake({ lookup });
  gh.fake.state.injectFault({ route: '/graphql', ...reply(429, { message: 'secondary rate limit' }) });
  const result = await detectGitHubBatch({ apiUrl: gh.apiUrl, token: READER_TOKEN, timeoutMs: ANSWERED_MS, repos, batchSize: 10, concurrency: 1 });
  assert.equal(gh.requests, 1);
  for (const d of result.values()) assert.equal(d.reason, 'Detection failed: GitHub rate limit');
  assert.equal(result.size, 50);
});

test('an unreachable host is a failure, not a throw', async () => {
  const gh = await startKindHost({ lookup: () => null });
  await gh.close();
  const result = await detectGitHubBatch({ apiUrl: gh.apiUrl, token: READER_TOKEN, timeoutMs: ANSWERED_MS, repos: [{ id: 1, owner: 'a', name: 'b' }] });
  assert.deepEqual(result.get(1), detectionFailed('GitHub unreachable'));
});

test('a repository GitHub refuses (OAuth app restrictions) fails alone', async () => {
  const gh = await fake({
    lookup: () => null,
    answer: () => ({
      status: 200,
      body: {
        data: { r0: null },
        errors: [{ type: 'FORBIDDEN', path: ['r0'], message: 'Although you appear to have the correct authorization credentials, the org has enabled OAuth App access restrictions.' }],
      },
    }),
  });
  const result = await detectGitHubBatch({ apiUrl: gh.apiUrl, token: READER_TOKEN, timeoutMs: ANSWERED_MS, repos: [{ id: 9, owner: 'org', name: 'secret' }] });
  assert.deepEqual(result.get(9), detectionFailed('access denied'));
});
