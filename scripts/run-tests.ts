/**
 * Runs every test file with Node's test runner, then the spec-coverage gate: every (operation, status)
 * the spec declares must be exercised against the implementation by some test, or be listed as pending
 * in test/contract/pending.json with a reason. A pair that is exercised but still listed fails too, so
 * the pending list only shrinks. Given file arguments, runs just those and skips the gate.
 *
 * With `--gates` (what `npm test` passes) the gates of scripts/gates.ts (lint, generated files,
 * breaking changes, types, the reference build) run beside the test files, and their report is
 * printed after the tests': the run fails if any of them failed.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { writeEmbeddedSnapshot } from '../test/support/embedded.ts';
import { spawnPrism } from '../test/support/prism.ts';

const EXERCISED_DIR = '.test-out/exercised';
const EMBEDDED_SNAPSHOT = '.test-out/embedded-snapshot.tar';
const PENDING_FILE = 'test/contract/pending.json';

function testFiles(): string[] {
  return (readdirSync('test', { recursive: true }) as string[])
    .filter((f) => f.endsWith('.test.ts'))
    .map((f) => join('test', f))
    .sort();
}

function declaredPairs(): Set<string> {
  const spec = parse(readFileSync('openapi/dist/openapi.yaml', 'utf8')) as {
    paths: Record<string, Record<string, { operationId?: string; responses?: Record<string, unknown> }>>;
  };
  const pairs = new Set<string>();
  for (const item of Object.values(spec.paths)) {
    for (const op of Object.values(item)) {
      if (!op?.operationId || !op.responses) continue;
      for (const status of Object.keys(op.responses)) pairs.add(`${op.operationId} ${status}`);
    }
  }
  return pairs;
}

function exercisedPairs(): Set<string> {
  const pairs = new Set<string>();
  if (!existsSync(EXERCISED_DIR)) return pairs;
  for (const file of readdirSync(EXERCISED_DIR)) {
    for (const line of readFileSync(join(EXERCISED_DIR, file), 'utf8').split('\n')) {
      if (!line.trim()) continue;
      const { operationId, status } = JSON.parse(line) as { operationId: string; status: string };
      pairs.add(`${operationId} ${status}`);
    }
  }
  return pairs;
}

function coverageGate(): boolean {
  const declared = declaredPairs();
  const exercised = exercisedPairs();
  const pending = JSON.parse(readFileSync(PENDING_FILE, 'utf8')) as Record<string, string>;
  const problems: string[] = [];
  for (const pair of declared) {
    if (!exercised.has(pair) && !(pair in pending)) problems.push(`not exercised and not pending: ${pair}`);
    if (exercised.has(pair) && pair in pending) problems.push(`exercised but still pending (remove it from ${PENDING_FILE}): ${pair}`);
  }
  for (const pair of Object.keys(pending)) {
    if (!declared.has(pair)) problems.push(`pending but not declared by the spec: ${pair}`);
  }
  console.log(`\nspec coverage: ${declared.size} (operation, status) pairs declared, ${[...declared].filter((p) => exercised.has(p)).length} exercised, ${Object.keys(pending).length} pending`);
  for (const [pair, reason] of Object.entries(pending)) console.log(`  pending: ${pair} (${reason})`);
  for (const problem of problems) console.error(`  ✖ ${problem}`);
  return problems.length === 0;
}

/**
 * The files that take longest start first, so that the two workers end close together instead of
 * one waiting for the last long file (order within the rest is alphabetical).
 */
const LONGEST_FIRST = [
  'test/fuzz/spec-properties.test.ts',
  'test/api/api.test.ts',
  'test/contract/contract.test.ts',
  'test/ops/durability.test.ts',
  'test/ops/shutdown.test.ts',
  'test/ops/hygiene.test.ts',
  'test/ops/instances.test.ts',
  'test/store/store.test.ts',
  'test/mock/prism-examples.test.ts',
  'test/docs/docs.test.ts',
];
const rank = (file: string) => {
  const i = LONGEST_FIRST.indexOf(file);
  return i < 0 ? LONGEST_FIRST.length : i;
};

function exitOf(child: ReturnType<typeof spawn>): Promise<number> {
  return new Promise((resolve) => child.on('close', (code) => resolve(code ?? 1)));
}

const args = process.argv.slice(2);
const withGates = args.includes('--gates');
const only = args.filter((a) => a !== '--gates');
rmSync(EXERCISED_DIR, { recursive: true, force: true });
mkdirSync(EXERCISED_DIR, { recursive: true });
const files = only.length ? only : testFiles().sort((a, b) => rank(a) - rank(b));

// The gates write their report to a file, printed once the tests are done.
const GATES_LOG = '.test-out/gates.log';
const gates = withGates
  ? spawn(process.execPath, ['--import', 'tsx', 'scripts/gates.ts'], { stdio: ['ignore', openSync(GATES_LOG, 'w'), openSync(GATES_LOG, 'a')] })
  : undefined;
const gatesExit = gates ? exitOf(gates) : Promise.resolve(0);

// One migrated embedded database for every test process to copy, instead of one created in each, and
// one Prism mock (it keeps no state) for every test file that drives the mock.
const [, mock] = await Promise.all([writeEmbeddedSnapshot(EMBEDDED_SNAPSHOT), spawnPrism('mock')]);
const run = spawn(
  process.execPath,
  // --liftoff-only: test processes live seconds, and optimising the embedded PostgreSQL's WebAssembly
  // costs each of them more CPU (about 0.7 s) than it saves; the test files' processes inherit it.
  ['--liftoff-only', '--import', 'tsx', '--test', '--test-reporter=spec', `--test-concurrency=${process.env.TEST_CONCURRENCY ?? 2}`, '--test-timeout=120000', ...files],
  { stdio: 'inherit', env: { ...process.env, NODE_ENV: 'test', TEST_EMBEDDED_SNAPSHOT: EMBEDDED_SNAPSHOT, TEST_PRISM_MOCK_URL: mock.baseUrl } },
);
const testsPassed = (await exitOf(run)) === 0;
await mock.stop();
const coveragePassed = only.length ? true : coverageGate();
const gatesPassed = (await gatesExit) === 0;
if (gates) process.stdout.write(`\n${readFileSync(GATES_LOG, 'utf8')}`);
if (!testsPassed) console.error('\n✖ tests failed');
process.exit(testsPassed && coveragePassed && gatesPassed ? 0 : 1);
