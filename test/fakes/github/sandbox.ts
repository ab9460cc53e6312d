import { sortOrder } from '../../../src/listing/query.ts';
import { corpusFiles, reconnectFixes, stateFaults, type SandboxHost, type SandboxState } from '../sandbox.ts';
import { generateRepos } from './generate.ts';
import { createStateGraphqlHandler } from './graphql.ts';
import { startFakeGitHub, type FakeGitHub } from './server.ts';
import type { Fault } from './types.ts';

export const SANDBOX_CLIENT = { id: 'Iv1.sandbox', secret: 'sandbox-client-secret' };
/** How many of octocat's repositories the sandbox connects on its first start. */
const CONNECTED_AT_FIRST_START = 3;

/** The fake GitHub's organisations: one that restricts OAuth App access, one with SAML SSO, one that lets us in. */
export const SANDBOX_ORGS = [
  { login: 'locked-corp', members: ['rita'], oauthRestricted: true },
  { login: 'open-lab', members: ['rita'] },
  { login: 'sso-corp', members: ['sam'], sso: true },
];

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
      // second_host_down: a fault on the fake GitVerse; session_expired: the sandbox's storage.
      return undefined;
  }
}

/**
 * The sandbox's GitHub: every sandbox account, with its repositories (some in organisations), and a sign-in
 * page listing them. Signing in with GitHub is how the sandbox's users come in.
 */
export const githubSandbox: SandboxHost<FakeGitHub> = {
  displayName: 'GitHub',
  port: { variable: 'SANDBOX_GITHUB_PORT', offset: 1 },
  signIn: true,
  unit: 'repositories',
  async start({ port, latencyMs, accounts }) {
    const fake = await startFakeGitHub({
      port,
      latencyMs,
      clientId: SANDBOX_CLIENT.id,
      clientSecret: SANDBOX_CLIENT.secret,
      signInPage: true,
      users: accounts.map((a, n) => ({
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
    return fake;
  },
  env: (fake) => ({
    GITHUB_API_URL: fake.baseUrl,
    // The browser meets the fake's sign-in page under localhost, as the app's own pages.
    GITHUB_WEB_URL: fake.baseUrl.replace('127.0.0.1', 'localhost'),
    GITHUB_CLIENT_ID: SANDBOX_CLIENT.id,
    GITHUB_CLIENT_SECRET: SANDBOX_CLIENT.secret,
  }),
  arm(fake, config, accounts) {
    stateFaults(accounts, (state) => githubFault(state, config.github.timeoutMs), fake.state.accountFaults);
    reconnectFixes(accounts, fake.state);
  },
  async link(fake, store, { id, account, firstStart }) {
    // Stored with the scopes GitHub reported at sign-in, as a real sign-in stores them.
    const github = fake.state.accountByLogin(account.login);
    if (account.scopes && github) await store.tokens.put(id, 'github', { token: github.token, login: account.login, scopes: account.scopes });
    if (firstStart && account.login === 'octocat') {
      // A few connected repositories from the start, so the "connected" state is there to draw: the
      // newest by the listing's own default order, so the first page shows them.
      const repos = github?.repos ?? [];
      const sortable = repos.map((r) => ({ provider: 'github' as const, id: r.id, full_name: `${r.owner.login}/${r.name}`, created_at: r.created_at, updated_at: r.updated_at, pushed_at: r.pushed_at }));
      for (const i of sortOrder(sortable, 'updated', 'desc', undefined, CONNECTED_AT_FIRST_START)) {
        const repo = repos[i]!;
        await store.installations.connect(id, 'github', repo.id, `${repo.owner.login}/${repo.name}`);
      }
    }
  },
};
