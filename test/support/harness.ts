import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp, type App, type AppOverrides } from '../../src/app.ts';
import { answerClientErrors, MAX_HEADER_BYTES } from '../../src/http/client-errors.ts';
import { createApiClient, type RepositoriesApiClient } from '../../src/client/index.ts';
import { loadConfig, type Config } from '../../src/config.ts';
import { checkedFetch } from './checked.ts';
import { signInThrough, type SignedIn as SignedInThrough } from './sign-in.ts';
import { freshEmbeddedStore } from './embedded.ts';
import { startFakeGitVerse, type FakeGitVerse, type StartFakeGitVerseOptions } from '../fakes/gitverse/index.ts';
import { createStateGraphqlHandler } from '../fakes/github/graphql.ts';
import { startFakeGitHub, type FakeGitHub, type StartFakeGitHubOptions } from '../fakes/github/index.ts';
import { startFakeGitLab, type FakeGitLab, type StartFakeGitLabOptions } from '../fakes/gitlab/index.ts';

/** Origins of the apps running in this process: answers from them are checked against the spec. */
const appOrigins = new Set<string>();

/**
 * A fetch for tests: every answer from an app started here is checked against the spec (see
 * checked.ts), and answers from anything else (the fake git hosts) pass as they are.
 */
export const appFetch = checkedFetch({ origins: appOrigins });

export const TEST_CLIENT = { id: 'Iv1.testclient', secret: 'test-client-secret-0123456789' };
/** The fake GitLab's OAuth application. */
export const TEST_GITLAB_CLIENT = { id: 'gitlab-test-application-id', secret: 'gitlab-test-application-secret' };

export interface TestApp {
  baseUrl: string;
  app: App;
  fake: FakeGitHub;
  gitverse: FakeGitVerse;
  gitlab: FakeGitLab;
  /** A client without credentials. */
  anonymous: RepositoriesApiClient;
  client(token: string): RepositoriesApiClient;
  /** Signs in through the real OAuth round trip with the fake GitHub. */
  signIn(login: string): Promise<SignedIn>;
  close(): Promise<void>;
}

export interface SignedIn extends SignedInThrough {
  api: RepositoriesApiClient;
}

/** The real app on an ephemeral port, with the fake GitHub on another, and a fresh embedded database. */
export async function startTestApp(
  options: { fake?: StartFakeGitHubOptions; gitverse?: StartFakeGitVerseOptions; gitlab?: StartFakeGitLabOptions; config?: Partial<Config>; env?: Record<string, string>; overrides?: AppOverrides } = {},
): Promise<TestApp> {
  const fake = await startFakeGitHub({ clientId: TEST_CLIENT.id, clientSecret: TEST_CLIENT.secret, ...options.fake });
  fake.state.graphql ??= createStateGraphqlHandler(fake.state);
  const gitverse = await startFakeGitVerse(options.gitverse);
  const gitlab = await startFakeGitLab({ clientId: TEST_GITLAB_CLIENT.id, clientSecret: TEST_GITLAB_CLIENT.secret, ...options.gitlab });
  const server: Server = createServer({ maxHeaderSize: MAX_HEADER_BYTES });
  answerClientErrors(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  appOrigins.add(baseUrl);
  const config = loadConfig(
    {
      NODE_ENV: 'test',
      DATA_DIR: 'memory://',
      GITHUB_API_URL: fake.baseUrl,
      GITHUB_WEB_URL: fake.baseUrl,
      GITHUB_CLIENT_ID: TEST_CLIENT.id,
      GITHUB_CLIENT_SECRET: TEST_CLIENT.secret,
      GITHUB_TIMEOUT_MS: '1000',
      GITVERSE_API_URL: gitverse.baseUrl,
      GITVERSE_TIMEOUT_MS: '1000',
      GITLAB_URL: gitlab.baseUrl,
      GITLAB_CLIENT_ID: TEST_GITLAB_CLIENT.id,
      GITLAB_CLIENT_SECRET: TEST_GITLAB_CLIENT.secret,
      GITLAB_TIMEOUT_MS: '1000',
      PUBLIC_URL: baseUrl,
      // Most suites refresh to reach a fault they just planted; the bound on refreshes is tested on its own.
      REFRESH_MIN_INTERVAL_SECONDS: '0',
      ...options.env,
    },
    options.config,
  );
  // A throwaway embedded database starts from a migrated snapshot; any other storage is opened by the app.
  const ownStore = !options.overrides?.store && config.dataDir.startsWith('memory://') && !config.databaseUrl
    ? await freshEmbeddedStore(config.secretKey)
    : undefined;
  const app = await createApp(config, { ...options.overrides, ...(ownStore ? { store: ownStore } : {}) });
  server.on('request', app.app);
  const client = (token: string) => createApiClient({ baseUrl, token, fetch: appFetch });
  return {
    baseUrl,
    app,
    fake,
    gitverse,
    gitlab,
    anonymous: createApiClient({ baseUrl, fetch: appFetch }),
    client,
    async signIn(login) {
      const signed = await signInThrough(baseUrl, login, { appFetch });
      return { ...signed, api: client(signed.token) };
    },
    async close() {
      appOrigins.delete(baseUrl);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await app.close();
      await ownStore?.close();
      await fake.close();
      await gitverse.close();
      await gitlab.close();
    },
  };
}
