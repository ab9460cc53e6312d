import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/**
 * The database backends a test file can run against: always the embedded one, plus PostgreSQL
 * at TEST_DATABASE_URL when it is reachable. Run the same cases for each:
 *
 *   for (const target of await testDatabases()) {
 *     describe(`... (${target.backend})`, { skip: target.skip !== false }, () => { ... await target.create() ... });
 *   }
 *
 * Outside CI an unreachable PostgreSQL skips its cases with the reason; in CI (`CI` set) they run
 * and fail, because a skipped PostgreSQL case there would hide a broken setup.
 */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A key that satisfies the configuration's length rule; tests need no real secret. */
export const TEST_SECRET_KEY = 'test-secret-key-0123456789abcdef-0123456789';

export interface TestDatabase {
  readonly backend: 'embedded' | 'postgres';
  /** The reason this backend's cases are skipped, or false when they run. */
  readonly skip: string | false;
  /**
   * A fresh, empty database: options for `openStore` / `openDb`, and `cleanup` to remove it.
   * Embedded: in memory, or in a temporary folder with `onDisk`. PostgreSQL: a new schema.
   */
  create(opts?: { onDisk?: boolean }): Promise<TestDatabaseHandle>;
}

export interface TestDatabaseHandle {
  databaseUrl?: string;
  dataDir: string;
  schema?: string;
  cleanup(): Promise<void>;
}

const embedded: TestDatabase = {
  backend: 'embedded',
  skip: false,
  async create(opts) {
    if (!opts?.onDisk) return { dataDir: 'memory://', cleanup: async () => {} };
    const dataDir = await mkdtemp(join(tmpdir(), 'repositories-api-test-'));
    return { dataDir, cleanup: () => rm(dataDir, { recursive: true, force: true }) };
  },
};

let reachable: Promise<string | undefined> | undefined;

/** undefined when PostgreSQL answers; otherwise why not. Checked once per process. */
function checkPostgres(): Promise<string | undefined> {
  reachable ??= (async () => {
    const client = new pg.Client({ connectionString: TEST_DATABASE_URL, connectionTimeoutMillis: 2000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
      return undefined;
    } catch (err) {
      return err instanceof Error ? err.message : String(err);
    } finally {
      await client.end().catch(() => {});
    }
  })();
  return reachable;
}

async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schema)} CASCADE`);
  } finally {
    await client.end();
  }
}

export async function testDatabases(): Promise<TestDatabase[]> {
  const problem = await checkPostgres();
  const where = TEST_DATABASE_URL.replace(/\/\/[^@/]*@/, '//');
  const unreachable = problem && `PostgreSQL at ${where} is not reachable (${problem})`;
  const postgres: TestDatabase = {
    backend: 'postgres',
    skip: unreachable && !process.env.CI ? `${unreachable}; set TEST_DATABASE_URL to run these cases` : false,
    async create() {
      if (unreachable) throw new Error(`${unreachable}; CI requires PostgreSQL for these cases`);
      // Unique per run, so test files and parallel runs share the database without meeting.
      const schema = `test_${process.pid}_${randomBytes(4).toString('hex')}`;
      return { databaseUrl: TEST_DATABASE_URL, dataDir: 'memory://', schema, cleanup: () => dropSchema(schema) };
    },
  };
  return [embedded, postgres];
}
