/**
 * Part C — load and soak: the app in its own process (so its memory is measured alone), 100
 * connections on a mix of listing and connect/disconnect for several users, the fake GitHub and the
 * load generator in this process. Memory is read from outside: RSS from the process status, heap
 * from the app's own Prometheus metrics. No garbage collection is forced.
 */
import type { ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import autocannon, { type Result } from 'autocannon';
import { generateRepos, type FakeRepo } from '../test/fakes/github/index.ts';
import { KIND_CORPUS } from '../test/fixtures/kind-corpus.ts';
import { freePort } from '../test/support/ports.ts';
import {
  appEnv,
  count,
  getRepos,
  heading,
  median,
  mib,
  ms,
  pct,
  say,
  signIn,
  sleep,
  startFake,
  table,
  type RunOptions,
  type SignedIn,
  type TargetResult,
} from './support.ts';
import { cpuSecondsOf, startApp } from './startup.ts';

const CONNECTIONS = 100;
/** Repositories each user connects and disconnects at random: few enough that both meet often. */
const POOL = 40;
/**
 * Memory at the end of a phase: samples from its last seconds, long enough to hold a major
 * collection. RSS: median. Heap: lowest (the floor after a collection, judged) and mean.
 */
const WINDOW_MS = 20_000;
const QUICK_WINDOW_MS = 3_000;
const SAMPLE_EVERY_MS = 250;
/** Issue #16: the app on its embedded database stays within this through the load. */
const SOAK_RSS_LIMIT = 300 * 1024 * 1024;

type Op = 'listRepositories' | 'listConnections' | 'connectRepository' | 'disconnectRepository';

/** The answers the spec gives for these requests when all is well; anything else is unexpected. */
const EXPECTED: Record<Op, readonly number[]> = {
  listRepositories: [200],
  listConnections: [200],
  // Connecting an already connected repository is 200; a new connection 201.
  connectRepository: [200, 201],
  // Disconnecting a repository that is not connected is 404.
  disconnectRepository: [204, 404],
};
const MIX: ReadonlyArray<[Op, number]> = [
  ['listRepositories', 0.6],
  ['listConnections', 0.1],
  ['connectRepository', 0.15],
  ['disconnectRepository', 0.15],
];
const LIST_QUERIES = ['', '?per_page=100', '?page=2', '?sort=full_name&direction=asc', '?connected=true', '?q=api', '?kind=frontend', '?visibility=private&per_page=50'];

let child: ChildProcess | undefined;
let dataDir: string | undefined;
let cacheDir: string | undefined;

/** Ends the app process and removes its database; safe to call at any time, more than once. */
export function stopSoakApp(): void {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  child = undefined;
  for (const dir of [dataDir, cacheDir]) if (dir) rmSync(dir, { recursive: true, force: true });
  dataDir = undefined;
  cacheDir = undefined;
}

/** Log-spaced buckets (5% wide) from 0.05 ms: bounded memory however long the soak runs. */
class Latencies {
  private readonly buckets = new Map<number, number>();
  n = 0;
  record(value: number): void {
    const b = value <= 0.05 ? 0 : Math.ceil(Math.log(value / 0.05) / Math.log(1.05));
    this.buckets.set(b, (this.buckets.get(b) ?? 0) + 1);
    this.n++;
  }
  percentile(p: number): number {
    let seen = 0;
    for (const b of [...this.buckets.keys()].sort((x, y) => x - y)) {
      seen += this.buckets.get(b) ?? 0;
      if (seen >= (p / 100) * this.n) return 0.05 * 1.05 ** b;
    }
    return Number.NaN;
  }
}

interface OpStats {
  statuses: Map<number, number>;
  latencies: Latencies;
}

type Phase = 'warm-up' | 'soak';

/** RSS is read from outside the app, so it is sampled whether or not the app answers. */
interface RssSample {
  phase: Phase;
  at: number;
  rss: number;
}

/** Heap comes from the app's metrics endpoint, so a sample exists only when the app answered. */
interface HeapSample {
  phase: Phase;
  at: number;
  heap: number;
  /** Longest event-loop delay the app saw since the previous scrape. */
  lag: number;
}

interface PhaseMemory {
  rss: number;
  /** Lowest heap in the window (the floor after a collection), and the mean for reference. */
  heap: number;
  heapMean: number;
  heapSamples: number;
}

/** How the app answered its own metrics endpoint during a phase. */
interface Scrapes {
  asked: number;
  answered: number;
  slowestMs: number;
}

const SCRAPE_DEADLINE_MS = 15_000;

function rssOf(pid: number): number {
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    if (match?.[1]) return Number(match[1]) * 1024;
  } catch {
    // No procfs (not Linux): ask ps.
  }
  return Number(execFileSync('ps', ['-o', 'rss=', '-p', String(pid)]).toString().trim()) * 1024;
}

