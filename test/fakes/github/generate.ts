import { pick, seededRandom, weighted } from '../random.ts';
import { idFor } from './state.ts';
import type { FakeOwner, FakeRepo } from './types.ts';

export interface GenerateReposOptions {
  /** Same seed, same repositories. */
  seed?: number;
  /** The signed-in user: owner of part of the repositories, with full permissions on those. */
  owner?: { login: string; id?: number };
  /** Organisations the user belongs to. */
  orgs?: string[];
  /** Other users who added the user as a collaborator. */
  collaborators?: string[];
  /** Id of the first repository; ids then increase by one. */
  firstId?: number;
  /** Dates are spread over the years before this moment (fixed by default, for determinism). */
  until?: Date;
  /** Attach files to a repository (for kind detection); return undefined for none. */
  files?: (repo: FakeRepo, index: number, random: () => number) => Record<string, string> | undefined;
}

const LANGUAGES: [string | null, number][] = [
  ['TypeScript', 22], ['JavaScript', 18], ['Python', 14], ['Go', 8], ['Java', 6], ['Rust', 5],
  ['Ruby', 3], ['C#', 3], ['PHP', 3], ['Kotlin', 2], ['Swift', 2], ['C++', 2], ['Shell', 3],
  ['HTML', 3], ['Vue', 2], [null, 6],
];
const PREFIXES = ['acme', 'nova', 'atlas', 'orbit', 'pixel', 'delta', 'lumen', 'cobalt', 'ember', 'quartz', 'maple', 'harbor', 'zen', 'vertex', 'juniper', 'flux'];
const SUFFIXES = ['api', 'web', 'app', 'service', 'cli', 'sdk', 'infra', 'docs', 'dashboard', 'worker', 'gateway', 'mobile', 'site', 'bot', 'platform', 'ui', 'monorepo', 'server', 'lib', 'scripts'];
const DESCRIPTIONS = [
  'Production API backend', 'Marketing website', 'Internal admin dashboard', 'Command-line tools for the team',
  'Shared UI components', 'Infrastructure as code', 'Experiments and prototypes', 'Mobile client',
  'Data pipeline jobs', 'Documentation site',
];
const LICENSES = [
  { key: 'mit', name: 'MIT License', spdx_id: 'MIT', node_id: 'MDc6TGljZW5zZTEz' },
  { key: 'apache-2.0', name: 'Apache License 2.0', spdx_id: 'Apache-2.0', node_id: 'MDc6TGljZW5zZTI=' },
  { key: 'gpl-3.0', name: 'GNU General Public License v3.0', spdx_id: 'GPL-3.0', node_id: 'MDc6TGljZW5zZTk=' },
];
const DAY = 86_400_000;
const DEFAULT_UNTIL = new Date('2026-01-15T12:00:00Z');

function iso(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/**
 * `n` realistic repositories for one user: about half their own, the rest in their organisations
 * or shared by other users; public and private, some forks and archived ones, many languages,
 * dates spread over ten years. Deterministic for a given seed.
 */
export function generateRepos(n: number, options: GenerateReposOptions = {}): FakeRepo[] {
  const random = seededRandom(options.seed ?? 1);
  const login = options.owner?.login ?? 'octocat';
  const self: FakeOwner = { login, id: options.owner?.id ?? idFor(login), type: 'User' };
  const orgs = (options.orgs ?? ['acme-corp', 'open-tools']).map((o): FakeOwner => ({ login: o, id: idFor(o), type: 'Organization' }));
  const others = (options.collaborators ?? ['alice-dev', 'bob-builds']).map((u): FakeOwner => ({ login: u, id: idFor(u), type: 'User' }));
  const until = (options.until ?? DEFAULT_UNTIL).getTime();
  const firstId = options.firstId ?? 500_000_000 + (options.seed ?? 1) * 100_000;
  const taken = new Set<string>();
  const repos: FakeRepo[] = [];

  for (let i = 0; i < n; i++) {
    const roll = random();
    const owner = roll < 0.5 || (orgs.length === 0 && others.length === 0)
      ? self
      : roll < 0.85 && orgs.length > 0 ? pick(random, orgs) : others.length > 0 ? pick(random, others) : self;
    let name = `${pick(random, PREFIXES)}-${pick(random, SUFFIXES)}`;
    if (taken.has(`${owner.login}/${name}`)) name = `${name}-${i}`;
    taken.add(`${owner.login}/${name}`);

    const isPrivate = random() < 0.4;
    const created = until - Math.floor(random() * 10 * 365 * DAY);
    // Most repositories saw activity long after creation; some were left alone right away.
    const updated = Math.min(until, created + Math.floor(random() ** 2 * (until - created)) + Math.floor(random() * DAY));
    const pushed = random() < 0.03 ? null : Math.min(until, updated - Math.floor(random() * 3 * DAY));
    const stars = random() < 0.7 ? Math.floor(random() * 20) : Math.floor(random() ** 3 * 5_000);
    const isOwn = owner === self;
    const canAdmin = isOwn || (owner.type === 'Organization' && random() < 0.3);
    const canPush = canAdmin || owner.type !== 'Organization' || random() < 0.7;

    const repo: FakeRepo = {
      id: firstId + i,
      name,
      owner,
      private: isPrivate,
      visibility: isPrivate && owner.type === 'Organization' && random() < 0.15 ? 'internal' : isPrivate ? 'private' : 'public',
      fork: random() < 0.1,
      archived: random() < 0.08,
      description: random() < 0.25 ? null : pick(random, DESCRIPTIONS),
      language: weighted(random, LANGUAGES),
      topics: random() < 0.3 ? [pick(random, SUFFIXES)] : [],
      license: random() < 0.5 ? pick(random, LICENSES) : null,
      size: Math.floor(random() ** 2 * 200_000),
      stargazers_count: stars,
      forks_count: Math.floor(stars / (3 + random() * 10)),
      open_issues_count: Math.floor(random() * 30),
      default_branch: random() < 0.8 ? 'main' : random() < 0.8 ? 'master' : 'develop',
      created_at: iso(created),
      updated_at: iso(Math.max(updated, pushed ?? 0)),
      pushed_at: pushed === null ? null : iso(Math.max(created, pushed)),
      permissions: { admin: canAdmin, maintain: canAdmin, push: canPush, triage: canPush, pull: true },
    };
    const files = options.files?.(repo, i, random);
    if (files) repo.files = files;
    repos.push(repo);
  }
  return repos;
}
