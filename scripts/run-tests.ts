/**
 * The whole test run: every test file, each in its own process, and (with `--gates`, what `npm test`
 * passes) the gates of scripts/gates.ts, all from one pool, a few processes at a time, longest first.
 * Each process's report is printed whole when it ends. Then the spec-coverage gate: every
 * (operation, status) the spec declares must be exercised against the implementation by some test,
 * or be listed as pending in test/contract/pending.json with a reason. A pair that is exercised but
 * still listed fails too, so the pending list only shrinks. Given file arguments, runs just those
 * and skips the coverage gate.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { writeEmbeddedSnapshot } from '../test/support/embedded.ts';
import { spawnPrism } from '../test/support/prism.ts';
import { GATES } from './gates.ts';
import { runJob, runPool, scriptJob, type Job, type Outcome } from './jobs.ts';

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
 * What takes longest starts first, so that the pool's workers end close together instead of one
 * running the last long file alone; the rest follow in alphabetical order. Test files and gates mix.
 */
const LONGEST_FIRST = [
  'test/ops/ops.test.ts',
  'test/fuzz/spec-properties.test.ts',
  'test/api/api.test.ts',
  'test/contract/contract.test.ts',
  'typecheck',
  'lint:code',
  'test/store/store.test.ts',
  'lint:spec',
  'test/mock/prism-examples.test.ts',
  'test/docs/docs.test.ts',
  'test/github/github.test.ts',
  'check:generated',
];
const rank = (name: string) => {
  const i = LONGEST_FIRST.indexOf(name);
  return i < 0 ? LONGEST_FIRST.length : i;
};

/** The reference the docs gate builds is read by tests (the `/docs` route): it is built before them. */
const BUILT_BEFORE_TESTS = 'docs';
/** Processes at once: two cores here, and the test processes also wait on their fakes and children. */
const AT_ONCE = Number(process.env.TEST_CONCURRENCY ?? 3);
if (!Number.isInteger(AT_ONCE) || AT_ONCE < 1) throw new Error(`TEST_CONCURRENCY must be a whole number of at least 1, not "${process.env.TEST_CONCURRENCY}"`);
/** A file run directly has no per-test timeout: a file that hangs is stopped (and fails) after this. */
const FILE_TIMEOUT_MS = 5 * 60_000;
const SUMMARY = ['tests', 'suites', 'pass', 'fail', 'cancelled', 'skipped', 'todo'] as const;

const args = process.argv.slice(2);
const withGates = args.includes('--gates');
const only = args.filter((a) => a !== '--gates');
rmSync(EXERCISED_DIR, { recursive: true, force: true });
mkdirSync(EXERCISED_DIR, { recursive: true });
const files = only.length ? only : testFiles();

// Before any test: one migrated embedded database for every test process to copy (instead of one
// created in each), one Prism mock (it keeps no state) for every file that drives the mock, and the
// reference.
const [, mock, reference] = await Promise.all([
  writeEmbeddedSnapshot(EMBEDDED_SNAPSHOT),
  spawnPrism('mock'),
  withGates ? runJob(scriptJob(BUILT_BEFORE_TESTS)) : undefined,
]);

const testEnv = { ...process.env, NODE_ENV: 'test', TEST_EMBEDDED_SNAPSHOT: EMBEDDED_SNAPSHOT, TEST_PRISM_MOCK_URL: mock.baseUrl };
const fileJob = (file: string): Job => ({
  name: file,
  command: process.execPath,
  // --liftoff-only: test processes live seconds, and optimising the embedded PostgreSQL's WebAssembly
  // costs each of them more CPU (about 0.7 s) than it saves.
  args: ['--liftoff-only', '--import', 'tsx', '--test-reporter=spec', file],
  env: testEnv,
  timeoutMs: FILE_TIMEOUT_MS,
});
const isTestFile = new Set(files);
const jobs = [...files.map(fileJob), ...(withGates ? GATES.filter((g) => g !== BUILT_BEFORE_TESTS).map(scriptJob) : [])]
  .sort((a, b) => rank(a.name) - rank(b.name) || a.name.localeCompare(b.name));

const totals = Object.fromEntries(SUMMARY.map((k) => [k, 0])) as Record<(typeof SUMMARY)[number], number>;
const gateOutcomes: Outcome[] = reference ? [reference] : [];
let gatesPrinted = false;
const printGates = () => {
  if (gatesPrinted) return;
  gatesPrinted = true;
  for (const o of gateOutcomes) process.stdout.write(`\n== ${o.job.name}: ${o.ok ? 'passed' : 'FAILED'} (${o.seconds.toFixed(1)} s)\n${o.output}`);
};
let testOutcomes: Outcome[];
try {
  testOutcomes = await runPool(jobs, AT_ONCE, (o) => {
    if (!isTestFile.has(o.job.name)) {
      gateOutcomes.push(o);
      return;
    }
    for (const key of SUMMARY) totals[key] += Number(new RegExp(`^ℹ ${key} (\\d+)$`, 'm').exec(o.output)?.[1] ?? 0);
    process.stdout.write(`\n▶ ${o.job.name} ${o.ok ? 'passed' : 'FAILED'} (${o.seconds.toFixed(1)} s)\n${o.output}`);
  }).then((all) => all.filter((o) => isTestFile.has(o.job.name)));
} catch (error) {
  // Whatever ended before the failure is still reported.
  printGates();
  throw error;
} finally {
  await mock.stop();
}

const failedFiles = testOutcomes.filter((o) => !o.ok).map((o) => o.job.name);
console.log(`\n${SUMMARY.map((k) => `${k} ${totals[k]}`).join(', ')} in ${testOutcomes.length} test files`);
if (failedFiles.length) console.error(`✖ test files failed: ${failedFiles.join(', ')}`);
const failedGates = gateOutcomes.filter((o) => !o.ok).map((o) => o.job.name);
let coveragePassed: boolean;
try {
  coveragePassed = only.length ? true : coverageGate();
} finally {
  printGates();
}
if (withGates) console.log(failedGates.length ? `\n✖ gates failed: ${failedGates.join(', ')}` : `\nall ${gateOutcomes.length} gates passed`);
process.exit(failedFiles.length === 0 && totals.fail === 0 && coveragePassed && failedGates.length === 0 ? 0 : 1);