/** Heap used and the longest event-loop delay since the previous scrape, from the app's own metrics. */
let metricsUrl = '';
async function metricsOf(_baseUrl: string): Promise<{ heap: number; lag: number }> {
  // The metrics port is the operators' own, apart from the API's.
  // A deadline, so one unanswered scrape cannot stop the sampling for the rest of the phase.
  const text = await (await fetch(metricsUrl, { signal: AbortSignal.timeout(SCRAPE_DEADLINE_MS) })).text();
  const gauge = (name: string) => {
    const match = new RegExp(`^${name}\\s+([\\d.e+-]+)`, 'm').exec(text);
    return match?.[1] ? Number(match[1]) : Number.NaN;
  };
  return { heap: gauge('nodejs_heap_size_used_bytes'), lag: gauge('nodejs_eventloop_lag_max_seconds') * 1000 };
}

/** Resolves once the health check answers within 20 ms twice in a row (or after 15 s). */
async function appIdle(baseUrl: string): Promise<void> {
  const until = Date.now() + 15_000;
  let quick = 0;
  while (quick < 2 && Date.now() < until) {
    const t = performance.now();
    await fetch(`${baseUrl}/api/v1/health`).then((r) => r.arrayBuffer(), () => undefined);
    quick = performance.now() - t < 20 ? quick + 1 : 0;
    await sleep(100);
  }
}

