import assert from 'node:assert/strict';
import { afterAll, beforeAll, beforeEach, describe, it } from 'vitest';
import { createGitLabReader, detectGitLabBatch, GitLabClient } from '../../src/hosts/gitlab/index.ts';
import { detectionFailed, emptyRepository } from '../../src/kind/detect.ts';
import { createDetectionService } from '../../src/kind/service.ts';
import { KIND_CORPUS } from '../fixtures/kind-corpus.ts';
import { generateProjects, startFakeGitLab } from '../fakes/gitlab/index.ts';
import type { FakeAccount, FakeGitLab } from '../fakes/gitlab/index.ts';
import { memoryDetections } from '../kind/helpers.ts';

let fake: FakeGitLab;
let account: FakeAccount;
let client: GitLabClient;

/** `n` projects whose files are the corpus's, in turn, with the detection each should get. */
function seedCorpus(n: number) {
  account.projects = generateProjects(n, { owner: { login: account.user.login }, files: (_p, i) => KIND_CORPUS[i % KIND_CORPUS.length]!.files });
  // An empty repository has no files to detect from: keep every one readable.
  for (const p of account.projects) p.default_branch ??= 'main';
  return account.projects.map((p, i) => ({ id: p.id, owner: p.namespace.full_path, name: p.path, pushed_at: p.last_activity_at, expected: KIND_CORPUS[i % KIND_CORPUS.length]!.expected }));
}

const graphqlRequests = () => fake.state.counters.byRoute['/api/graphql'] ?? 0;

beforeAll(async () => {
  fake = await startFakeGitLab({ users: [{ login: 'gl-dev' }] });
  account = fake.state.accountByLogin('gl-dev')!;
  client = new GitLabClient({ apiUrl: `${fake.baseUrl}/api/v4`, webUrl: fake.baseUrl, timeoutMs: 10_000 });
});
afterAll(() => fake.close());
beforeEach(() => {
  fake.state.clearFaults();
  fake.state.graphqlEnabled = true;
  fake.state.resetCounters();
});

describe('kind and origin of GitLab projects, read in batches', () => {
  it('when 1,000 projects are read cold, then at most one GraphQL request per 10 projects, each detection right', async () => {
    const repos = seedCorpus(1000);
    const result = await detectGitLabBatch({ client, token: account.token, repos });
    assert.ok(graphqlRequests() <= 100, `${graphqlRequests()} requests`);
    assert.equal(fake.state.counters.total, graphqlRequests(), 'nothing but GraphQL');
    assert.equal(result.size, 1000);
    for (const repo of repos) assert.deepEqual(result.get(repo.id), repo.expected, `project ${repo.id}`);
  });

  it('when the same projects are read again through the detection service, then no request at all', async () => {
    const repos = seedCorpus(200);
    const service = createDetectionService({ store: memoryDetections(), readers: { github: async () => new Map(), gitlab: createGitLabReader(client) }, budgetMs: 10_000 });
    await service.annotate('gitlab', account.token, repos);
    await service.idle();
    const cold = graphqlRequests();
    assert.equal(cold, 20);
    const warm = await service.annotate('gitlab', account.token, repos);
    assert.equal(graphqlRequests(), cold, 'warm: none');
    for (const repo of repos) assert.deepEqual(warm.detections.get(repo.id), { ...repo.expected, pending: false });
  });

  it('when a project is no longer visible to the user (lost), then it is read as an empty repository, as on GitHub', async () => {
    const repos = seedCorpus(3);
    const lost = { id: 999_999_999 };
    const result = await detectGitLabBatch({ client, token: account.token, repos: [...repos, lost] });
    assert.deepEqual(result.get(lost.id), emptyRepository());
    assert.deepEqual(result.get(repos[0]!.id), repos[0]!.expected);
  });

  it('when a repository is empty, then "Empty repository"', async () => {
    seedCorpus(1);
    account.projects[0]!.default_branch = null;
    const result = await detectGitLabBatch({ client, token: account.token, repos: [{ id: account.projects[0]!.id }] });
    assert.deepEqual(result.get(account.projects[0]!.id), emptyRepository());
  });

  it('when GitLab refuses GraphQL, then the REST tree and files API give the same detections', async () => {
    const repos = seedCorpus(KIND_CORPUS.length);
    fake.state.graphqlEnabled = false;
    const result = await detectGitLabBatch({ client, token: account.token, repos: [...repos, { id: 999_999_999, expected: emptyRepository() } as never] });
    for (const repo of repos) assert.deepEqual(result.get(repo.id), repo.expected, `project ${repo.id}`);
    assert.deepEqual(result.get(999_999_999), emptyRepository(), 'a 404 project over REST is lost, as over GraphQL');
    assert.ok(graphqlRequests() <= 4, `${graphqlRequests()} GraphQL requests: only the batches already in flight (4 at once) when it was refused`);
    assert.ok((fake.state.counters.byRoute['/api/v4/projects/:id/repository/tree'] ?? 0) >= repos.length);
  });

  it('when GitLab rate limits GraphQL, then the batch says so and the batches after it are not sent', async () => {
    const repos = seedCorpus(30);
    fake.state.injectFault({ route: '/api/graphql', kind: 'rateLimited', bare: true });
    const result = await detectGitLabBatch({ client, token: account.token, repos, concurrency: 1 });
    assert.equal(graphqlRequests(), 1);
    for (const repo of repos) assert.deepEqual(result.get(repo.id), detectionFailed('GitLab rate limit'));
  });

  it('when a GraphQL batch fails with a 502, then only its projects fail, the others are detected', async () => {
    const repos = seedCorpus(20);
    fake.state.injectFault({ route: '/api/graphql', kind: 502, times: 1 });
    const result = await detectGitLabBatch({ client, token: account.token, repos, concurrency: 1 });
    assert.deepEqual(result.get(repos[0]!.id), detectionFailed('GitLab unavailable'));
    assert.deepEqual(result.get(repos[15]!.id), repos[15]!.expected);
  });

  it('when the token is rejected, then every project says so instead of throwing', async () => {
    const repos = seedCorpus(5);
    const result = await detectGitLabBatch({ client, token: 'glpat-unknown', repos });
    for (const repo of repos) assert.deepEqual(result.get(repo.id), detectionFailed('GitLab token rejected'));
  });
});
