/**
 * The sandbox's parts, started together: the real app on the embedded database, a fake of each git host
 * (`test/fakes/hosts.ts`: GitHub with a sign-in page listing its accounts, GitVerse, GitLab, Bitbucket) on
 * loopback, seeded with realistic repositories, and the reference picker's page. `npm run dev` (sandbox.ts)
 * starts it on fixed ports and prints the banner; tests start it on free ports.
 */
import { loadConfig, type Config } from '../src/config.ts';
import type { Provider } from '../src/contract/types.ts';
import { startServer } from '../src/server.ts';
import { openDb } from '../src/store/db.ts';
import { createStore } from '../src/store/index.ts';
import { migrate } from '../src/store/migrations.ts';
import type { Store } from '../src/store/types.ts';
import { databaseFailure } from '../src/startup.ts';
import { idFor, tokenFor } from '../test/fakes/github/index.ts';
import { sandboxHosts, type AnyFake, type FakeHosts } from '../test/fakes/hosts.ts';
import type { SandboxAccountSpec, SandboxState } from '../test/fakes/sandbox.ts';
import { freePort } from '../test/support/ports.ts';
import { issueDevToken } from './dev-token.ts';
import { startPickerServer } from './picker-server.ts';

export type { SandboxAccountSpec, SandboxState };
export const SANDBOX_DATA_DIR = './data/sandbox';
/** Browser origins the sandbox trusts by default: any local dev server. */
export const SANDBOX_CORS_ORIGINS = ['http://localhost:*', 'http://127.0.0.1:*'];
/** The key the `session_expired` account's GitHub token is sealed with: one this sandbox no longer has. */
const FORMER_SECRET_KEY = 'a-former-sandbox-secret-key-0123456789-abcdef';

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
  { login: 'session-expired', name: 'Session Expired', repos: 9, seed: 17, state: 'session_expired', shows: '401 SESSION_EXPIRED: its stored GitHub token cannot be read (as after a change of SECRET_KEY); the picker renews its token, then asks to sign in again, which fixes it until the next start', prefer: 'code=401, example=session_expired' },
  { login: 'limited', name: 'Limited Scopes', repos: 10, seed: 23, scopes: ['public_repo', 'read:user'], gitverseScopes: ['user'], shows: 'no repo scope on GitHub, no repository scope on GitVerse: a hint on each', prefer: 'code=200, example=private_scope' },
];

