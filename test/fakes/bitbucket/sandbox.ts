import type { Store } from '../../../src/store/types.ts';
import { corpusFiles, type SandboxHost } from '../sandbox.ts';
import { generateBitbucketRepos } from './generate.ts';
import { startFakeBitbucket, type FakeBitbucket } from './server.ts';

/** The sandbox's Bitbucket: who is a member of which workspace, and how many repositories each holds. */
export const SANDBOX_BITBUCKET_WORKSPACES = [
  { slug: 'octo-org', name: 'Octo Org', members: ['octocat', 'hubot'], repos: 140, seed: 91, ownerType: 'team' },
  { slug: 'octocat', name: 'The Octocat', members: ['octocat'], repos: 12, seed: 92, ownerType: 'user' },
  { slug: 'hubot-labs', name: 'Hubot Labs', members: ['hubot'], repos: 4, seed: 93, ownerType: 'team' },
] as const;

/**
 * A fake Bitbucket for the sandbox: `octocat` in two workspaces (one of more than a page of 100),
 * `hubot` in two; repositories carry `files(i)` so kinds and origins show. The authorize page lets
 * a browser pick the account.
 */
export async function startSandboxBitbucket(options: {
  port: number;
  latencyMs: number;
  client: { id: string; secret: string };
  files: (i: number) => Record<string, string>;
}): Promise<FakeBitbucket> {
  const fake = await startFakeBitbucket({
    port: options.port,
    latencyMs: options.latencyMs,
    clientId: options.client.id,
    clientSecret: options.client.secret,
    signInPage: true,
    users: [
      { login: 'octocat', display_name: 'The Octocat' },
      { login: 'hubot', display_name: 'Hubot' },
    ],
  });
  SANDBOX_BITBUCKET_WORKSPACES.forEach((w, n) => {
    fake.state.addWorkspace({
      slug: w.slug,
      name: w.name,
      members: [...w.members],
      administrators: [w.members[0]],
      repos: generateBitbucketRepos(w.repos, { workspace: w.slug, seed: w.seed, ownerType: w.ownerType, filesFor: (_r, i) => options.files(i + n * 7) }),
    });
  });
  return fake;
}

/** octocat's Bitbucket, linked at the sandbox's first start with an Atlassian API token (`email:token`): two workspaces. */
export async function linkSandboxBitbucket(store: Store, userId: number, login: string, fake: FakeBitbucket): Promise<void> {
  const account = fake.state.accountByLogin(login);
  if (login !== 'octocat' || !account || (await store.tokens.get(userId, 'bitbucket'))) return;
  await store.tokens.put(userId, 'bitbucket', { token: `${account.user.email}:${account.apiToken}`, login, scopes: [] });
}

export const SANDBOX_BITBUCKET_CLIENT = { id: 'sandbox-bitbucket-consumer', secret: 'sandbox-bitbucket-secret' };

/** The sandbox's Bitbucket: the workspaces above, octocat's linked with its Atlassian API token. */
export const bitbucketSandbox: SandboxHost<FakeBitbucket> = {
  displayName: 'Bitbucket',
  port: { variable: 'SANDBOX_BITBUCKET_PORT', offset: 7 },
  signIn: true,
  unit: 'repositories',
  note: "octocat's Atlassian API token is linked: workspaces octo-org and octocat",
  start: ({ port, latencyMs }) => startSandboxBitbucket({ port, latencyMs, client: SANDBOX_BITBUCKET_CLIENT, files: (i) => corpusFiles(i + 23) }),
  env: (fake) => ({
    BITBUCKET_API_URL: fake.baseUrl,
    // The browser meets the fake Bitbucket's authorize page under localhost, like the fake GitHub's.
    BITBUCKET_WEB_URL: fake.baseUrl.replace('127.0.0.1', 'localhost'),
    BITBUCKET_CLIENT_ID: SANDBOX_BITBUCKET_CLIENT.id,
    BITBUCKET_CLIENT_SECRET: SANDBOX_BITBUCKET_CLIENT.secret,
  }),
  link: (fake, store, { id, account }) => linkSandboxBitbucket(store, id, account.login, fake),
};
