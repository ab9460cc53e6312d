import assert from 'node:assert/strict';
import { test, vi } from 'vitest';
import { createGitHubReader } from '../../src/hosts/github/kinds.ts';
import { detectionFailed } from '../../src/kind/detect.ts';
import { createDetectionService, PENDING } from '../../src/kind/service.ts';
import type { DetectionReader } from '../../src/kind/service.ts';
import { corpusRepos, kindHosts, memoryDetections, OTHER_READER_TOKEN, READER_TOKEN } from './helpers.ts';
import type { KindHost } from './helpers.ts';
import { ManualClock } from '../support/clock.ts';
import { assertEvery } from '../support/assertions.ts';

const fake = kindHosts();

const reader = (gh: KindHost, timeoutMs = 5000) => createGitHubReader({ apiUrl: gh.apiUrl, timeoutMs });
// The budget is measured on a clock the test moves: it runs out when a test says so, never by a race.
const clock = () => new ManualClock();

test('cold run reads GitHub once per batch; a warm run reads nothing; a push re-detects only that repo', async () => {
  const { repos, lookup } = corpusRepos(120);
  const gh = await fake({ lookup });
  const store = memoryDetections();
  const service = createDetectionService({ store, readers: { github: reader(gh) }, budgetMs: 5000, clock: clock() });

  const cold = await service.annotate('github', READER_TOKEN, repos);
  assert.equal(gh.requests, 3);
  for (const r of repos) assert.deepEqual(cold.detections.get(r.id), { ...r.fixture.expected, pending: false });
  await service.idle();
  assert.equal(store.rows.size, 120);

  const warm = await service.annotate('github', READER_TOKEN, repos);
  assert.equal(gh.requests, 3, 'no request when everything is cached');
  assert.deepEqual(warm.detections, cold.detections);
  assert.equal(store.calls.getMany, 1, 'a warm run asks the store nothing: what this instance stored is remembered');

  const otherInstance = createDetectionService({ store, readers: { github: reader(gh) }, budgetMs: 5000, clock: clock() });
  assert.deepEqual((await otherInstance.annotate('github', READER_TOKEN, repos)).detections, cold.detections);
  assert.equal(gh.requests, 3, 'another instance finds the detections in the shared store');
  assert.equal(store.calls.getMany, 2, 'with one store lookup');

  const pushed = repos.map((r, i) => (i === 5 ? { ...r, pushed_at: '2024-08-01T00:00:00Z' } : r));
  await service.annotate('github', READER_TOKEN, pushed);
  assert.equal(gh.requests, 4);
  assert.deepEqual(gh.repositoriesPerRequest.at(-1), 1);
  assert.equal(store.rows.get(`github:${repos[5]!.id}`)?.pushed_at, '2024-08-01T00:00:00Z');
});

test('a slow host: pending once the budget has run out, stored in the background, there on the next call', async () => {
  const { repos, lookup } = corpusRepos(10);
  let answer!: () => void;
  const gh = await fake({ lookup, held: new Promise<void>((resolve) => (answer = resolve)) });
  const store = memoryDetections();
  const budget = new ManualClock();
  const service = createDetectionService({ store, readers: { github: reader(gh) }, budgetMs: 100, clock: budget });

  // The budget runs out while GitHub has the request and has not answered.
  const first = service.annotate('github', READER_TOKEN, repos);
  await vi.waitFor(() => assert.ok(budget.pending === 1 && gh.requests === 1), { interval: 5 });
  budget.advance(100);
  for (const r of repos) assert.deepEqual((await first).detections.get(r.id), PENDING);

  // A second listing while the first is still reading joins it instead of asking again.
  const second = service.annotate('github', READER_TOKEN, repos);
  await vi.waitFor(() => assert.equal(budget.pending, 1), { interval: 5 });
  budget.advance(100);
  assertEvery([...(await second).detections.values()], (d) => d.pending);
  assert.equal(gh.requests, 1);

  answer();
  await service.idle();
  const later = await service.annotate('github', READER_TOKEN, repos);
  assert.equal(gh.requests, 1);
  for (const r of repos) assert.deepEqual(later.detections.get(r.id), { ...r.fixture.expected, pending: false });
});

test('concurrent listings share in-flight work', async () => {
  const { repos, lookup } = corpusRepos(5);
  const gh = await fake({ lookup, latencyMs: 50 });
  const service = createDetectionService({ store: memoryDetections(), readers: { github: reader(gh) }, budgetMs: 2000, clock: clock() });
  const [a, b] = await Promise.all([service.annotate('github', READER_TOKEN, repos), service.annotate('github', OTHER_READER_TOKEN, repos)]);
  assert.equal(gh.requests, 1);
  assert.deepEqual(a.detections, b.detections);
  await service.idle();
});

test('failures come back unknown, are not stored, and are retried once their short memory expires', async () => {
  const { repos, lookup } = corpusRepos(4);
  let failing = true;
  const gh = await fake({ lookup, answer: () => (failing ? { status: 500, body: {} } : undefined) });
  const store = memoryDetections();
  const time = new ManualClock();
  const service = createDetectionService({ store, readers: { github: reader(gh) }, budgetMs: 2000, failureTtlMs: 150, clock: time });

  const first = await service.annotate('github', READER_TOKEN, repos);
  for (const d of first.detections.values()) assert.deepEqual(d, { ...detectionFailed('GitHub unavailable'), pending: false });
  await service.idle();
  assert.equal(store.rows.size, 0);

  await service.annotate('github', READER_TOKEN, repos);
  assert.equal(gh.requests, 1, 'a recent failure is not retried at once');

  failing = false;
  time.advance(149);
  await service.annotate('github', READER_TOKEN, repos);
  assert.equal(gh.requests, 1, 'nor just before its memory expires');
  time.advance(1);
  const retried = await service.annotate('github', READER_TOKEN, repos);
  assert.equal(gh.requests, 2);
  for (const r of repos) assert.deepEqual(retried.detections.get(r.id), { ...r.fixture.expected, pending: false });
});

test('timeouts, a throwing reader, a failing store and a host without a reader never reject', async () => {
  const { repos, lookup } = corpusRepos(3);
  const gh = await fake({ lookup });
  gh.fake.state.injectFault({ route: '/graphql', kind: 'timeout' });
  // The reader's own deadline (on real time: it bounds a real wait) ends the read; the budget never runs out.
  const service = createDetectionService({ store: memoryDetections(), readers: { github: reader(gh, 100) }, budgetMs: 1000, clock: clock() });
  const timedOut = await service.annotate('github', READER_TOKEN, repos);
  for (const d of timedOut.detections.values()) assert.equal(d.reason, 'Detection failed: GitHub timeout');

  const throwing: DetectionReader = async () => {
    throw new Error('boom');
  };
  const brokenStore = {
    detections: {
      getMany: async () => Promise.reject(new Error('db down')),
      putMany: async () => Promise.reject(new Error('db down')),
    },
  };
  const degraded = createDetectionService({ store: brokenStore, readers: { github: throwing }, budgetMs: 500, clock: clock() });
  const res = await degraded.annotate('github', READER_TOKEN, repos);
  for (const d of res.detections.values()) assert.equal(d.kind, 'unknown');

  const noGitVerse = await degraded.annotate('gitverse', 't', repos);
  for (const d of noGitVerse.detections.values()) assert.equal(d.reason, 'Detection failed: not available for gitverse');
  await degraded.idle();
  await service.idle();
});
