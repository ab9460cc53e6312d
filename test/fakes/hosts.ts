/**
 * Each git host's fake, as the test harness and the sandbox start it: one entry per host of the
 * registry (`src/hosts/registry.ts`), so a host without a fake does not compile.
 */
import type { Provider } from '../../src/contract/types.ts';
import type { Store } from '../../src/store/types.ts';
import { KIND_CORPUS } from '../fixtures/kind-corpus.ts';
import { createStateGraphqlHandler } from './github/graphql.ts';
import { generateRepos, startFakeGitHub, type FakeGitHub, type StartFakeGitHubOptions } from './github/index.ts';
import { generateGitVerseRepos, gitverseTokenFor, startFakeGitVerse, type FakeGitVerse, type StartFakeGitVerseOptions } from './gitverse/index.ts';
import { generateProjects, startFakeGitLab, type FakeGitLab, type StartFakeGitLabOptions } from './gitlab/index.ts';
import { linkSandboxBitbucket, startFakeBitbucket, startSandboxBitbucket, type FakeBitbucket, type StartFakeBitbucketOptions } from './bitbucket/index.ts';

/** The OAuth app the app under test is registered as, at every fake host that has OAuth. */
export interface FakeOAuthClient {
  id: string;
  secret: string;
}

export interface SandboxAccountSeed {
  login: string;
  name: string;
  repos: number;
  seed: number;
}

interface FakeHostEntry<Options, Fake extends { baseUrl: string; close(): Promise<void> }> {
  /** Started for a test, with the options it gives. */
  start(options: Options | undefined, client: FakeOAuthClient): Promise<Fake>;
  /** The app's settings that point it at the fake. */
  env(fake: Fake, client: FakeOAuthClient, sandbox?: boolean): Record<string, string>;
  /** Started for the sandbox: its accounts with realistic repositories, at `port` (0: any). */
  sandbox(input: { port: number; latencyMs: number; client: FakeOAuthClient; accounts: readonly SandboxAccountSeed[] }): Promise<Fake>;
  /** Links the host for a sandbox account at its first start, when the fake has that account (the sign-in host links itself). */
  linkSandboxAccount?(store: Store, userId: number, login: string, fake: Fake): Promise<void>;
}

const corpusFiles = (i: number) => ({ ...KIND_CORPUS[i % KIND_CORPUS.length]?.files });

const github: FakeHostEntry<StartFakeGitHubOptions, FakeGitHub> = {
  async start(options, client) {
    const fake = await startFakeGitHub({ clientId: client.id, clientSecret: client.secret, ...options });
    fake.state.graphql ??= createStateGraphqlHandler(fake.state);
    return fake;
  },
  env: (fake, client, sandbox) => ({
    GITHUB_API_URL: fake.baseUrl,
    // In the sandbox the browser goes to the sign-in page by the name it uses for the app's own origin.
    GITHUB_WEB_URL: sandbox ? fake.baseUrl.replace('127.0.0.1', 'localhost') : fake.baseUrl,
    GITHUB_CLIENT_ID: client.id,
    GITHUB_CLIENT_SECRET: client.secret,
    ...(sandbox ? {} : { GITHUB_TIMEOUT_MS: '1000' }),
  }),
  async sandbox({ port, latencyMs, client, accounts }) {
    const fake = await startFakeGitHub({
      port,
      latencyMs,
      clientId: client.id,
      clientSecret: client.secret,
      signInPage: true,
      users: accounts.map((a, n) => ({
        login: a.login,
        name: a.name,
        repos: generateRepos(a.repos, { owner: { login: a.login }, seed: a.seed, files: (_r, i) => corpusFiles(i + n * 5) }),
      })),
    });
    fake.state.graphql = createStateGraphqlHandler(fake.state);
    return fake;
  },
};

const gitverse: FakeHostEntry<StartFakeGitVerseOptions, FakeGitVerse> = {
  start: (options) => startFakeGitVerse(options),
  env: (fake, _client, sandbox) => ({
    GITVERSE_API_URL: fake.baseUrl,
    ...(sandbox ? { GITVERSE_WEB_URL: fake.baseUrl } : { GITVERSE_TIMEOUT_MS: '1000' }),
  }),
  sandbox: ({ port, latencyMs }) =>
    startFakeGitVerse({
      port,
      latencyMs,
      users: [
        { login: 'octocat', full_name: 'Octo Cat', repos: generateGitVerseRepos(60, { owner: { login: 'octocat' }, seed: 43, filesFor: (_r, i) => corpusFiles(i + 11) }) },
        { login: 'hubot', full_name: 'Hubot', scopes: ['public_api'], repos: generateGitVerseRepos(5, { owner: { login: 'hubot' }, seed: 8 }) },
      ],
    }),
  async linkSandboxAccount(store, userId, login) {
    // octocat has GitVerse linked too, so the sandbox's listing shows both hosts.
    if (login !== 'octocat' || (await store.tokens.get(userId, 'gitverse'))) return;
    await store.tokens.put(userId, 'gitverse', { token: gitverseTokenFor(login), login, scopes: ['read:public_api'] });
  },
};

/**
 * The fake GitLab's sandbox accounts: octocat (GitHub's too: one listing shows both hosts), and two who came
 * in by GitLab: one with projects in groups and subgroups over three pages, one with a handful.
 */
export const SANDBOX_GITLAB_ACCOUNTS = [
  { login: 'octocat', name: 'The Octocat', projects: 80, seed: 61, groups: ['octo-org', 'octo-org/web'] },
  { login: 'gitlab-dev', name: 'GitLab Developer', projects: 260, seed: 62, groups: ['acme', 'acme/platform', 'acme/platform/tools', 'open-source'] },
  { login: 'gl-small', name: 'Small Team', projects: 6, seed: 63, groups: ['small-team'] },
] as const;

