/** A GitHub repository as the rest of the service sees it: the fields our API exposes, nothing else. */
export interface GitHubRepo {
  id: number;
  name: string;
  full_name: string;
  owner: GitHubRepoOwner;
  description: string | null;
  private: boolean;
  /** `public`, `private`, or `internal` (GitHub Enterprise); null where GitHub left it out. */
  visibility: string | null;
  fork: boolean;
  archived: boolean;
  html_url: string;
  language: string | null;
  /** Kilobytes. */
  size: number;
  stargazers_count: number;
  watchers_count: number;
  default_branch: string;
  /** GitHub's schema allows null for the three dates; real repositories carry the first two. */
  created_at: string | null;
  updated_at: string | null;
  pushed_at: string | null;
  /** Null when GitHub does not say (the spec's `null`), never invented. */
  permissions: GitHubRepoPermissions | null;
}

export interface GitHubRepoOwner {
  id: number;
  login: string;
  /** GitHub owners have no display name in listings (other hosts' may). */
  full_name: null;
  /** `User` or `Organization` (or `Bot`). */
  type: string;
  /** Absent from pages cached before it was kept. */
  avatar_url?: string | null;
}

export interface GitHubRepoPermissions {
  admin: boolean;
  maintain: boolean;
  push: boolean;
  triage: boolean;
  pull: boolean;
}

/** GitHub answered with something that is not what its API describes. */
export class MalformedAnswer extends Error {
  override name = 'MalformedAnswer';
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function str(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function num(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

/** Maps one element of `GET /user/repos`; throws `MalformedAnswer` when the identity fields are missing. */
export function toGitHubRepo(raw: unknown): GitHubRepo {
  if (!isObject(raw) || typeof raw.id !== 'number' || typeof raw.name !== 'string' || typeof raw.full_name !== 'string') {
    throw new MalformedAnswer('a repository without id, name or full_name');
  }
  const owner = raw.owner;
  if (!isObject(owner) || typeof owner.id !== 'number' || typeof owner.login !== 'string') {
    throw new MalformedAnswer(`repository ${raw.full_name} without an owner`);
  }
  const p = isObject(raw.permissions) ? raw.permissions : undefined;
  return {
    id: raw.id,
    name: raw.name,
    full_name: raw.full_name,
    owner: { id: owner.id, login: owner.login, full_name: null, type: str(owner.type) ?? 'User', avatar_url: str(owner.avatar_url) },
    description: str(raw.description),
    private: raw.private === true,
    visibility: str(raw.visibility),
    fork: raw.fork === true,
    archived: raw.archived === true,
    html_url: str(raw.html_url) ?? '',
    language: str(raw.language),
    size: num(raw.size),
    stargazers_count: num(raw.stargazers_count),
    watchers_count: num(raw.watchers_count),
    default_branch: str(raw.default_branch) ?? 'main',
    created_at: str(raw.created_at),
    updated_at: str(raw.updated_at),
    pushed_at: str(raw.pushed_at),
    // What GitHub says, or null when it says nothing: the spec's `null` for "the host does not say".
    permissions: p
      ? { admin: p.admin === true, maintain: p.maintain === true, push: p.push === true, triage: p.triage === true, pull: p.pull === true }
      : null,
  };
}

/** Maps a whole page; the answer must be a JSON array. */
export function toGitHubRepoPage(body: unknown): GitHubRepo[] {
  if (!Array.isArray(body)) throw new MalformedAnswer('the repository list is not a JSON array');
  return body.map(toGitHubRepo);
}
