import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { openDb, openEmbeddedSnapshot, snapshotEmbedded } from '../../src/store/db.ts';
import { createStore } from '../../src/store/index.ts';
import { migrate } from '../../src/store/migrations.ts';
import type { Store } from '../../src/store/types.ts';

/** Where the test runner leaves one migrated snapshot for every test process to start from. */
const SNAPSHOT_FILE = process.env.TEST_EMBEDDED_SNAPSHOT;

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
 * A fresh, migrated embedded database for one test app, started from a snapshot: the runner's
 * (TEST_EMBEDDED_SNAPSHOT), or else one this process makes on its first call. Starting from a
 * snapshot takes a fraction of a second; creating and migrating a database takes several.
 */
export async function freshEmbeddedStore(secretKey: string): Promise<Store> {
  snapshot ??= SNAPSHOT_FILE && existsSync(SNAPSHOT_FILE)
    ? readFile(SNAPSHOT_FILE).then((bytes) => new Blob([bytes]))
    : migratedSnapshot();
  return createStore(await openEmbeddedSnapshot(await snapshot), secretKey);
}
