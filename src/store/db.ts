import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';

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
  return opts.databaseUrl ? openPostgres(opts.databaseUrl, opts.schema) : openEmbedded(opts.dataDir, opts.schema);
}

/**
 * A throwaway embedded database started from a snapshot of another (see `snapshotEmbedded`): much
 * faster than creating one, since the snapshot is already initialised and migrated.
 */
export async function openEmbeddedSnapshot(snapshot: Blob): Promise<Db> {
  return wrapEmbedded(await PGlite.create({ loadDataDir: snapshot, parsers: PARSERS }));
}

/** A snapshot of an embedded database's files, to start copies of it from. */
export async function snapshotEmbedded(db: Db): Promise<Blob> {
  const pglite = EMBEDDED.get(db);
  if (!pglite) throw new Error('only an embedded database has a snapshot');
  return pglite.dumpDataDir('none');
}

const EMBEDDED = new WeakMap<Db, PGlite>();

async function openEmbedded(dataDir: string, schema: string | undefined): Promise<Db> {
  const inMemory = dataDir.startsWith('memory://');
  const dir = inMemory ? dataDir : resolve(dataDir);
  if (!inMemory) mkdirSync(dir, { recursive: true });
  const db = await PGlite.create(dir, { parsers: PARSERS });
  if (schema) await db.exec(`SET search_path TO ${quoteSchema(schema)}`);
  return wrapEmbedded(db);
}

function wrapEmbedded(db: PGlite): Db {
  // PGlite is one connection. Its `query`, `exec` and `transaction` share one queue, so a
  // statement issued while a transaction is open waits for it instead of joining it.
  const wrap = (q: Pick<PGlite, 'query' | 'exec'>): Sql => ({
    async query<T>(text: string, params: readonly unknown[] = []) {
      return (await q.query<T>(text, [...params])).rows;
    },
    async exec(text) {
      await q.exec(text);
    },
  });
  const embedded: Db = {
    backend: 'embedded',
    ...wrap(db),
    transaction: (fn) => db.transaction((tx) => fn(wrap(tx))),
    close: () => db.close(),
  };
  EMBEDDED.set(embedded, db);
  return embedded;
}

async function openPostgres(connectionString: string, schema: string | undefined): Promise<Db> {
  const pool = new pg.Pool({
    connectionString,
    ...(schema ? { options: `-c search_path=${quoteSchema(schema)}` } : {}),
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        PARSERS[oid] ?? pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
    },
  });
  // An idle connection that drops (server restart, network) is discarded by the pool and the next
  // query opens a new one; without a listener the 'error' event would crash the process.
  pool.on('error', () => {});

  const wrap = (q: pg.Pool | pg.PoolClient): Sql => ({
    async query<T>(text: string, params: readonly unknown[] = []) {
      return (await q.query(text, [...params])).rows as T[];
    },
    async exec(text) {
      // Without parameters node-postgres uses the simple protocol, which allows several statements.
      await q.query(text);
    },
  });
  return {
    backend: 'postgres',
    ...wrap(pool),
    async transaction(fn) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await fn(wrap(client));
        await client.query('COMMIT');
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
