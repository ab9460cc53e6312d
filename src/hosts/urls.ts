import type { RepositoryAddress } from './types.ts';

/**
 * The owner and name in a repository URL as a user pastes it, when its host is one of `hosts`
 * (`host` or `host:port`, lower case): `https://host/owner/name` with or without `.git` and with any
 * path after it (`/tree/main`), `git@host:owner/name.git`, or `ssh://git@host[:port]/owner/name.git`.
 * Nothing is fetched: the URL is only read.
 */
export function repositoryAddress(text: string, hosts: readonly string[]): RepositoryAddress | undefined {
  const trimmed = text.trim();
  // scp-like SSH: user@host:owner/name(.git)
  const scp = /^[\w.-]+@([^:/\s]+):\/?([^/\s]+)\/([^/\s]+?)(?:\.git)?\/?$/.exec(trimmed);
  if (scp) return hosts.some((h) => hostname(h) === scp[1]!.toLowerCase()) ? address(scp[2]!, scp[3]!) : undefined;
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    return undefined;
  }
  if (!['https:', 'http:', 'ssh:', 'git+ssh:'].includes(url.protocol)) return undefined;
  const host = url.host.toLowerCase();
  const bare = host.replace(/^www\./, '');
  // An SSH URL's port is SSH's, not the web's: the host alone says which instance it is.
  const ssh = url.protocol !== 'https:' && url.protocol !== 'http:';
  if (!hosts.includes(host) && !hosts.includes(bare) && !(ssh && hosts.some((h) => hostname(h) === url.hostname.toLowerCase()))) {
    return undefined;
  }
  const [owner, name] = url.pathname.split('/').filter(Boolean);
  return owner && name ? address(decodeURIComponent(owner), decodeURIComponent(name).replace(/\.git$/, '')) : undefined;
}

/** The host part (`host` or `host:port`, lower case) of a configured base URL. */
export function hostOf(baseUrl: string): string {
  return new URL(baseUrl).host.toLowerCase();
}

/** `host:port` without its port. */
const hostname = (host: string) => host.replace(/:\d+$/, '');

const SEGMENT = /^[A-Za-z0-9._-]{1,100}$/;

function address(owner: string, name: string): RepositoryAddress | undefined {
  const clean = name.replace(/\.git$/, '');
  return SEGMENT.test(owner) && SEGMENT.test(clean) && clean !== '.' && clean !== '..' ? { owner, name: clean } : undefined;
}

/** The host (`host` or `host:port`, lower case) a pasted URL names, for saying which host is not served. */
export function urlHost(text: string): string | undefined {
  const trimmed = text.trim();
  const scp = /^[\w.-]+@([^:/\s]+):/.exec(trimmed);
  if (scp) return scp[1]!.toLowerCase();
  try {
    const url = new URL(trimmed);
    return url.host ? url.host.toLowerCase() : undefined;
  } catch {
    return undefined;
  }
}
