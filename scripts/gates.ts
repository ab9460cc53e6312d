/**
 * The gates alone (lint, generated files, breaking changes, types, the reference build), two at a
 * time: none of them writes what another reads. Each one's output is printed whole when it ends, and
 * the run fails if any of them failed. `npm test` runs the same gates beside the test files.
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runPool, scriptJob } from './jobs.ts';

export const GATES = ['typecheck', 'lint:code', 'lint:spec', 'check:generated', 'check:breaking', 'docs'];

if (process.argv[1] && fileURLToPath(import.meta.url) === realpathSync(process.argv[1])) {
  const outcomes = await runPool(GATES.map(scriptJob), 2, (o) => {
    process.stdout.write(`\n== ${o.job.name}: ${o.ok ? 'passed' : 'FAILED'} (${o.seconds.toFixed(1)} s)\n${o.output}`);
  });
  const failed = outcomes.filter((o) => !o.ok).map((o) => o.job.name);
  console.log(failed.length ? `\n✖ gates failed: ${failed.join(', ')}` : `\nall ${GATES.length} gates passed`);
  process.exit(failed.length ? 1 : 0);
}
