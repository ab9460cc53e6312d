/**
 * The gates that come before the tests (lint, generated files, breaking changes, types, the
 * reference build), two at a time: none of them writes what another reads. Each one's output is
 * printed whole when it ends, and the run fails if any of them failed.
 */
import { spawn } from 'node:child_process';

const GATES = ['lint:spec', 'typecheck', 'lint:code', 'check:generated', 'check:breaking', 'docs'];
const AT_ONCE = 2;

interface Outcome {
  gate: string;
  ok: boolean;
  seconds: number;
}

function runGate(gate: string): Promise<Outcome> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn('npm', ['run', '--silent', gate], { stdio: ['ignore', 'pipe', 'pipe'] });
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