export interface SandboxOptions {
  /** 0 picks a free port. */
  port?: number;
  /** Each host's fake's port; 0 (or none) picks a free one. */
  hostPorts?: Partial<Record<Provider, number>>;
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

/** An account that came in by another host than GitHub, with a ready token. */
export interface SandboxHostAccount {
  provider: Provider;
  login: string;
  /** Its repositories there. */
  count: number;
  token: string;
  state?: SandboxState;
  shows?: string;
  prefer?: string;
}

export interface Sandbox {
  appUrl: string;
  /** Each host's fake, seeded; octocat's Bitbucket is its Atlassian API token, linked at the first start (two workspaces). */
  hosts: FakeHosts;
  /** The accounts that sign in with GitHub, each with a ready token. */
  accounts: SandboxAccount[];
  /** The accounts that came in by another host (GitLab's), each with a ready token. */
  hostAccounts: SandboxHostAccount[];
  /** The reference picker (examples/picker), on a port of its own like a frontend's dev server. */
  pickerUrl: string;
  corsOrigins: string[];
  /** Where Prometheus metrics are served (operators only; not on the API port), when they are. */
  metricsUrl: string | undefined;
  stop(): Promise<void>;
}

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const env = options.env ?? process.env;
  const latencyMs = options.latencyMs ?? 30;
  const hosts = sandboxHosts();
  const fakes = new Map<Provider, AnyFake>();
  for (const [provider, host] of hosts) fakes.set(provider, await host.start({ port: options.hostPorts?.[provider] ?? 0, latencyMs, accounts: SANDBOX_ACCOUNTS }));
  /** Each host's part with its running fake. */
  const running = hosts.map(([provider, host]) => ({ provider, host, fake: fakes.get(provider)! }));

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
    ...Object.assign({}, ...running.map(({ host, fake }) => host.env(fake))),
    // A browser sign-in ends on the picker rather than on the callback's JSON.
    POST_LOGIN_REDIRECT: env.POST_LOGIN_REDIRECT ?? pickerUrl,
  });
  for (const { host, fake } of running) host.arm?.(fake, config, SANDBOX_ACCOUNTS);
  const closeFakes = () => Promise.all([...fakes.values()].map((f) => f.close()));
  const { store, storage } = await openSandboxStore(config).catch(async (error: unknown) => {
    await closeFakes();
    throw error;
  });
  // A start that fails leaves nothing running behind it: the fakes and the store are closed with it.
  const { stop, metricsServer } = await startServer(config, { store: storage.store }).catch(async (error: unknown) => {
    await Promise.all([store.close(), closeFakes()]);
    throw error;
  });
  const metricsAddress = metricsServer?.address();

  const accounts: SandboxAccount[] = [];
  for (const a of SANDBOX_ACCOUNTS) {
    const user = await store.accounts.signIn('github', { id: String(idFor(a.login)), login: a.login, name: a.name, avatar_url: null });
    const firstStart = (await store.tokens.get(user.id, 'github')) === undefined;
    const { token } = await issueDevToken(store, config, { login: a.login, githubToken: tokenFor(a.login), githubId: idFor(a.login) });
    for (const { host, fake } of running) await host.link?.(fake, store, { id: user.id, account: a, firstStart });
    if (a.state === 'session_expired') await storage.expire(user.id, { token: tokenFor(a.login), login: a.login, scopes: ['repo', 'read:user'] });
    accounts.push({ ...a, token });
  }
  const hostAccounts: SandboxHostAccount[] = [];
  for (const { provider, host, fake } of running) {
    for (const a of host.ownAccounts?.(fake) ?? []) {
      const { token } = await issueDevToken(store, config, { login: a.login, host: { provider, ...a.identity } });
      hostAccounts.push({ provider, login: a.login, count: a.count, token, ...(a.state ? { state: a.state, shows: a.shows, prefer: a.prefer } : {}) });
    }
  }
  const picker = await startPickerServer({ port: pickerPort, apiUrl: `http://localhost:${port}`, mockUrl: options.mockUrl }).catch(async (error: unknown) => {
    await stop();
    await Promise.all([store.close(), closeFakes()]);
    throw error;
  });

  return {
    appUrl: `http://localhost:${port}`,
    hosts: Object.fromEntries(fakes) as FakeHosts,
    accounts,
    hostAccounts,
    pickerUrl: picker.url,
    corsOrigins,
    metricsUrl: metricsAddress && typeof metricsAddress === 'object' ? `http://${config.metrics.host}:${metricsAddress.port}/metrics` : undefined,
    async stop() {
      await Promise.all([stop(), picker.close()]);
      await Promise.all([store.close(), closeFakes()]);
    },
  };
}

/**
 * The app's store, opened by the sandbox so that it can seal a token under a former key: the
 * `session_expired` account's GitHub token, at every start and at its first sign-in since the start (the app
 * then answers 401 `SESSION_EXPIRED`, as after a change of `SECRET_KEY`); its next sign-in stores it readably.
 */
async function openSandboxStore(config: Config): Promise<{ store: Store; storage: { store: Store; expire(userId: number, token: { token: string; login: string; scopes: string[] }): Promise<void> } }> {
  const db = await openDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, connectTimeoutMs: config.deadlines.databaseConnectMs, queryTimeoutMs: config.deadlines.databaseQueryMs }).catch((error: unknown) => {
    throw databaseFailure(error, config);
  });
  await migrate(db).catch(async (error: unknown) => {
    await db.close();
    throw databaseFailure(error, config);
  });
  const store = createStore(db, config.secretKey);
  const former = createStore(db, FORMER_SECRET_KEY);
  /** Users whose next GitHub sign-in is sealed under the former key. */
  const sealNext = new Set<number>();
  const put: Store['tokens']['put'] = (userId, provider, input) => {
    if (provider !== 'github' || !sealNext.delete(userId)) return store.tokens.put(userId, provider, input);
    return former.tokens.put(userId, provider, input);
  };
  return {
    store,
    storage: {
      store: { ...store, tokens: { ...store.tokens, put } },
      async expire(userId, token) {
        await former.tokens.put(userId, 'github', token);
        sealNext.add(userId);
      },
    },
  };
}

/** Single quotes: the same line works pasted into bash or zsh (no globbing of `?`, nothing expanded inside). */
export const shellQuote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

/** The banner's copy-paste line for one account: its token against the listing. */
export function curlLine(appUrl: string, token: string): string {
  return `curl -H ${shellQuote(`Authorization: Bearer ${token}`)} ${shellQuote(`${appUrl}/api/v1/repos?per_page=5`)}`;
}
