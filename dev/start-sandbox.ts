/**
 * The sandbox's parts, started together: the real app on the embedded database, a fake GitHub (with a
 * sign-in page listing its accounts), a fake GitVerse, a fake GitLab and a fake Bitbucket on loopback, seeded with realistic repositories,
 * and the reference picker's page. `npm run dev` (sandbox.ts) starts it on fixed ports and prints the
 * banner; tests start it on free ports.
 */
import { loadConfig } from '../src/config.ts';
import { sortOrder } from '../src/listing/query.ts';
import { createStateGraphqlHandler } from '../test/fakes/github/graphql.ts';
import { generateRepos, idFor, startFakeGitHub, tokenFor, type FakeGitHub, type Fault } from '../test/fakes/github/index.ts';
import { generateGitVerseRepos, gitverseTokenFor, startFakeGitVerse, type FakeGitVerse } from '../test/fakes/gitverse/index.ts';
import { generateProjects, startFakeGitLab, tokenFor as gitlabTokenFor, type FakeGitLab } from '../test/fakes/gitlab/index.ts';
import { linkSandboxBitbucket, startSandboxBitbucket, type FakeBitbucket } from '../test/fakes/bitbucket/index.ts';
import { KIND_CORPUS } from '../test/fixtures/kind-corpus.ts';
import { startServer } from '../src/server.ts';
import { freePort } from '../test/support/ports.ts';
import { issueDevToken } from './dev-token.ts';
import { startPickerServer } from './picker-server.ts';

export const SANDBOX_CLIENT = { id: 'Iv1.sandbox', secret: 'sandbox-client-secret' };
export const SANDBOX_DATA_DIR = './data/sandbox';
/** Browser origins the sandbox trusts by default: any local dev server. */
export const SANDBOX_CORS_ORIGINS = ['http://localhost:*', 'http://127.0.0.1:*'];
/** How many of octocat's repositories the sandbox connects on its first start. */
const CONNECTED_AT_FIRST_START = 3;

/** What a state account's GitHub (or its second host) does to its repository listing. */
export type SandboxState =
  /**
   * GitHub rejects the account's token on the repository listing: 403 `GITHUB_AUTH` with `reconnect`. The
   * second sign-in since the start (the picker's "Reconnect GitHub") gets a token GitHub accepts, until the next start.
   */
  | 'revoked'
  /** GitHub's secondary rate limit: 429 `RATE_LIMITED` with `retry_after`. */
  | 'rate_limited'
  /** GitHub answers 502: 502 `UPSTREAM_UNAVAILABLE`. */
  | 'down'
  /** GitHub never answers: 504 `UPSTREAM_TIMEOUT` once the app's deadline (`GITHUB_TIMEOUT_MS`) passes. */
  | 'timeout'
  /** GitHub answers after 60% of the app's deadline: slow, but the list comes. */
  | 'slow'
  /** GitHub answers, GitVerse fails: 200 with GitVerse's entry in `providers` failed. */
  | 'second_host_down';

export interface SandboxAccountSpec {
  login: string;
  name: string;
  /** Repositories on the fake GitHub. */
  repos: number;
  /** Repositories on the fake GitVerse, linked at every start; none linked when absent. */
  gitverse?: number;
  seed: number;
  /** The error state this account shows; a data account when absent. */
  state?: SandboxState;
  /** What a picker shows when signed in as this account (the banner's and mocks/README.md's table). */
  shows: string;
  /** The mock's header for the same state. */
  prefer: string;
  /** Organisations part of its repositories belong to (see `SANDBOX_ORGS`). */
  orgs?: string[];
  /** The GitHub token's scopes, when not those our sign-in asks for. */
  scopes?: string[];
  /** A GitVerse token linked at every start with these scopes (and a few repositories behind it). */
  gitverseScopes?: string[];
}

/**
 * The fake GitHub's accounts: many repositories (some connected), a handful, none, thousands, and one per
 * state a picker must draw. The fake's sign-in page lists them all; each has a ready bearer token.
 */
