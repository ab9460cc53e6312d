/**
 * The sandbox's parts, started together: the real app on the embedded database, a fake GitHub, a fake
 * GitLab and a fake Bitbucket (each with a sign-in page listing its accounts) and a fake GitVerse on
 * loopback, seeded with realistic repositories.
 * `npm run dev` (sandbox.ts) starts it on fixed ports and prints the banner; tests start it on free ports.
 */
import { loadConfig } from '../src/config.ts';
import { createStateGraphqlHandler } from '../test/fakes/github/graphql.ts';
import { generateRepos, idFor, startFakeGitHub, tokenFor, type FakeGitHub } from '../test/fakes/github/index.ts';
import { generateGitVerseRepos, gitverseTokenFor, startFakeGitVerse, type FakeGitVerse } from '../test/fakes/gitverse/index.ts';
import { generateProjects, startFakeGitLab, tokenFor as gitlabTokenFor, type FakeGitLab } from '../test/fakes/gitlab/index.ts';
import { startSandboxBitbucket, type FakeBitbucket } from '../test/fakes/bitbucket/index.ts';
import { KIND_CORPUS } from '../test/fixtures/kind-corpus.ts';
import { startServer } from '../src/server.ts';
import { freePort } from '../test/support/ports.ts';
import { issueDevToken } from './dev-token.ts';

export const SANDBOX_CLIENT = { id: 'Iv1.sandbox', secret: 'sandbox-client-secret' };
export const SANDBOX_GITLAB_CLIENT = { id: 'sandbox-gitlab-application', secret: 'sandbox-gitlab-secret' };
export const SANDBOX_DATA_DIR = './data/sandbox';
/** Browser origins the sandbox trusts by default: any local dev server. */
export const SANDBOX_CORS_ORIGINS = ['http://localhost:*', 'http://127.0.0.1:*'];
/** How many of octocat's repositories the sandbox connects on its first start. */
const CONNECTED_AT_FIRST_START = 3;

/** The fake GitHub's accounts: many repositories, a handful, none. */
export const SANDBOX_ACCOUNTS = [
  { login: 'octocat', name: 'The Octocat', repos: 320, seed: 42 },
  { login: 'hubot', name: 'Hubot', repos: 12, seed: 7 },
  { login: 'newcomer', name: 'New Comer', repos: 0, seed: 1 },
] as const;

/**
 * The fake GitLab's accounts: octocat (GitHub's too: both hosts in one listing), a GitLab-only user with
 * projects in groups and subgroups over three pages, and one with a handful.
 */
export const SANDBOX_GITLAB_ACCOUNTS = [
  { login: 'octocat', name: 'The Octocat', projects: 80, seed: 61, groups: ['octo-org', 'octo-org/web'] },
  { login: 'gitlab-dev', name: 'GitLab Developer', projects: 260, seed: 62, groups: ['acme', 'acme/platform', 'acme/platform/tools', 'open-source'] },
  { login: 'gl-small', name: 'Small Team', projects: 6, seed: 63, groups: ['small-team'] },
] as const;

export interface SandboxOptions {
  /** 0 picks a free port. */
  port?: number;
  githubPort?: number;
  gitversePort?: number;
  gitlabPort?: number;
  bitbucketPort?: number;
  dataDir?: string;
  latencyMs?: number;
  /** The environment the app's configuration is read from (CORS_ORIGINS adds to the local origins). */
  env?: NodeJS.ProcessEnv;
}

export interface SandboxAccount {
  login: string;
  repos: number;
  token: string;
  /** The host the account came in by; octocat has GitHub, GitVerse and GitLab linked. */
  provider: 'github' | 'gitlab';
  /** Projects on the fake GitLab, where the account has some. */
  gitlabProjects?: number;
}

