/**
 * What the operations tests share: the real server started as a child process (as operators run it),
 * a fetch that checks every answer of such a process against the spec, sign-in through the fake
 * GitHub's OAuth flow, and isolated PostgreSQL schemas and Redis databases.
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { cp, mkdtemp, rename, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { PGlite } from '@electric-sql/pglite';
import { Redis } from 'ioredis';
import pg from 'pg';
import { freePort } from '../support/ports.ts';
import { TEST_DATABASE_URL, TEST_SECRET_KEY, testDatabases } from '../support/databases.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const COMPILE_CACHE = join(ROOT, '.test-out/compile-cache');
const SERVER = fileURLToPath(new URL('../../src/server.ts', import.meta.url));

export const OPS_CLIENT = { id: 'Iv1.opsclient', secret: 'ops-client-secret-0123456789' };
export { TEST_SECRET_KEY };

/**
 * Generous: a start costs about 6 s of CPU (TypeScript, initdb of a fresh embedded database), and with two
 * test runs at once on two cores a process gets a seventh of a core; starts have taken over 60 s then.
 */
const START_TIMEOUT_MS = 150_000;

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Rejects when `promise` has not settled within `ms`. */
export async function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** Polls `check` every 20 ms until it holds; bounded in time. */
export async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not reached within ${timeoutMs} ms`);
    await sleep(20);
  }
}

/** Whether a new TCP connection to the port is accepted right now. */
export function acceptsConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.setTimeout(2_000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface AppProcess {
  readonly baseUrl: string;
  readonly port: number;
  readonly pid: number;
  /** Every line the process wrote to stdout and stderr, in arrival order. */
  readonly lines: string[];
  /** Settles once the process has exited and its output is read to the end. */
  readonly exited: Promise<Exit>;
  running(): boolean;
  signal(signal: NodeJS.Signals): void;
  /** SIGTERM, then the exit (bounded); SIGKILL when the process does not go in time. */
  stop(timeoutMs?: number): Promise<Exit>;
  /** The first line matching, waiting for it when it has not come yet (bounded). */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<string>;
}

/** Processes started and not yet seen exiting, so `killAll` can clean up after a failed test. */
const live = new Set<AppProcess>();

/** The settings every child gets; nothing is inherited from the test's own environment but the basics. */
export function baseEnv(githubUrl: string): Record<string, string> {
  return {
    NODE_ENV: 'test',
    LOG_LEVEL: 'info',
    HOST: '127.0.0.1',
    SECRET_KEY: TEST_SECRET_KEY,
    GITHUB_API_URL: githubUrl,
    GITHUB_WEB_URL: githubUrl,
    GITHUB_CLIENT_ID: OPS_CLIENT.id,
    GITHUB_CLIENT_SECRET: OPS_CLIENT.secret,
    GITHUB_TIMEOUT_MS: '3000',
    // Nothing should call GitVerse here; if something does, it fails at once on loopback.
    GITVERSE_API_URL: 'http://127.0.0.1:9',
    GITVERSE_WEB_URL: 'http://127.0.0.1:9',
    RATE_LIMIT_PER_USER: '100000',
    RATE_LIMIT_PER_ADDRESS: '100000',
    // Any free port, so processes started side by side do not meet on the default one.
    METRICS_PORT: '0',
    // These suites refresh to reach a fault they just planted; the bound on refreshes is tested on its own.
    REFRESH_MIN_INTERVAL_SECONDS: '0',
  };
}

/**
 * Starts `src/server.ts` as its own process with exactly `env` (plus PATH, HOME and the compile cache) and resolves once
 * it logs that it listens. A port taken between choosing and listening is retried with another one.
 */
export async function startAppProcess(env: Record<string, string>): Promise<AppProcess> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(env);
    } catch (error) {
      if (attempt >= 3 || !(error instanceof PortTaken)) throw error;
    }
  }
}

class PortTaken extends Error {}

async function startOnce(appEnv: Record<string, string>): Promise<AppProcess> {
  const port = await freePort();
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? tmpdir(),
    ...(process.env.TMPDIR ? { TMPDIR: process.env.TMPDIR } : {}),
    PORT: String(port),
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    ...appEnv,
  };
  // WebAssembly compiled by the baseline compiler only, and Node's compile cache, as `npm start` does
  // (the cache spares each start the compiling of its modules: a fifth of a start here). `npm start` also
  // sets the heap's sizing flags: they change memory, which the benchmark measures (bench/startup.ts
  // starts the app with package.json's own start script), not behaviour.
  const child = spawn(process.execPath, ['--liftoff-only', SERVER], { cwd: ROOT, env: { NODE_COMPILE_CACHE: COMPILE_CACHE, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const listeners = new Set<(line: string) => void>();
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => {
      lines.push(line);
      for (const listener of listeners) listener(line);
    });
  }
  let exit: Exit | undefined;
  const exited = new Promise<Exit>((resolve) => {
    child.once('close', (code, signal) => {
      exit = { code, signal };
      resolve(exit);
    });
  });

  const waitForLine = (pattern: RegExp, timeoutMs = 10_000): Promise<string> => {
    const seen = lines.find((l) => pattern.test(l));
    if (seen !== undefined) return Promise.resolve(seen);
    let listener: ((line: string) => void) | undefined;
    const found = new Promise<string>((resolve, reject) => {
      listener = (line) => {
        if (pattern.test(line)) resolve(line);
      };
      listeners.add(listener);
      exited.then(() => reject(new Error(`the process exited before logging ${pattern}:\n${lines.join('\n')}`)));
    });
    return within(timeoutMs, `a log line matching ${pattern}`, found).finally(() => listener && listeners.delete(listener));
  };

  const proc: AppProcess = {
    baseUrl: `http://127.0.0.1:${port}`,
    port,
    pid: child.pid ?? -1,
    lines,
    exited,
    running: () => exit === undefined,
    signal(signal) {
      if (exit === undefined) child.kill(signal);
    },
    async stop(timeoutMs = 10_000) {
      proc.signal('SIGTERM');
      try {
        return await within(timeoutMs, 'a graceful exit', exited);
      } catch {
        proc.signal('SIGKILL');
        return exited;
      }
    },
    waitForLine,
  };
  live.add(proc);
  exited.then(() => live.delete(proc));

  try {
    await waitForLine(/Repositories API listening on http:\/\//, START_TIMEOUT_MS);
  } catch (error) {
    proc.signal('SIGKILL');
    await exited;
    if (lines.some((l) => l.includes('EADDRINUSE') || l.includes('is in use by another process'))) throw new PortTaken(`port ${port} was taken`, { cause: error });
    throw new Error(`the app did not start: ${(error as Error).message}\n${lines.join('\n')}`, { cause: error });
  }
  return proc;
}

