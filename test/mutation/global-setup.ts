/**
 * Global setup of the mutation run: only the migrated embedded database that test apps start from.
 * The reference build and the Prism mock of `npm test` are not needed by the files Stryker runs.
 */
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { writeEmbeddedSnapshot } from '../support/embedded.ts';

const DIR = fileURLToPath(new URL('../../.test-out/mutation/', import.meta.url));
const SNAPSHOT = `${DIR}embedded-snapshot.tar`;

export default async function setup(project: TestProject) {
  mkdirSync(DIR, { recursive: true });
  await writeEmbeddedSnapshot(SNAPSHOT);
  project.provide('embeddedSnapshot', SNAPSHOT);
  // No file of the mutation run drives the mock; the address only satisfies the shared context's type.
  project.provide('prismMockUrl', 'http://127.0.0.1:9');
}
