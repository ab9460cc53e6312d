import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp, type App, type AppOverrides } from '../../src/app.ts';
import { answerClientErrors, serverOptions } from '../../src/http/client-errors.ts';
import { apiClient, createApiClient, signIn, type RepositoriesApiClient } from './client.ts';
import { loadConfig, type Config } from '../../src/config.ts';
import { checkedFetch } from './checked.ts';
import type { SignedIn as SignedInThrough } from './sign-in.ts';
import { freshEmbeddedStore } from './embedded.ts';
import type { FakeGitVerse, StartFakeGitVerseOptions } from '../fakes/gitverse/index.ts';
import type { FakeGitHub, StartFakeGitHubOptions } from '../fakes/github/index.ts';
import { closeFakeHosts, startFakeHosts, type FakeHostOptions, type FakeHosts } from '../fakes/hosts.ts';

/** Origins of the apps running in this process: answers from them are checked against the spec. */
const appOrigins = new Set<string>();

/**
 * A fetch for tests: every answer from an app started here is checked against the spec (see
 * checked.ts), and answers from anything else (the fake git hosts) pass as they are.
 */
export const appFetch = checkedFetch({ origins: appOrigins });

export const TEST_CLIENT = { id: 'Iv1.testclient', secret: 'test-client-secret-0123456789' };

export interface TestApp {
  baseUrl: string;
  app: App;
  /** Every host's fake (`test/fakes/hosts.ts`). */
  fakes: FakeHosts;
  /** Shorthands for the two first hosts' fakes. */
  fake: FakeGitHub;
  gitverse: FakeGitVerse;
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

/** The real app on an ephemeral port, with every host's fake on others, and a fresh embedded database. */
export async function startTestApp(
  options: {
    /** Options of each host's fake. */
    hosts?: FakeHostOptions;
    /** Shorthands for `hosts.github` and `hosts.gitverse`. */
    fake?: StartFakeGitHubOptions;
    gitverse?: StartFakeGitVerseOptions;
    config?: Partial<Config>;
    env?: Record<string, string>;
    overrides?: AppOverrides;
  } = {},
): Promise<TestApp> {
  const { fakes, env: hostEnv } = await startFakeHosts(
    { ...options.hosts, ...(options.fake ? { github: options.fake } : {}), ...(options.gitverse ? { gitverse: options.gitverse } : {}) },
    TEST_CLIENT,
  );
  const { github: fake, gitverse } = fakes;
  // The server the app runs on in production; its bounds on slow clients are set once the configuration is known.
  const server: Server = createServer(serverOptions(loadConfig({}).clientTimeouts));
  answerClientErrors(server);
  // The server never closes an idle kept-alive connection itself; the client does (fetch after 4 s).
  // Both run in this one process: when its event loop stalls (a busy machine), the server's idle timer
  // could fire after the client had already picked the connection for its next request, which then
  // fails with ECONNRESET. A deployed server keeps its timeout; `close()` ends these connections.
  server.keepAliveTimeout = 0;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  appOrigins.add(baseUrl);
  const config = loadConfig(
    {
      NODE_ENV: 'test',
      DATA_DIR: 'memory://',
      ...hostEnv,
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
  const bounds = serverOptions(config.clientTimeouts);
  server.headersTimeout = bounds.headersTimeout;
  server.requestTimeout = bounds.requestTimeout;
  server.on('request', app.app);
  const client = (token: string) => apiClient(baseUrl, { token }, { fetch: appFetch });
  return {
    baseUrl,
    app,
    fakes,
    fake,
    gitverse,
    anonymous: createApiClient({ baseUrl, fetch: appFetch }),
    client,
    async signIn(login) {
      const signed = await signIn(baseUrl, login, { fetch: appFetch });
      return { ...signed, api: client(signed.token) };
    },
    async close() {
      appOrigins.delete(baseUrl);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await app.close();
      await ownStore?.close();
      await closeFakeHosts(fakes);
    },
  };
}