const gitlab: FakeHostEntry<StartFakeGitLabOptions, FakeGitLab> = {
  start: (options, client) => startFakeGitLab({ clientId: client.id, clientSecret: client.secret, ...options }),
  env: (fake, client, sandbox) => ({
    // In the sandbox the browser meets the fake's pages under localhost, like the fake GitHub's; the app calls its API directly.
    GITLAB_URL: sandbox ? fake.baseUrl.replace('127.0.0.1', 'localhost') : fake.baseUrl,
    GITLAB_API_URL: `${fake.baseUrl}/api/v4`,
    GITLAB_CLIENT_ID: client.id,
    GITLAB_CLIENT_SECRET: client.secret,
    ...(sandbox ? {} : { GITLAB_TIMEOUT_MS: '1000' }),
  }),
  sandbox: ({ port, latencyMs, client }) =>
    startFakeGitLab({
      port,
      latencyMs,
      clientId: client.id,
      clientSecret: client.secret,
      signInPage: true,
      users: SANDBOX_GITLAB_ACCOUNTS.map((a, n) => ({
        login: a.login,
        name: a.name,
        projects: generateProjects(a.projects, { owner: { login: a.login, name: a.name }, seed: a.seed, groups: [...a.groups], files: (_p, i) => corpusFiles(i + 3 + n * 7) }),
      })),
    }),
  async linkSandboxAccount(store, userId, login, fake) {
    // Linked at the first start, as a GitLab sign-in of this user would.
    const account = fake.state.accountByLogin(login);
    if (!account || (await store.tokens.get(userId, 'gitlab'))) return;
    await store.accounts.link(userId, 'gitlab', { id: String(account.user.id), login, name: account.user.name, avatar_url: null });
    await store.tokens.put(userId, 'gitlab', { token: account.token, login, scopes: account.scopes });
  },
};

const bitbucket: FakeHostEntry<StartFakeBitbucketOptions, FakeBitbucket> = {
  start: (options, client) => startFakeBitbucket({ clientId: client.id, clientSecret: client.secret, ...options }),
  env: (fake, client, sandbox) => ({
    BITBUCKET_API_URL: fake.baseUrl,
    // In the sandbox the browser meets the fake's authorize page under localhost, like the fake GitHub's.
    BITBUCKET_WEB_URL: sandbox ? fake.baseUrl.replace('127.0.0.1', 'localhost') : fake.baseUrl,
    BITBUCKET_CLIENT_ID: client.id,
    BITBUCKET_CLIENT_SECRET: client.secret,
    ...(sandbox ? {} : { BITBUCKET_TIMEOUT_MS: '1000' }),
  }),
  sandbox: ({ port, latencyMs, client }) => startSandboxBitbucket({ port, latencyMs, client, files: (i) => corpusFiles(i + 23) }),
  linkSandboxAccount: linkSandboxBitbucket,
};

export const FAKE_HOSTS = { github, gitverse, gitlab, bitbucket } satisfies Record<Provider, unknown>;

/** What a test may ask of each host's fake. */
export type FakeHostOptions = { [P in keyof typeof FAKE_HOSTS]?: Parameters<(typeof FAKE_HOSTS)[P]['start']>[0] };
/** Each host's running fake. */
export type FakeHosts = { [P in keyof typeof FAKE_HOSTS]: Awaited<ReturnType<(typeof FAKE_HOSTS)[P]['start']>> };

type AnyEntry = FakeHostEntry<unknown, { baseUrl: string; close(): Promise<void> }>;
const entries = () => Object.entries(FAKE_HOSTS) as Array<[Provider, AnyEntry]>;

/** Starts every host's fake for a test; each host's settings for the app, merged. */
export async function startFakeHosts(options: FakeHostOptions, client: FakeOAuthClient): Promise<{ fakes: FakeHosts; env: Record<string, string> }> {
  const started = await Promise.all(entries().map(async ([provider, entry]) => [provider, await entry.start(options[provider], client)] as const));
  const env = Object.assign({}, ...started.map(([provider, fake]) => (FAKE_HOSTS[provider] as AnyEntry).env(fake, client)));
  return { fakes: Object.fromEntries(started) as FakeHosts, env };
}

/** Starts every host's fake for the sandbox. */
export async function startSandboxHosts(input: {
  ports: Partial<Record<Provider, number>>;
  latencyMs: number;
  client: FakeOAuthClient;
  accounts: readonly SandboxAccountSeed[];
}): Promise<{ fakes: FakeHosts; env: Record<string, string>; linkAccount(store: Store, userId: number, login: string): Promise<void> }> {
  const started = await Promise.all(
    entries().map(async ([provider, entry]) => [provider, await entry.sandbox({ ...input, port: input.ports[provider] ?? 0 })] as const),
  );
  const env = Object.assign({}, ...started.map(([provider, fake]) => (FAKE_HOSTS[provider] as AnyEntry).env(fake, input.client, true)));
  return {
    fakes: Object.fromEntries(started) as FakeHosts,
    env,
    async linkAccount(store, userId, login) {
      for (const [provider, fake] of started) await (FAKE_HOSTS[provider] as AnyEntry).linkSandboxAccount?.(store, userId, login, fake);
    },
  };
}

/** Closes every fake. */
export const closeFakeHosts = (fakes: FakeHosts) => Promise.all(Object.values(fakes).map((f) => f.close()));
