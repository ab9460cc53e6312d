/**
 * Once per test run, before any test file: the reference that the `/docs` route serves is built, one
 * migrated embedded database is written for every test process to copy (instead of one created and
 * migrated in each), and one Prism mock (it keeps no state) is started for every file that drives the
 * mock. Test files reach the last two through `inject`.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { TestProject } from 'vitest/node';
import { EXERCISED_DIR } from './contract.ts';
import { writeEmbeddedSnapshot } from './embedded.ts';
import { spawnPrism } from './prism.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Base URL of the Prism mock shared by the run. */
    prismMockUrl: string;
    /** File of the migrated embedded database that test processes start from. */
    embeddedSnapshot: string;
  }
}

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SNAPSHOT = `${ROOT}.test-out/embedded-snapshot.tar`;

async function buildReference(): Promise<void> {
  try {
    await promisify(execFile)('npm', ['run', '--silent', 'docs'], { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`the reference build (npm run docs) failed:\n${stdout}${stderr}`, { cause: error });
  }
}

export default async function setup(project: TestProject) {
  rmSync(EXERCISED_DIR, { recursive: true, force: true });
  mkdirSync(EXERCISED_DIR, { recursive: true });
  const [mock] = await Promise.all([spawnPrism('mock'), writeEmbeddedSnapshot(SNAPSHOT), buildReference()]);
  project.provide('prismMockUrl', mock.baseUrl);
  project.provide('embeddedSnapshot', SNAPSHOT);
  return () => mock.stop();
}
