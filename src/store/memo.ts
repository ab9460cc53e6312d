/**
 * Rows kept in process, read through on a miss. Only for a database this process owns alone (the
 * embedded one): every write goes through this process's store, which forgets the rows it changes,
 * so a kept row is never older than the database. PostgreSQL may have other writers and is always
 * asked.
 */
import { Recent } from '../cache/recent.ts';

export class Memo<V> {
  private readonly values: Recent<string, { value: V }>;
  /** The load in flight per key; a write drops it, so its stale result is handed out but not kept. */
  private readonly loading = new Map<string, Promise<V>>();

  constructor(maxEntries: number) {
    this.values = new Recent(maxEntries);
  }

  /** The kept value, or else `load()`'s (shared by callers that ask while it runs). */
  get(key: string, load: () => Promise<V>): Promise<V> {
    const hit = this.values.use(key);
    if (hit) return Promise.resolve(hit.value);
    const running = this.loading.get(key);
    if (running) return running;
    const loaded = load();
    this.loading.set(key, loaded);
    loaded.then(
      (value) => {
        if (this.loading.get(key) !== loaded) return;
        this.loading.delete(key);
        this.set(key, value);
      },
      () => {
        if (this.loading.get(key) === loaded) this.loading.delete(key);
      },
    );
    return loaded;
  }

  /** Keeps a value a write has just produced. It is frozen: every caller shares it. */
  set(key: string, value: V): void {
    this.loading.delete(key);
    this.values.set(key, { value: deepFreeze(value) });
  }

  /** Forgets the key, and any load of it already running; call it after the write has committed. */
  forget(key: string): void {
    this.values.delete(key);
    this.loading.delete(key);
  }
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}
