/**
 * The GitLab instances an operator allows: gitlab.com (or one main instance) and any number of
 * self-managed ones, each with its web URL, its API URL (which may differ: a separate host or a proxy
 * path) and, for sign-in and OAuth links, its OAuth application. A URL a user gives is matched against
 * this list as text, and never fetched, resolved or redirected to unless it is on it.
 *
 * Variables:
 * - `GITLAB_URL` (default `https://gitlab.com`), `GITLAB_API_URL` (default `GITLAB_URL` + `/api/v4`),
 *   `GITLAB_CLIENT_ID`, `GITLAB_CLIENT_SECRET`: the main instance;
 * - `GITLAB_INSTANCES`: a JSON array of self-managed instances,
 *   `[{"url":"https://gitlab.example.com","api_url":"…","client_id":"…","client_secret":"…"}]`
 *   (`api_url` defaults to `url` + `/api/v4`; without an OAuth application, only personal access tokens);
 * - `GITLAB_TIMEOUT_MS` (default 10,000), `GITLAB_CONCURRENCY` (pages at once, default 10).
 */
import { z } from 'zod';
import { problems } from '../../contract/problem.ts';

export interface GitLabInstance {
  /** The web URL's host (and port): `gitlab.com`, `gitlab.example.com:8443`. Stored with a user's link. */
  id: string;
  webUrl: string;
  apiUrl: string;
  /** Absent for an instance without an OAuth application: linking it takes a personal access token. */
  oauth: { clientId: string; clientSecret: string } | undefined;
}

export interface GitLabConfig {
  instances: GitLabInstance[];
  timeoutMs: number;
  concurrency: number;
}

const httpUrl = z.url({ protocol: /^https?$/, error: 'an absolute http(s) URL' }).transform((v) => v.replace(/\/+$/, ''));

const instanceSchema = z.object(
  { url: httpUrl, api_url: httpUrl.optional(), client_id: z.string().min(1).optional(), client_secret: z.string().min(1).optional() },
  { error: 'objects with url, and optionally api_url, client_id and client_secret' },
);

const whole = (min: number, max: number) => z.coerce.number().int().min(min).max(max, { error: `a whole number from ${min} to ${max}` }).optional();

export const gitlabEnvSchema = z.object({
  GITLAB_URL: httpUrl.optional(),
  GITLAB_API_URL: httpUrl.optional(),
  GITLAB_CLIENT_ID: z.string().optional(),
  GITLAB_CLIENT_SECRET: z.string().optional(),
  GITLAB_INSTANCES: z
    .string()
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'a JSON array of instances' });
        return z.NEVER;
      }
    })
    .pipe(z.array(instanceSchema, { error: 'a JSON array of instances' }).max(50))
    .optional(),
  GITLAB_TIMEOUT_MS: whole(100, 120_000),
  GITLAB_CONCURRENCY: whole(1, 100),
});

function instance(url: string, apiUrl: string | undefined, clientId: string | undefined, clientSecret: string | undefined): GitLabInstance {
  return {
    id: new URL(url).host,
    webUrl: url,
    apiUrl: apiUrl ?? `${url}/api/v4`,
    oauth: clientId && clientSecret ? { clientId, clientSecret } : undefined,
  };
}

/** GitLab's settings from the environment; throws an Error naming the variable when one is not valid. */
export function loadGitLabConfig(env: Record<string, string | undefined>): GitLabConfig {
  const known = Object.fromEntries(Object.keys(gitlabEnvSchema.shape).map((name) => [name, env[name] === '' ? undefined : env[name]]));
  const result = gitlabEnvSchema.safeParse(known);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new Error(`${String(issue.path[0])} is not valid: expected ${issue.message}`);
  }
  const vars = result.data;
  const main = instance(vars.GITLAB_URL ?? 'https://gitlab.com', vars.GITLAB_API_URL, vars.GITLAB_CLIENT_ID, vars.GITLAB_CLIENT_SECRET);
  const others = (vars.GITLAB_INSTANCES ?? []).map((i) => instance(i.url, i.api_url, i.client_id, i.client_secret));
  const instances = [main, ...others.filter((i) => i.id !== main.id)];
  const ids = new Set<string>();
  for (const i of instances) {
    if (ids.has(i.id)) throw new Error(`GITLAB_INSTANCES is not valid: ${i.id} is listed twice`);
    ids.add(i.id);
  }
  return { instances, timeoutMs: vars.GITLAB_TIMEOUT_MS ?? 10_000, concurrency: vars.GITLAB_CONCURRENCY ?? 10 };
}

/** `scheme://host:port/path` without a trailing slash, default ports dropped: the form URLs are compared in. */
function normalised(text: string): URL | undefined {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    return undefined;
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.username || url.password) return undefined;
  return url;
}

/** The operator's list, looked up by id or by a URL a user gave. */
export class GitLabInstances {
  readonly all: readonly GitLabInstance[];

  constructor(instances: readonly GitLabInstance[]) {
    this.all = instances;
  }

  byId(id: string): GitLabInstance | undefined {
    return this.all.find((i) => i.id === id);
  }

  /**
   * The configured instance a user's URL names (its web or API URL, or a page under either), or
   * undefined. Compared as text after parsing: nothing is resolved or fetched.
   */
  forUrl(text: string): GitLabInstance | undefined {
    const url = normalised(text);
    if (!url) return undefined;
    const path = url.pathname.replace(/\/+$/, '');
    return this.all.find((i) =>
      [i.webUrl, i.apiUrl].some((configured) => {
        const base = new URL(configured);
        const basePath = base.pathname.replace(/\/+$/, '');
        return base.origin === url.origin && (path === basePath || path.startsWith(`${basePath}/`));
      }),
    );
  }

  /** `forUrl`, or the 400 a request with an instance the operator did not allow gets. */
  allowed(text: string, field = 'body.instance_url'): GitLabInstance {
    const found = this.forUrl(text);
    if (found) return found;
    const message = `must be one of the GitLab instances this service allows: ${this.all.map((i) => i.webUrl).join(', ')}`.slice(0, 1024);
    throw problems.validation([{ path: field, message }], 'This GitLab instance is not one the operator of this service allows.');
  }
}