export async function benchSoak(opts: RunOptions): Promise<TargetResult[]> {
  const userCount = opts.quick ? 3 : 8;
  const repoCount = opts.quick ? 100 : 300;
  // Long enough that its last 20 s (the "after warm-up" window) come after the caches have filled.
  const warmupSeconds = opts.quick ? 2 : 40;
  const soakSeconds = opts.soakSeconds;

  const repos = new Map<string, FakeRepo[]>();
  for (let u = 0; u < userCount; u++) {
    const login = `soak-${u + 1}`;
    repos.set(login, generateRepos(repoCount, { owner: { login }, seed: 3_000 + u, files: (_r, i) => ({ ...KIND_CORPUS[(i + u) % KIND_CORPUS.length]?.files }) }));
  }
  const fake = await startFake([...repos].map(([login, r]) => ({ login, repos: r })), opts.latencyMs);

  heading('Part C — load and soak');
  say(`${userCount} users × ${repoCount} repositories; ${CONNECTIONS} connections; warm-up ${warmupSeconds} s, then ${soakSeconds} s`);
  say(`mix: ${MIX.map(([op, share]) => `${op} ${Math.round(share * 100)}%`).join(', ')}; connect/disconnect pick among ${POOL} repositories of the user`);

  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  metricsUrl = `http://127.0.0.1:${await freePort()}/metrics`;
  dataDir = mkdtempSync(join(tmpdir(), 'rapi-bench-'));
  cacheDir = mkdtempSync(join(tmpdir(), 'rapi-bench-cache-'));
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    ...appEnv(fake.baseUrl, baseUrl, { PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'warn', METRICS_PORT: new URL(metricsUrl).port }),
    // A compile cache of its own: this start is a first start, as after a deploy.
    NODE_COMPILE_CACHE: cacheDir,
  };
  const validation = /^(1|true)$/i.test(env.VALIDATE_RESPONSES ?? '');
  say(`app in its own process, started as npm start does, with production settings (response validation ${validation ? 'on' : 'off'}, logs at warn, a new embedded database on disk)`);
  // The app logs JSON lines at warn and above: count them, keep a few messages.
  const logged = { warn: 0, error: 0, messages: new Set<string>() };
  let partial = '';
  const onStdout = (d: Buffer) => {
    const lines = (partial + d.toString()).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      try {
        const entry = JSON.parse(line) as { level?: number; msg?: string };
        if ((entry.level ?? 0) >= 50) logged.error++;
        else logged.warn++;
        if (entry.msg && logged.messages.size < 5) logged.messages.add(entry.msg);
      } catch {
        // Not a log line.
      }
    }
  };
  const started = await startApp(env, { onStdout });
  const app = started.child;
  child = app;
  const pid = started.pid;

  const stats = new Map<Op, OpStats>(MIX.map(([op]) => [op, { statuses: new Map(), latencies: new Latencies() }]));
  const rssSamples: RssSample[] = [];
  const heapSamples: HeapSample[] = [];
  const scrapes: Record<Phase, Scrapes> = { 'warm-up': { asked: 0, answered: 0, slowestMs: 0 }, soak: { asked: 0, answered: 0, slowestMs: 0 } };
  /** When each load phase ended: the memory windows end there, whatever samples came in. */
  const phaseEnd: Record<Phase, number> = { 'warm-up': Number.NaN, soak: Number.NaN };
  /** Answers per second of the soak: a stall shows as seconds with none. */
  const perSecond: number[] = [];
  let start: { rss: number; heap: number } | undefined;
  let warmResult: Result | undefined;
  /** Share of one core used during the soak: the app, and this process (load generator and fake GitHub). */
  const cpu = { app: Number.NaN, bench: Number.NaN };
  let soakResult: Result | undefined;

  try {
    start = { rss: started.rss, heap: (await metricsOf(baseUrl)).heap };

    const users: SignedIn[] = [];
    for (const login of repos.keys()) users.push(await signIn(baseUrl, login));
    // Each user's first listing (cold, with detection) happens before the load, as after a sign-in.
    for (const user of users) await getRepos(baseUrl, user.token);
    const pools = new Map(users.map((u) => [u.token, (repos.get(u.login) ?? []).slice(0, POOL).map((r) => r.id)]));

    const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)] as T;
    const choose = (): Op => {
      let roll = Math.random();
      for (const [op, share] of MIX) if ((roll -= share) < 0) return op;
      return 'listRepositories';
    };
    const run = (seconds: number, phase: Phase, record: boolean): Promise<Result> => {
      const began = performance.now();
      const rssTimer = setInterval(() => rssSamples.push({ phase, at: Date.now(), rss: rssOf(pid) }), SAMPLE_EVERY_MS);
      // One scrape at a time: under load an answer can take longer than the interval.
      let loading = true;
      const scraping = (async () => {
        while (loading) {
          const t = Date.now();
          const tally = scrapes[phase];
          tally.asked++;
          try {
            const { heap, lag } = await metricsOf(baseUrl);
            tally.answered++;
            heapSamples.push({ phase, at: Date.now(), heap, lag });
          } catch {
            // Not answered within the deadline: counted, and the next scrape goes on.
          }
          tally.slowestMs = Math.max(tally.slowestMs, Date.now() - t);
          await sleep(Math.max(0, SAMPLE_EVERY_MS - (Date.now() - t)));
        }
      })();
      const instance = autocannon({
        url: baseUrl,
        connections: CONNECTIONS,
        duration: seconds,
        timeout: 10,
        requests: [
          {
            setupRequest: (req, context) => {
              const user = pick(users);
              const op = choose();
              const headers: Record<string, string> = { authorization: `Bearer ${user.token}` };
              const repoId = pick(pools.get(user.token) ?? [0]);
              context.op = op;
              context.t0 = performance.now();
              if (op === 'listRepositories') return { ...req, method: 'GET', path: `/api/v1/repos${pick(LIST_QUERIES)}`, headers, body: '' };
              if (op === 'listConnections') return { ...req, method: 'GET', path: '/api/v1/connections', headers, body: '' };
              if (op === 'connectRepository') {
                return { ...req, method: 'POST', path: '/api/v1/connections', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify({ provider: 'github', repo_id: repoId }) };
              }
              return { ...req, method: 'DELETE', path: `/api/v1/connections/github/${repoId}`, headers, body: '' };
            },
            onResponse: (status, _body, context) => {
              if (!record) return;
              const s = stats.get(context.op as Op);
              if (!s) return;
              s.statuses.set(status, (s.statuses.get(status) ?? 0) + 1);
              const now = performance.now();
              s.latencies.record(now - (context.t0 as number));
              const second = Math.floor((now - began) / 1000);
              perSecond[second] = (perSecond[second] ?? 0) + 1;
            },
          },
        ],
      });
      return Promise.resolve(instance).finally(async () => {
        phaseEnd[phase] = Date.now();
        loading = false;
        clearInterval(rssTimer);
        await scraping;
      });
    };

    process.stderr.write(`  … soak: warm-up ${warmupSeconds} s\n`);
    warmResult = await run(warmupSeconds, 'warm-up', false);
    // The warm-up's last requests are still being served when it stops; the soak's 100 new
    // connections start once the app has answered them (see "Settling between loads" in README).
    await appIdle(baseUrl);
    process.stderr.write(`  … soak: ${soakSeconds} s\n`);
    const appCpu0 = cpuSecondsOf(pid);
    const ownCpu0 = process.cpuUsage();
    const wall0 = performance.now();
    soakResult = await run(soakSeconds, 'soak', true);
    const wall = (performance.now() - wall0) / 1000;
    const own = process.cpuUsage(ownCpu0);
    cpu.app = (cpuSecondsOf(pid) - appCpu0) / wall;
    cpu.bench = (own.user + own.system) / 1e6 / wall;
  } finally {
    if (app.exitCode === null && app.signalCode === null) {
      app.kill('SIGTERM');
      const exited = await Promise.race([new Promise((resolve) => app.once('exit', () => resolve(true))), sleep(10_000).then(() => false)]);
      if (!exited) app.kill('SIGKILL');
    }
    child = undefined;
    stopSoakApp();
    await fake.close();
  }

  // --------------------------------------------------------------- report
  const windowMs = opts.quick ? QUICK_WINDOW_MS : WINDOW_MS;
  const inWindow = <T extends { phase: Phase; at: number }>(list: T[], phase: Phase) =>
    list.filter((x) => x.phase === phase && x.at <= phaseEnd[phase] && x.at >= phaseEnd[phase] - windowMs);
  const atEnd = (phase: Phase): PhaseMemory => {
    const heaps = inWindow(heapSamples, phase).map((x) => x.heap);
    return {
      rss: median(inWindow(rssSamples, phase).map((x) => x.rss)),
      heap: heaps.length ? Math.min(...heaps) : Number.NaN,
      heapMean: heaps.length ? heaps.reduce((a, b) => a + b, 0) / heaps.length : Number.NaN,
      heapSamples: heaps.length,
    };
  };
  const warm = atEnd('warm-up');
  const end = atEnd('soak');
  const r = soakResult as Result;

  let unexpected = 0;
  const opRows: string[][] = [];
  for (const [op, s] of stats) {
    const total = [...s.statuses.values()].reduce((a, b) => a + b, 0);
    const bad = [...s.statuses].filter(([status]) => !EXPECTED[op].includes(status)).reduce((a, [, n]) => a + n, 0);
    unexpected += bad;
    const statuses = [...s.statuses].sort(([a], [b]) => a - b).map(([status, n]) => `${status}×${count(n)}`).join(' ');
    opRows.push([op, count(total), count(Math.round(total / r.duration)), ms(s.latencies.percentile(50)), ms(s.latencies.percentile(99)), statuses, String(bad)]);
  }
  // autocannon's `errors` already includes its `timeouts`.
  const errors = r.errors;
  say();
  say(table(
    ['operation', 'requests', 'req/s', 'p50', 'p99', 'statuses', 'unexpected'],
    [
      ...opRows,
      ['all (autocannon)', count(r.requests.total), count(Math.round(r.requests.total / r.duration)), `${r.latency.p50} ms`, `${r.latency.p99} ms`, `non-2xx ${count(r.non2xx)}`, String(unexpected)],
    ],
  ));
  say(`errors: ${r.errors} (of which ${r.timeouts} timeouts at 10 s); non-2xx answers ${count(r.non2xx)} (404 of disconnect is expected); unexpected statuses ${unexpected}`);
  say(`CPU during the soak, in cores: app ${cpu.app.toFixed(2)}, bench process (load generator + fake GitHub) ${cpu.bench.toFixed(2)}`);
  say(`warm-up: ${count(Math.round((warmResult?.requests.total ?? 0) / (warmResult?.duration ?? 1)))} req/s; app log lines at warn: ${logged.warn}, at error: ${logged.error}${logged.messages.size ? ` (${[...logged.messages].join('; ')})` : ''}`);
  say();
  const delta = (a: number, b: number) => (b - a) / a;
  say(table(
    ['app memory', 'RSS (median)', 'heap used (lowest)', 'heap used (mean)'],
    [
      ['start (ready, idle)', mib(start?.rss ?? Number.NaN), mib(start?.heap ?? Number.NaN), ''],
      ['after warm-up', mib(warm.rss), mib(warm.heap), mib(warm.heapMean)],
      ['end of soak', mib(end.rss), mib(end.heap), mib(end.heapMean)],
      ['end vs after warm-up', pct(delta(warm.rss, end.rss)), pct(delta(warm.heap, end.heap)), pct(delta(warm.heapMean, end.heapMean))],
    ],
  ));
  const soakStart = phaseEnd.soak - r.duration * 1000;
  const sliceMs = Math.max(1_000, Math.ceil((soakSeconds * 1000) / 8 / 1000) * 1000);
  const trend: string[] = [];
  for (let from = soakStart; from < phaseEnd.soak - 500; from += sliceMs) {
    const within = <T extends { phase: Phase; at: number }>(list: T[]) => list.filter((x) => x.phase === 'soak' && x.at >= from && x.at < from + sliceMs);
    const heaps = within(heapSamples).map((x) => x.heap);
    trend.push(`${Math.round((from - soakStart) / 1000)} s ${mib(median(within(rssSamples).map((x) => x.rss)))} / ${heaps.length ? mib(Math.min(...heaps)) : 'n/a'}`);
  }
  say(`trend during the soak, per ${sliceMs / 1000} s (RSS median / heap lowest): ${trend.join(', ')}`);
  const lags = heapSamples.filter((x) => x.phase === 'soak').map((x) => x.lag).filter(Number.isFinite);
  const soakScrapes = scrapes.soak;
  say(`the app's metrics endpoint, scraped one at a time during the soak: ${soakScrapes.answered} of ${soakScrapes.asked} answered within ${SCRAPE_DEADLINE_MS / 1000} s, ` +
    `slowest ${ms(soakScrapes.slowestMs)}; heap samples in the end windows: ${warm.heapSamples} after warm-up, ${end.heapSamples} at the end`);
  // perSecond is sparse where no answer came: read it densely.
  const seconds = Array.from({ length: Math.floor(r.duration) }, (_, i) => perSecond[i] ?? 0);
  const silent = seconds.filter((n) => n === 0).length;
  say(`answers per second during the soak: lowest ${count(Math.min(...seconds))}, median ${count(median(seconds))}; ` +
    `seconds without any answer: ${silent}; longest event-loop delay in the app: ${lags.length ? ms(Math.max(...lags)) : 'n/a'}`);
  say(`memory at the end of a phase: from the samples of its last ${windowMs / 1000} s (RSS every ${SAMPLE_EVERY_MS} ms from outside; heap when the app answers), ` +
    'RSS the median, heap the lowest (after a collection: judged) and the mean; no forced GC');

  const rssDelta = delta(warm.rss, end.rss);
  // The floor after a collection, over a window long enough to hold one: the mean of a sawtooth
  // whose period is several seconds depends on where the window cuts it.
  const heapDelta = delta(warm.heap, end.heap);
  // A quick run ends its warm-up before the app's memory has left its start-up level (the embedded
  // database is created at start): its figures are shown, not judged.
  const judgeMemory = !opts.quick;
  if (!judgeMemory) say('quick run: memory is shown but not judged (the warm-up is too short for it to settle)');
  const highest = Math.max(...rssSamples.map((x) => x.rss));
  return [
    {
      part: 'C',
      name: 'soak: RSS, highest sample through warm-up and soak (embedded)',
      measured: mib(highest),
      target: `≤ ${mib(SOAK_RSS_LIMIT)}`,
      met: judgeMemory && Number.isFinite(highest) ? highest <= SOAK_RSS_LIMIT : undefined,
    },
    { part: 'C', name: `soak ${soakSeconds} s: errors (timeouts included)`, measured: `${errors} (${r.timeouts} timeouts)`, target: '0', met: errors === 0 },
    { part: 'C', name: `soak ${soakSeconds} s: unexpected statuses`, measured: String(unexpected), target: '0', met: unexpected === 0 },
    {
      part: 'C',
      name: 'soak: RSS at the end vs after warm-up',
      measured: `${pct(rssDelta)} (${mib(warm.rss)} → ${mib(end.rss)})`,
      target: 'within ±10%',
      met: judgeMemory && Number.isFinite(rssDelta) ? Math.abs(rssDelta) <= 0.1 : undefined,
    },
    {
      part: 'C',
      name: 'soak: heap used (lowest) at the end vs after warm-up',
      measured: `${pct(heapDelta)} (${mib(warm.heap)} → ${mib(end.heap)})`,
      target: 'within ±10%',
      met: judgeMemory && Number.isFinite(heapDelta) ? Math.abs(heapDelta) <= 0.1 : undefined,
    },
  ];
}
