/**
 * A running sandbox leaves a note in its embedded database's folder (`sandbox.json`: its process id and
 * URL), so that neither a second sandbox nor `npm run token` opens that database beside it: the embedded
 * database is one process's at a time.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface RunningSandbox {
  pid: number;
  appUrl: string;
}

const noteOf = (dataDir: string) => join(dataDir, 'sandbox.json');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The sandbox running on this folder, if one is (a note left by a sandbox that died is ignored). */
export function runningSandbox(dataDir: string): RunningSandbox | undefined {
  if (dataDir.startsWith('memory://') || !existsSync(noteOf(dataDir))) return undefined;
  try {
    const note = JSON.parse(readFileSync(noteOf(dataDir), 'utf8')) as RunningSandbox;
    return Number.isInteger(note.pid) && note.pid !== process.pid && alive(note.pid) ? note : undefined;
  } catch {
    return undefined;
  }
}

/** Leaves the note; the returned function takes it away again. */
export function markRunning(dataDir: string, appUrl: string): () => void {
  if (dataDir.startsWith('memory://')) return () => {};
  writeFileSync(noteOf(dataDir), `${JSON.stringify({ pid: process.pid, appUrl } satisfies RunningSandbox)}\n`);
  return () => rmSync(noteOf(dataDir), { force: true });
}