export interface Sandbox {
  appUrl: string;
  fake: FakeGitHub;
  gitverse: FakeGitVerse;
  gitlab: FakeGitLab;
  bitbucket: FakeBitbucket;
  accounts: SandboxAccount[];
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
      repos: generateRepos(a.repos, { owner: { login: a.login }, seed: a.seed, files: (_r, i) => corpusFiles(i + n * 5) }),
    })),
  });
  fake.state.graphql = createStateGraphqlHandler(fake.state);
  const gitverse = await startFakeGitVerse({
    port: options.gitversePort ?? 0,
    latencyMs,
    users: [
      { login: 'octocat', full_name: 'Octo Cat', repos: generateGitVerseRepos(60, { owner: { login: 'octocat' }, seed: 43, filesFor: (_r, i) => corpusFiles(i + 11) }) },
      { login: 'hubot', full_name: 'Hubot', scopes: ['public_api'], repos: generateGitVerseRepos(5, { owner: { login: 'hubot' }, seed: 8 }) },
    ],
  });

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
  const bitbucket = await startSandboxBitbucket({ port: options.bitbucketPort ?? 0, latencyMs, client: SANDBOX_CLIENT, files: (i) => corpusFiles(i + 23) });

  const port = options.port === undefined ? 3000 : options.port === 0 ? await freePort() : options.port;
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
    BITBUCKET_API_URL: bitbucket.baseUrl,
    BITBUCKET_WEB_URL: bitbucket.baseUrl.replace('127.0.0.1', 'localhost'),
    BITBUCKET_CLIENT_ID: SANDBOX_CLIENT.id,
    BITBUCKET_CLIENT_SECRET: SANDBOX_CLIENT.secret,
  });
  const { stop, services, metricsServer } = await startServer(config);
  const metricsAddress = metricsServer?.address();
  const { store } = services;

  const accounts: SandboxAccount[] = [];
  for (const a of SANDBOX_ACCOUNTS) {
    const user = await store.accounts.signIn('github', { id: String(idFor(a.login)), login: a.login, name: a.name, avatar_url: null });
    const firstStart = (await store.tokens.get(user.id, 'github')) === undefined;
    const { token } = await issueDevToken(store, config, { login: a.login, githubToken: tokenFor(a.login), githubId: idFor(a.login) });
    if (firstStart && a.login === 'octocat') {
      // A few connected repositories from the start, so the "connected" state is there to draw.
      if (!(await store.tokens.get(user.id, 'gitverse'))) await store.tokens.put(user.id, 'gitverse', { token: gitverseTokenFor(a.login), login: a.login, scopes: ['read:public_api'] });
      // Bitbucket linked with an Atlassian API token (email:token): two workspaces' repositories.
      const atlassian = bitbucket.state.accountByLogin(a.login);
      if (atlassian && !(await store.tokens.get(user.id, 'bitbucket'))) {
        await store.tokens.put(user.id, 'bitbucket', { token: `${atlassian.user.email}:${atlassian.apiToken}`, login: a.login, scopes: [] });
      }
      const repos = fake.state.accountByLogin(a.login)?.repos ?? [];
      const newest = [...repos].sort((x, y) => String(y.pushed_at).localeCompare(String(x.pushed_at))).slice(0, CONNECTED_AT_FIRST_START);
      for (const repo of newest) await store.installations.connect(user.id, 'github', repo.id, `${repo.owner.login}/${repo.name}`);
    }
    const onGitLab = gitlab.state.accountByLogin(a.login);
    if (onGitLab && !(await store.tokens.get(user.id, 'gitlab'))) {
      // Linked on the first start, as a GitLab sign-in of this user would: one listing shows both hosts.
      await store.accounts.link(user.id, 'gitlab', { id: String(onGitLab.user.id), login: a.login, name: a.name, avatar_url: null });
      await store.tokens.put(user.id, 'gitlab', { token: onGitLab.token, login: a.login, scopes: onGitLab.scopes });
    }
    accounts.push({ login: a.login, repos: a.repos, token, provider: 'github', ...(onGitLab ? { gitlabProjects: onGitLab.projects.length } : {}) });
  }
  // The GitLab-only accounts: users who signed in with GitLab.
  for (const a of SANDBOX_GITLAB_ACCOUNTS) {
    if (accounts.some((b) => b.login === a.login)) continue;
    const onGitLab = gitlab.state.accountByLogin(a.login)!;
    const { token } = await issueDevToken(store, config, {
      login: a.login,
      host: { provider: 'gitlab', id: String(onGitLab.user.id), token: gitlabTokenFor(a.login), scopes: onGitLab.scopes },
    });
    accounts.push({ login: a.login, repos: 0, token, provider: 'gitlab', gitlabProjects: a.projects });
  }

  return {
    appUrl: `http://localhost:${port}`,
    fake,
    gitverse,
    gitlab,
    bitbucket,
    accounts,
    corsOrigins,
    metricsUrl: metricsAddress && typeof metricsAddress === 'object' ? `http://${config.metrics.host}:${metricsAddress.port}/metrics` : undefined,
    async stop() {
      await stop();
      await Promise.all([fake.close(), gitverse.close(), gitlab.close(), bitbucket.close()]);
    },
  };
}

/** Single quotes: the same line works pasted into bash or zsh (no globbing of `?`, nothing expanded inside). */
export const shellQuote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

/** The banner's copy-paste line for one account: its token against the listing. */
export function curlLine(appUrl: string, token: string): string {
  return `curl -H ${shellQuote(`Authorization: Bearer ${token}`)} ${shellQuote(`${appUrl}/api/v1/repos?per_page=5`)}`;
}