export const SANDBOX_ACCOUNTS: readonly SandboxAccountSpec[] = [
  { login: 'octocat', name: 'The Octocat', repos: 320, gitverse: 60, seed: 42, shows: 'the list: kinds, origins, 3 connected on the first page, two hosts', prefer: 'code=200, example=typical' },
  { login: 'hubot', name: 'Hubot', repos: 12, seed: 7, shows: 'a short list, one page', prefer: 'code=200, example=mixed' },
  { login: 'newcomer', name: 'New Comer', repos: 0, seed: 1, shows: 'an empty account', prefer: 'code=200, example=empty' },
  { login: 'many-repos', name: 'Many Repos', repos: 3000, seed: 3, shows: 'thousands of repositories: paging and search', prefer: 'code=200, example=long_page' },
  { login: 'revoked-token', name: 'Revoked Token', repos: 9, seed: 11, state: 'revoked', shows: '403 GITHUB_AUTH, reconnect: GitHub rejects its token; reconnecting (a second sign-in) fixes it until the next start', prefer: 'code=403, example=github_auth' },
  { login: 'rate-limited', name: 'Rate Limited', repos: 9, seed: 12, state: 'rate_limited', shows: '429 RATE_LIMITED with retry_after (30 s)', prefer: 'code=429, example=rate_limited' },
  { login: 'host-down', name: 'Host Down', repos: 9, seed: 13, state: 'down', shows: '502 UPSTREAM_UNAVAILABLE: GitHub answers 502', prefer: 'code=502, example=upstream_unavailable' },
  { login: 'host-timeout', name: 'Host Timeout', repos: 9, seed: 14, state: 'timeout', shows: '504 UPSTREAM_TIMEOUT after the deadline (GITHUB_TIMEOUT_MS, 10 s)', prefer: 'code=504, example=upstream_timeout' },
  { login: 'host-slow', name: 'Host Slow', repos: 9, seed: 15, state: 'slow', shows: 'slow but within the deadline: the list after 6 s', prefer: '(the mock answers at once)' },
  { login: 'second-host-down', name: 'Second Host Down', repos: 9, gitverse: 4, seed: 16, state: 'second_host_down', shows: '200 with GitVerse failed beside GitHub that answered', prefer: 'code=200, example=partial' },
  { login: 'rita', name: 'Rita Restricted', repos: 16, seed: 21, orgs: ['locked-corp', 'open-lab'], shows: "locked-corp restricts OAuth App access: its repositories are missing, and GitHub's hint says so with the grant URL", prefer: 'code=200, example=oauth_restricted' },
  { login: 'sam', name: 'Sam Single-Sign-On', repos: 12, seed: 22, orgs: ['sso-corp'], shows: "sso-corp wants SAML single sign-on: its repositories are missing, and GitHub's hint says so with the authorisation URL", prefer: 'code=200, example=sso_required' },
  { login: 'limited', name: 'Limited Scopes', repos: 10, seed: 23, scopes: ['public_repo', 'read:user'], gitverseScopes: ['user'], shows: 'no repo scope on GitHub, no repository scope on GitVerse: a hint on each', prefer: 'code=200, example=private_scope' },
];

/** The fake GitHub's organisations: one that restricts OAuth App access, one with SAML SSO, one that lets us in. */
export const SANDBOX_ORGS = [
  { login: 'locked-corp', members: ['rita'], oauthRestricted: true },
  { login: 'open-lab', members: ['rita'] },
  { login: 'sso-corp', members: ['sam'], sso: true },
];

export const SANDBOX_GITLAB_CLIENT = { id: 'sandbox-gitlab-application', secret: 'sandbox-gitlab-secret' };

/**
 * The fake GitLab's accounts: octocat (GitHub's too: one listing shows GitHub, GitVerse and GitLab), and two
 * who came in by GitLab: one with projects in groups and subgroups over three pages, one with a handful.
 */
export const SANDBOX_GITLAB_ACCOUNTS = [
  { login: 'octocat', name: 'The Octocat', projects: 80, seed: 61, groups: ['octo-org', 'octo-org/web'] },
  { login: 'gitlab-dev', name: 'GitLab Developer', projects: 260, seed: 62, groups: ['acme', 'acme/platform', 'acme/platform/tools', 'open-source'] },
  { login: 'gl-small', name: 'Small Team', projects: 6, seed: 63, groups: ['small-team'] },
] as const;

export const SANDBOX_BITBUCKET_CLIENT = { id: 'sandbox-bitbucket-consumer', secret: 'sandbox-bitbucket-secret' };

