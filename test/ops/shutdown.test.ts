/**
 * Graceful shutdown of the real process on SIGTERM: readiness answers 503 at once, the request in
 * flight completes, the process exits with 0 once its work is done (or once the deadline closes a
 * request that hangs), and the embedded database is closed cleanly.
 */
import assert from 'node:assert/strict';
import { Agent } from 'node:http';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { generateRepos, startFakeGitHub, type FakeGitHub } from '../fakes/github/index.ts';
import {
  acceptsConnections,
  baseEnv,
  killAll,
  OPS_CLIENT,
  rawGet,
  startAppProcess,
  tempDataDir,
  until,
  within,
  type AppProcess,
  type Exit,
  type RawAnswer,
  type SignedIn,
} from './support.ts';
import { apiClient, signIn } from '../support/client.ts';

/** Three pages of 100 at GitHub: a cold listing takes a few round trips of the fake's latency. */
const FRANK_REPOS = 250;
const LATENCY_MS = 800;

describe('graceful shutdown on SIGTERM (embedded database)', () => {
  const erinRepos = generateRepos(5, { owner: { login: 'erin' }, seed: 21, orgs: [], collaborators: [] });
  const frankRepos = generateRepos(FRANK_REPOS, { owner: { login: 'frank' }, seed: 22 });
  const connectedRepo = erinRepos[0] ?? assert.fail('no fixture');
  let fake: FakeGitHub;
  let data: Awaited<ReturnType<typeof tempDataDir>>;
  let env: Record<string, string>;
  let app: AppProcess;
  let erin: SignedIn;
  let frank: SignedIn;
  // One socket, reused while the server keeps it alive: shows what a keep-alive client can still do.
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  let listing: Promise<RawAnswer>;
  let signalledAt = 0;
  let answeredAt = 0;
  let exit: Exit;
  let exitedAt = 0;

  beforeAll(async () => {
    fake = await startFakeGitHub({
      clientId: OPS_CLIENT.id,
      clientSecret: OPS_CLIENT.secret,
      users: [{ login: 'erin', repos: erinRepos }, { login: 'frank', repos: frankRepos }],
    });
    data = await tempDataDir();
    env = { ...baseEnv(fake.baseUrl), DATA_DIR: data.dataDir };
    app = await startAppProcess(env);
    [erin, frank] = await Promise.all([signIn(app.baseUrl, 'erin'), signIn(app.baseUrl, 'frank')]);
    const made = await apiClient(app.baseUrl, { token: erin.token }).POST('/api/v1/connections', { body: { provider: 'github', repo_id: connectedRepo.id } });
    assert.equal(made.response.status, 201);
  });
  afterAll(async () => {
    agent.destroy();
    await killAll();
    await fake?.close();
    await data?.cleanup();
  });

  test('when SIGTERM arrives during a slow cold listing, then that listing still completes with 200 and every repository', async () => {
    fake.state.latencyMs = LATENCY_MS;
    fake.state.resetCounters();
    listing = rawGet(`${app.baseUrl}/api/v1/repos?per_page=100`, { agent, headers: { authorization: `Bearer ${frank.token}` } });
    await until('the listing reaches GitHub', () => (fake.state.counters.byRoute['/user/repos'] ?? 0) >= 1);
    signalledAt = Date.now();
    app.signal('SIGTERM');
    void app.exited.then((e) => {
      exit = e;
      exitedAt = Date.now();
    });
    await app.waitForLine(/shutting down/);
    assert.ok(app.running(), 'the process waits for the request in flight');

    const ready = await rawGet(`${app.baseUrl}/api/v1/ready`);
    assert.equal(ready.status, 503, 'a load balancer sees the instance leave while it drains');
    assert.deepEqual(JSON.parse(ready.body), { status: 'not_ready', checks: { database: 'ok', cache: 'ok', process: 'stopping' } });
    assert.equal(ready.headers.connection, 'close');

    const answer = await listing;
    answeredAt = Date.now();
    assert.equal(answer.status, 200);
    assert.equal(answer.headers.connection, 'close', 'the answer tells the client not to reuse the connection');
    const body = JSON.parse(answer.body) as { total: number; repositories: unknown[] };
    assert.equal(body.total, FRANK_REPOS);
    assert.equal(body.repositories.length, 100);
    assert.ok(Date.now() - signalledAt >= LATENCY_MS / 2, 'the answer came well after the signal');
  });

  test('once the request in flight is answered, new connections are refused, and the connection of the finished request takes no new request', async () => {
    await until('the listener closes', async () => !(await acceptsConnections(app.port)), 2_000);
    // The agent would reuse the listing's socket if the server had kept it alive.
    await assert.rejects(rawGet(`${app.baseUrl}/api/v1/health`, { agent }), (error: NodeJS.ErrnoException) => {
      assert.equal(error.code, 'ECONNREFUSED', `expected a refused connection, got ${error.code ?? error.message}`);
      return true;
    });
  });

  test('the process exits with code 0 promptly once the request in flight is answered', async () => {
    await within(10_000, 'the exit', app.exited);
    assert.deepEqual(exit, { code: 0, signal: null });
    // Not held open by the kept-alive connection until its idle timeout (5 s after the last answer).
    assert.ok(exitedAt - answeredAt < 4_000, `exited ${exitedAt - answeredAt} ms after the last answer`);
    assert.deepEqual(app.lines.filter((l) => /"level":(50|60)/.test(l)), [], 'no error was logged');
  });

  test('when started again on the same data folder, then it starts cleanly and what was written before the shutdown is there', async () => {
    fake.state.latencyMs = 0;
    const again = await startAppProcess(env);
    const api = apiClient(again.baseUrl, { token: erin.token });
    const connections = await api.GET('/api/v1/connections');
    assert.equal(connections.response.status, 200, 'the session is still there');
    assert.deepEqual(connections.data?.connections.map((c) => c.repo_id), [connectedRepo.id]);
    const list = await api.GET('/api/v1/repos');
    assert.equal(list.data?.repositories.find((r) => r.id === connectedRepo.id)?.is_connected, true);
    assert.deepEqual(await again.stop(), { code: 0, signal: null });
  });
});

