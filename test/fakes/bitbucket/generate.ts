import { pick, seededRandom, weighted } from '../random.ts';
import { bitbucketUuidFor } from './state.ts';
import type { FakeBitbucketRepo } from './types.ts';

export interface GenerateBitbucketReposOptions {
  /** The workspace the repositories live in (their `full_name` starts with it). */
  workspace: string;
  /** Same seed, same repositories. */
  seed?: number;
  /** `team` (a shared workspace, the default) or `user` (a personal one). */
  ownerType?: 'team' | 'user';
  /** Dates are spread over the years before this moment (fixed by default, for determinism). */
  until?: Date;
  /** Files for a repository (for kind detection); undefined leaves it empty of files. */
  filesFor?: (repo: FakeBitbucketRepo, index: number, random: () => number) => Record<string, string> | undefined;
}

const LANGUAGES: [string, number][] = [
  ['typescript', 16], ['javascript', 12], ['python', 14], ['java', 12], ['go', 8], ['php', 6], ['c#', 5], ['kotlin', 4], ['', 8],
];
const PREFIXES = ['billing', 'atlas', 'harbor', 'jira', 'nimbus', 'orbit', 'pipeline', 'quartz', 'relay', 'summit', 'tundra', 'vortex'];
const SUFFIXES = ['api', 'web', 'service', 'worker', 'infra', 'frontend', 'backend', 'mobile', 'docs', 'sdk', 'cli'];
const DESCRIPTIONS = ['', '', 'Customer portal', 'Internal tooling', 'Payments service', 'Marketing site', 'Shared UI components'];
const DAY = 86_400_000;
const DEFAULT_UNTIL = new Date('2026-01-15T12:00:00Z');

/** A moment as Bitbucket writes it: UTC with microseconds and a `+00:00` offset. */
export function bitbucketTime(ms: number): string {
  const micros = String(Math.floor(Math.abs(ms) % 1000) * 1000 + 123).padStart(6, '0');
  return `${new Date(ms).toISOString().slice(0, 19)}.${micros}+00:00`;
}

/**
 * `n` realistic Bitbucket repositories of one workspace: private and public, a few forks and empty
 * ones (no main branch), display names that differ from the slug, sizes in bytes, Bitbucket's dates.
 * Deterministic for a given seed.
 */
export function generateBitbucketRepos(n: number, options: GenerateBitbucketReposOptions): FakeBitbucketRepo[] {
  const random = seededRandom(options.seed ?? 1);
  const until = (options.until ?? DEFAULT_UNTIL).getTime();
  const taken = new Set<string>();
  const repos: FakeBitbucketRepo[] = [];
  for (let i = 0; i < n; i++) {
    let slug = `${pick(random, PREFIXES)}-${pick(random, SUFFIXES)}`;
    if (taken.has(slug)) slug = `${slug}-${i}`;
    taken.add(slug);
    const created = until - Math.floor(random() * 4 * 365 * DAY);
    const updated = Math.min(until, created + Math.floor(random() ** 2 * (until - created)) + Math.floor(random() * DAY));
    const empty = random() < 0.05;
    const repo: FakeBitbucketRepo = {
      uuid: bitbucketUuidFor(`repo:${options.workspace}/${slug}`),
      slug,
      name: slug.split('-').map((w) => w[0]?.toUpperCase() + w.slice(1)).join(' '),
      description: pick(random, DESCRIPTIONS),
      is_private: random() < 0.8,
      language: empty ? '' : weighted(random, LANGUAGES),
      size: empty ? 53_000 : 60_000 + Math.floor(random() ** 2 * 80_000_000),
      created_on: bitbucketTime(created),
      updated_on: bitbucketTime(updated),
      mainbranch: empty ? null : random() < 0.8 ? 'main' : 'master',
      owner_type: options.ownerType ?? 'team',
    };
    if (!empty && random() < 0.08) {
      repo.parent = { full_name: `atlassian/${slug}-upstream`, uuid: bitbucketUuidFor(`repo:upstream/${slug}`), name: `${repo.name} upstream` };
    }
    const files = empty ? undefined : options.filesFor?.(repo, i, random);
    if (files) repo.files = files;
    repos.push(repo);
  }
  return repos;
}