export interface SandboxOptions {
  /** 0 picks a free port. */
  port?: number;
  githubPort?: number;
  gitversePort?: number;
  gitlabPort?: number;
  bitbucketPort?: number;
  dataDir?: string;
  latencyMs?: number;
  /** The reference picker's port; 0 or none picks a free one. */
  pickerPort?: number;
  /** The Prism mock the picker offers as its other API (`?api=mock`), when one runs. */
  mockUrl?: string;
  /** The environment the app's configuration is read from (CORS_ORIGINS adds to the local origins). */
  env?: NodeJS.ProcessEnv;
}

export interface SandboxAccount extends SandboxAccountSpec {
  token: string;
}

export interface Sandbox {
  appUrl: string;
  fake: FakeGitHub;
  gitverse: FakeGitVerse;
  gitlab: FakeGitLab;
  /** octocat's Atlassian API token is linked at the first start: two workspaces (octo-org and octocat). */
  bitbucket: FakeBitbucket;
  accounts: SandboxAccount[];
  /** The accounts that came in by GitLab, with a ready token each. */
  gitlabAccounts: Array<{ login: string; projects: number; token: string }>;
  /** The reference picker (examples/picker), on a port of its own like a frontend's dev server. */
  pickerUrl: string;
  corsOrigins: string[];
  /** Where Prometheus metrics are served (operators only; not on the API port), when they are. */
  metricsUrl: string | undefined;
  stop(): Promise<void>;
}