describe('graceful shutdown on SIGTERM when a request hangs', () => {
  let fake: FakeGitHub;
  let data: Awaited<ReturnType<typeof tempDataDir>>;
  let app: AppProcess;

  beforeAll(async () => {
    fake = await startFakeGitHub({
      clientId: OPS_CLIENT.id,
      clientSecret: OPS_CLIENT.secret,
      users: [{ login: 'gina', repos: generateRepos(3, { owner: { login: 'gina' }, seed: 23 }) }],
    });
    data = await tempDataDir();
    app = await startAppProcess({ ...baseEnv(fake.baseUrl), DATA_DIR: data.dataDir, SHUTDOWN_TIMEOUT_MS: '1500', GITHUB_TIMEOUT_MS: '60000' });
  });
  afterAll(async () => {
    await killAll();
    await fake?.close();
    await data?.cleanup();
  });

  test('when a listing waits on a git host that does not answer, then the process still exits within the shutdown deadline', async () => {
    const gina = await signIn(app.baseUrl, 'gina');
    fake.state.latencyMs = 60_000;
    const hanging = rawGet(`${app.baseUrl}/api/v1/repos`, { headers: { authorization: `Bearer ${gina.token}` } }).catch((error: Error) => error);
    await until('the listing reaches GitHub', () => (fake.state.counters.byRoute['/user/repos'] ?? 0) >= 1);
    const signalledAt = Date.now();
    app.signal('SIGTERM');
    const exit = await within(10_000, 'the exit', app.exited);
    const took = Date.now() - signalledAt;
    assert.deepEqual(exit, { code: 0, signal: null });
    assert.ok(took >= 1_400 && took < 6_000, `exited ${took} ms after the signal, with a deadline of 1,500 ms`);
    assert.ok((await hanging) instanceof Error, 'the hanging request had its connection closed');
    assert.ok(app.lines.some((l) => /still in flight after 1500 ms/.test(l)), 'the log says why the connection was closed');
  });
});
