/**
 * The sandbox's parts, started together: the real app on the embedded database, a fake GitHub (with a
 * sign-in page listing its accounts) and a fake GitVerse on loopback, seeded with realistic repositories.
 * `npm run dev` (sandbox.ts) starts it on fixed ports and prints the banner; tests start it on free ports.
 */
import { loadConfig } from '../src/config.ts';
import type { Provider } from '../src/contract/types.ts';
import { idFor, tokenFor, type FakeGitHub } from '../test/fakes/github/index.ts';
import type { FakeGitVerse } from '../test/fakes/gitverse/index.ts';
import type { FakeGitLab } from '../test/fakes/gitlab/index.ts';
import { tokenFor as gitlabTokenFor } from '../test/fakes/gitlab/index.ts';
import { closeFakeHosts, SANDBOX_GITLAB_ACCOUNTS, startSandboxHosts, type FakeHosts } from '../test/fakes/hosts.ts';
import { startServer } from '../src/server.ts';
import { freePort } from '../test/support/ports.ts';
import { issueDevToken } from './dev-token.ts';

export const SANDBOX_CLIENT = { id: 'Iv1.sandbox', secret: 'sandbox-client-secret' };
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

export interface SandboxOptions {
  /** 0 picks a free port. */
  port?: number;
  /** Each host's fake's port (0 or absent: any). */
  hostPorts?: Partial<Record<Provider, number>>;
  /** Shorthands for `hostPorts.github` and `hostPorts.gitverse`. */
  githubPort?: number;
  gitversePort?: number;
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
  /** Every host's fake. */
  fakes: FakeHosts;
  /** Shorthands for the two first hosts' fakes. */
  fake: FakeGitHub;
  gitverse: FakeGitVerse;
  gitlab: FakeGitLab;
  accounts: SandboxAccount[];
  corsOrigins: string[];
  /** Where Prometheus metrics are served (operators only; not on the API port), when they are. */
  metricsUrl: string | undefined;
  stop(): Promise<void>;
}

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const env = options.env ?? process.env;
  const latencyMs = options.latencyMs ?? 30;
  const hosts = await startSandboxHosts({
    ports: { github: options.githubPort ?? 0, gitverse: options.gitversePort ?? 0, ...options.hostPorts },
    latencyMs,
    client: SANDBOX_CLIENT,
    accounts: SANDBOX_ACCOUNTS,
  });
  const { fakes } = hosts;
  const { github: fake, gitverse, gitlab } = fakes;

  const port = options.port === undefined ? 3000 : options.port === 0 ? await freePort() : options.port;
  const corsOrigins = [...SANDBOX_CORS_ORIGINS, ...(env.CORS_ORIGINS ?? '').split(',').map((s) => s.trim()).filter(Boolean)];
  const config = loadConfig({
    ...env,
    PORT: String(port),
    PUBLIC_URL: `http://localhost:${port}`,
    DATA_DIR: options.dataDir ?? env.DATA_DIR ?? SANDBOX_DATA_DIR,
    CORS_ORIGINS: corsOrigins.join(','),
    ...hosts.env,
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
      await hosts.linkAccount(store, user.id, a.login);
      const repos = fake.state.accountByLogin(a.login)?.repos ?? [];
      const newest = [...repos].sort((x, y) => String(y.pushed_at).localeCompare(String(x.pushed_at))).slice(0, CONNECTED_AT_FIRST_START);
      for (const repo of newest) await store.installations.connect(user.id, 'github', repo.id, `${repo.owner.login}/${repo.name}`);
    }
    const onGitLab = gitlab.state.accountByLogin(a.login);
    accounts.push({ login: a.login, repos: a.repos, token, provider: 'github', ...(onGitLab ? { gitlabProjects: onGitLab.projects.length } : {}) });
  }
  // The accounts that came in by GitLab.
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
    fakes,
    fake,
    gitverse,
    gitlab,
    accounts,
    corsOrigins,
    metricsUrl: metricsAddress && typeof metricsAddress === 'object' ? `http://${config.metrics.host}:${metricsAddress.port}/metrics` : undefined,
    async stop() {
      await stop();
      await closeFakeHosts(fakes);
    },
  };
}

/** Single quotes: the same line works pasted into bash or zsh (no globbing of `?`, nothing expanded inside). */
export const shellQuote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

/** The banner's copy-paste line for one account: its token against the listing. */
export function curlLine(appUrl: string, token: string): string {
  return `curl -H ${shellQuote(`Authorization: Bearer ${token}`)} ${shellQuote(`${appUrl}/api/v1/repos?per_page=5`)}`;
}
