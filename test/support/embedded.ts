import { openDb, openEmbeddedSnapshot, snapshotEmbedded } from '../../src/store/db.ts';
import { createStore } from '../../src/store/index.ts';
import { migrate } from '../../src/store/migrations.ts';
import type { Store } from '../../src/store/types.ts';

let snapshot: Promise<Blob> | undefined;

/**
 * A fresh, migrated embedded database for one test app. The first call in a process creates and
 * migrates one and keeps a snapshot of it; later calls start from the snapshot, several times faster.
 */
export async function freshEmbeddedStore(secretKey: string): Promise<Store> {
  snapshot ??= (async () => {
    const db = await openDb({ dataDir: 'memory://' });
    await migrate(db);
    const files = await snapshotEmbedded(db);
    await db.close();
    return files;
  })();
  return createStore(await openEmbeddedSnapshot(await snapshot), secretKey);
}
