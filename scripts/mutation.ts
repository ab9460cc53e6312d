/**
 * `npm run mutation`: the two StrykerJS runs, one after the other — the modules that guard users
 * (test/mutation/stryker.config.mjs) and kind detection (test/mutation/stryker.kind.config.mjs) — then the mutation score of every
 * module they mutate, and how long each run took. Fails when a run fails or a module scores below
 * `MIN_SCORE`. Options after `--` go to both runs (`npm run mutation -- --concurrency 1`, `-- --force`).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { testDatabases } from '../test/support/databases.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** Every module must reach it, not only the run as a whole. */
const MIN_SCORE = 85;

interface Run {
  name: string;
  config: string;
}

const RUNS: Run[] = [
  { name: 'modules that guard users', config: 'test/mutation/stryker.config.mjs' },
  { name: 'kind detection', config: 'test/mutation/stryker.kind.config.mjs' },
];

interface StrykerConfig {
  mutate: string[];
  jsonReporter: { fileName: string };
}

interface ReportMutant {
  status: 'Killed' | 'Survived' | 'NoCoverage' | 'Timeout' | 'CompileError' | 'RuntimeError' | 'Ignored' | 'Pending';
}

interface Report {
  files: Record<string, { mutants: ReportMutant[] }>;
}

interface ModuleScore {
  module: string;
  killed: number;
  timeout: number;
  survived: number;
  noCoverage: number;
  ignored: number;
  errors: number;
  /** Detected (killed or timed out) over the mutants that ran or had no test, in percent. */
  score: number;
}

function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
}

/** The module's name as the config's `mutate` gives it, line ranges included. */
function moduleName(file: string, mutate: string[]): string {
  const ranges = mutate.filter((m) => m.startsWith(`${file}:`)).map((m) => m.slice(file.length + 1));
  return ranges.length ? `${file}:${ranges.join(',')}` : file;
}

/** Each module's score, in the order of the config's `mutate`. */
function scores(report: Report, mutate: string[]): ModuleScore[] {
  const rank = (file: string) => mutate.findIndex((m) => m === file || m.startsWith(`${file}:`));
  const files = Object.entries(report.files).sort(([a], [b]) => rank(a) - rank(b));
  return files.map(([file, { mutants }]) => {
    const count = (...statuses: ReportMutant['status'][]) => mutants.filter((m) => statuses.includes(m.status)).length;
    const killed = count('Killed');
    const timeout = count('Timeout');
    const survived = count('Survived');
    const noCoverage = count('NoCoverage');
    const valid = killed + timeout + survived + noCoverage;
    return {
      module: moduleName(file, mutate),
      killed,
      timeout,
      survived,
      noCoverage,
      ignored: count('Ignored'),
      errors: count('CompileError', 'RuntimeError'),
      score: valid === 0 ? 100 : (100 * (killed + timeout)) / valid,
    };
  });
}

function table(rows: ModuleScore[]): string {
  // `ignored`: mutants of code that runs when the module loads, which `ignoreStatic` leaves out.
  const header = ['module', 'score', 'killed', 'timeout', 'survived', 'no cov', 'ignored', 'errors'];
  const lines = rows.map((r) => [r.module, r.score.toFixed(2), r.killed, r.timeout, r.survived, r.noCoverage, r.ignored, r.errors].map(String));
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)));
  const format = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join(' | ');
  return [format(header), widths.map((w) => '-'.repeat(w)).join('-|-'), ...lines.map(format)].join('\n');
}

// The store's SQL path (src/store/index.ts) runs only against PostgreSQL: without it those mutants have no test.
const postgres = (await testDatabases()).find((d) => d.backend === 'postgres');
if (postgres?.skip) console.warn(`⚠ ${postgres.skip}. Without it the store's PostgreSQL path has no test, and the store scores below ${MIN_SCORE}%.`);

const passThrough = process.argv.slice(2);
const stryker = join(ROOT, 'node_modules/.bin/stryker');
const started = Date.now();
const rows: ModuleScore[] = [];
const durations: string[] = [];
const failures: string[] = [];

for (const run of RUNS) {
  const config = (await import(pathToFileURL(join(ROOT, run.config)).href)).default as StrykerConfig;
  const reportFile = join(ROOT, config.jsonReporter.fileName);
  console.log(`\n▶ ${run.name}: stryker run ${[run.config, ...passThrough].join(' ')}\n`);
  const runStarted = Date.now();
  const result = spawnSync(stryker, ['run', run.config, ...passThrough], { cwd: ROOT, stdio: 'inherit' });
  const took = Date.now() - runStarted;
  durations.push(`${run.name} (${run.config}): ${duration(took)}`);
  const fresh = existsSync(reportFile) && statSync(reportFile).mtimeMs >= runStarted;
  const runRows = fresh ? scores(JSON.parse(readFileSync(reportFile, 'utf8')) as Report, config.mutate) : [];
  rows.push(...runRows);
  // Stryker also exits 1 when the run's total is below its break threshold: then a module below says which.
  if (!fresh) failures.push(`${run.config} wrote no report (exit ${result.status ?? result.signal ?? String(result.error)})`);
  else if (result.status !== 0 && runRows.every((r) => r.score >= MIN_SCORE)) failures.push(`${run.config} exited with ${result.status ?? result.signal}`);
}

console.log(`\nMutation score per module (at least ${MIN_SCORE}% each; equivalent mutants: test/mutation/equivalent-mutants.md)\n`);
console.log(table(rows));
console.log(`\nDuration: ${durations.join('; ')}; in all ${duration(Date.now() - started)}.`);

const below = rows.filter((r) => r.score < MIN_SCORE);
for (const r of below) console.error(`✖ ${r.module} scores ${r.score.toFixed(2)}%, below ${MIN_SCORE}%`);
for (const f of failures) console.error(`✖ ${f}`);
if (below.length || failures.length || rows.length === 0) process.exit(1);
console.log(`✔ every module scores at least ${MIN_SCORE}%`);
