import assert from 'node:assert/strict';
import { afterAll, beforeAll, beforeEach, describe, it } from 'vitest';
import { BitbucketClient } from '../../src/hosts/bitbucket/client.ts';
import { createBitbucketKindReader } from '../../src/hosts/bitbucket/kinds.ts';
import { idFromUuid } from '../../src/hosts/bitbucket/repo.ts';
import { isDetectionFailure } from '../../src/kind/detect.ts';
import type { RepoRef } from '../../src/hosts/github/kinds.ts';
import { bitbucketUuidFor, startFakeBitbucket, type FakeBitbucket, type FakeBitbucketRepo } from '../fakes/bitbucket/index.ts';
import { KIND_CORPUS } from '../fixtures/kind-corpus.ts';
import { ANSWERED_MS } from '../support/deadlines.ts';

let fake: FakeBitbucket;
let client: BitbucketClient;
let token: string;
let refs: RepoRef[];

function repo(slug: string, files: Record<string, string> | undefined): FakeBitbucketRepo {
  return {
    uuid: bitbucketUuidFor(`repo:corpus/${slug}`),
    slug,
    name: slug,
    description: '',
    is_private: true,
    language: '',
    size: 1_000,
    created_on: '2025-01-01T00:00:00.000000+00:00',
    updated_on: '2025-01-02T00:00:00.000000+00:00',
    mainbranch: files ? 'main' : null,
    owner_type: 'team',
    ...(files ? { files } : {}),
  };
}

beforeAll(async () => {
  fake = await startFakeBitbucket({ users: [{ login: 'ada' }] });
  const repos = KIND_CORPUS.map((fixture, i) => repo(`fixture-${i}`, fixture.files));
  repos.push(repo('empty', undefined));
  // A root of 150 entries (two pages of 100) with a manifest on the second page.
  const wide: Record<string, string> = { 'package.json': JSON.stringify({ dependencies: { express: '^4.19.0' } }) };
  for (let i = 0; i < 149; i++) wide[`a${String(i).padStart(3, '0')}.md`] = '# note\n';
  repos.push(repo('wide', wide));
  fake.state.addWorkspace({ slug: 'corpus', members: ['ada'], repos });
  client = new BitbucketClient({ apiUrl: fake.baseUrl, timeoutMs: ANSWERED_MS, concurrency: 4 });
  refs = repos.map((r) => ({ id: idFromUuid(r.uuid), owner: 'corpus', name: r.slug }));
});
afterAll(() => fake.close());
beforeEach(() => {
  fake.state.clearFaults();
  fake.state.resetCounters();
  token = fake.state.issueTokens('ada').access_token;
});

const refOf = (slug: string) => refs.find((r) => r.name === slug) as RepoRef;

describe('Bitbucket kind and origin', () => {
  it('reads each root with src and gets every corpus fixture the kind and origin the rules give', async () => {
    const reader = createBitbucketKindReader(client);
    const detections = await reader(token, refs.slice(0, KIND_CORPUS.length));
    KIND_CORPUS.forEach((fixture, i) => {
      assert.deepEqual(detections.get(refs[i]?.id ?? 0), fixture.expected, fixture.name);
    });
  });

  it('an empty repository is "Empty repository"', async () => {
    const detections = await createBitbucketKindReader(client)(token, [refOf('empty')]);
    assert.equal(detections.get(refOf('empty').id)?.reason, 'Empty repository');
  });

  it('a root longer than a page is read on, to the bound', async () => {
    const detections = await createBitbucketKindReader(client)(token, [refOf('wide')]);
    assert.equal(detections.get(refOf('wide').id)?.kind, 'backend');
    const onePage = await createBitbucketKindReader(client, { maxRootPages: 1 })(token, [refOf('wide')]);
    assert.equal(onePage.get(refOf('wide').id)?.kind, 'unknown');
  });

  it('costs a bounded number of requests per repository: the root, then only the manifests it holds, at its commit', async () => {
    const maxFiles = 2;
    await createBitbucketKindReader(client, { maxFiles })(token, refs);
    const perRepo = new Map<string, number>();
    for (const r of fake.state.requests) {
      const slug = /^\/2\.0\/repositories\/corpus\/([^/]+)\/src/.exec(r.path)?.[1];
      if (slug) perRepo.set(slug, (perRepo.get(slug) ?? 0) + 1);
    }
    for (const [slug, n] of perRepo) {
      // The `src` redirect and the listing it leads to, a second page for `wide`, and the files.
      assert.ok(n <= 2 + (slug === 'wide' ? 1 : 0) + maxFiles, `${slug}: ${n} requests`);
    }
    const files = fake.state.requests.filter((r) => r.route === '/2.0/repositories/{workspace}/{repo_slug}/src/{commit}/{path}' && !r.path.endsWith('/'));
    assert.ok(files.every((r) => /\/src\/[0-9a-f]{40}\//.test(r.path)), 'files are read at the commit of the root');
    assert.ok(fake.state.counters.maxInFlight <= 4);
  });

  it('a repository that cannot be read is a detection failure, the others go on; after a rate limit nothing more is asked', async () => {
    fake.state.injectFault({ route: '/2.0/repositories/{workspace}/{repo_slug}/src', repo: 'corpus/fixture-0', kind: 500 });
    const detections = await createBitbucketKindReader(client)(token, refs.slice(0, 3));
    assert.equal(detections.get(refs[0]?.id ?? 0)?.reason, 'Detection failed: Bitbucket unavailable');
    assert.deepEqual(detections.get(refs[1]?.id ?? 0), KIND_CORPUS[1]?.expected);
    fake.state.clearFaults();
    fake.state.injectFault({ route: '*', kind: 429, times: 1 });
    const serial = new BitbucketClient({ apiUrl: fake.baseUrl, timeoutMs: ANSWERED_MS, concurrency: 1 });
    fake.state.resetCounters();
    const limited = await createBitbucketKindReader(serial)(token, refs.slice(0, 5));
    assert.ok([...limited.values()].every((d) => isDetectionFailure(d) && d.reason.endsWith('Bitbucket rate limit')));
    assert.equal(fake.state.counters.total, 1);
  });
});
