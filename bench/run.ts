/**
 * Benchmark of the Repositories API against the local fake GitHub, on loopback only.
 *
 *   npm run bench                              # all parts: listing, detection, 60 s soak (several minutes)
 *   npm run bench -- --quick                   # small sizes, short runs: a smoke check in under a minute
 *   npm run bench -- --only listing            # one part: listing | facets | gitlab | detection | start | soak | bitbucket
 *   npm run bench -- --only listing,gitlab     # some parts: GitHub's listing and GitLab's, side by side
 *   npm run bench -- --latency 100             # the fake GitHub's latency per request, ms (default 50)
 *   npm run bench -- --soak-seconds 300        # length of the soak, s (default 60)
 *   GITHUB_CONCURRENCY=16 npm run bench -- --only listing
 *                                              # GITHUB_CONCURRENCY, DETECTION_BUDGET_MS, GITHUB_TIMEOUT_MS and
 *                                              # LISTING_CACHE_TTL_SECONDS reach the app as they would in production
 *
 * It prints figures and whether each target is met; it never fails on timing (the exit code is
 * non-zero only when the benchmark itself could not run). See bench/README.md.
 */
import { parseArgs } from 'node:util';
import { benchDetection } from './detection.ts';
import { benchFacets } from './facets.ts';
import { benchGitLab } from './gitlab.ts';
import { benchListing } from './listing.ts';
import { benchSoak, stopSoakApp } from './soak.ts';
import { benchStartup } from './startup.ts';
import { benchBitbucket } from './bitbucket.ts';
import { heading, say, table, type RunOptions, type TargetResult } from './support.ts';

const PARTS = ['listing', 'facets', 'gitlab', 'detection', 'start', 'soak', 'bitbucket'] as const;
type Part = (typeof PARTS)[number];

function options(): RunOptions & { only: Part[] | undefined } {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      latency: { type: 'string', default: '50' },
      'soak-seconds': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    say('usage: npm run bench -- [--quick] [--only listing|facets|gitlab|detection|start|soak|bitbucket[,…]] [--latency MS] [--soak-seconds S]');
    process.exit(0);
  }
  const only = values.only === undefined ? undefined : (values.only.split(',') as Part[]);
  if (only !== undefined && !only.every((p) => PARTS.includes(p))) throw new Error(`--only takes ${PARTS.join(', ')}, or several of them separated by commas`);
  const latencyMs = Number(values.latency);
  if (!Number.isFinite(latencyMs) || latencyMs < 0 || latencyMs > 5_000) throw new Error('--latency takes 0 to 5000 (ms)');
  const soakSeconds = Number(values['soak-seconds'] ?? (values.quick ? 5 : 60));
  if (!Number.isFinite(soakSeconds) || soakSeconds < 1 || soakSeconds > 3_600) throw new Error('--soak-seconds takes 1 to 3600');
  return { quick: values.quick, only, latencyMs, soakSeconds };
}

/** GitLab's listing rows (part G) right after GitHub's (part A), so the two hosts read side by side; the rest in run order. */
function besideGitHub(results: TargetResult[]): TargetResult[] {
  const rank = (r: TargetResult) => (r.part === 'A' ? 0 : r.part === 'G' ? 1 : 2);
  return results.map((r, i) => ({ r, i })).sort((a, b) => rank(a.r) - rank(b.r) || a.i - b.i).map(({ r }) => r);
}

function summary(unordered: TargetResult[]): void {
  const results = besideGitHub(unordered);
  heading('Summary');
  const verdict = (m: boolean | undefined) => (m === undefined ? 'n/a' : m ? 'met' : 'NOT MET');
  say(table(['part', 'target', 'measured', 'goal', 'result'], results.map((r) => [r.part, r.name, r.measured, r.target, verdict(r.met)])));
  const met = results.filter((r) => r.met).length;
  say(`\n${met} of ${results.length} targets met. Timings come from a shared machine: compare the ratios, and repeat a run before acting on one figure.`);
}

async function main(): Promise<void> {
  const opts = options();
  // Stops by itself even if something hangs: generous bounds over the expected running time.
  const limitSeconds = opts.quick ? 180 : 2_100 + opts.soakSeconds * 2;
  const watchdog = setTimeout(() => {
    process.stderr.write(`benchmark stopped: still running after ${limitSeconds} s\n`);
    stopSoakApp();
    process.exit(2);
  }, limitSeconds * 1000);
  watchdog.unref();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      stopSoakApp();
      process.exit(130);
    });
  }

  say(`Repositories API benchmark${opts.quick ? ' (quick)' : ''}: Node ${process.version}, fake GitHub latency ${opts.latencyMs} ms`);
  const results: TargetResult[] = [];
  const started = Date.now();
  const took: string[] = [];
  const part = async (name: Part, run: (o: RunOptions) => Promise<TargetResult[]>) => {
    if (opts.only && !opts.only.includes(name)) return;
    const t0 = Date.now();
    results.push(...(await run(opts)));
    took.push(`${name} ${Math.round((Date.now() - t0) / 1000)} s`);
  };
  await part('listing', benchListing);
  // Right after GitHub's listing, on the same machine state: GitLab's rows are read beside it.
  await part('gitlab', benchGitLab);
  await part('facets', benchFacets);
  await part('detection', benchDetection);
  await part('start', benchStartup);
  await part('soak', benchSoak);
  await part('bitbucket', benchBitbucket);
  summary(results);
  say(`(${Math.round((Date.now() - started) / 1000)} s: ${took.join(', ')})`);
  clearTimeout(watchdog);
}

main().then(
  // Undici keeps idle sockets to the (closed) servers for a while; nothing is left to wait for.
  () => process.exit(0),
  (error: unknown) => {
    stopSoakApp();
    process.stderr.write(`benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
