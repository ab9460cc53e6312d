import { corpusFiles, reconnectFixes, stateFaults, type SandboxHost, type SandboxState } from '../sandbox.ts';
import { generateProjects } from './generate.ts';
import { startFakeGitLab, type FakeGitLab } from './server.ts';
import type { Fault } from './types.ts';

export const SANDBOX_GITLAB_CLIENT = { id: 'sandbox-gitlab-application', secret: 'sandbox-gitlab-secret' };

interface SandboxGitLabAccount {
  login: string;
  name: string;
  projects: number;
  seed: number;
  groups: readonly string[];
  /** A sandbox account of GitHub's too: linked to it, rather than signed in with GitLab. */
  viaGitHub?: boolean;
  state?: SandboxState;
  shows?: string;
  prefer?: string;
}

/**
 * The fake GitLab's accounts: octocat (GitHub's too: one listing shows GitHub, GitVerse, GitLab and Bitbucket),
 * and those who came in by GitLab: one with projects in groups and subgroups over three pages, one with a
 * handful, and one per state a picker must draw.
 */
export const SANDBOX_GITLAB_ACCOUNTS: readonly SandboxGitLabAccount[] = [
  { login: 'octocat', name: 'The Octocat', projects: 80, seed: 61, groups: ['octo-org', 'octo-org/web'], viaGitHub: true },
  { login: 'gitlab-dev', name: 'GitLab Developer', projects: 260, seed: 62, groups: ['acme', 'acme/platform', 'acme/platform/tools', 'open-source'] },
  { login: 'gl-small', name: 'Small Team', projects: 6, seed: 63, groups: ['small-team'] },
  { login: 'gitlab-revoked', name: 'GitLab Revoked', projects: 8, seed: 64, groups: ['ops-team'], state: 'revoked', shows: '403 PROVIDER_AUTH, reconnect: GitLab rejects its token; reconnecting GitLab (a second sign-in with it) fixes it until the next start', prefer: 'code=403, example=gitlab_auth' },
  { login: 'gitlab-rate-limited', name: 'GitLab Rate Limited', projects: 8, seed: 65, groups: ['ops-team'], state: 'rate_limited', shows: "429 RATE_LIMITED with retry_after (30 s): GitLab's rate limiter", prefer: 'code=429, example=rate_limited' },
  { login: 'gitlab-down', name: 'GitLab Down', projects: 8, seed: 66, groups: ['ops-team'], state: 'down', shows: '502 UPSTREAM_UNAVAILABLE: GitLab answers 502', prefer: 'code=502, example=upstream_unavailable' },
  { login: 'gitlab-timeout', name: 'GitLab Timeout', projects: 8, seed: 67, groups: ['ops-team'], state: 'timeout', shows: '504 UPSTREAM_TIMEOUT after the deadline (GITLAB_TIMEOUT_MS, 10 s)', prefer: 'code=504, example=upstream_timeout' },
  { login: 'gitlab-slow', name: 'GitLab Slow', projects: 8, seed: 68, groups: ['ops-team'], state: 'slow', shows: 'slow but within the deadline: the list after 6 s', prefer: '(the mock answers at once)' },
];

/** The fake GitLab's standing fault on an account's project listing, for its state. */
function gitlabFault(state: SandboxState, deadlineMs: number): Fault | undefined {
  switch (state) {
    case 'revoked':
      // GitLab's answer to a revoked token; a refresh (for an OAuth token) does not help.
      return { route: '/api/v4/projects', kind: 'unauthorized' };
    case 'rate_limited':
      return { route: '/api/v4/projects', kind: 'rateLimited', retryAfter: 30 };
    case 'down':
      return { route: '/api/v4/projects', kind: 502 };
    case 'timeout':
      return { route: '/api/v4/projects', kind: 'timeout', latencyMs: deadlineMs + 60_000 };
    case 'slow':
      return { route: '/api/v4/projects', kind: 'slow', latencyMs: Math.round(deadlineMs * 0.6) };
    default:
      return undefined;
  }
}

/** The sandbox's GitLab: its accounts above, with an authorize page listing them. */
export const gitlabSandbox: SandboxHost<FakeGitLab> = {
  displayName: 'GitLab',
  port: { variable: 'SANDBOX_GITLAB_PORT', offset: 6 },
  signIn: true,
  unit: 'projects',
  note: 'octocat has GitLab linked too',
  start: ({ port, latencyMs }) =>
    startFakeGitLab({
      port,
      latencyMs,
      clientId: SANDBOX_GITLAB_CLIENT.id,
      clientSecret: SANDBOX_GITLAB_CLIENT.secret,
      signInPage: true,
      users: SANDBOX_GITLAB_ACCOUNTS.map((a, n) => ({
        login: a.login,
        name: a.name,
        projects: generateProjects(a.projects, { owner: { login: a.login, name: a.name }, seed: a.seed, groups: [...a.groups], files: (_p, i) => corpusFiles(i + 3 + n * 7) }),
      })),
    }),
  env: (fake) => ({
    // The browser meets the fake GitLab's pages under localhost, like the fake GitHub's; the app calls its API directly.
    GITLAB_URL: fake.baseUrl.replace('127.0.0.1', 'localhost'),
    GITLAB_API_URL: `${fake.baseUrl}/api/v4`,
    GITLAB_CLIENT_ID: SANDBOX_GITLAB_CLIENT.id,
    GITLAB_CLIENT_SECRET: SANDBOX_GITLAB_CLIENT.secret,
  }),
  arm(fake, config) {
    stateFaults(SANDBOX_GITLAB_ACCOUNTS, (state) => gitlabFault(state, config.gitlab.timeoutMs), fake.state.accountFaults);
    reconnectFixes(SANDBOX_GITLAB_ACCOUNTS, fake.state);
  },
  ownAccounts: (fake) =>
    SANDBOX_GITLAB_ACCOUNTS.filter((a) => !a.viaGitHub).map((a) => {
      const account = fake.state.accountByLogin(a.login)!;
      return {
        login: a.login,
        count: a.projects,
        identity: { id: String(account.user.id), token: account.token, scopes: account.scopes },
        ...(a.state ? { state: a.state, shows: a.shows, prefer: a.prefer } : {}),
      };
    }),
  async link(fake, store, { id, account }) {
    const onGitLab = fake.state.accountByLogin(account.login);
    if (!onGitLab || (await store.tokens.get(id, 'gitlab'))) return;
    // Linked at the first start, as a GitLab sign-in of this user would.
    await store.accounts.link(id, 'gitlab', { id: String(onGitLab.user.id), login: account.login, name: account.name, avatar_url: null });
    await store.tokens.put(id, 'gitlab', { token: onGitLab.token, login: account.login, scopes: onGitLab.scopes });
  },
};
