/**
 * Part G — GitLab listing, beside GitHub's part A: cold (page 1, then every other page at once once
 * GitLab's headers count them), known page count (every page at once) and warm (the listing cache),
 * at 100 and 1,000 projects, each as a ratio to the fake GitLab alone read on the same schedule.
 * Kinds are stored before timing, as in part A, so no detection runs while a listing is timed.
 */
import { Worker } from 'node:worker_threads';
import { utcDate } from '../src/hosts/boundary.ts';
import { generateProjects, tokenFor, type FakeProject } from '../test/fakes/gitlab/index.ts';
import { signInThrough } from '../test/support/sign-in.ts';
import { CLIENT, count, getRepos, heading, median, ms, ratio, say, startApp, startFake, table, type RunOptions, type TargetResult } from './support.ts';
import type { GitLabWorkerData } from './gitlab-worker.ts';

const PER_PAGE = 100;

interface GitLabFake {
  baseUrl: string;
  requests(): Promise<number>;
  close(): Promise<void>;
}

async function startGitLabWorker(data: GitLabWorkerData): Promise<GitLabFake> {
  const worker = new Worker(new URL('./gitlab-worker.ts', import.meta.url), { workerData: data });
  const baseUrl = await new Promise<string>((resolve, reject) => {
    worker.once('error', reject);
    worker.once('message', (m: { ready: string }) => resolve(m.ready));
  });
  let next = 0;
  const ask = (cmd: 'counters' | 'reset' | 'close') =>
    new Promise<{ total: number }>((resolve) => {
      const id = ++next;
      const on = (m: { id?: number; counters: { total: number } }) => {
        if (m.id !== id) return;
        worker.off('message', on);
        resolve(m.counters);
      };
      worker.on('message', on);
      worker.postMessage({ id, cmd });
    });
  return {
    baseUrl,
    requests: async () => (await ask('counters')).total,
    async close() {
      await ask('close');
      await worker.terminate();
    },
  };
}

/** Every page straight from the fake, no app: page 1 then the rest (`firstAlone`), or all at once; `concurrency` at a time. */
async function fakeAlone(baseUrl: string, token: string, pages: number, concurrency: number, firstAlone: boolean): Promise<number> {
  const page = async (n: number) => {
    const res = await fetch(`${baseUrl}/api/v4/projects?membership=true&order_by=id&sort=asc&per_page=${PER_PAGE}&page=${n}`, { headers: { authorization: `Bearer ${token}` } });
    if (res.status !== 200) throw new Error(`the fake GitLab answered ${res.status}`);
    JSON.parse(await res.text());
  };
  const started = performance.now();
  const rest = Array.from({ length: pages }, (_, i) => i + 1).slice(firstAlone ? 1 : 0);
  if (firstAlone) await page(1);
  let at = 0;
  await Promise.all(Array.from({ length: Math.min(concurrency, rest.length) }, async () => {
    while (at < rest.length) await page(rest[at++]!);
  }));
  return performance.now() - started;
}

const detectionsOf = (projects: FakeProject[]) =>
  projects.map((p) => ({ provider: 'gitlab' as const, repo_id: p.id, pushed_at: utcDate(p.last_activity_at) ?? '', kind: 'frontend' as const, reason: 'Vite + React', origin: null, origin_reason: null }));

