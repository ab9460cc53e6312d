/**
 * Production start, measured from outside: `node src/server.ts` as a child process with production
 * settings, the readiness endpoint polled every 10 ms, and the process's memory read from
 * `/proc/<pid>/status` (VmRSS now, VmHWM the peak) once it answers ready.
 *
 *   node bench/startup.ts                     # embedded database: first start (created), then a second (existing)
 *   node bench/startup.ts --runs 3            # each start three times, medians
 *   node bench/startup.ts --postgres          # also on PostgreSQL (TEST_DATABASE_URL, a fresh schema)
 *   node bench/startup.ts -- --no-wasm-tier-up  # Node flags for the app process, after --
 *
 * Used by `npm run bench` (part C) for the start-up rows; see bench/README.md.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { freePort } from '../test/support/ports.ts';
import { heading, mib, ms, say, table, type RunOptions, type TargetResult } from './support.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * How production starts the app: package.json's `start` script, which sets the compile cache and the
 * Node flags. It ends in `exec node …`, so a shell that runs it becomes the app's process, and the
 * process measured is the app itself, without npm.
 */
export function startCommand(nodeArgs: string[] = []): { command: string; args: string[] } {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const start = pkg.scripts.start ?? '';
  if (!/\bexec node .*src\/server\.ts$/.test(start)) throw new Error(`package.json's start script no longer ends in "exec node … src/server.ts": ${start}`);
  const script = nodeArgs.length ? start.replace(/\bexec node /, `exec node ${nodeArgs.join(' ')} `) : start;
  return { command: 'sh', args: ['-c', script] };
}

/** Memory of a process from procfs, in bytes: resident now, and the peak since it started. */
export function memoryOf(pid: number): { rss: number; peak: number } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)\\s+kB`, 'm').exec(status)?.[1] ?? Number.NaN) * 1024;
    return { rss: kb('VmRSS'), peak: kb('VmHWM') };
  } catch {
    return { rss: Number.NaN, peak: Number.NaN };
  }
}

/** CPU seconds (user + system) a process has used, from procfs; NaN elsewhere. */
export function cpuSecondsOf(pid: number): number {
  try {
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th, in clock ticks.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}

/** The settings a production start needs, none of them reaching the network. */
export function productionEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    SECRET_KEY: randomBytes(32).toString('hex'),
    PUBLIC_URL: 'http://127.0.0.1',
    ALLOW_HTTP_PUBLIC_URL: 'true',
    GITHUB_CLIENT_ID: 'Iv1.startup',
    GITHUB_CLIENT_SECRET: 'startup-client-secret-0123456789',
    GITHUB_API_URL: 'http://127.0.0.1:9',
    GITHUB_WEB_URL: 'http://127.0.0.1:9',
    DATABASE_URL: '',
    REDIS_URL: '',
    METRICS_PORT: 'off',
    ...extra,
  };
}

export interface StartedApp {
  child: ChildProcess;
  pid: number;
  baseUrl: string;
  /** From spawning the process to the first 200 of `GET /api/v1/ready`. */
  readyMs: number;
  /** Memory when it first answered ready. */
  rss: number;
  peak: number;
  /** CPU seconds the process had used by then: steadier than the time on a shared machine. */
  cpuSeconds: number;
  /** What the app wrote to stderr (the last 2,000 characters). */
  stderr(): string;
  stop(): Promise<void>;
}

/**
 * Starts the app as a child process and waits until it answers ready (within `limitMs`). `env` is
 * the app's whole environment on top of this process's PATH and HOME.
 */
export async function startApp(
  env: Record<string, string>,
  opts: { nodeArgs?: string[]; limitMs?: number; onStdout?: (chunk: Buffer) => void } = {},
): Promise<StartedApp> {
  const port = env.PORT ? Number(env.PORT) : await freePort();
  const host = env.HOST ?? '127.0.0.1';
  const baseUrl = `http://${host}:${port}`;
  const { command, args } = startCommand(opts.nodeArgs);
  const began = performance.now();
  const child = spawn(command, args, {
    cwd: ROOT,
    // This Node first on the PATH, as npm puts the project's own.
    env: { HOME: process.env.HOME ?? '', ...env, PATH: `${dirname(process.execPath)}:${env.PATH ?? process.env.PATH ?? ''}`, PORT: String(port), HOST: host },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2_000)));
  if (opts.onStdout) child.stdout?.on('data', opts.onStdout);
  else child.stdout?.resume();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(killer);
    }
  };
  const pid = child.pid ?? 0;
  const until = began + (opts.limitMs ?? 60_000);
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`the app exited (${child.exitCode ?? child.signalCode}) while starting: ${stderr.trim().slice(-500)}`);
    }
    const ok = await fetch(`${baseUrl}/api/v1/ready`, { signal: AbortSignal.timeout(2_000) }).then(
      async (r) => (await r.arrayBuffer(), r.ok),
      () => false,
    );
    if (ok) break;
    if (performance.now() > until) {
      await stop();
      throw new Error(`the app was not ready within ${Math.round((opts.limitMs ?? 60_000) / 1000)} s`);
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const readyMs = performance.now() - began;
  const { rss, peak } = memoryOf(pid);
  const cpuSeconds = cpuSecondsOf(pid);
  return { child, pid, baseUrl, readyMs, rss, peak, cpuSeconds, stderr: () => stderr, stop };
}

