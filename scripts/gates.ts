/**
 * The gates that come before the tests (lint, generated files, breaking changes, types, the
 * reference build), two at a time: none of them writes what another reads. Each one's output is
 * printed whole when it ends, and the run fails if any of them failed.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { delimiter, resolve as resolvePath } from 'node:path';

const GATES = ['lint:spec', 'typecheck', 'lint:code', 'check:generated', 'check:breaking', 'docs'];
const SCRIPTS = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts;
const AT_ONCE = 2;

interface Outcome {
  gate: string;
  ok: boolean;
  seconds: number;
}

function runGate(gate: string): Promise<Outcome> {
  const started = performance.now();
  return new Promise((resolve) => {
    // The script's command line as npm would run it (node_modules/.bin first on PATH), without
    // starting npm itself for each gate.
    const child = spawn('sh', ['-c', SCRIPTS[gate] ?? `echo "no script ${gate}" >&2; exit 1`], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, PATH: `${resolvePath('node_modules/.bin')}${delimiter}${process.env.PATH ?? ''}` },
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('close', (code) => {
      const outcome = { gate, ok: code === 0, seconds: (performance.now() - started) / 1000 };
      process.stdout.write(`\n== ${gate}: ${outcome.ok ? 'passed' : 'FAILED'} (${outcome.seconds.toFixed(1)} s)\n${output}`);
      resolve(outcome);
    });
  });
}

const queue = [...GATES];
const outcomes: Outcome[] = [];
await Promise.all(
  Array.from({ length: AT_ONCE }, async () => {
    for (let gate = queue.shift(); gate; gate = queue.shift()) outcomes.push(await runGate(gate));
  }),
);
const failed = outcomes.filter((o) => !o.ok).map((o) => o.gate);
console.log(failed.length ? `\n✖ gates failed: ${failed.join(', ')}` : `\nall ${GATES.length} gates passed`);
process.exit(failed.length ? 1 : 0);
