import { readFile, writeFile } from 'node:fs/promises';
import { inject } from 'vitest';
import { openDb, openEmbeddedSnapshot, snapshotEmbedded } from '../../src/store/db.ts';
import { createStore } from '../../src/store/index.ts';
import { traceDb } from '../../src/telemetry/tracing.ts';
import { migrate } from '../../src/store/migrations.ts';
import type { Store } from '../../src/store/types.ts';
import type { Db, Sql } from '../../src/store/db.ts';

let snapshot: Promise<Blob> | undefined;

/** A new embedded database, created and migrated: seconds of work, so done once and copied. */
async function migratedSnapshot(): Promise<Blob> {
  const db = await openDb({ dataDir: 'memory://' });
  try {
    await migrate(db);
    return await snapshotEmbedded(db);
  } finally {
    await db.close();
  }
}

/** Writes the snapshot that `freshEmbeddedStore` starts from in every test process of a run. */
export async function writeEmbeddedSnapshot(file: string): Promise<void> {
  await writeFile(file, Buffer.from(await (await migratedSnapshot()).arrayBuffer()));
}

/**
 * A fresh, migrated embedded database for one test app, started from the snapshot the run's global
 * setup wrote. Starting from a
 * snapshot takes about half a second of CPU; creating and migrating a database takes several.
 * A database a closed store leaves behind is emptied and handed to the next one in this process.
 */
export async function freshEmbeddedStore(secretKey: string): Promise<Store> {
  const reused = idle.pop();
  if (reused) {
    clearTimeout(reused.timer);
    // Traced as a newly opened one is when tracing is on (a database opened before tracing started is not).
    return createStore(traceDb(lease(reused.db)), secretKey);
  }
  snapshot ??= readFile(inject('embeddedSnapshot')).then((bytes) => new Blob([bytes]));
  return createStore(lease(await openEmbeddedSnapshot(await snapshot)), secretKey);
}

/**
 * Emptied embedded databases, ready for the next store of this process. One that waits longer than
 * IDLE_MS is closed, since an open one keeps the process alive after its last test.
 */
const idle: Array<{ db: Db; timer: NodeJS.Timeout }> = [];
const IDLE_MS = 250;

function putBack(db: Db): void {
  const entry = {
    db,
    timer: setTimeout(() => {
      idle.splice(idle.indexOf(entry), 1);
      void db.close();
    }, IDLE_MS),
  };
  idle.push(entry);
}

/** Every table the migrations create, but their own record. */
const TABLES = `SELECT string_agg(format('%I', tablename), ', ') AS names FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'schema_migrations'`;

/**
 * The database as its store sees it. Closing it refuses every later statement, as a closed database
 * does, then empties the tables (identities restarted) and puts the database back for the next
 * store. Statements already queued run first (PGlite runs one at a time, in order), so nothing a
 * closed store started can reach the next one.
 */
function lease(db: Db): Db {
  let closed = false;
  const open = () => {
    if (closed) throw new Error('PGlite is closed');
  };
  return {
    backend: db.backend,
    async query<T>(text: string, params?: readonly unknown[]) {
      open();
      return db.query<T>(text, params);
    },
    async exec(text) {
      open();
      return db.exec(text);
    },
    async transaction<T>(fn: (tx: Sql) => Promise<T>) {
      open();
      return db.transaction(fn);
    },
    async close() {
      if (closed) return;
      closed = true;
      const [tables] = await db.query<{ names: string | null }>(TABLES);
      if (tables?.names) await db.exec(`TRUNCATE ${tables.names} RESTART IDENTITY CASCADE`);
      putBack(db);
    },
  };
}
