import { pick, seededRandom, weighted } from '../random.ts';
import { gitverseIdFor } from './state.ts';
import type { FakeGitVerseOwner, FakeGitVerseRepo } from './types.ts';

export interface GenerateGitVerseReposOptions {
  /** The signed-in user, owner of about two thirds of the repositories. */
  owner?: { login: string; id?: number; full_name?: string };
  /** Same seed, same repositories. */
  seed?: number;
  /** Organisations the user belongs to. */
  orgs?: string[];
  /** Id of the first repository; ids then increase by one. */
  firstId?: number;
  /** Dates are spread over the years before this moment (fixed by default, for determinism). */
  until?: Date;
  /** Files for a repository (for kind detection); undefined leaves it empty of files. */
  filesFor?: (repo: FakeGitVerseRepo, index: number, random: () => number) => Record<string, string> | undefined;
}

const LANGUAGES: [string | null, number][] = [
  ['Go', 14], ['Python', 16], ['Java', 10], ['Kotlin', 6], ['TypeScript', 14], ['JavaScript', 12],
  ['C', 4], ['C++', 4], ['C#', 3], ['PHP', 4], ['1C Enterprise', 3], ['Shell', 3], [null, 7],
];
const PREFIXES = ['sber', 'volga', 'taiga', 'neva', 'baikal', 'ural', 'amur', 'sever', 'zvezda', 'kedr', 'luch', 'polet'];
const SUFFIXES = ['api', 'web', 'bot', 'service', 'cli', 'site', 'backend', 'frontend', 'lib', 'infra', 'worker', 'docs', 'app', 'gateway'];
const DESCRIPTIONS = [
  'Внутренний сервис', 'Сайт проекта', 'Телеграм-бот', 'Учебный проект', 'Библиотека общих компонентов',
  'Production API backend', 'Admin dashboard', 'старый пет-проект для локальных тестов',
];
const DAY = 86_400_000;
const DEFAULT_UNTIL = new Date('2026-01-15T12:00:00Z');
const MSK_MS = 3 * 3_600_000;

/** A moment written as GitVerse writes it: Moscow time with its `+03:00` offset, whole seconds. */
export function moscowTime(ms: number): string {
  return `${new Date(Math.floor(ms / 1000) * 1000 + MSK_MS).toISOString().slice(0, 19)}+03:00`;
}

/**
 * `n` realistic GitVerse repositories for one user: most their own, some in organisations; public
 * and private, a few forks, archived and empty ones; dates over five years in GitVerse's `+03:00`.
 * About half also carry the fields the listing example leaves out (`pushed_at`, `permissions`,
 * `html_url`, `archived`). Deterministic for a given seed.
 */
export function generateGitVerseRepos(n: number, options: GenerateGitVerseReposOptions = {}): FakeGitVerseRepo[] {
  const random = seededRandom(options.seed ?? 1);
  const login = options.owner?.login ?? 'dlborun';
  const self: FakeGitVerseOwner = {
    id: options.owner?.id ?? gitverseIdFor(login),
    login,
    full_name: options.owner?.full_name ?? 'Milo Kachinsky',
    type: 'User',
  };
  const orgs = (options.orgs ?? ['sber-labs', 'open-volga']).map(
    (o): FakeGitVerseOwner => ({ id: gitverseIdFor(o), login: o, full_name: o.replace('-', ' ').toUpperCase(), type: 'Organization' }),
  );
  const until = (options.until ?? DEFAULT_UNTIL).getTime();
  const firstId = options.firstId ?? 1 + (options.seed ?? 1) * 100_000;
  const taken = new Set<string>();
  const repos: FakeGitVerseRepo[] = [];

  for (let i = 0; i < n; i++) {
    const owner = random() < 0.7 || orgs.length === 0 ? self : pick(random, orgs);
    let name = `${pick(random, PREFIXES)}-${pick(random, SUFFIXES)}`;
    if (taken.has(`${owner.login}/${name}`)) name = `${name}-${i}`;
    taken.add(`${owner.login}/${name}`);

    const created = until - Math.floor(random() * 5 * 365 * DAY);
    const updated = Math.min(until, created + Math.floor(random() ** 2 * (until - created)) + Math.floor(random() * DAY));
    const empty = random() < 0.04;
    const repo: FakeGitVerseRepo = {
      id: firstId + i,
      name,
      owner,
      description: random() < 0.3 ? '' : pick(random, DESCRIPTIONS),
      private: random() < 0.35,
      fork: random() < 0.08,
      language: empty ? null : weighted(random, LANGUAGES),
      size: empty ? 0 : Math.floor(random() ** 2 * 50_000),
      stargazers_count: random() < 0.8 ? Math.floor(random() * 5) : Math.floor(random() ** 3 * 300),
      watchers_count: 1 + Math.floor(random() * 3),
      default_branch: empty ? null : random() < 0.75 ? 'main' : 'master',
      created_at: moscowTime(created),
      updated_at: moscowTime(updated),
    };
    if (random() < 0.5) {
      repo.archived = random() < 0.1;
      repo.pushed_at = empty ? null : moscowTime(Math.max(created, updated - Math.floor(random() * DAY)));
      repo.html_url = `https://gitverse.ru/${owner.login}/${name}`;
      const own = owner === self;
      repo.permissions = { admin: own, push: own || random() < 0.6, pull: true };
    }
    const files = empty ? undefined : options.filesFor?.(repo, i, random);
    if (files) repo.files = files;
    repos.push(repo);
  }
  return repos;
}
