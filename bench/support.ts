/**
 * What the three benchmark parts share: the fake GitHub, the real app in this process, sign-in
 * through the real OAuth flow (the tests' own, without their contract check), the app's cache keys,
 * load runs with autocannon, and formatting.
 */
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { createApp, type App, type AppOverrides } from '../src/app.ts';
import { loadConfig, type Config } from '../src/config.ts';
import { Worker } from 'node:worker_threads';
import { tokenFor, type FakeCounters, type FakeUserInput } from '../test/fakes/github/index.ts';
import { signInThrough } from '../test/support/sign-in.ts';
import type { ClientWorkerAnswer, ClientWorkerRequest } from './client-worker.ts';
import type { FakeWorkerData, FakeWorkerRequest } from './fake-worker.ts';
import type { ProxyWorkerData } from './proxy-worker.ts';

export const CLIENT = { id: 'Iv1.bench', secret: 'bench-client-secret-0123456789' };
/** A fresh key per run: nothing the benchmark stores outlives it. */
export const SECRET_KEY = randomBytes(32).toString('hex');

/** App settings a caller may set in the environment to benchmark another configuration. */
const PASSED_THROUGH = ['GITHUB_CONCURRENCY', 'DETECTION_BUDGET_MS', 'GITHUB_TIMEOUT_MS', 'LISTING_CACHE_TTL_SECONDS'] as const;

export interface RunOptions {
  quick: boolean;
  latencyMs: number;
  soakSeconds: number;
}

/** One line of the final summary. */
export interface TargetResult {
  part: 'A' | 'B' | 'C' | 'D' | 'G';
  name: string;
  measured: string;
  target: string;
  /** undefined: could not be measured in this run. */
  met: boolean | undefined;
}

// ------------------------------------------------------------------ fake GitHub and app

/** The fake GitHub running in a worker thread, as the bench sees it. */
export interface FakeHost {
  baseUrl: string;
  counters(): Promise<FakeCounters>;
  resetCounters(): Promise<void>;
  close(): Promise<void>;
}

export async function startFake(users: FakeUserInput[], latencyMs: number, orgs: FakeWorkerData['orgs'] = []): Promise<FakeHost> {
  const worker = new Worker(new URL('./fake-worker.ts', import.meta.url), {
    workerData: { users, orgs, latencyMs, clientId: CLIENT.id, clientSecret: CLIENT.secret } satisfies FakeWorkerData,
  });
  const waiting = new Map<number, (counters: FakeCounters) => void>();
  let nextId = 0;
  const baseUrl = await new Promise<string>((resolve, reject) => {
    worker.once('error', reject);
    worker.on('message', (msg: { ready?: string; id?: number; counters?: FakeCounters }) => {
      if (msg.ready) resolve(msg.ready);
      if (msg.id !== undefined && msg.counters) {
        waiting.get(msg.id)?.(msg.counters);
        waiting.delete(msg.id);
      }
    });
  });
  const ask = (cmd: FakeWorkerRequest['cmd']) =>
    new Promise<FakeCounters>((resolve) => {
      const id = nextId++;
      waiting.set(id, resolve);
      worker.postMessage({ id, cmd } satisfies FakeWorkerRequest);
    });
  return {
    baseUrl,
    counters: () => ask('counters'),
    resetCounters: async () => void (await ask('reset')),
    async close() {
      await ask('close');
      await worker.terminate();
    },
  };
}

/**
 * The environment the app gets in every part: production settings, the fake GitHub as its git host,
 * our own rate limits out of the way (the load comes from one address and a few users), quiet logs.
 */
export function appEnv(fakeUrl: string, publicUrl: string, extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {
    NODE_ENV: 'production',
    // Any free port: the benchmark scrapes the soak's metrics on a port it picks itself.
    METRICS_PORT: '0',
    SECRET_KEY,
    LOG_LEVEL: 'silent',
    DATA_DIR: 'memory://',
    DATABASE_URL: '',
    REDIS_URL: '',
    PUBLIC_URL: publicUrl,
    // The bench reaches the app on loopback over plain http.
    ALLOW_HTTP_PUBLIC_URL: 'true',
    GITHUB_API_URL: fakeUrl,
    GITHUB_WEB_URL: fakeUrl,
    GITHUB_CLIENT_ID: CLIENT.id,
    GITHUB_CLIENT_SECRET: CLIENT.secret,
    RATE_LIMIT_PER_USER: '1000000000',
    RATE_LIMIT_PER_ADDRESS: '1000000000',
    // The listing rows measure reads of the git host with refresh=true: no refresh may be served from the last read.
    REFRESH_MIN_INTERVAL_SECONDS: '0',
  };
  for (const name of PASSED_THROUGH) {
    const value = process.env[name];
    if (value) env[name] = value;
  }
  return { ...env, ...extra };
}

