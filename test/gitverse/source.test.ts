import assert from 'node:assert/strict';
import { afterAll, beforeAll, beforeEach, describe, it } from 'vitest';
import { MemoryCache } from '../../src/cache/index.ts';
import { generateGitVerseRepos, startFakeGitVerse } from '../fakes/gitverse/index.ts';
import type { FakeGitVerse, FakeGitVerseAccount, FakeGitVerseRepo } from '../fakes/gitverse/index.ts';
import { KIND_CORPUS } from '../fixtures/kind-corpus.ts';
import { APP_MANIFEST_PATH, detectionFailed, emptyRepository, isDetectionFailure, MANIFEST_PATHS } from '../../src/kind/detect.ts';
import { GitVerseClient } from '../../src/hosts/gitverse/client.ts';
import { createGitVerseKindReader, createGitVerseSource } from '../../src/hosts/gitverse/source.ts';
import { rejectsWithProblem } from './helpers.ts';
import { assertEvery } from '../support/assertions.ts';
import { holdAnswers } from '../support/hold.ts';
import { ANSWERED_MS, GIVE_UP_MS } from '../support/deadlines.ts';

let fake: FakeGitVerse;
let account: FakeGitVerseAccount;
let client: GitVerseClient;

const fixture = (name: string) => {
  const found = KIND_CORPUS.find((f) => f.name === name);
  assert.ok(found, name);
  return found;
};
const FIXTURES = [
  'vite-react-spa',
  KIND_CORPUS.find((f) => f.expected.kind === 'backend')?.name,
  KIND_CORPUS.find((f) => f.expected.kind === 'monorepo')?.name,
  // Made with app builders: by a package, a folder, a file, and inside a monorepo's apps/web.
  'lovable-vite-react',
  'bolt-vite-react',
  'replit-flask-app',
  'lovable-app-in-monorepo',
].map((name) => fixture(name as string));

/** Repositories with corpus files, plus an empty one; refs as the detection service passes them. */
function seedForKinds(): { repos: FakeGitVerseRepo[]; refs: Array<{ id: number; owner: string; name: string }> } {
  const repos = generateGitVerseRepos(FIXTURES.length + 1, {
    owner: { login: account.user.login },
    orgs: [],
    seed: 3,
    filesFor: (_repo, i) => FIXTURES[i]?.files,
  });
  const empty = repos[FIXTURES.length] as FakeGitVerseRepo;
  delete empty.files;
  account.repos = repos;
  return { repos, refs: repos.map((r) => ({ id: r.id, owner: r.owner.login, name: r.name })) };
}

beforeAll(async () => {
  fake = await startFakeGitVerse({ users: [{ login: 'dlborun', full_name: 'Milo Kachinsky' }] });
  account = fake.state.accountByLogin('dlborun') as FakeGitVerseAccount;
  // Not tight: every request but the timed-out one must be answered within it, on a busy machine too.
  client = new GitVerseClient({ apiUrl: fake.baseUrl, timeoutMs: ANSWERED_MS });
});
afterAll(() => fake.close());
beforeEach(() => {
  fake.state.clearFaults();
  fake.state.latencyMs = 0;
  fake.state.resetCounters();
});

describe('createGitVerseSource', () => {
  it('lists every repository as provider gitverse, and revalidates the pages on the next listing', async () => {
    account.repos = generateGitVerseRepos(230, { owner: { login: 'dlborun' } });
    const source = createGitVerseSource({ client, cache: new MemoryCache() });
    assert.equal(source.provider, 'gitverse');
    const { repos: first } = await source.list({ userId: 7, token: account.token, refresh: false });
    assert.equal(first.length, 230);
    assertEvery(first, (r) => r.provider === 'gitverse' && r.created_at?.endsWith('Z'));
    fake.state.resetCounters();
    const { repos: second } = await source.list({ userId: 7, token: account.token, refresh: true });
    assert.deepEqual(second, first);
    assert.equal(fake.state.counters.notModified, fake.state.counters.total);
  });

  it('keeps pages apart per token', async () => {
    account.repos = generateGitVerseRepos(5, { owner: { login: 'dlborun' } });
    const other = fake.state.addUser({ login: 'other', repos: account.repos });
    const source = createGitVerseSource({ client, cache: new MemoryCache() });
    await source.list({ userId: 7, token: account.token, refresh: false });
    fake.state.resetCounters();
    await source.list({ userId: 7, token: other.token, refresh: false });
    assert.equal(fake.state.counters.notModified, 0);
  });

  it('throws the ApiProblem of a failing listing', async () => {
    account.repos = generateGitVerseRepos(5, { owner: { login: 'dlborun' } });
    fake.state.injectFault({ route: '/user/repos', kind: 401 });
    const source = createGitVerseSource({ client, cache: new MemoryCache() });
    await rejectsWithProblem(source.list({ userId: 7, token: account.token, refresh: false }), { status: 403, code: 'PROVIDER_AUTH' });
  });
});