export interface StartFigures {
  readyMs: number;
  rss: number;
  peak: number;
  cpuSeconds: number;
}

/** An empty PostgreSQL schema for one measurement, and how to remove it. */
async function freshSchema(databaseUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const schema = `startup_${process.pid}_${randomBytes(4).toString('hex')}`;
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  await client.query(`CREATE SCHEMA ${pg.escapeIdentifier(schema)}`);
  await client.end();
  const url = new URL(databaseUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: databaseUrl });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schema)} CASCADE`);
      await c.end();
    },
  };
}

/** One start per call; the app is stopped before it returns. */
async function measure(env: Record<string, string>, nodeArgs: string[]): Promise<StartFigures> {
  const app = await startApp(env, { nodeArgs });
  try {
    return { readyMs: app.readyMs, rss: app.rss, peak: app.peak, cpuSeconds: app.cpuSeconds };
  } finally {
    await app.stop();
  }
}

export interface StartPair {
  /** A new database (embedded: created; PostgreSQL: an empty schema) and an empty compile cache. */
  first: StartFigures;
  /** The same database and compile cache again: a restart. */
  second: StartFigures;
}

export interface StartupResults {
  embedded: StartPair | undefined;
  /** PostgreSQL, when asked for and reachable (a fresh schema, migrated during the first start). */
  postgres: StartPair | undefined;
  postgresProblem: string | undefined;
}

const medianOf = (runs: StartFigures[]): StartFigures => {
  const mid = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    const m = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[m]! : (sorted[m - 1]! + sorted[m]!) / 2;
  };
  return {
    readyMs: mid(runs.map((r) => r.readyMs)),
    rss: mid(runs.map((r) => r.rss)),
    peak: mid(runs.map((r) => r.peak)),
    cpuSeconds: mid(runs.map((r) => r.cpuSeconds)),
  };
};

/**
 * `runs` pairs of starts, medians: each pair a first start (new database, empty compile cache) and a
 * second (the same again), each start stopped once it answered ready.
 */
async function measurePairs(runs: number, nodeArgs: string[], database: () => Promise<{ env: Record<string, string>; cleanup(): Promise<void> }>): Promise<StartPair> {
  const first: StartFigures[] = [];
  const second: StartFigures[] = [];
  for (let i = 0; i < runs; i++) {
    // A compile cache of the bench's own, so that the first start fills it as the first start after a deploy does.
    const cacheDir = mkdtempSync(join(tmpdir(), 'rapi-startup-cache-'));
    const db = await database();
    try {
      const env = { ...db.env, NODE_COMPILE_CACHE: cacheDir };
      first.push(await measure(env, nodeArgs));
      second.push(await measure(env, nodeArgs));
    } finally {
      await db.cleanup();
      rmSync(cacheDir, { recursive: true, force: true });
    }
  }
  return { first: medianOf(first), second: medianOf(second) };
}

/** The embedded database's starts, and PostgreSQL's when `databaseUrl` is given. */
export async function measureStartup(
  opts: { runs?: number; embedded?: boolean; databaseUrl?: string | undefined; nodeArgs?: string[]; extraEnv?: Record<string, string> } = {},
): Promise<StartupResults> {
  const runs = opts.runs ?? 1;
  const nodeArgs = opts.nodeArgs ?? [];
  const embedded =
    opts.embedded === false
      ? undefined
      : await measurePairs(runs, nodeArgs, async () => {
          const dataDir = mkdtempSync(join(tmpdir(), 'rapi-startup-'));
          return { env: productionEnv({ DATA_DIR: dataDir, ...opts.extraEnv }), cleanup: async () => rmSync(dataDir, { recursive: true, force: true }) };
        });
  let postgres: StartPair | undefined;
  let postgresProblem: string | undefined;
  if (opts.databaseUrl) {
    const databaseUrl = opts.databaseUrl;
    try {
      postgres = await measurePairs(runs, nodeArgs, async () => {
        const schema = await freshSchema(databaseUrl);
        return { env: productionEnv({ DATABASE_URL: schema.url, ...opts.extraEnv }), cleanup: () => schema.drop() };
      });
    } catch (err) {
      postgresProblem = err instanceof Error ? err.message : String(err);
    }
  }
  return { embedded, postgres, postgresProblem };
}

const MIB = 1024 * 1024;
/** Targets of issue #16, in bytes and milliseconds. */
export const START_TARGETS = { embeddedReadyRss: 250 * MIB, postgresReadyRss: 150 * MIB, embeddedRestartMs: 1_500 };

/** The PostgreSQL the bench measures the app on: the tests' own (a fresh schema each time). */
export const BENCH_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/**
 * Part C's start-up rows: each start measured from outside, as production starts (see startCommand).
 * RSS when ready is judged on the first start (a new database and an empty compile cache: the larger
 * figure), the time on the second (an existing database: a restart).
 */
export async function benchStartup(opts: RunOptions): Promise<TargetResult[]> {
  const runs = opts.quick ? 1 : 3;
  heading('Part C — production start');
  say(`npm start's command (${startCommand().args[1]}), with production settings; ${runs} pair(s) of starts per database, medians`);
  const results = await measureStartup({ runs, databaseUrl: BENCH_DATABASE_URL });
  const rows: string[][] = [];
  const row = (name: string, f: StartFigures | undefined) =>
    rows.push([name, f ? ms(f.readyMs) : 'n/a', f ? `${f.cpuSeconds.toFixed(2)} s` : 'n/a', f ? mib(f.rss) : 'n/a', f ? mib(f.peak) : 'n/a']);
  row('embedded, first start (database created)', results.embedded?.first);
  row('embedded, second start (existing database)', results.embedded?.second);
  row('PostgreSQL, first start (schema migrated)', results.postgres?.first);
  row('PostgreSQL, second start', results.postgres?.second);
  say(table(['start', 'to ready', 'CPU to ready', 'RSS when ready', 'peak RSS'], rows));
  if (results.postgresProblem) say(`PostgreSQL not measured: ${results.postgresProblem}`);
  const worse = (pair: StartPair | undefined) => (pair ? Math.max(pair.first.rss, pair.second.rss) : Number.NaN);
  const embeddedRss = worse(results.embedded);
  const postgresRss = worse(results.postgres);
  const restart = results.embedded?.second.readyMs ?? Number.NaN;
  const judged = (v: number, limit: number) => (Number.isFinite(v) ? v <= limit : undefined);
  return [
    { part: 'C', name: 'start: RSS when ready, embedded (first and second start)', measured: mib(embeddedRss), target: `≤ ${mib(START_TARGETS.embeddedReadyRss)}`, met: judged(embeddedRss, START_TARGETS.embeddedReadyRss) },
    { part: 'C', name: 'start: to ready, embedded, existing database', measured: ms(restart), target: `≤ ${ms(START_TARGETS.embeddedRestartMs)}`, met: judged(restart, START_TARGETS.embeddedRestartMs) },
    { part: 'C', name: 'start: RSS when ready, PostgreSQL (first and second start)', measured: mib(postgresRss), target: `≤ ${mib(START_TARGETS.postgresReadyRss)}`, met: judged(postgresRss, START_TARGETS.postgresReadyRss) },
  ];
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    options: {
      runs: { type: 'string', default: '1' },
      postgres: { type: 'boolean', default: false },
      set: { type: 'string', multiple: true, default: [] },
      'no-embedded': { type: 'boolean', default: false },
    },
    allowPositionals: true,
    strict: true,
  });
  const runs = Number(values.runs);
  const databaseUrl = values.postgres ? BENCH_DATABASE_URL : undefined;
  const extraEnv = Object.fromEntries(values.set.map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]));
  const results = await measureStartup({ runs, databaseUrl, nodeArgs: positionals, extraEnv, embedded: !values['no-embedded'] });
  const line = (name: string, f: StartFigures) => console.log(`${name.padEnd(34)} ready ${Math.round(f.readyMs)} ms (CPU ${f.cpuSeconds.toFixed(2)} s)  RSS ${mib(f.rss)}  peak ${mib(f.peak)}`);
  console.log(`Node ${process.version}${positionals.length ? `, app flags ${positionals.join(' ')}` : ''}; ${runs} run(s) each, medians`);
  if (results.embedded) {
    line('embedded, first start (created)', results.embedded.first);
    line('embedded, second start (existing)', results.embedded.second);
  }
  if (results.postgres) {
    line('PostgreSQL, first start (migrated)', results.postgres.first);
    line('PostgreSQL, second start', results.postgres.second);
  }
  if (results.postgresProblem) console.log(`PostgreSQL not measured: ${results.postgresProblem}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
      process.exit(1);
    },
  );
}
