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
import { CLIENT, count, heading, median, ms, ratio, say, startApp, startFake, startTimingClient, table, type RunOptions, type TargetResult, type TimingClient } from './support.ts';
import type { GitLabWorkerData } from './gitlab-worker.ts';

const PER_PAGE = 100;

interface GitLabFake {
  baseUrl: string;
  requests(): Promise<number>;
  close(): Promise<void>;
}

export async function startGitLabWorker(data: GitLabWorkerData): Promise<GitLabFake> {
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

/** The URL of a page of the project list straight from the fake, as the app asks for it. */
const pageUrl = (baseUrl: string, n: number) => `${baseUrl}/api/v4/projects?membership=true&order_by=id&sort=asc&per_page=${PER_PAGE}&page=${n}`;

/**
 * Every page straight from the fake, no app, from the timing client's thread (as part A's fake alone):
 * page 1 then the rest (`firstAlone`), or all at once; `concurrency` at a time.
 */
function fakeAlone(timed: TimingClient, baseUrl: string, token: string, pages: number, concurrency: number, firstAlone: boolean): Promise<number> {
  const all = Array.from({ length: pages }, (_, i) => pageUrl(baseUrl, i + 1));
  return timed.pages(firstAlone ? [all.slice(0, 1), all.slice(1)].filter((r) => r.length > 0) : [all], { authorization: `Bearer ${token}` }, concurrency);
}

/** What detection would store for these projects, so a timed listing runs no detection. */
export const gitLabDetections = (projects: FakeProject[]) =>
  projects.map((p) => ({ provider: 'gitlab' as const, repo_id: p.id, pushed_at: utcDate(p.last_activity_at) ?? '', kind: 'frontend' as const, reason: 'Vite + React', origin: null, origin_reason: null }));

const WARMUP = 'gl-bench-warmup';

export async function benchGitLab(opts: RunOptions): Promise<TargetResult[]> {
  const sizes = [100, 1_000];
  const reps = opts.quick ? 1 : 7;
  const projects = new Map(sizes.map((n) => [n, generateProjects(n, { owner: { login: `gl-bench-${n}` }, seed: n })]));
  const warmupProjects = generateProjects(150, { owner: { login: WARMUP }, seed: 99 });
  const gitlab = await startGitLabWorker({
    users: [{ login: WARMUP, projects: warmupProjects }, ...sizes.map((n) => ({ login: `gl-bench-${n}`, projects: projects.get(n) ?? [] }))],
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
  // The timed steps' client, on a thread of its own, as part A's (see `client-worker.ts`).
  const timed = await startTimingClient();
  const concurrency = app.config.gitlab.concurrency;
  const rows: Array<{ n: number; rtt: number; cold: number; aloneCold: number; known: number; aloneKnown: number; warm: number; warmRequests: number; coldRequests: number }> = [];
  heading('Part G — GitLab listing');
  say(`the fake GitLab in a worker thread at ${opts.latencyMs} ms a request; pages of ${PER_PAGE}, ${concurrency} at a time; ${reps === 1 ? 'one measurement' : `median of ${reps}`} per figure`);
  say('timed from a client thread of its own, the fake alone too, as part A; before measuring, the app lists another GitLab user');
  try {
    for (const n of sizes) await app.app.services.store.detections.putMany(gitLabDetections(projects.get(n) ?? []));
    await app.app.services.store.detections.putMany(gitLabDetections(warmupProjects));
    // So that "cold" means cold caches, not a cold process.
    const warmup = await signInThrough(app.baseUrl, WARMUP, { provider: 'gitlab' });
    for (const refresh of [true, true, false, false]) await timed.getRepos(app.baseUrl, warmup.token, refresh ? { refresh: 'true', provider: 'gitlab' } : { provider: 'gitlab' });
    for (const n of sizes) {
      const login = `gl-bench-${n}`;
      const pages = Math.ceil(n / PER_PAGE);
      const user = await signInThrough(app.baseUrl, login, { provider: 'gitlab' });
      // The bench signs in with the fake's personal access token for the fake alone; the app holds its OAuth token.
      const token = tokenFor(login);
      const keys = [`glpages:${user.userId}`, `listing:v2:${user.userId}:gitlab`, `listing:v2:${user.userId}:gitlab:stamp`];
      const list = async (refresh: boolean) => {
        const res = await timed.getRepos(app.baseUrl, user.token, refresh ? { refresh: 'true', provider: 'gitlab' } : { provider: 'gitlab' });
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
        rtts.push(await fakeAlone(timed, gitlab.baseUrl, token, 1, 1, false));
        await app.app.services.cache.del(keys);
        const sent = await gitlab.requests();
        cold.push(await list(true));
        coldRequests = (await gitlab.requests()) - sent;
        aloneCold.push(await fakeAlone(timed, gitlab.baseUrl, token, pages, concurrency, true));
        await app.app.services.cache.del(keys.slice(1));
        known.push(await list(true));
        aloneKnown.push(await fakeAlone(timed, gitlab.baseUrl, token, pages, concurrency, false));
      }
      await list(false);
      const before = await gitlab.requests();
      const warm: number[] = [];
      for (let r = 0; r < 20; r++) warm.push(await list(false));
      rows.push({ n, rtt: median(rtts), cold: median(cold), aloneCold: median(aloneCold), known: median(known), aloneKnown: median(aloneKnown), warm: median(warm), warmRequests: (await gitlab.requests()) - before, coldRequests });
    }
  } finally {
    await timed.close();
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
