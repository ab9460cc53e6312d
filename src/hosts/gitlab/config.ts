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
 * - `GITLAB_TIMEOUT_MS` (default 10,000), `GITLAB_CONCURRENCY` (pages at once, default 10);
 * - `GITLAB_MIN_ACCESS_LEVEL` (default 10, Guest: every membership): the lowest role whose projects are
 *   listed (GitLab's `min_access_level`: 20 Reporter, the lowest that reads a private project's code).
 *   Above Guest, the listing says how many projects it leaves out (`gitlab_access_level`).
 */
import { z } from 'zod';
import { problems } from '../../contract/problem.ts';
import { optional, text, url, whole } from '../../env.ts';
import { hostConfig } from '../host.ts';

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
  /** GitLab's `min_access_level` of the listing; `GUEST` lists every membership. */
  minAccessLevel: number;
}

/** GitLab's Guest role: the lowest a project member has, so listing from it lists every membership. */
export const GUEST = 10;

const httpUrl = z.url({ protocol: /^https?$/, error: 'an absolute http(s) URL' }).transform((v) => v.replace(/\/+$/, ''));

const instanceSchema = z.object(
  { url: httpUrl, api_url: httpUrl.optional(), client_id: z.string().min(1).optional(), client_secret: z.string().min(1).optional() },
  { error: 'objects with url, and optionally api_url, client_id and client_secret' },
);

const INSTANCES_FORM = 'a JSON array of instances, each {"url": …} with optionally api_url, client_id and client_secret, each host once';

const instancesVariable = optional(
  z
    .string()
    .transform((value, ctx) => {
      try {
        return JSON.parse(value) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: INSTANCES_FORM });
        return z.NEVER;
      }
    })
    .pipe(
      z
        .array(instanceSchema, { error: INSTANCES_FORM })
        .max(50, { error: INSTANCES_FORM })
        .refine((list) => new Set(list.map((i) => new URL(i.url).host)).size === list.length, { error: INSTANCES_FORM }),
    ),
);

function instance(webUrl: string, apiUrl: string | undefined, clientId: string | undefined, clientSecret: string | undefined): GitLabInstance {
  return {
    id: new URL(webUrl).host,
    webUrl,
    apiUrl: apiUrl ?? `${webUrl}/api/v4`,
    oauth: clientId && clientSecret ? { clientId, clientSecret } : undefined,
  };
}

/** GitLab's settings, as the registry reads them. */
export const gitlabConfig = hostConfig({
  variables: {
    GITLAB_URL: url,
    GITLAB_API_URL: url,
    GITLAB_CLIENT_ID: text,
    GITLAB_CLIENT_SECRET: text,
    GITLAB_INSTANCES: instancesVariable,
    GITLAB_TIMEOUT_MS: whole(100, 120_000),
    GITLAB_CONCURRENCY: whole(1, 100),
    GITLAB_MIN_ACCESS_LEVEL: whole(10, 50),
  },
  load: (vars): GitLabConfig => {
    const main = instance(vars.GITLAB_URL ?? 'https://gitlab.com', vars.GITLAB_API_URL, vars.GITLAB_CLIENT_ID, vars.GITLAB_CLIENT_SECRET);
    const others = (vars.GITLAB_INSTANCES ?? []).map((i) => instance(i.url, i.api_url, i.client_id, i.client_secret));
    return {
      instances: [main, ...others.filter((i) => i.id !== main.id)],
      timeoutMs: vars.GITLAB_TIMEOUT_MS ?? 10_000,
      concurrency: vars.GITLAB_CONCURRENCY ?? 10,
      minAccessLevel: vars.GITLAB_MIN_ACCESS_LEVEL ?? GUEST,
    };
  },
  warnings: (config) => (config.instances[0]?.oauth ? [] : ['GITLAB_CLIENT_ID and GITLAB_CLIENT_SECRET are not set: sign-in with GitLab cannot work']),
});

const variablesSchema = z.object(gitlabConfig.variables);

/** GitLab's settings from the environment alone; throws an Error naming the variable when one is not valid. */
export function loadGitLabConfig(env: Record<string, string | undefined>): GitLabConfig {
  const result = variablesSchema.safeParse(Object.fromEntries(Object.keys(gitlabConfig.variables).map((name) => [name, env[name]])));
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new Error(`${String(issue.path[0])} is not valid: expected ${issue.message}`);
  }
  return gitlabConfig.load(result.data);
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
    const message = `is not a GitLab instance this service allows; these are: ${this.all.map((i) => i.webUrl).join(', ')}`.slice(0, 1024);
    throw problems.validation([{ path: field, message }], 'This GitLab instance is not one the operator of this service allows.');
  }
}
