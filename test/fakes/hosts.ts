/**
 * Each git host's fake, as the test harness and the sandbox start it: one entry per host of the registry
 * (`src/hosts/registry.ts`), so a host without a fake does not compile. Adding a host to the sandbox is its
 * entry's `sandbox` part (its port, its start with the sandbox's accounts, its settings for the app, its
 * state accounts and what it links for each user), not a change to the sandbox.
 */
import type { Provider } from '../../src/contract/types.ts';
import { createStateGraphqlHandler } from './github/graphql.ts';
import { startFakeGitHub, type FakeGitHub, type StartFakeGitHubOptions } from './github/index.ts';
import { startFakeGitVerse, type FakeGitVerse, type StartFakeGitVerseOptions } from './gitverse/index.ts';
import { startFakeGitLab, type FakeGitLab, type StartFakeGitLabOptions } from './gitlab/index.ts';
import { startFakeBitbucket, type FakeBitbucket, type StartFakeBitbucketOptions } from './bitbucket/index.ts';
import { bitbucketSandbox } from './bitbucket/sandbox.ts';
import { githubSandbox } from './github/sandbox.ts';
import { gitlabSandbox } from './gitlab/sandbox.ts';
import { gitverseSandbox } from './gitverse/sandbox.ts';
import type { SandboxHost } from './sandbox.ts';

/** The OAuth app the app under test is registered as, at every fake host that has OAuth. */
export interface FakeOAuthClient {
  id: string;
  secret: string;
}

interface FakeHostEntry<Options, Fake extends { baseUrl: string; close(): Promise<void> }> {
  /** Started for a test, with the options it gives. */
  start(options: Options | undefined, client: FakeOAuthClient): Promise<Fake>;
  /** The app's settings that point it at the fake. */
  env(fake: Fake, client: FakeOAuthClient): Record<string, string>;
  /** Its part of the sandbox (`npm run dev`). */
  sandbox: SandboxHost<Fake>;
}

const github: FakeHostEntry<StartFakeGitHubOptions, FakeGitHub> = {
  async start(options, client) {
    const fake = await startFakeGitHub({ clientId: client.id, clientSecret: client.secret, ...options });
    fake.state.graphql ??= createStateGraphqlHandler(fake.state);
    return fake;
  },
  env: (fake, client) => ({
    GITHUB_API_URL: fake.baseUrl,
    GITHUB_WEB_URL: fake.baseUrl,
    GITHUB_CLIENT_ID: client.id,
    GITHUB_CLIENT_SECRET: client.secret,
  }),
  sandbox: githubSandbox,
};

const gitverse: FakeHostEntry<StartFakeGitVerseOptions, FakeGitVerse> = {
  start: (options) => startFakeGitVerse(options),
  env: (fake) => ({ GITVERSE_API_URL: fake.baseUrl }),
  sandbox: gitverseSandbox,
};

const gitlab: FakeHostEntry<StartFakeGitLabOptions, FakeGitLab> = {
  start: (options, client) => startFakeGitLab({ clientId: client.id, clientSecret: client.secret, ...options }),
  env: (fake, client) => ({
    GITLAB_URL: fake.baseUrl,
    GITLAB_CLIENT_ID: client.id,
    GITLAB_CLIENT_SECRET: client.secret,
  }),
  sandbox: gitlabSandbox,
};

const bitbucket: FakeHostEntry<StartFakeBitbucketOptions, FakeBitbucket> = {
  start: (options, client) => startFakeBitbucket({ clientId: client.id, clientSecret: client.secret, ...options }),
  env: (fake, client) => ({
    BITBUCKET_API_URL: fake.baseUrl,
    BITBUCKET_WEB_URL: fake.baseUrl,
    BITBUCKET_CLIENT_ID: client.id,
    BITBUCKET_CLIENT_SECRET: client.secret,
  }),
  sandbox: bitbucketSandbox,
};

export const FAKE_HOSTS = { github, gitverse, gitlab, bitbucket } satisfies Record<Provider, unknown>;

/** What a test may ask of each host's fake. */
export type FakeHostOptions = { [P in keyof typeof FAKE_HOSTS]?: Parameters<(typeof FAKE_HOSTS)[P]['start']>[0] };
/** Each host's running fake. */
export type FakeHosts = { [P in keyof typeof FAKE_HOSTS]: Awaited<ReturnType<(typeof FAKE_HOSTS)[P]['start']>> };

/** A fake whose kind the caller does not know: what every fake has. */
export type AnyFake = { baseUrl: string; close(): Promise<void> };
type AnyEntry = FakeHostEntry<unknown, AnyFake>;
const entries = () => Object.entries(FAKE_HOSTS) as Array<[Provider, AnyEntry]>;

/** Each host's part of the sandbox, in the registry's order, with the provider it serves. */
export const sandboxHosts = (): Array<[Provider, SandboxHost<AnyFake>]> => entries().map(([provider, entry]) => [provider, entry.sandbox as SandboxHost<AnyFake>]);

/** Starts every host's fake for a test; each host's settings for the app, merged. */
export async function startFakeHosts(options: FakeHostOptions, client: FakeOAuthClient): Promise<{ fakes: FakeHosts; env: Record<string, string> }> {
  const started = await Promise.all(entries().map(async ([provider, entry]) => [provider, await entry.start(options[provider], client)] as const));
  const env = Object.assign({}, ...started.map(([provider, fake]) => (FAKE_HOSTS[provider] as AnyEntry).env(fake, client)));
  return { fakes: Object.fromEntries(started) as FakeHosts, env };
}

/** Closes every fake. */
export const closeFakeHosts = (fakes: FakeHosts) => Promise.all(Object.values(fakes).map((f) => f.close()));