/** Kills (SIGKILL) every app process still running; for `after` hooks of failed tests. */
/**
 * Runs a command that must not start (a refused setting, an old Node): it must exit non-zero, and its
 * output (stdout then stderr) comes back line by line.
 */
export async function failedRun(command: string, args: string[], options: { cwd: string; env: Record<string, string>; timeout?: number }): Promise<string[]> {
  const failed = await promisify(execFile)(command, args, options).then(
    () => assert.fail('the process started'),
    (error: { code: number; stdout: string; stderr: string }) => error,
  );
  assert.notEqual(failed.code, 0);
  return `${failed.stdout}${failed.stderr}`.trim().split('\n');
}

export async function killAll(): Promise<void> {
  const running = [...live];
  for (const proc of running) proc.signal('SIGKILL');
  await Promise.all(running.map((p) => p.exited));
}

// ------------------------------------------------------------------ answers checked, sign-in

export { freePort } from '../support/ports.ts';
export { checkAnswer, checkedFetch, ContractViolation, rawGet, type CheckedFetchOptions, type Exchange, type RawAnswer } from '../support/checked.ts';
export type { SignedIn } from '../support/sign-in.ts';

// ------------------------------------------------------------------ databases

const PGLITE_VERSION = (JSON.parse(readFileSync(join(ROOT, 'node_modules/@electric-sql/pglite/package.json'), 'utf8')) as { version: string }).version;
const TEMPLATE_DIR = join(tmpdir(), `repositories-api-ops-pglite-${PGLITE_VERSION}`);

/**
 * An initialised, empty embedded database folder (no tables: the app migrates it on its first start).
 * Initialising one takes several seconds of CPU, so it is done once per PGlite version and copied
 * afterwards; the template appears by an atomic rename, so a concurrent run sees all of it or none.
 */
async function embeddedTemplate(): Promise<string> {
  if (existsSync(join(TEMPLATE_DIR, 'PG_VERSION'))) return TEMPLATE_DIR;
  const building = await mkdtemp(join(tmpdir(), 'repositories-api-ops-build-'));
  const db = await PGlite.create(building);
  await db.close();
  try {
    await rename(building, TEMPLATE_DIR);
  } catch {
    // Another run finished its template first.
    await rm(building, { recursive: true, force: true });
  }
  return TEMPLATE_DIR;
}

/** A fresh embedded database folder of this test's own. */
export async function tempDataDir(): Promise<{ dataDir: string; cleanup(): Promise<void> }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'repositories-api-ops-'));
  await cp(await embeddedTemplate(), dataDir, { recursive: true });
  return { dataDir, cleanup: () => rm(dataDir, { recursive: true, force: true }) };
}