describe('createGitVerseKindReader', () => {
  it('detects each repository from its root and the manifests present, and an empty one as such', async () => {
    const { repos, refs } = seedForKinds();
    const detections = await createGitVerseKindReader(client)(account.token, refs);
    FIXTURES.forEach((f, i) => assert.deepEqual(detections.get((repos[i] as FakeGitVerseRepo).id), f.expected, f.name));
    assert.deepEqual(detections.get((repos[FIXTURES.length] as FakeGitVerseRepo).id), emptyRepository());
  });

  it('reads only the manifests a root holds, never the absent ones, and apps/web/package.json only under an apps folder', async () => {
    const { repos, refs } = seedForKinds();
    await createGitVerseKindReader(client)(account.token, refs);
    const read = fake.state.requests.map((r) => r.path);
    FIXTURES.forEach((f, i) => {
      const repo = repos[i] as FakeGitVerseRepo;
      const prefix = `/repos/${repo.owner.login}/${repo.name}/contents`;
      const below = Object.keys(f.files).some((p) => p.startsWith('apps/')) ? [APP_MANIFEST_PATH] : [];
      const manifests = [...MANIFEST_PATHS.filter((p) => f.files[p] !== undefined), ...below].map((p) => `${prefix}/${p}`);
      assert.deepEqual(read.filter((p) => p.startsWith(prefix)).sort(), [prefix, ...manifests].sort(), f.name);
    });
  });

  it('keeps to its concurrency', async () => {
    const { refs } = seedForKinds();
    // The answers are held until two requests are in flight at once.
    const held = holdAnswers(fake.state);
    const reading = createGitVerseKindReader(client, { concurrency: 2 })(account.token, refs);
    await held.releaseAt(2);
    await reading;
    assert.equal(fake.state.counters.maxInFlight, 2);
  });

  it('a repository that fails comes back as a detection failure; the others are detected', async () => {
    const { repos, refs } = seedForKinds();
    const broken = repos[0] as FakeGitVerseRepo;
    fake.state.injectFault({ route: '/repos/{owner}/{repo}/contents', repo: `${broken.owner.login}/${broken.name}`, kind: 500 });
    const detections = await createGitVerseKindReader(client)(account.token, refs);
    assert.deepEqual(detections.get(broken.id), detectionFailed('GitVerse unavailable'));
    assert.deepEqual(detections.get((repos[1] as FakeGitVerseRepo).id), FIXTURES[1]?.expected);
  });

  it('after a rate limit it asks nothing more and never throws', async () => {
    const { refs } = seedForKinds();
    fake.state.injectFault({ route: '/repos/{owner}/{repo}/contents', kind: 429, times: 1 });
    const detections = await createGitVerseKindReader(client, { concurrency: 1 })(account.token, refs);
    assert.equal(fake.state.counters.total, 1);
    assert.equal(detections.size, refs.length);
    for (const d of detections.values()) assert.deepEqual(d, detectionFailed('GitVerse rate limit'));
  });

  it('a rejected token, a timeout: failures with a reason', async () => {
    const { refs } = seedForKinds();
    fake.state.injectFault({ route: '/repos/{owner}/{repo}/contents', kind: 401 });
    const denied = await createGitVerseKindReader(client)(account.token, refs);
    assertEvery([...denied.values()], (d) => d.reason === 'Detection failed: access denied');
    fake.state.clearFaults();
    fake.state.injectFault({ route: '/repos/{owner}/{repo}/contents', kind: 'timeout' });
    const slow = await createGitVerseKindReader(new GitVerseClient({ apiUrl: fake.baseUrl, timeoutMs: GIVE_UP_MS }))(account.token, refs.slice(0, 1));
    assert.deepEqual([...slow.values()], [detectionFailed('GitVerse timeout')]);
  });

  it('reads at most maxRepos per call and defers the rest as failures (not stored, so read later)', async () => {
    const { refs } = seedForKinds();
    const detections = await createGitVerseKindReader(client, { maxRepos: 2 })(account.token, refs);
    const failed = refs.filter((r) => isDetectionFailure(detections.get(r.id) ?? { kind: 'unknown', reason: '', origin: null, origin_reason: null }));
    assert.deepEqual(failed.map((r) => r.id), refs.slice(2).map((r) => r.id));
    assertEvery(fake.state.requests, (r) => refs.slice(0, 2).some((ref) => r.path.startsWith(`/repos/${ref.owner}/${ref.name}/`)));
  });
});