export interface RunningApp {
  baseUrl: string;
  app: App;
  config: Config;
  close(): Promise<void>;
}

/** The real app on an ephemeral loopback port in this process, as the tests run it. */
export async function startApp(fake: FakeHost, extra: Record<string, string> = {}, overrides: AppOverrides = {}): Promise<RunningApp> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const config = loadConfig(appEnv(fake.baseUrl, baseUrl, extra));
  const app = await createApp(config, overrides);
  server.on('request', app.app);
  return {
    baseUrl,
    app,
    config,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await app.close();
    },
  };
}

export interface SignedIn {
  login: string;
  /** Our bearer token. */
  token: string;
  userId: number;
  /** The fake GitHub token stored for the user. */
  githubToken: string;
}

/** The real OAuth web flow, as the tests sign in (test/support/sign-in.ts), without their contract check. */
export async function signIn(baseUrl: string, login: string): Promise<SignedIn> {
  const { token, userId } = await signInThrough(baseUrl, login);
  return { login, token, userId, githubToken: tokenFor(login) };
}

/** A user listed only to warm the app's code paths (validators compile on first use, JIT), so "cold" means cold caches. */
export const WARMUP_LOGIN = 'bench-warmup';

export async function warmUpCode(app: RunningApp): Promise<void> {
  const user = await signIn(app.baseUrl, WARMUP_LOGIN);
  for (const refresh of [true, true, false, false]) await getRepos(app.baseUrl, user.token, refresh ? { refresh: 'true' } : {});
}

// ------------------------------------------------------------------ the app's cache keys

/**
 * The keys `src/hosts/github/source.ts` and `src/listing/service.ts` use in the app's cache.
 * Kept in one place here; the listing part checks that clearing them had the expected effect.
 */
export function userCacheKeys(user: SignedIn) {
  const tokenTag = createHash('sha256').update(user.githubToken).digest('base64url').slice(0, 16);
  return {
    pageCount: `ghpages:${user.userId}`,
    page: (n: number) => `ghpage:v2:${user.userId}:${tokenTag}:${n}`,
    /** The listing and its stamp. */
    listing: [`listing:v2:${user.userId}:github`, `listing:v2:${user.userId}:github:stamp`],
  };
}

// ------------------------------------------------------------------ requests

export interface Timed<T> {
  ms: number;
  status: number;
  body: T;
}

/** `GET /api/v1/repos` with the whole body read, so the time covers the full answer. */
export async function getRepos(baseUrl: string, token: string, query: Record<string, string> = {}): Promise<Timed<RepoListBody>> {
  const url = `${baseUrl}/api/v1/repos${Object.keys(query).length ? `?${new URLSearchParams(query)}` : ''}`;
  const t0 = performance.now();
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  const text = await res.text();
  const ms = performance.now() - t0;
  if (res.status !== 200) throw new Error(`listing answered ${res.status}: ${text.slice(0, 300)}`);
  return { ms, status: res.status, body: JSON.parse(text) as RepoListBody };
}

export interface RepoListBody {
  total: number;
  repositories: Array<{ id: number; kind: string; reason: string; kind_pending?: boolean; origin?: string | null }>;
}

/** A page of a listing in the fake GitHub, asked for as the app asks for it, without the page number. */
const fakePagesUrl = (fake: FakeHost) =>
  `${fake.baseUrl}/user/repos?affiliation=owner,collaborator,organization_member&sort=full_name&direction=asc&per_page=100&page=`;
/** Page `n` of a listing in the fake GitHub. */
const fakePageUrl = (fake: FakeHost, n: number) => `${fakePagesUrl(fake)}${n}`;

/** GitHub's `GET /user/repos` page 1 of 100, straight to the fake: what one listing request costs there. */
export async function fakeRoundTrip(fake: FakeHost, githubToken: string): Promise<number> {
  const url = fakePageUrl(fake, 1);
  const t0 = performance.now();
  const res = await fetch(url, { headers: { authorization: `bearer ${githubToken}` } });
  await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`the fake GitHub answered ${res.status}`);
  return performance.now() - t0;
}

/**
 * The least any app could do between the timing client and the fake: a bare `node:http` server that
 * reads the listing's pages on the app's schedule and parses each (`bench/proxy-worker.ts`). It runs
 * on a thread of its own: on the app's, the garbage of the pages it parsed went to the app's next
 * measured listing. Asked as the app is (`timing.getRepos`), with the user's GitHub token as the
 * bearer token and `pages`, `first=1` (page 1 alone first) in the query.
 */