export interface PostgresSchema {
  /** For `DATABASE_URL`: the test database with `search_path` set to the schema by the connection options. */
  databaseUrl: string;
  schema: string;
  /** A client of the test database working in the schema, for checks the API cannot make. */
  query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  cleanup(): Promise<void>;
}

const postgresTarget = (await testDatabases()).find((t) => t.backend === 'postgres');
/** Why the PostgreSQL cases are skipped (never in CI, where they fail instead), or false. */
export const postgresSkip: string | false = postgresTarget?.skip ?? 'no PostgreSQL target';

/**
 * A fresh schema. The app process is pointed at it with the standard libpq `options` parameter
 * (`-c search_path=…`) in `DATABASE_URL`; the schema is created first because the app's own
 * migrations only create tables in whatever schema the search path names.
 */
export async function postgresSchema(): Promise<PostgresSchema> {
  if (!postgresTarget) throw new Error('no PostgreSQL target');
  const { schema, cleanup } = await postgresTarget.create();
  if (!schema) throw new Error('the PostgreSQL target gave no schema');
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE SCHEMA ${pg.escapeIdentifier(schema)}`);
  } finally {
    await admin.end();
  }
  const databaseUrl = `${TEST_DATABASE_URL}${TEST_DATABASE_URL.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  pool.on('error', () => {});
  return {
    databaseUrl,
    schema,
    query: async <T>(text: string, params: unknown[] = []) => (await pool.query(text, params)).rows as T[],
    async cleanup() {
      await pool.end();
      await cleanup();
    },
  };
}

// ------------------------------------------------------------------ Redis

export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

async function redisProblem(): Promise<string | undefined> {
  const probe = new Redis(TEST_REDIS_URL, { lazyConnect: true, connectTimeout: 1_000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  probe.on('error', () => {});
  try {
    await probe.connect();
    return (await probe.ping()) === 'PONG' ? undefined : 'PING was not answered with PONG';
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    probe.disconnect();
  }
}

const redisUnreachable = await redisProblem();
const redisWhere = TEST_REDIS_URL.replace(/\/\/[^@/]*@/, '//');
/** Why the Redis cases are skipped (never in CI, where they fail instead), or false. */
export const redisSkip: string | false =
  redisUnreachable && !process.env.CI ? `Redis at ${redisWhere} is not reachable (${redisUnreachable}); set TEST_REDIS_URL to run these cases` : false;

export interface RedisDatabase {
  /** For `REDIS_URL`. */
  url: string;
  /** Removes what the app stored (its keys all start with `rapi:`) and gives the database back. */
  release(): Promise<void>;
}

const CLAIM_KEY = 'repositories-api-test:claim';
const APP_KEYS = 'rapi:*';

async function deleteAppKeys(client: Redis): Promise<void> {
  // The client has no key prefix, so SCAN's full names can be deleted as they are. Bounded: a test
  // database holds a few hundred keys at most.
  let cursor = '0';
  for (let round = 0; round < 1_000; round++) {
    const [next, keys] = await client.scan(cursor, 'MATCH', APP_KEYS, 'COUNT', 500);
    if (keys.length) await client.del(...keys);
    cursor = next;
    if (cursor === '0') return;
  }
}

/**
 * A Redis database number of our own. The app's keys have a fixed prefix and its rate-limit and
 * listing keys are per user id, and user ids restart at 1 in every fresh schema: two runs in one
 * database would meet. So each run claims a whole numbered database (1-15) with a key that expires.
 */
export async function claimRedisDatabase(): Promise<RedisDatabase> {
  if (redisUnreachable) throw new Error(`Redis at ${redisWhere} is not reachable (${redisUnreachable}); CI requires Redis for these cases`);
  const owner = randomUUID();
  const numbers = Array.from({ length: 15 }, (_, i) => i + 1).sort(() => Math.random() - 0.5);
  for (const db of numbers) {
    const url = new URL(TEST_REDIS_URL);
    url.pathname = `/${db}`;
    const client = new Redis(url.toString(), { connectTimeout: 1_000, maxRetriesPerRequest: 1 });
    client.on('error', () => {});
    let claimed = false;
    try {
      claimed = (await client.set(CLAIM_KEY, owner, 'PX', 300_000, 'NX')) === 'OK';
    } catch {
      // A server with fewer databases refuses SELECT of the higher numbers: try the next.
    }
    if (!claimed) {
      client.disconnect();
      continue;
    }
    // Whatever a crashed earlier run left behind in this database.
    await deleteAppKeys(client);
    return {
      url: url.toString(),
      async release() {
        try {
          await deleteAppKeys(client);
          if ((await client.get(CLAIM_KEY)) === owner) await client.del(CLAIM_KEY);
        } finally {
          await client.quit().catch(() => client.disconnect());
        }
      },
    };
  }
  throw new Error('no free Redis database (1-15) to claim');
}
