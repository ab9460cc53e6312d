/**
 * A Bitbucket Cloud repository in our `Repository` fields, as the spec documents the mapping:
 *
 * - `id`: Bitbucket has no numeric id, only a UUID (stable across renames): the id is the UUID's
 *   SHA-256 read as a number below 2^52 (plus one, so never 0); `owner.id` likewise from the
 *   workspace's UUID;
 * - `name`: the slug (the name in the repository's URLs and in `full_name`); Bitbucket's display name
 *   can differ and have spaces;
 * - `owner`: the workspace listed (`login` its slug, `full_name` its name as the repository's
 *   `workspace` gives it), `Organization` unless
 *   Bitbucket's `owner.type` says `user` (a personal workspace);
 * - `private` from `is_private`, and `visibility` `private` or `public` by it; `fork` when there is a `parent`; `archived` false (Bitbucket has no
 *   archived state); `html_url` from `links.html`; `language` and `description` with `""` as none;
 * - `size`: Bitbucket counts bytes, we count kilobytes (rounded up);
 * - `default_branch` from `mainbranch` (null for an empty repository);
 * - `created_at`, `updated_at` from `created_on`, `updated_on`; `pushed_at` null (not reported);
 * - `stargazers_count`, `watchers_count` 0 (Bitbucket has no stars, and the listing carries no watcher count);
 * - `permissions` null: `role=member` says only that the user may read it.
 *
 * `checkHostRepositories` then holds the result to the spec (dates in UTC with whole seconds, lengths).
 */
import { createHash } from 'node:crypto';
import type { HostRepository } from '../types.ts';
import { isObject, MalformedAnswer } from './errors.ts';

/** A workspace the user is a member of, from `GET /2.0/user/workspaces`. */
export interface BitbucketWorkspace {
  uuid: string;
  slug: string;
  name: string | null;
  administrator: boolean;
}

const UUID = /^\{?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}?$/i;

/** A number for a Bitbucket UUID: 1 to 2^52, the same for `{…}` and bare, upper or lower case. */
export function idFromUuid(uuid: string): number {
  const bare = uuid.replace(/^\{|\}$/g, '').toLowerCase();
  const hex = createHash('sha256').update(bare).digest('hex').slice(0, 13);
  return Number.parseInt(hex, 16) + 1;
}

export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}

/** An element of `/2.0/user/workspaces` (`workspace_access`); throws `MalformedAnswer` without the workspace's uuid and slug. */
export function toBitbucketWorkspace(raw: unknown): BitbucketWorkspace {
  const access = isObject(raw) ? raw : {};
  // `workspace_access` wraps the workspace; a bare workspace is read as well.
  const w = isObject(access.workspace) ? access.workspace : access;
  if (!isUuid(w.uuid) || typeof w.slug !== 'string' || w.slug === '' || w.slug.includes('/')) {
    throw new MalformedAnswer('a workspace without uuid or slug');
  }
  return { uuid: w.uuid, slug: w.slug, name: text(w.name), administrator: access.administrator === true };
}

/** One element of `/2.0/repositories/{workspace}` in our fields; throws `MalformedAnswer` without its identity. */
export function toBitbucketRepository(raw: unknown, workspace: BitbucketWorkspace): HostRepository {
  if (!isObject(raw) || !isUuid(raw.uuid)) throw new MalformedAnswer('a repository without a uuid');
  const fullName = typeof raw.full_name === 'string' ? raw.full_name : undefined;
  const slug = text(raw.slug) ?? fullName?.split('/')[1];
  if (!slug) throw new MalformedAnswer(`repository ${raw.uuid} without a slug or full_name`);
  const links = isObject(raw.links) ? raw.links : {};
  const html = isObject(links.html) && typeof links.html.href === 'string' ? links.html.href : undefined;
  if (!html) throw new MalformedAnswer(`repository ${fullName ?? slug} without links.html`);
  const owner = isObject(raw.owner) ? raw.owner : {};
  const main = isObject(raw.mainbranch) ? text(raw.mainbranch.name) : null;
  // `/2.0/user/workspaces` gives no workspace name; each repository's `workspace` does.
  const workspaceName = isObject(raw.workspace) ? text(raw.workspace.name) : null;
  return {
    provider: 'bitbucket',
    id: idFromUuid(raw.uuid),
    name: slug,
    full_name: fullName ?? `${workspace.slug}/${slug}`,
    owner: {
      id: idFromUuid(workspace.uuid),
      login: workspace.slug,
      full_name: workspaceName ?? workspace.name,
      type: owner.type === 'user' ? 'User' : 'Organization',
    },
    description: text(raw.description),
    private: raw.is_private === true,
    visibility: raw.is_private === true ? 'private' : 'public',
    fork: isObject(raw.parent),
    archived: false,
    html_url: html,
    language: text(raw.language),
    size: typeof raw.size === 'number' && Number.isFinite(raw.size) && raw.size > 0 ? Math.ceil(raw.size / 1024) : 0,
    stargazers_count: 0,
    watchers_count: 0,
    default_branch: main,
    created_at: typeof raw.created_on === 'string' ? raw.created_on : null,
    updated_at: typeof raw.updated_on === 'string' ? raw.updated_on : null,
    pushed_at: null,
    permissions: null,
  };
}

/** A non-empty string, or null: Bitbucket sends `""` for none. */
function text(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}
