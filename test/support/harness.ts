import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp, type App, type AppOverrides } from '../../src/app.ts';
import { answerClientErrors, MAX_HEADER_BYTES } from '../../src/http/client-errors.ts';
import { createApiClient, type RepositoriesApiClient } from '../../src/client/index.ts';
import { loadConfig, type Config } from '../../src/config.ts';
import { loadContract, type ObservedResponse } from './contract.ts';
import { freshEmbeddedStore } from './embedded.ts';
import { startFakeGitverse, type FakeGitverse, type StartFakeGitverseOptions } from '../../src/fakes/gitverse/index.ts';
import { createStateGraphqlHandler } from '../../src/fakes/github/graphql.ts';
import { startFakeGithub, type FakeGithub, type StartFakeGithubOptions } from '../../src/fakes/github/index.ts';

/**
 * Every answer any test gets from an app started here is checked against the spec by a validator
 * independent of the app's own middleware; a violation fails the request (and so the test), and every
 * conforming (operation, status) is recorded for the spec-coverage gate.
 */
const contract = await loadContract();
const appOrigins = new Set<string>();
const plainFetch = globalThis.fetch;

export class ContractViolation extends Error {
  override name = 'ContractViolation';
}

globalThis.fetch = async (input: string | URL | Request, init?: RequestInit) => {
  const request = new Request(input, init);
  const response = await plainFetch(request);
  const url = new URL(request.url);
  if (!appOrigins.has(url.origin)) return response;
  const text = await response.clone().text();
  const type = response.headers.get('content-type') ?? '';
  const body = text === '' ? undefined : /json/.test(type) ? (JSON.parse(text) as unknown) : text;
  checkAnswer({ method: request.method, path: url.pathname + url.search, status: response.status, headers: response.headers, body });
  return response;
};

/**
 * The check every answer from a test app goes through (the `fetch` above calls it): throws a
 * ContractViolation when the answer disagrees with the spec, and records a conforming pair for the
 * coverage gate. For tests that talk to an app without `fetch`.
 */
export function checkAnswer(observed: ObservedResponse): void {
  const { errors } = contract.check(observed);
  if (errors.length) {
    const path = new URL(observed.path, 'http://contract.invalid').pathname;
    throw new ContractViolation(`${observed.method} ${path} answered ${observed.status} against the spec:\n  ${errors.join('\n  ')}`);
  }
}

export const TEST_CLIENT = { id: 'Iv1.testclient', secret: 'test-client-secret-0123456789' };

export interface TestApp {
  baseUrl: string;
  app: App;
  fake: FakeGithub;
  gitverse: FakeGitverse;
  /** A client without credentials. */
  anonymous: RepositoriesApiClient;
  client(token: string): RepositoriesApiClient;
  /** Signs in through the real OAuth round trip with the fake GitHub. */
  signIn(login: string): Promise<SignedIn>;
  close(): Promise<void>;
}

export interface SignedIn {
  token: string;
  /** `__Host-rapi_session=…`, ready for a Cookie header. */
  cookie: string;
  userId: number;
  api: RepositoriesApiClient;
}

const cookieOf = (res: Response, name: string): string | undefined =>
  res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0] ?? '')
    .find((c) => c.startsWith(`${name}=`) && c.length > name.length + 1);

export async function signInThrough(baseUrl: string, login: string): Promise<{ token: string; cookie: string; userId: number }> {
  const start = await fetch(`${baseUrl}/api/v1/auth/github/login`, { redirect: 'manual' });
  const oauthCookie = cookieOf(start, '__Host-rapi_oauth');
  const authorize = new URL(start.headers.get('location') ?? '');
  authorize.searchParams.set('login', login);
  const approved = await fetch(authorize, { redirect: 'manual' });
  const callback = approved.headers.get('location');
  if (approved.status !== 302 || !callback || !oauthCookie) throw new Error(`sign-in did not reach the callback (${approved.status})`);
  const done = await fetch(callback, { headers: { cookie: oauthCookie } });
  if (done.status !== 200) throw new Error(`sign-in failed: ${done.status} ${await done.text()}`);
  const body = (await done.json()) as { access_token: string; user: { id: number } };
  const cookie = cookieOf(done, '__Host-rapi_session');
  if (!cookie) throw new Error('sign-in set no session cookie');
  return { token: body.access_token, cookie, userId: body.user.id };
}

/** The real app on an ephemeral port, with the fake GitHub on another, and a fresh embedded database. */
export async function startTestApp(
  options: { fake?: StartFakeGithubOptions; gitverse?: StartFakeGitverseOptions; config?: Partial<Config>; env?: Record<string, string>; overrides?: AppOverrides } = {},
): Promise<TestApp> {
  const fake = await startFakeGithub({ clientId: TEST_CLIENT.id, clientSecret: TEST_CLIENT.secret, ...options.fake });
  fake.state.graphql ??= createStateGraphqlHandler(fake.state);
  const gitverse = await startFakeGitverse(options.gitverse);
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
  const client = (token: string) => createApiClient({ baseUrl, token });
  return {
    baseUrl,
    app,
    fake,
    gitverse,
    anonymous: createApiClient({ baseUrl }),
    client,
    async signIn(login) {
      const signed = await signInThrough(baseUrl, login);
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
    },
  };
}
