import { pick, seededRandom, weighted } from '../random.ts';
import { idFor } from './state.ts';
import { ACCESS, type AccessLevel, type FakeNamespace, type FakeProject } from './types.ts';

export interface GenerateProjectsOptions {
  /** Same seed, same projects. */
  seed?: number;
  /** The signed-in user: their personal namespace holds part of the projects, as its owner. */
  owner?: { login: string; name?: string };
  /** Groups the user belongs to, `parent/child` for a subgroup (its parent is created too). */
  groups?: string[];
  /** Id of the first project; ids then increase by one. */
  firstId?: number;
  /** Dates are spread over the years before this moment (fixed by default, for determinism). */
  until?: Date;
  /** Attach files to a project (for kind detection); undefined for none. */
  files?: (project: FakeProject, index: number, random: () => number) => Record<string, string> | undefined;
}

const WORDS = ['atlas', 'nova', 'orbit', 'pixel', 'delta', 'lumen', 'cobalt', 'ember', 'quartz', 'maple', 'harbor', 'vertex'];
const KINDS = ['api', 'web', 'app', 'service', 'cli', 'sdk', 'infra', 'docs', 'worker', 'gateway', 'site', 'bot'];
const DESCRIPTIONS = ['Production API backend', 'Marketing website', 'Internal tools', 'Shared UI components', 'Data pipeline jobs', null];
const DAY = 86_400_000;
const DEFAULT_UNTIL = new Date('2026-01-15T12:00:00Z');

/** GitLab writes dates with milliseconds and a `Z`. */
const iso = (ms: number) => new Date(Math.floor(ms)).toISOString();

/** The namespaces of `groups`, parents first, each once. */
export function groupNamespaces(groups: readonly string[]): FakeNamespace[] {
  const byPath = new Map<string, FakeNamespace>();
  for (const full of groups) {
    const parts = full.split('/');
    parts.forEach((part, i) => {
      const fullPath = parts.slice(0, i + 1).join('/');
      if (byPath.has(fullPath)) return;
      const parent = i > 0 ? byPath.get(parts.slice(0, i).join('/')) : undefined;
      byPath.set(fullPath, {
        id: idFor(`group:${fullPath}`),
        name: part.replace(/(^|-)(\w)/g, (_m, sep: string, c: string) => `${sep ? ' ' : ''}${c.toUpperCase()}`),
        path: part,
        kind: 'group',
        full_path: fullPath,
        parent_id: parent?.id ?? null,
      });
    });
  }
  return [...byPath.values()];
}

export function userNamespace(login: string, name = login): FakeNamespace {
  return { id: idFor(`user:${login}`), name, path: login, kind: 'user', full_path: login, parent_id: null };
}

/**
 * `n` projects one user is a member of: about a third in their personal namespace, the rest in their
 * groups and subgroups with every access level; public, internal and private; forks, archived
 * projects and empty repositories among them. Deterministic for a given seed.
 */
export function generateProjects(n: number, options: GenerateProjectsOptions = {}): FakeProject[] {
  const random = seededRandom(options.seed ?? 1);
  const login = options.owner?.login ?? 'gitlab-user';
  const self = userNamespace(login, options.owner?.name ?? login);
  const groups = groupNamespaces(options.groups ?? ['acme', 'acme/platform', 'acme/platform/tools', 'open-source']);
  const until = (options.until ?? DEFAULT_UNTIL).getTime();
  const firstId = options.firstId ?? 70_000_000 + (options.seed ?? 1) * 100_000;
  const taken = new Set<string>();
  const projects: FakeProject[] = [];
  for (let i = 0; i < n; i++) {
    const namespace = random() < 0.35 || groups.length === 0 ? self : pick(random, groups);
    let path = `${pick(random, WORDS)}-${pick(random, KINDS)}`;
    while (taken.has(`${namespace.full_path}/${path}`)) path = `${path}-${Math.floor(random() * 1000)}`;
    taken.add(`${namespace.full_path}/${path}`);
    const created = until - Math.floor(random() * 3650) * DAY - Math.floor(random() * DAY);
    const active = Math.min(until, created + Math.floor(random() * (until - created)));
    const visibility = namespace.kind === 'user' ? weighted(random, [['private', 6], ['public', 4]] as const) : weighted(random, [['private', 5], ['internal', 3], ['public', 2]] as const);
    const level: AccessLevel =
      namespace.kind === 'user' ? ACCESS.owner : weighted(random, [[ACCESS.guest, 1], [ACCESS.reporter, 2], [ACCESS.developer, 5], [ACCESS.maintainer, 2], [ACCESS.owner, 1]] as const);
    const viaProject = namespace.kind === 'user' || random() < 0.3;
    const empty = random() < 0.03;
    const fork = !empty && random() < 0.1;
    const upstream = userNamespace(pick(random, ['alice-dev', 'bob-builds', 'carol-ops']));
    const project: FakeProject = {
      id: firstId + i,
      name: path.replace(/-/g, ' ').replace(/^\w/, (c) => c.toUpperCase()),
      path,
      namespace,
      description: pick(random, DESCRIPTIONS),
      visibility,
      archived: random() < 0.08,
      default_branch: empty ? null : random() < 0.85 ? 'main' : 'master',
      star_count: Math.floor(random() ** 4 * 400),
      forks_count: Math.floor(random() ** 4 * 50),
      topics: random() < 0.3 ? [pick(random, ['web', 'api', 'tooling', 'internal'])] : [],
      created_at: iso(created),
      last_activity_at: iso(active),
      updated_at: iso(active),
      forked_from: fork
        ? { id: firstId + n + i, name: path, path, namespace: upstream, path_with_namespace: `${upstream.full_path}/${path}` }
        : null,
      project_access: viaProject ? level : null,
      group_access: viaProject ? null : level,
    };
    const files = options.files?.(project, i, random);
    if (files) project.files = files;
    projects.push(project);
  }
  return projects;
}
