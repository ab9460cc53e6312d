/**
 * The sandbox's parts, started together: the real app on the embedded database, a fake GitHub (with a
 * sign-in page listing its accounts) and a fake GitVerse on loopback, seeded with realistic repositories.
 * `npm run dev` (sandbox.ts) starts it on fixed ports and prints the banner; tests start it on free ports.
 */
import { loadConfig } from '../src/config.ts';
import { createStateGraphqlHandler } from '../test/fakes/github/graphql.ts';
import { generateRepos, idFor, startFakeGitHub, tokenFor, type FakeGitHub } from '../test/fakes/github/index.ts';
import { generateGitVerseRepos, gitverseTokenFor, startFakeGitVerse, type FakeGitVerse } from '../test/fakes/gitverse/index.ts';
import { KIND_CORPUS } from '../test/fixtures/kind-corpus.ts';
import { startServer } from '../src/server.ts';
import { freePort } from '../test/support/ports.ts';
import { issueDevToken } from './dev-token.ts';

export const SANDBOX_CLIENT = { id: 'Iv1.sandbox', secret: 'sandbox-client-secret' };
export const SANDBOX_DATA_DIR = './data/sandbox';
/** Browser origins the sandbox trusts by default: any local dev server. */
export const SANDBOX_CORS_ORIGINS = ['http://localhost:*', 'http://127.0.0.1:*'];
/** How many of octocat's repositories the sandbox connects on its first start. */
const CONNECTED_AT_FIRST_START = 3;

interface SandboxAccountSeed {
  login: string;
  name: string;
  repos: number;
  seed: number;
  /** Organisations part of its repositories belong to (see `SANDBOX_ORGS`). */
  orgs?: string[];
  /** The GitHub token's scopes, when not the ones our sign-in asks for. */
  scopes?: string[];
  /** A GitVerse token linked from the first start, with these scopes. */
  gitverseScopes?: string[];
  /** What the account shows, for the banner. */
  shows?: string;
}

/**
 * The fake GitHub's accounts: many repositories, a handful, none; and one for each reason a repository
 * may be missing from the list.
 */
export const SANDBOX_ACCOUNTS: readonly SandboxAccountSeed[] = [
  { login: 'octocat', name: 'The Octocat', repos: 320, seed: 42 },
  { login: 'hubot', name: 'Hubot', repos: 12, seed: 7 },
  { login: 'newcomer', name: 'New Comer', repos: 0, seed: 1 },
  { login: 'rita', name: 'Rita Restricted', repos: 16, seed: 11, orgs: ['locked-corp', 'open-lab'], shows: 'locked-corp restricts OAuth App access: its repositories are missing, with the hint' },
  { login: 'sam', name: 'Sam Single-Sign-On', repos: 12, seed: 12, orgs: ['sso-corp'], shows: 'sso-corp wants SAML single sign-on: its repositories are missing, with the hint' },
  { login: 'limited', name: 'Limited Scopes', repos: 10, seed: 13, scopes: ['public_repo', 'read:user'], gitverseScopes: ['user'], shows: 'no repo scope on GitHub, no repository scope on GitVerse: a hint for each' },
];

/** The fake GitHub's organisations: one that restricts OAuth App access, one with SAML SSO, one that lets us in. */
export const SANDBOX_ORGS = [
  { login: 'locked-corp', members: ['rita'], oauthRestricted: true },
  { login: 'open-lab', members: ['rita'] },
  { login: 'sso-corp', members: ['sam'], sso: true },
];

export interface SandboxOptions {
  /** 0 picks a free port. */
  port?: number;
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
  /** What the account shows, when it is there for one state. */
  shows?: string;
}

export interface Sandbox {
  appUrl: string;
  fake: FakeGitHub;
  gitverse: FakeGitVerse;
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
  const gitverse = await startFakeGitVerse({
    port: options.gitversePort ?? 0,
    latencyMs,
    users: [
      { login: 'octocat', full_name: 'Octo Cat', repos: generateGitVerseRepos(60, { owner: { login: 'octocat' }, seed: 43, filesFor: (_r, i) => corpusFiles(i + 11) }) },
      { login: 'hubot', full_name: 'Hubot', scopes: ['public_api'], repos: generateGitVerseRepos(5, { owner: { login: 'hubot' }, seed: 8 }) },
      ...SANDBOX_ACCOUNTS.filter((a) => a.gitverseScopes).map((a) => ({ login: a.login, full_name: a.name, scopes: a.gitverseScopes, repos: generateGitVerseRepos(3, { owner: { login: a.login }, seed: a.seed }) })),
    ],
  });

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
  });
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
    if (firstStart && a.login === 'octocat') {
      // A few connected repositories from the start, so the "connected" state is there to draw.
      if (!(await store.tokens.get(user.id, 'gitverse'))) await store.tokens.put(user.id, 'gitverse', { token: gitverseTokenFor(a.login), login: a.login, scopes: ['read:public_api'] });
      const repos = fake.state.accountByLogin(a.login)?.repos ?? [];
      const newest = [...repos].sort((x, y) => String(y.pushed_at).localeCompare(String(x.pushed_at))).slice(0, CONNECTED_AT_FIRST_START);
      for (const repo of newest) await store.installations.connect(user.id, 'github', repo.id, `${repo.owner.login}/${repo.name}`);
    }
    accounts.push({ login: a.login, repos: a.repos, token, ...(a.shows ? { shows: a.shows } : {}) });
  }

  return {
    appUrl: `http://localhost:${port}`,
    fake,
    gitverse,
    accounts,
    corsOrigins,
    metricsUrl: metricsAddress && typeof metricsAddress === 'object' ? `http://${config.metrics.host}:${metricsAddress.port}/metrics` : undefined,
    async stop() {
      await stop();
      await Promise.all([fake.close(), gitverse.close()]);
    },
  };
}

/** Single quotes: the same line works pasted into bash or zsh (no globbing of `?`, nothing expanded inside). */
export const shellQuote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

/** The banner's copy-paste line for one account: its token against the listing. */
export function curlLine(appUrl: string, token: string): string {
  return `curl -H ${shellQuote(`Authorization: Bearer ${token}`)} ${shellQuote(`${appUrl}/api/v1/repos?per_page=5`)}`;
}