const corpusFiles = (i: number) => ({ ...KIND_CORPUS[i % KIND_CORPUS.length]?.files });

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const env = options.env ?? process.env;
  const latencyMs = options.latencyMs ?? 30;
  const fake = await startFakeGitHub({
    port: options.githubPort ?? 0,
    latencyMs,
    clientId: SANDBOX_CLIENT.id,
    clientSecret: SANDBOX_CLIENT.secret,
    signInPage: true,
    users: SANDBOX_ACCOUNTS.map((a, n) => ({
      login: a.login,
      name: a.name,
      ...(a.scopes ? { scopes: a.scopes } : {}),
      repos: generateRepos(a.repos, {
        owner: { login: a.login },
        seed: a.seed,
        ...(a.orgs ? { orgs: a.orgs, collaborators: [] } : {}),
        files: (_r, i) => corpusFiles(i + n * 5),
      }),
    })),
    orgs: SANDBOX_ORGS,
  });
  fake.state.graphql = createStateGraphqlHandler(fake.state);
  const gitlab = await startFakeGitLab({
    port: options.gitlabPort ?? 0,
    latencyMs,
    clientId: SANDBOX_GITLAB_CLIENT.id,
    clientSecret: SANDBOX_GITLAB_CLIENT.secret,
    signInPage: true,
    users: SANDBOX_GITLAB_ACCOUNTS.map((a, n) => ({
      login: a.login,
      name: a.name,
      projects: generateProjects(a.projects, { owner: { login: a.login, name: a.name }, seed: a.seed, groups: [...a.groups], files: (_p, i) => corpusFiles(i + 3 + n * 7) }),
    })),
  });
  const bitbucket = await startSandboxBitbucket({
    port: options.bitbucketPort ?? 0,
    latencyMs,
    client: SANDBOX_BITBUCKET_CLIENT,
    files: (i) => corpusFiles(i + 23),
  });
  const gitverse = await startFakeGitVerse({
    port: options.gitversePort ?? 0,
    latencyMs,
    users: [
      ...SANDBOX_ACCOUNTS.filter((a) => a.gitverse !== undefined).map((a) => ({
        login: a.login,
        full_name: a.name,
        repos: generateGitVerseRepos(a.gitverse ?? 0, { owner: { login: a.login }, seed: a.seed + 1, filesFor: (_r, i) => corpusFiles(i + 11) }),
      })),
      // Linked by `npm run token -- --gitverse` or the API, not at start.
      { login: 'hubot', full_name: 'Hubot', scopes: ['public_api'], repos: generateGitVerseRepos(5, { owner: { login: 'hubot' }, seed: 8 }) },
      ...SANDBOX_ACCOUNTS.filter((a) => a.gitverseScopes).map((a) => ({ login: a.login, full_name: a.name, scopes: a.gitverseScopes, repos: generateGitVerseRepos(3, { owner: { login: a.login }, seed: a.seed }) })),
    ],
  });

  const port = options.port === undefined ? 3000 : options.port === 0 ? await freePort() : options.port;
  const pickerPort = options.pickerPort ? options.pickerPort : await freePort();
  const pickerUrl = `http://localhost:${pickerPort}/`;
  const corsOrigins = [...SANDBOX_CORS_ORIGINS, ...(env.CORS_ORIGINS ?? '').split(',').map((s) => s.trim()).filter(Boolean)];
  const config = loadConfig({
    ...env,
    PORT: String(port),
    PUBLIC_URL: `http://localhost:${port}`,
    DATA_DIR: options.dataDir ?? env.DATA_DIR ?? SANDBOX_DATA_DIR,
    CORS_ORIGINS: corsOrigins.join(','),
    GITHUB_API_URL: fake.baseUrl,
    GITHUB_WEB_URL: fake.baseUrl.replace('127.0.0.1', 'localhost'),
    GITHUB_CLIENT_ID: SANDBOX_CLIENT.id,
    GITHUB_CLIENT_SECRET: SANDBOX_CLIENT.secret,
    GITVERSE_API_URL: gitverse.baseUrl,
    GITVERSE_WEB_URL: gitverse.baseUrl,
    // The browser meets the fake GitLab's pages under localhost, like the fake GitHub's; the app calls its API directly.
    GITLAB_URL: gitlab.baseUrl.replace('127.0.0.1', 'localhost'),
    GITLAB_API_URL: `${gitlab.baseUrl}/api/v4`,
    GITLAB_CLIENT_ID: SANDBOX_GITLAB_CLIENT.id,
    GITLAB_CLIENT_SECRET: SANDBOX_GITLAB_CLIENT.secret,
    // The browser meets the fake Bitbucket's authorize page under localhost, like the fake GitHub's.
    BITBUCKET_API_URL: bitbucket.baseUrl,
    BITBUCKET_WEB_URL: bitbucket.baseUrl.replace('127.0.0.1', 'localhost'),
    BITBUCKET_CLIENT_ID: SANDBOX_BITBUCKET_CLIENT.id,
    BITBUCKET_CLIENT_SECRET: SANDBOX_BITBUCKET_CLIENT.secret,
    // A browser sign-in ends on the picker rather than on the callback's JSON.
    POST_LOGIN_REDIRECT: env.POST_LOGIN_REDIRECT ?? pickerUrl,
  });
  for (const a of SANDBOX_ACCOUNTS) {
    const fault = a.state && githubFault(a.state, config.github.timeoutMs);
    if (fault) fake.state.accountFaults.set(a.login, fault);
    if (a.state === 'second_host_down') gitverse.state.accountFaults.set(a.login, { route: '/user/repos', kind: 503 });
  }
  const revoked = new Set(SANDBOX_ACCOUNTS.filter((a) => a.state === 'revoked').map((a) => a.login));
  fake.state.onGrant = (login, count) => {
    if (revoked.has(login) && count >= 2) fake.state.accountFaults.delete(login);
  };
  const { stop, services, metricsServer } = await startServer(config);
  const metricsAddress = metricsServer?.address();
  const { store } = services;

  const accounts: SandboxAccount[] = [];
  for (const a of SANDBOX_ACCOUNTS) {
    const user = await store.accounts.signIn('github', { id: String(idFor(a.login)), login: a.login, name: a.name, avatar_url: null });
    const firstStart = (await store.tokens.get(user.id, 'github')) === undefined;
    const { token } = await issueDevToken(store, config, { login: a.login, githubToken: tokenFor(a.login), githubId: idFor(a.login) });
    // Stored with the scopes GitHub reported at sign-in, as a real sign-in stores them.
    if (a.scopes) await store.tokens.put(user.id, 'github', { token: tokenFor(a.login), login: a.login, scopes: a.scopes });
    if (a.gitverseScopes && !(await store.tokens.get(user.id, 'gitverse'))) {
      await store.tokens.put(user.id, 'gitverse', { token: gitverseTokenFor(a.login), login: a.login, scopes: a.gitverseScopes });
    }
    if (a.gitverse !== undefined && !(await store.tokens.get(user.id, 'gitverse'))) {
      await store.tokens.put(user.id, 'gitverse', { token: gitverseTokenFor(a.login), login: a.login, scopes: ['read:public_api'] });
    }
    if (firstStart && a.login === 'octocat') {
      // A few connected repositories from the start, so the "connected" state is there to draw: the
      // newest by the listing's own default order, so the first page shows them.
      const repos = fake.state.accountByLogin(a.login)?.repos ?? [];
      const sortable = repos.map((r) => ({ provider: 'github' as const, id: r.id, full_name: `${r.owner.login}/${r.name}`, created_at: r.created_at, updated_at: r.updated_at, pushed_at: r.pushed_at }));
      for (const i of sortOrder(sortable, 'updated', 'desc', undefined, CONNECTED_AT_FIRST_START)) {
        const repo = repos[i]!;
        await store.installations.connect(user.id, 'github', repo.id, `${repo.owner.login}/${repo.name}`);
      }
    }
    const onGitLab = gitlab.state.accountByLogin(a.login);
    if (onGitLab && !(await store.tokens.get(user.id, 'gitlab'))) {
      // Linked at the first start, as a GitLab sign-in of this user would.
      await store.accounts.link(user.id, 'gitlab', { id: String(onGitLab.user.id), login: a.login, name: a.name, avatar_url: null });
      await store.tokens.put(user.id, 'gitlab', { token: onGitLab.token, login: a.login, scopes: onGitLab.scopes });
    }
    await linkSandboxBitbucket(store, user.id, a.login, bitbucket);
    accounts.push({ ...a, token });
  }
  const gitlabAccounts: Sandbox['gitlabAccounts'] = [];
  for (const a of SANDBOX_GITLAB_ACCOUNTS) {
    if (accounts.some((b) => b.login === a.login)) continue;
    const onGitLab = gitlab.state.accountByLogin(a.login)!;
    const { token } = await issueDevToken(store, config, {
      login: a.login,
      host: { provider: 'gitlab', id: String(onGitLab.user.id), token: gitlabTokenFor(a.login), scopes: onGitLab.scopes },
    });
    gitlabAccounts.push({ login: a.login, projects: a.projects, token });
  }
  const picker = await startPickerServer({ port: pickerPort, apiUrl: `http://localhost:${port}`, mockUrl: options.mockUrl });

  return {
    appUrl: `http://localhost:${port}`,
    fake,
    gitverse,
    gitlab,
    bitbucket,
    accounts,
    gitlabAccounts,
    pickerUrl: picker.url,
    corsOrigins,
    metricsUrl: metricsAddress && typeof metricsAddress === 'object' ? `http://${config.metrics.host}:${metricsAddress.port}/metrics` : undefined,
    async stop() {
      await Promise.all([stop(), picker.close()]);
      await Promise.all([fake.close(), gitverse.close(), gitlab.close(), bitbucket.close()]);
    },
  };
}

/** The fake GitHub's standing fault on an account's repository listing, for its state. */
function githubFault(state: SandboxState, deadlineMs: number): Fault | undefined {
  switch (state) {
    case 'revoked':
      // GitHub's answer to a revoked token.
      return { route: '/user/repos', kind: 'badCredentials' };
    case 'rate_limited':
      return { route: '/user/repos', kind: 'secondaryRateLimit', retryAfter: 30 };
    case 'down':
      return { route: '/user/repos', kind: 502 };
    case 'timeout':
      return { route: '/user/repos', kind: 'timeout', latencyMs: deadlineMs + 60_000 };
    case 'slow':
      return { route: '/user/repos', kind: 'slow', latencyMs: Math.round(deadlineMs * 0.6) };
    default:
      // second_host_down: a fault on the fake GitVerse.
      return undefined;
  }
}

/** Single quotes: the same line works pasted into bash or zsh (no globbing of `?`, nothing expanded inside). */
export const shellQuote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

/** The banner's copy-paste line for one account: its token against the listing. */
export function curlLine(appUrl: string, token: string): string {
  return `curl -H ${shellQuote(`Authorization: Bearer ${token}`)} ${shellQuote(`${appUrl}/api/v1/repos?per_page=5`)}`;
}
