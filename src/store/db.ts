import { spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import type { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { traceDb } from '../telemetry/tracing.ts';

/** What queries run against: the database itself, or one open transaction. */
export interface Sql {
  /** One statement, `$1`-style parameters. */
  query<T = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<T[]>;
  /** A script of several statements, no parameters (migrations). */
  exec(text: string): Promise<void>;
}

export interface Db extends Sql {
  readonly backend: 'embedded' | 'postgres';
  /**
   * Runs `fn` in one transaction: committed when it resolves, rolled back when it throws.
   * Inside, use only `tx`: on the embedded database a query on the `Db` itself waits for the
   * transaction to finish, so it would never run.
   */
  transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface DbOptions {
  /** PostgreSQL when set; otherwise the embedded database. */
  databaseUrl?: string | undefined;
  /** Embedded database folder (created on first start), or `memory://` for a throwaway one. */
  dataDir: string;
  /** PostgreSQL schema to work in instead of `public`; created by the migrations. */
  schema?: string | undefined;
  /** PostgreSQL: a new connection, or the wait for a free one of the pool (default 2 s). */
  connectTimeoutMs?: number | undefined;
  /**
   * Each statement (default 5 s). PostgreSQL: its `statement_timeout`, and the wait for the answer
   * (a server that does not answer at all). Embedded: the wait for its turn and the work together.
   */
  queryTimeoutMs?: number | undefined;
}

/**
 * The database cannot be reached or did not answer in time: a failure of our own storage, not of the
 * request (answered 503 with `Retry-After`). Errors of a statement itself (a constraint, say) stay
 * what they are.
 */
export class StorageUnavailableError extends Error {
  constructor(message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'StorageUnavailableError';
  }
}

/**
 * SQLSTATE classes that say the database, not the statement, failed: connection exceptions (08),
 * insufficient resources (53), operator intervention (57: shutdown, statement timeout, cannot
 * connect now), system errors (58).
 */
const UNAVAILABLE_STATE = /^(08|53|57|58)/;
const SQLSTATE = /^[0-9A-Z]{5}$/;

/** The error as our storage's failure when it is one; otherwise unchanged. */
export function asStorageError(error: unknown): unknown {
  if (error instanceof StorageUnavailableError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  const isSqlState = typeof code === 'string' && SQLSTATE.test(code);
  // A statement's own error carries its SQLSTATE; anything else from the driver is the connection's.
  if (isSqlState && !UNAVAILABLE_STATE.test(code)) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new StorageUnavailableError(`the database failed: ${reason}`, error);
}

const DEFAULT_CONNECT_TIMEOUT_MS = 2_000;
const DEFAULT_QUERY_TIMEOUT_MS = 5_000;

/** `work` within `ms`, or a StorageUnavailableError; the work itself is not stopped (the embedded database cannot be interrupted). */
function within<T>(ms: number, what: string, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new StorageUnavailableError(`${what} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

const INT8 = 20;
const TIMESTAMPTZ = 1184;

// Both backends answer with the same JS values: ids stay below 2^53, and timestamps are handed
// around (and serialised to JSON) as ISO 8601 strings.
const parseTimestamp = pg.types.getTypeParser(TIMESTAMPTZ, 'text') as (value: string) => Date;
const PARSERS: Record<number, (value: string) => unknown> = {
  [INT8]: (value) => Number(value),
  [TIMESTAMPTZ]: (value) => parseTimestamp(value).toISOString(),
};

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export function quoteSchema(schema: string): string {
  if (!SCHEMA_NAME.test(schema)) throw new Error(`Invalid schema name "${schema}": use lower-case letters, digits and _`);
  return `"${schema}"`;
}

export async function openDb(opts: DbOptions): Promise<Db> {
  const queryTimeoutMs = opts.queryTimeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS;
  return traceDb(
    await (opts.databaseUrl
      ? openPostgres(opts.databaseUrl, opts.schema, opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS, queryTimeoutMs)
      : openEmbedded(opts.dataDir, opts.schema, queryTimeoutMs)),
  );
}

/**
 * A throwaway embedded database started from a snapshot of another (see `snapshotEmbedded`): much
 * faster than creating one, since the snapshot is already initialised and migrated.
 */
export async function openEmbeddedSnapshot(snapshot: Blob, queryTimeoutMs = DEFAULT_QUERY_TIMEOUT_MS): Promise<Db> {
  const PGlite = await loadPGlite();
  return traceDb(wrapEmbedded(await PGlite.create({ loadDataDir: snapshot, parsers: PARSERS, startParams: startParams(PGlite) }), queryTimeoutMs));
}

/** A snapshot of an embedded database's files, to start copies of it from. */
export async function snapshotEmbedded(db: Db): Promise<Blob> {
  const pglite = EMBEDDED.get(db);
  if (!pglite) throw new Error('only an embedded database has a snapshot');
  return pglite.dumpDataDir('none');
}

const EMBEDDED = new WeakMap<Db, PGlite>();

/**
 * PostgreSQL settings of the embedded database, on top of PGlite's own. PostgreSQL sizes them for a
 * server with many clients; here they live in the app's own memory, and the defaults cost more than
 * the data they serve (figures from `node bench/startup.ts`, see bench/README.md):
 *
 * - `shared_buffers` 16 MB instead of 128 MB: the buffer pool is resident from the start, about
 *   1 MB of RSS per MB of it (269 → 144 MiB for the database alone). 16 MB is 2,048 pages, many
 *   times the store's tables and indexes.
 * - `max_connections` 5 instead of 100: PGlite is one connection; the per-connection shared
 *   structures cost 3 MiB more.
 *
 * They are given at each start, so they also apply to a database created by an older version
 * (its `postgresql.conf` holds the defaults).
 */
export const EMBEDDED_SETTINGS: Readonly<Record<string, string>> = {
  shared_buffers: '16MB',
  max_connections: '5',
};

const SETTINGS_ARGS = Object.entries(EMBEDDED_SETTINGS).flatMap(([name, value]) => ['-c', `${name}=${value}`]);

/** PostgreSQL's command line in PGlite: its own arguments, then ours. */
const startParams = (PGlite: typeof import('@electric-sql/pglite').PGlite) => [...PGlite.defaultStartParams, ...SETTINGS_ARGS];

/**
 * PGlite, loaded when an embedded database is first opened, so that a deployment on PostgreSQL never
 * loads it; its WebAssembly is compiled on the baseline tier (see BASELINE_WASM_FLAGS).
 */
async function loadPGlite(): Promise<typeof import('@electric-sql/pglite').PGlite> {
  baselineWasmOnly();
  return (await import('@electric-sql/pglite')).PGlite;
}

/**
 * V8 flags that keep the embedded database's WebAssembly on the baseline compiler (Liftoff). By
 * default V8 recompiles hot functions with its optimising compiler (TurboFan), and PostgreSQL's
 * functions are large: under load that compilation took the process from about 200 MiB to peaks
 * above 700 MiB, and left most of it resident. Without it, the store's statements ran no slower
 * over 10,000 upserts (3.5 s instead of 6.1 s on two busy cores: the compilation cost more than it
 * saved). `--liftoff-only` alone is not enough at run time: its implications are applied only to
 * flags given on the command line, so they are spelled out.
 */
export const BASELINE_WASM_FLAGS = '--liftoff-only --no-wasm-tier-up --no-wasm-dynamic-tiering';

let baselineWasm = false;

/** Applies BASELINE_WASM_FLAGS once, before the first WebAssembly module of PGlite is compiled. */
function baselineWasmOnly(): void {
  if (baselineWasm) return;
  setFlagsFromString(BASELINE_WASM_FLAGS);
  baselineWasm = true;
}

/**
 * Creates an embedded database in `dir` in a process of its own, which exits when done. Creating
 * one (PostgreSQL's initdb) runs a second PostgreSQL beside the first and briefly holds about twice
 * the memory of a running one; in this process that memory stayed resident long after (550 MiB at
 * ready instead of 150 MiB), in a child it is returned to the system when the child exits.
 */
async function createEmbedded(dir: string, start: string[]): Promise<void> {
  const pglite = import.meta.resolve('@electric-sql/pglite');
  const script = `
    const { PGlite } = await import(${JSON.stringify(pglite)});
    const db = await PGlite.create(process.argv[1], { startParams: JSON.parse(process.argv[2]), initDbStartParams: JSON.parse(process.argv[3]) });
    await db.close();`;
  // initdb's own -c settings also go into the new database's postgresql.conf.
  const child = spawn(process.execPath, [...BASELINE_WASM_FLAGS.split(' '), '--input-type=module', '-e', script, dir, JSON.stringify(start), JSON.stringify(SETTINGS_ARGS)], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2_000)));
  const exitCode = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', resolve);
  });
  if (exitCode !== 0) throw new Error(`creating the embedded database in ${dir} failed (exit ${exitCode}): ${stderr.trim()}`);
}

async function openEmbedded(dataDir: string, schema: string | undefined, queryTimeoutMs: number): Promise<Db> {
  const inMemory = dataDir.startsWith('memory://');
  const dir = inMemory ? dataDir : resolve(dataDir);
  const PGlite = await loadPGlite();
  if (!inMemory) {
    mkdirSync(dir, { recursive: true });
    if (!existsSync(join(dir, 'PG_VERSION'))) await createEmbedded(dir, startParams(PGlite));
  }
  const db = await PGlite.create(dir, { parsers: PARSERS, startParams: startParams(PGlite) });
  if (schema) await db.exec(`SET search_path TO ${quoteSchema(schema)}`);
  return wrapEmbedded(db, queryTimeoutMs);
}

function wrapEmbedded(db: PGlite, queryTimeoutMs: number): Db {
  // PGlite is one connection. Its `query`, `exec` and `transaction` share one queue, so a
  // statement issued while a transaction is open waits for it instead of joining it. Each statement
  // has its deadline from when it is asked (its wait in that queue included), a transaction's own
  // statements too, and a transaction one until it starts. PGlite cannot stop a statement: one that
  // missed its deadline in the queue still runs when its turn comes.
  const bounded = <T>(work: Promise<T>) => within(queryTimeoutMs, 'the embedded database', work).catch((error: unknown) => Promise.reject(asStorageError(error)));
  const wrap = (q: Pick<PGlite, 'query' | 'exec'>): Sql => ({
    async query<T>(text: string, params: readonly unknown[] = []) {
      return (await bounded(q.query<T>(text, [...params]))).rows;
    },
    async exec(text) {
      await bounded(q.exec(text));
    },
  });
  const embedded: Db = {
    backend: 'embedded',
    ...wrap(db),
    transaction: (fn) =>
      new Promise((resolve, reject) => {
        // Bounded until it starts: one that starts after its caller was told the database did not
        // answer is rolled back, so a request answered 503 changes nothing.
        let started = false;
        let late = false;
        const timer = setTimeout(() => {
          if (started) return;
          late = true;
          reject(new StorageUnavailableError(`the embedded database did not start a transaction within ${queryTimeoutMs} ms`));
        }, queryTimeoutMs);
        db.transaction((tx) => {
          started = true;
          clearTimeout(timer);
          if (late) throw new StorageUnavailableError('a transaction started after its deadline');
          return fn(wrap(tx));
        }).then(resolve, reject);
      }),
    close: () => db.close(),
  };
  EMBEDDED.set(embedded, db);
  return embedded;
}

async function openPostgres(connectionString: string, schema: string | undefined, connectTimeoutMs: number, queryTimeoutMs: number): Promise<Db> {
  const pool = new pg.Pool({
    connectionString,
    ...(schema ? { options: `-c search_path=${quoteSchema(schema)}` } : {}),
    // Every call has a deadline: a new connection (or the wait for a free one), each statement on the
    // server (`statement_timeout`, which also ends it there), and the wait for its answer, a little
    // longer, for a server that does not answer at all (stopped, or behind a partition). A connection
    // whose statement timed out is dropped from the pool, and the next query opens a new one.
    connectionTimeoutMillis: connectTimeoutMs,
    statement_timeout: queryTimeoutMs,
    query_timeout: queryTimeoutMs + 500,
    idle_in_transaction_session_timeout: queryTimeoutMs * 2,
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        PARSERS[oid] ?? pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
    },
  });
  // An idle connection that drops (server restart, network) is discarded by the pool and the next
  // query opens a new one; without a listener the 'error' event would crash the process.
  pool.on('error', () => {});

  const fail = (error: unknown) => Promise.reject(asStorageError(error));
  const wrap = (q: pg.Pool | pg.PoolClient): Sql => ({
    async query<T>(text: string, params: readonly unknown[] = []) {
      return (await q.query(text, [...params]).catch(fail)).rows as T[];
    },
    async exec(text) {
      // Without parameters node-postgres uses the simple protocol, which allows several statements.
      await q.query(text).catch(fail);
    },
  });
  return {
    backend: 'postgres',
    ...wrap(pool),
    async transaction(fn) {
      const client = await pool.connect().catch(fail);
      try {
        await client.query('BEGIN').catch(fail);
        const result = await fn(wrap(client));
        await client.query('COMMIT').catch(fail);
        client.release();
        return result;
      } catch (err) {
        // A failed ROLLBACK means the connection is in an unknown state: drop it from the pool.
        await client.query('ROLLBACK').then(
          () => client.release(),
          (rollbackErr: Error) => client.release(rollbackErr),
        );
        throw err;
      }
    },
    close: () => pool.end(),
  };
}
