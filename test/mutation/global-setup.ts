/**
 * Global setup of the mutation run: only the migrated embedded database that test apps start from.
 * The reference build and the Prism mock of `npm test` are not needed by the files Stryker runs.
 */
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { writeEmbeddedSnapshot } from '../support/embedded.ts';

const SNAPSHOT = fileURLToPath(new URL('../../.stryker-tmp/embedded-snapshot.tar', import.meta.url));

export default async function setup(project: TestProject) {
  const { mkdirSync } = await import('node:fs');
  mkdirSync(fileURLToPath(new URL('../../.stryker-tmp/', import.meta.url)), { recursive: true });
  await writeEmbeddedSnapshot(SNAPSHOT);
  project.provide('embeddedSnapshot', SNAPSHOT);
  project.provide('prismMockUrl', 'http://127.0.0.1:9');
}
