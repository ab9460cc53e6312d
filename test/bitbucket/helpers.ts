import { rejectsWithProblem as rejectsHost } from '../support/problems.ts';
import { generateBitbucketRepos, startFakeBitbucket, type FakeBitbucket, type FakeBitbucketAccount } from '../fakes/bitbucket/index.ts';
import { KIND_CORPUS } from '../fixtures/kind-corpus.ts';

/** Asserts that `promise` rejects with a Bitbucket ApiProblem matching `expected`, and returns it. */
export const rejectsWithProblem = (promise: Promise<unknown>, expected: { status: number; code: string; extras?: Record<string, unknown> }) =>
  rejectsHost('bitbucket', promise, expected);

/** How many repositories each workspace of `startWorld` holds: one of them more than two pages of 100. */
export const WORLD = { acme: 230, 'ada-personal': 7, 'design-guild': 41 } as const;

/**
 * A fake Bitbucket with `ada` a member of three workspaces (one personal) and `bob` of one of them;
 * a fourth workspace `ada` is not in. The repositories carry files of the kind corpus.
 */
export async function startWorld(options: { latencyMs?: number } = {}): Promise<{ fake: FakeBitbucket; ada: FakeBitbucketAccount; bob: FakeBitbucketAccount }> {
  const fake = await startFakeBitbucket(options);
  return { fake, ...populateWorld(fake) };
}

/** Adds `startWorld`'s users and workspaces to a running fake Bitbucket (the test app's, say). */
export function populateWorld(fake: FakeBitbucket): { ada: FakeBitbucketAccount; bob: FakeBitbucketAccount } {
  const ada = fake.state.addUser({ login: 'ada', display_name: 'Ada Lovelace' });
  const bob = fake.state.addUser({ login: 'bob' });
  const files = (_r: unknown, i: number) => ({ ...KIND_CORPUS[i % KIND_CORPUS.length]?.files });
  fake.state.addWorkspace({ slug: 'acme', name: 'Acme Corp', members: ['ada', 'bob'], administrators: ['ada'], repos: generateBitbucketRepos(WORLD.acme, { workspace: 'acme', seed: 3, filesFor: files }) });
  fake.state.addWorkspace({
    slug: 'ada-personal',
    name: 'Ada Lovelace',
    members: ['ada'],
    repos: generateBitbucketRepos(WORLD['ada-personal'], { workspace: 'ada-personal', seed: 4, ownerType: 'user', filesFor: files }),
  });
  fake.state.addWorkspace({ slug: 'design-guild', name: 'Design Guild', members: ['ada'], repos: generateBitbucketRepos(WORLD['design-guild'], { workspace: 'design-guild', seed: 5, filesFor: files }) });
  fake.state.addWorkspace({ slug: 'elsewhere', name: 'Elsewhere', members: ['bob'], repos: generateBitbucketRepos(3, { workspace: 'elsewhere', seed: 6 }) });
  return { ada, bob };
}