export async function benchGitLab(opts: RunOptions): Promise<TargetResult[]> {
  const sizes = [100, 1_000];
  const reps = opts.quick ? 1 : 5;
  const projects = new Map(sizes.map((n) => [n, generateProjects(n, { owner: { login: `gl-bench-${n}` }, seed: n })]));
  const gitlab = await startGitLabWorker({
    users: sizes.map((n) => ({ login: `gl-bench-${n}`, projects: projects.get(n) ?? [] })),
    latencyMs: opts.latencyMs,
    clientId: CLIENT.id,
    clientSecret: CLIENT.secret,
  });
  // The app needs its GitHub too; nobody here lists it.
  const github = await startFake([{ login: 'bench-warmup', repos: [] }], opts.latencyMs);
  const app = await startApp(github, {
    LISTING_CACHE_TTL_SECONDS: '3600',
    VALIDATE_RESPONSES: 'false',
    GITLAB_URL: gitlab.baseUrl,
    GITLAB_CLIENT_ID: CLIENT.id,
    GITLAB_CLIENT_SECRET: CLIENT.secret,
  });
  const concurrency = app.config.gitlab.concurrency;
  const rows: Array<{ n: number; rtt: number; cold: number; aloneCold: number; known: number; aloneKnown: number; warm: number; warmRequests: number; coldRequests: number }> = [];
  heading('Part G — GitLab listing');
  say(`the fake GitLab in a worker thread at ${opts.latencyMs} ms a request; pages of ${PER_PAGE}, ${concurrency} at a time; timed on the bench's thread, the fake alone too`);
  try {
    for (const n of sizes) await app.app.services.store.detections.putMany(detectionsOf(projects.get(n) ?? []));
    for (const n of sizes) {
      const login = `gl-bench-${n}`;
      const pages = Math.ceil(n / PER_PAGE);
      const user = await signInThrough(app.baseUrl, login, { provider: 'gitlab' });
      // The bench signs in with the fake's personal access token for the fake alone; the app holds its OAuth token.
      const token = tokenFor(login);
      const keys = [`glpages:${user.userId}`, `listing:v2:${user.userId}:gitlab`, `listing:v2:${user.userId}:gitlab:stamp`];
      const list = async (refresh: boolean) => {
        const res = await getRepos(app.baseUrl, user.token, refresh ? { refresh: 'true', provider: 'gitlab' } : { provider: 'gitlab' });
        if (res.body.total !== n) throw new Error(`listing ${login} gave ${res.body.total} projects, expected ${n}`);
        return res.ms;
      };
      await list(true);
      const rtts: number[] = [];
      const cold: number[] = [];
      const aloneCold: number[] = [];
      const known: number[] = [];
      const aloneKnown: number[] = [];
      let coldRequests = 0;
      for (let r = 0; r < reps; r++) {
        rtts.push(await fakeAlone(gitlab.baseUrl, token, 1, 1, true));
        await app.app.services.cache.del(keys);
        const sent = await gitlab.requests();
        cold.push(await list(true));
        coldRequests = (await gitlab.requests()) - sent;
        aloneCold.push(await fakeAlone(gitlab.baseUrl, token, pages, concurrency, true));
        await app.app.services.cache.del(keys.slice(1));
        known.push(await list(true));
        aloneKnown.push(await fakeAlone(gitlab.baseUrl, token, pages, concurrency, false));
      }
      await list(false);
      const before = await gitlab.requests();
      const warm: number[] = [];
      for (let r = 0; r < 20; r++) warm.push(await list(false));
      rows.push({ n, rtt: median(rtts), cold: median(cold), aloneCold: median(aloneCold), known: median(known), aloneKnown: median(aloneKnown), warm: median(warm), warmRequests: (await gitlab.requests()) - before, coldRequests });
    }
  } finally {
    await app.close();
    await github.close();
    await gitlab.close();
  }
  const col = (f: (r: (typeof rows)[number]) => string) => rows.map(f);
  say(
    table(['', ...rows.map((r) => `${count(r.n)} projects`)], [
      ['fake round trip (one page)', ...col((r) => ms(r.rtt))],
      ['fake alone: page 1, then the rest', ...col((r) => ms(r.aloneCold))],
      ['cold listing', ...col((r) => ms(r.cold))],
      ['  ÷ the fake alone', ...col((r) => ratio(r.cold / r.aloneCold))],
      ['  requests to GitLab', ...col((r) => String(r.coldRequests))],
      ['fake alone: all pages at once', ...col((r) => ms(r.aloneKnown))],
      ['known page count', ...col((r) => ms(r.known))],
      ['  ÷ the fake alone', ...col((r) => ratio(r.known / r.aloneKnown))],
      ['warm, one request at a time', ...col((r) => ms(r.warm))],
      ['  requests to GitLab (20 warm listings)', ...col((r) => String(r.warmRequests))],
    ]),
  );
  return rows.flatMap((r) => [
    { part: 'G', name: `GitLab cold listing, ${count(r.n)} projects ÷ the fake alone`, measured: `${ratio(r.cold / r.aloneCold)} (${ms(r.cold)} ÷ ${ms(r.aloneCold)})`, target: '≤ 1.10×', met: r.cold / r.aloneCold <= 1.1 },
    { part: 'G', name: `GitLab known page count, ${count(r.n)} projects ÷ the fake alone`, measured: `${ratio(r.known / r.aloneKnown)} (${ms(r.known)} ÷ ${ms(r.aloneKnown)})`, target: '≤ 1.10×', met: r.known / r.aloneKnown <= 1.1 },
    { part: 'G', name: `GitLab warm listing, ${count(r.n)} projects: requests to GitLab`, measured: String(r.warmRequests), target: '0', met: r.warmRequests === 0 },
  ]);
}