export async function startBareProxy(fake: FakeHost, concurrency: number): Promise<{ baseUrl: string; close(): Promise<void> }> {
  const worker = new Worker(new URL('./proxy-worker.ts', import.meta.url), {
    workerData: { pageUrl: fakePagesUrl(fake), concurrency } satisfies ProxyWorkerData,
  });
  const baseUrl = await new Promise<string>((resolve, reject) => {
    worker.once('error', reject);
    worker.once('message', (msg: { ready: string }) => resolve(msg.ready));
  });
  return { baseUrl, close: () => worker.terminate().then(() => undefined) };
}

/** Waits until the fake has had nothing in flight and no new request for `quietMs` (background work done), at most `limitMs`. */
export async function fakeQuiet(fake: FakeHost, quietMs = 300, limitMs = 20_000): Promise<boolean> {
  const until = Date.now() + limitMs;
  let lastTotal = -1;
  let quietSince = Date.now();
  while (Date.now() < until) {
    const { total, inFlight } = await fake.counters();
    if (total !== lastTotal || inFlight > 0) {
      lastTotal = total;
      quietSince = Date.now();
    } else if (Date.now() - quietSince >= quietMs) {
      return true;
    }
    await sleep(25);
  }
  return false;
}

/**
 * Waits until this thread's event loop has been nearly idle for a moment. When a load run ends, the
 * requests it had in flight are still being served (at 5,000 repositories 50 of them take seconds),
 * and whatever is measured next would pay for them. The apps of parts A and B run on this loop.
 */
export async function settle(limitMs = 60_000): Promise<void> {
  const until = Date.now() + limitMs;
  while (Date.now() < until) {
    const before = performance.eventLoopUtilization();
    await sleep(200);
    if (performance.eventLoopUtilization(before).utilization < 0.05) return;
  }
}

// ------------------------------------------------------------------ the timing client in a worker thread

/** Timed requests made from a worker thread (`client-worker.ts`): see there why. */
export interface TimingClient {
  /** `GET /api/v1/repos`, timed until its last byte arrived. */
  getRepos(baseUrl: string, token: string, query?: Record<string, string>): Promise<Timed<RepoListBody>>;
  /** Every page of a listing straight from the fake, on the app's schedule: what the fake alone allows. */
  fakeListing(fake: FakeHost, githubToken: string, pages: number, concurrency: number, firstAlone: boolean): Promise<number>;
  /** One page of 100 straight from the fake. */
  fakeRoundTrip(fake: FakeHost, githubToken: string): Promise<number>;
  /** The sequential baseline: every page one after another, as Octokit's `paginate` reads them. */
  sequentialListing(fake: FakeHost, githubToken: string): Promise<{ ms: number; count: number }>;
  /** Any host's pages straight from its fake: rounds one after another, at most `concurrency` pages of a round at once. */
  pages(rounds: string[][], headers: Record<string, string>, concurrency: number): Promise<number>;
  close(): Promise<void>;
}

