/**
 * A GitLab project URL as a user pastes it, read against the configured instances only (nothing is
 * fetched or resolved): `https://host[/prefix]/group/sub/project` with or without `.git` and with any
 * page after `/-/` (`/-/tree/main`), `git@host:group/sub/project.git`, or `ssh://git@host[:port]/group/project.git`.
 * The owner is the whole namespace path (`group/sub`), as the listing's `owner.login` is.
 */
import type { RepositoryAddress } from '../types.ts';
import type { GitLabInstance } from './config.ts';

/** A GitLab path segment: letters, digits, `_`, `-`, `.`, not starting with `-` or `.`. */
const SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,254}$/;
/** GitLab nests groups 20 deep at most. */
const MAX_DEPTH = 21;

export function gitlabAddress(text: string, instances: readonly GitLabInstance[]): RepositoryAddress | undefined {
  const trimmed = text.trim();
  const scp = /^[\w.-]+@([^:/\s]+):\/?(\S+)$/.exec(trimmed);
  if (scp) {
    const instance = instances.find((i) => new URL(i.webUrl).hostname.toLowerCase() === scp[1]!.toLowerCase());
    return instance ? fromPath(scp[2]!, instance) : undefined;
  }
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    return undefined;
  }
  if (url.protocol === 'ssh:' || url.protocol === 'git+ssh:') {
    // An SSH URL's port is SSH's: the host alone names the instance, and the path has no web prefix.
    const instance = instances.find((i) => new URL(i.webUrl).hostname.toLowerCase() === url.hostname.toLowerCase());
    return instance ? fromPath(url.pathname, instance) : undefined;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  for (const instance of instances) {
    const base = new URL(instance.webUrl);
    const prefix = base.pathname.replace(/\/+$/, '');
    if (base.origin !== url.origin || (prefix && url.pathname !== prefix && !url.pathname.startsWith(`${prefix}/`))) continue;
    return fromPath(url.pathname.slice(prefix.length), instance);
  }
  return undefined;
}

/** The configured instance whose web host (`host` or `host:port`) a URL names, for saying which hosts are served. */
export const webHostOf = (instance: GitLabInstance): string => new URL(instance.webUrl).host.toLowerCase();

function fromPath(path: string, instance: GitLabInstance): RepositoryAddress | undefined {
  // Everything from `/-/` on is a page of the project (tree, blob, merge requests).
  const projectPath = path.split('/-/')[0]!;
  let segments: string[];
  try {
    segments = projectPath.split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    return undefined;
  }
  const last = segments.pop()?.replace(/\.git$/, '');
  if (!last || segments.length === 0 || segments.length >= MAX_DEPTH) return undefined;
  if (![...segments, last].every((s) => SEGMENT.test(s))) return undefined;
  return { owner: segments.join('/'), name: last, instance: webHostOf(instance) };
}
