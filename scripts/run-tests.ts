/**
 * Runs every test file with Node's test runner, then the spec-coverage gate: every (operation, status)
 * the spec declares must be exercised against the implementation by some test, or be listed as pending
 * in test/contract/pending.json with a reason. A pair that is exercised but still listed fails too, so
 * the pending list only shrinks. Given file arguments, runs just those and skips the gate.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { writeEmbeddedSnapshot } from '../test/support/embedded.ts';

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

const only = process.argv.slice(2);
rmSync(EXERCISED_DIR, { recursive: true, force: true });
mkdirSync(EXERCISED_DIR, { recursive: true });
const files = only.length ? only : testFiles();
// One migrated embedded database for every test process to copy, instead of one created in each.
await writeEmbeddedSnapshot(EMBEDDED_SNAPSHOT);
const run = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-reporter=spec', `--test-concurrency=${process.env.TEST_CONCURRENCY ?? 2}`, '--test-timeout=120000', ...files],
  { stdio: 'inherit', env: { ...process.env, NODE_ENV: 'test', TEST_EMBEDDED_SNAPSHOT: EMBEDDED_SNAPSHOT } },
);
const testsPassed = run.status === 0;
const gatePassed = only.length ? true : coverageGate();
process.exit(testsPassed && gatePassed ? 0 : 1);