export async function startTimingClient(): Promise<TimingClient> {
  const worker = new Worker(new URL('./client-worker.ts', import.meta.url));
  const waiting = new Map<number, (answer: ClientWorkerAnswer) => void>();
  let nextId = 0;
  await new Promise<void>((resolve, reject) => {
    worker.once('error', reject);
    worker.on('message', (msg: ClientWorkerAnswer & { ready?: boolean }) => {
      if (msg.ready) return resolve();
      waiting.get(msg.id)?.(msg);
      waiting.delete(msg.id);
    });
  });
  const ask = (request: DistributiveOmit<ClientWorkerRequest, 'id'>) =>
    new Promise<ClientWorkerAnswer>((resolve, reject) => {
      const id = nextId++;
      waiting.set(id, (answer) => (answer.error ? reject(new Error(answer.error)) : resolve(answer)));
      worker.postMessage({ ...request, id });
    });
  const pages = async (fake: FakeHost, githubToken: string, rounds: number[][], concurrency: number) =>
    (await ask({ cmd: 'pages', urls: rounds.map((r) => r.map((n) => fakePageUrl(fake, n))), headers: { authorization: `bearer ${githubToken}` }, concurrency })).ms!;
  return {
    async getRepos(baseUrl, token, query = {}) {
      const url = `${baseUrl}/api/v1/repos${Object.keys(query).length ? `?${new URLSearchParams(query)}` : ''}`;
      const { ms, status, text = '' } = await ask({ cmd: 'get', url, headers: { authorization: `Bearer ${token}` } });
      if (status !== 200) throw new Error(`listing answered ${status}: ${text.slice(0, 300)}`);
      return { ms: ms!, status, body: JSON.parse(text) as RepoListBody };
    },
    fakeListing: (fake, githubToken, count, concurrency, firstAlone) => {
      const all = Array.from({ length: count }, (_, i) => i + 1);
      return pages(fake, githubToken, firstAlone ? [all.slice(0, 1), all.slice(1)] : [all], concurrency);
    },
    fakeRoundTrip: (fake, githubToken) => pages(fake, githubToken, [[1]], 1),
    async sequentialListing(fake, githubToken) {
      const { ms, count = 0 } = await ask({ cmd: 'sequential', apiUrl: fake.baseUrl, token: githubToken });
      return { ms: ms!, count };
    },
    pages: async (rounds, headers, concurrency) => (await ask({ cmd: 'pages', urls: rounds, headers, concurrency })).ms!,
    close: () => worker.terminate().then(() => undefined),
  };
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

// ------------------------------------------------------------------ autocannon in its own process

export interface LoadResult {
  requests: number;
  seconds: number;
  rps: number;
  p50: number;
  p99: number;
  /** Connection errors, timeouts included. */
  errors: number;
  timeouts: number;
  non2xx: number;
}

interface AutocannonJson {
  requests: { total: number };
  latency: { p50: number; p99: number };
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
}

const autocannonCli = createRequire(import.meta.url).resolve('autocannon');

/**
 * One autocannon run from a separate process, so the load generator does not share the event loop
 * (and its CPU time) with the app it measures. Latencies come in whole milliseconds.
 */
export function loadFromChild(
  url: string,
  headers: Record<string, string>,
  connections: number,
  seconds: number,
  timeoutSeconds = 60,
): Promise<LoadResult> {
  const args = [autocannonCli, '-j', '-n', '-c', String(connections), '-d', String(seconds), '-t', String(timeoutSeconds)];
  for (const [k, v] of Object.entries(headers)) args.push('-H', `${k}=${v}`);
  args.push(url);
  return new Promise((resolve, reject) => {
    // PORT would make autocannon rewrite the URL; nothing else of ours is needed there.
    const { PORT: _port, ...env } = process.env;
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-2_000)));
    // Bounded: the run's own duration plus start-up and the request timeout.
    const killer = setTimeout(() => child.kill('SIGKILL'), (seconds + timeoutSeconds + 30) * 1000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(killer);
      const line = out.trim().split('\n').pop() ?? '';
      try {
        const r = JSON.parse(line) as AutocannonJson;
        resolve({
          requests: r.requests.total,
          seconds: r.duration,
          rps: r.requests.total / Math.max(r.duration, 0.001),
          p50: r.latency.p50,
          p99: r.latency.p99,
          errors: r.errors,
          timeouts: r.timeouts,
          non2xx: r.non2xx,
        });
      } catch {
        reject(new Error(`autocannon gave no result (exit ${code}): ${err.trim().slice(-500)}`));
      }
    });
  });
}

/** Several runs of one target read as one: requests summed, percentiles the worst run's. */
export function combineLoads(runs: LoadResult[]): LoadResult {
  const requests = runs.reduce((s, r) => s + r.requests, 0);
  const seconds = runs.reduce((s, r) => s + r.seconds, 0);
  return {
    requests,
    seconds,
    rps: requests / Math.max(seconds, 0.001),
    p50: Math.max(...runs.map((r) => r.p50)),
    p99: Math.max(...runs.map((r) => r.p99)),
    errors: runs.reduce((s, r) => s + r.errors, 0),
    timeouts: runs.reduce((s, r) => s + r.timeouts, 0),
    non2xx: runs.reduce((s, r) => s + r.non2xx, 0),
  };
}

// ------------------------------------------------------------------ numbers and text

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function median(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number;
}

export const ms = (v: number) => (Number.isFinite(v) ? (v >= 100 ? `${Math.round(v)} ms` : `${v.toFixed(1)} ms`) : 'n/a');
export const ratio = (v: number) => (Number.isFinite(v) ? `${v.toFixed(2)}×` : 'n/a');
export const count = (v: number) => v.toLocaleString('en-US');
export const mib = (bytes: number) => (Number.isFinite(bytes) ? `${(bytes / 1024 / 1024).toFixed(1)} MiB` : 'n/a');
export const pct = (v: number) => (Number.isFinite(v) ? `${(v * 100).toFixed(1)}%` : 'n/a');

/** A plain table: first column left-aligned, the others right-aligned. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

export function heading(text: string): void {
  process.stdout.write(`\n${text}\n${'='.repeat(text.length)}\n`);
}

export function say(text = ''): void {
  process.stdout.write(`${text}\n`);
}
