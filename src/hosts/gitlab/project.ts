/**
 * A GitLab project, read from the full project of `GET /api/v4/projects` (GitLab's
 * `ProjectWithAccess`), and written in our `Repository`'s fields. The mapping, also stated in the spec:
 * - `name` is the project's `path` (the URL name; GitLab's display `name` may hold spaces), so that
 *   `full_name` is `path_with_namespace` and `owner.login/name` together;
 * - the owner is the namespace: `id`, `full_path` as `login` (`acme/platform` for a subgroup), `name`
 *   as `full_name`, and `type` `Organization` for a group, `User` for a personal namespace;
 * - `private` is false only for `public`: an `internal` project is visible to the instance's
 *   signed-in users, not to everyone; `visibility` says which of the three;
 * - `fork` is whether GitLab names a `forked_from_project`;
 * - `stargazers_count` is `star_count`; GitLab has no watchers, language or size in a listing: 0, null, 0;
 * - `updated_at` and `pushed_at` are `last_activity_at` (GitLab's last push, or activity on issues and
 *   merge requests: the only activity date a listing carries);
 * - permissions come from the higher of the user's access levels on the project and on its group:
 *   `pull` Reporter (20) or above, or any member of a project that is not private; `triage` Reporter;
 *   `push` Developer (30); `maintain` Maintainer (40); `admin` Owner (50). When GitLab gives neither
 *   level (an instance administrator, an inherited membership it does not show), `null`.
 */
import type { HostRepository } from '../types.ts';
import { MalformedAnswer } from './errors.ts';

export const ACCESS_LEVEL = { reporter: 20, developer: 30, maintainer: 40, owner: 50 } as const;

export interface GitLabProject {
  id: number;
  path: string;
  path_with_namespace: string;
  namespace: { id: number; full_path: string; name: string | null; kind: 'user' | 'group' };
  description: string | null;
  visibility: 'public' | 'internal' | 'private';
  archived: boolean;
  forked: boolean;
  web_url: string;
  star_count: number;
  default_branch: string | null;
  created_at: string | null;
  last_activity_at: string | null;
  /** The higher of the project and group access levels; null when GitLab gives neither. */
  access_level: number | null;
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const str = (value: unknown): string | null => (typeof value === 'string' ? value : null);

function accessOf(permissions: unknown): number | null {
  if (!isObject(permissions)) return null;
  const levels = [permissions.project_access, permissions.group_access]
    .map((access) => (isObject(access) && typeof access.access_level === 'number' ? access.access_level : null))
    .filter((level): level is number => level !== null);
  return levels.length > 0 ? Math.max(...levels) : null;
}

/** One element of `GET /api/v4/projects`; `MalformedAnswer` when the identity fields are missing. */
export function toGitLabProject(raw: unknown): GitLabProject {
  if (!isObject(raw) || typeof raw.id !== 'number' || typeof raw.path !== 'string' || typeof raw.path_with_namespace !== 'string') {
    throw new MalformedAnswer('a project without id, path or path_with_namespace');
  }
  const ns = raw.namespace;
  if (!isObject(ns) || typeof ns.id !== 'number' || typeof ns.full_path !== 'string') {
    throw new MalformedAnswer(`project ${raw.path_with_namespace} without a namespace`);
  }
  const visibility = raw.visibility === 'public' || raw.visibility === 'internal' ? raw.visibility : 'private';
  return {
    id: raw.id,
    path: raw.path,
    path_with_namespace: raw.path_with_namespace,
    namespace: { id: ns.id, full_path: ns.full_path, name: str(ns.name), kind: ns.kind === 'group' ? 'group' : 'user' },
    description: str(raw.description),
    // A listing without visibility (`simple=true`) says nothing: private is the reading that shows no more than is known.
    visibility,
    archived: raw.archived === true,
    forked: isObject(raw.forked_from_project),
    web_url: str(raw.web_url) ?? '',
    star_count: typeof raw.star_count === 'number' ? raw.star_count : 0,
    default_branch: str(raw.default_branch),
    created_at: str(raw.created_at),
    last_activity_at: str(raw.last_activity_at),
    access_level: accessOf(raw.permissions),
  };
}

export function toGitLabProjectPage(body: unknown): GitLabProject[] {
  if (!Array.isArray(body)) throw new MalformedAnswer('the project list is not a JSON array');
  return body.map(toGitLabProject);
}

function permissions(p: GitLabProject): HostRepository['permissions'] {
  const level = p.access_level;
  if (level === null) return null;
  return {
    admin: level >= ACCESS_LEVEL.owner,
    maintain: level >= ACCESS_LEVEL.maintainer,
    push: level >= ACCESS_LEVEL.developer,
    triage: level >= ACCESS_LEVEL.reporter,
    pull: level >= ACCESS_LEVEL.reporter || p.visibility !== 'private',
  };
}

/** GitLab's form of a time (UTC, milliseconds: `2024-05-04T10:11:12.345Z`). */
const UTC_WITH_FRACTION = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{1,9}Z$/;

/**
 * A time GitLab wrote in UTC with a fraction, in whole seconds (`2024-05-04T10:11:12Z`): what the
 * boundary would make of it (the second it falls in), written so that the boundary's check of a time
 * already in our form takes it as it is instead of parsing it. Any other text is left for the boundary.
 */
export function wholeSeconds(value: string | null): string | null {
  return value !== null && UTC_WITH_FRACTION.test(value) ? `${value.slice(0, 19)}Z` : value;
}

/** GitLab's project in our fields, as sent: `checkHostRepositories` then holds it to the spec. */
export function toHostRepository(p: GitLabProject): HostRepository {
  const lastActivity = wholeSeconds(p.last_activity_at);
  // The spec's `full_name` is `owner/name`; GitLab's path_with_namespace is that whenever it is consistent.
  const fullName = p.path_with_namespace === `${p.namespace.full_path}/${p.path}` ? p.path_with_namespace : `${p.namespace.full_path}/${p.path}`;
  return {
    provider: 'gitlab',
    id: p.id,
    name: p.path,
    full_name: fullName,
    owner: { id: p.namespace.id, login: p.namespace.full_path, full_name: p.namespace.name, type: p.namespace.kind === 'group' ? 'Organization' : 'User' },
    description: p.description,
    private: p.visibility !== 'public',
    visibility: p.visibility,
    fork: p.forked,
    archived: p.archived,
    html_url: p.web_url,
    language: null,
    size: 0,
    stargazers_count: p.star_count,
    watchers_count: 0,
    default_branch: p.default_branch,
    created_at: wholeSeconds(p.created_at),
    updated_at: lastActivity,
    pushed_at: lastActivity,
    permissions: permissions(p),
  };
}
