/**
 * Where a request's CPU time goes: the app under load, profiled with V8's sampling profiler, and the
 * samples attributed to the module that was running.
 *
 *   npm run bench:profile                      # /health, the warm listing, and the warm listing with a query, 5 s each
 *   npm run bench:profile -- --cold 50          # instead: 50 cold listings one after another (caches emptied
 *                                              # each time, the fake answering at once): the app's own work
 *   npm run bench:profile -- --cold 50 --known  # the same with the page count remembered: all pages asked at once
 *   npm run bench:profile -- --cold 50 --host gitlab [--known]
 *                                              # the same for GitLab's listing, against the fake GitLab
 *   npm run bench:profile -- --compressed       # the warm listing also asked with Accept-Encoding: gzip, deflate, br
 *   npm run bench:profile -- --seconds 10 --save .test-out/profiles
 *                                              # longer, and the .cpuprofile files kept (open them in
 *                                              # Chrome DevTools' Performance panel, or speedscope)
 *
 * Each sample is given to the innermost frame that belongs to a package or to one of our files; a
 * sample inside Node itself (sockets, streams, HTTP parsing) goes to the innermost caller that does, and
 * one with no such caller is "node: <function>". The app runs in this process, on the same settings as
 * part A of `npm run bench` (validation off unless --validate), the fake GitHub in a worker thread (not
 * profiled) and the load (autocannon) in a child process.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { generateRepos } from '../test/fakes/github/index.ts';
import { generateProjects } from '../test/fakes/gitlab/index.ts';
import { signInThrough } from '../test/support/sign-in.ts';
import { gitLabDetections, startGitLabWorker } from './gitlab.ts';
import { CLIENT, WARMUP_LOGIN, count, getRepos, loadFromChild, median, userCacheKeys, say, settle, signIn, startApp, startFake, table, warmUpCode } from './support.ts';
import type { LoadResult } from './support.ts';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const META = new Set(['(idle)', '(program)', '(garbage collector)', '(root)']);
/** Node's own work that is the same for any framework: writing the answer to the socket. */
const SOCKET_WRITES = new Set(['writev', 'writeUtf8String', 'writeLatin1String', 'writeAsciiString', 'writeBuffer']);

/** The package (or our own file) a frame's code belongs to, or undefined for Node's own code. */
function ownerOf(url: string): string | undefined {
  if (!url || url.startsWith('node:')) return undefined;
  const path = decodeURIComponent(url.replace(/^file:\/\//, ''));
  const nm = path.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const [scopeOrName, name] = path.slice(nm + '/node_modules/'.length).split('/');
    return scopeOrName?.startsWith('@') ? `${scopeOrName}/${name}` : scopeOrName;
  }
  const src = path.lastIndexOf('/src/');
  if (src >= 0) return path.slice(src + 1);
  const bench = path.lastIndexOf('/bench/');
  return bench >= 0 ? path.slice(bench + 1) : path;
}

/** Time per owner in µs, plus the profile's active (non-idle) time. */
export function attribute(profile: Profile): { byOwner: Map<string, number>; activeUs: number } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const owners = new Map<number, string>();
  const ownerOfNode = (id: number): string => {
    const known = owners.get(id);
    if (known) return known;
    const leaf = byId.get(id)!;
    let label: string | undefined;
    if (META.has(leaf.callFrame.functionName)) label = leaf.callFrame.functionName;
    else if (SOCKET_WRITES.has(leaf.callFrame.functionName) && !leaf.callFrame.url) label = 'node: socket write';
    else if (leaf.callFrame.url === 'node:inspector') label = '(profiler)';
    for (let at: number | undefined = id; !label && at !== undefined; at = parent.get(at)) label = ownerOf(byId.get(at)!.callFrame.url);
    label ??= `node: ${leaf.callFrame.functionName || '(anonymous)'}`;
    owners.set(id, label);
    return label;
  };
  const byOwner = new Map<string, number>();
  let activeUs = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    const owner = ownerOfNode(id);
    byOwner.set(owner, (byOwner.get(owner) ?? 0) + dt);
    if (owner !== '(idle)') activeUs += dt;
  });
  return { byOwner, activeUs };
}

async function profiled(session: Session, run: () => Promise<LoadResult>): Promise<{ profile: Profile; load: LoadResult }> {
  await settle();
  await session.post('Profiler.start');
  const load = await run();
  const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: Profile };
  return { profile, load };
}

function report(name: string, profile: Profile, load: LoadResult): void {
  const { byOwner, activeUs } = attribute(profile);
  const perRequest = (us: number) => `${(us / load.requests).toFixed(1)} µs`;
  const rows = [...byOwner]
    .filter(([owner]) => owner !== '(idle)')
    .sort((a, b) => b[1] - a[1])
    .filter(([, us]) => us / activeUs >= 0.005)
    .map(([owner, us]) => [owner, `${((us / activeUs) * 100).toFixed(1)}%`, perRequest(us)]);
  say(`\n${name}: ${count(load.requests)} requests, ${count(Math.round(load.rps))} req/s, p50 ${load.p50} ms, p99 ${load.p99} ms; ` +
    `CPU busy ${(activeUs / 1000).toFixed(0)} ms of ${((profile.endTime - profile.startTime) / 1000).toFixed(0)} ms, ${perRequest(activeUs)} per request`);
  say(table(['module (innermost frame that is a package or ours)', 'share of busy CPU', 'per request'], rows));
}

function save(folder: string, name: string, profile: Profile): void {
  mkdirSync(folder, { recursive: true });
  const file = join(folder, `${name}.cpuprofile`);
  writeFileSync(file, JSON.stringify(profile));
  say(`profile written to ${file}`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string', default: '5' },
      repos: { type: 'string', default: '1000' },
      validate: { type: 'boolean', default: false },
      save: { type: 'string' },
      cold: { type: 'string' },
      known: { type: 'boolean', default: false },
      host: { type: 'string', default: 'github' },
      compressed: { type: 'boolean', default: false },
    },
  });
  if (values.host !== 'github' && values.host !== 'gitlab') throw new Error('--host takes github or gitlab');
  if (values.host === 'gitlab') {
    if (!values.cold) throw new Error('--host gitlab profiles cold listings: give --cold N');
    return profileGitLab({ runs: Number(values.cold), size: Number(values.repos), known: values.known, validate: values.validate, save: values.save });
  }
  const seconds = Number(values.seconds);
  const size = Number(values.repos);
  const login = `profile-${size}`;
  const fake = await startFake(
    [
      { login: WARMUP_LOGIN, repos: generateRepos(150, { owner: { login: WARMUP_LOGIN }, seed: 99 }) },
      { login, repos: generateRepos(size, { owner: { login }, seed: size }) },
    ],
    0,
  );
  const app = await startApp(fake, { LISTING_CACHE_TTL_SECONDS: '3600', VALIDATE_RESPONSES: String(values.validate) });
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 100 });
  try {
    await warmUpCode(app);
    const user = await signIn(app.baseUrl, login);
    for (let i = 0; i < 20; i++) await getRepos(app.baseUrl, user.token);
    if (values.cold) {
      const runs = Number(values.cold);
      const keys = userCacheKeys(user);
      const pageKeys = Array.from({ length: Math.ceil(size / 100) + 2 }, (_, i) => keys.page(i + 1));
      const cold = async () => {
        await app.app.services.cache.del([...(values.known ? [] : [keys.pageCount]), ...keys.listing, ...pageKeys]);
        return (await getRepos(app.baseUrl, user.token, { refresh: 'true' })).ms;
      };
      for (let i = 0; i < 5; i++) await cold();
      const times: number[] = [];
      const { profile, load } = await profiled(session, async () => {
        const t0 = performance.now();
        for (let i = 0; i < runs; i++) times.push(await cold());
        const seconds = (performance.now() - t0) / 1000;
        return { requests: runs, seconds, rps: runs / seconds, p50: Math.round(median(times)), p99: Math.round(Math.max(...times)), errors: 0, timeouts: 0, non2xx: 0 };
      });
      const what = values.known ? 'known page count' : 'cold';
      say(`Node ${process.version}; ${what} listings of ${count(size)} repositories one after another, the fake answering without delay; median ${median(times).toFixed(1)} ms`);
      report(`${what}: GET /api/v1/repos?refresh=true (${count(size)} repositories)`, profile, load);
      if (values.save) save(values.save, `${values.known ? 'known' : 'cold'}-${size}`, profile);
      return;
    }
    say(`Node ${process.version}; app in this process, validation ${values.validate ? 'on' : 'off'}; 50 connections, ${seconds} s each`);
    const listing: Record<string, string> = { authorization: `Bearer ${user.token}` };
    const routes: Array<[string, string, Record<string, string>]> = [
      ['GET /api/v1/health', `${app.baseUrl}/api/v1/health`, {}],
      [`GET /api/v1/repos (warm, ${count(size)} repositories, page of 30)`, `${app.baseUrl}/api/v1/repos`, listing],
      // With a query the request validator checks the request (without one it has nothing to check and is skipped).
      [`GET /api/v1/repos?sort=pushed&page=2 (warm, ${count(size)} repositories, the request checked)`, `${app.baseUrl}/api/v1/repos?sort=pushed&page=2`, listing],
    ];
    // The same listing asked for compressed, as a browser asks: each kept answer is compressed once.
    if (values.compressed) {
      routes.push([`GET /api/v1/repos (warm, ${count(size)} repositories, page of 30, Accept-Encoding: gzip, deflate, br)`, `${app.baseUrl}/api/v1/repos`, { ...listing, 'accept-encoding': 'gzip, deflate, br' }]);
    }
    for (const [name, url, headers] of routes) {
      await loadFromChild(url, headers, 50, 1);
      const { profile, load } = await profiled(session, () => loadFromChild(url, headers, 50, seconds));
      report(name, profile, load);
      const file = name.split(' ')[1]!.replace(/\W+/g, '-').replace(/^-|-$/g, '') + (headers['accept-encoding'] ? '-compressed' : '');
      if (values.save) save(values.save, file, profile);
    }
  } finally {
    session.disconnect();
    await app.close();
    await fake.close();
  }
}

/** Cold (or known page count) GitLab listings one after another, against the fake GitLab answering at once in a worker thread. */
async function profileGitLab(opts: { runs: number; size: number; known: boolean; validate: boolean; save: string | undefined }): Promise<void> {
  const login = `profile-gl-${opts.size}`;
  const projects = generateProjects(opts.size, { owner: { login }, seed: opts.size });
  const gitlab = await startGitLabWorker({ users: [{ login, projects }], latencyMs: 0, clientId: CLIENT.id, clientSecret: CLIENT.secret });
  const github = await startFake([{ login: WARMUP_LOGIN, repos: [] }], 0);
  const app = await startApp(github, {
    LISTING_CACHE_TTL_SECONDS: '3600',
    VALIDATE_RESPONSES: String(opts.validate),
    GITLAB_URL: gitlab.baseUrl,
    GITLAB_CLIENT_ID: CLIENT.id,
    GITLAB_CLIENT_SECRET: CLIENT.secret,
  });
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 100 });
  try {
    await app.app.services.store.detections.putMany(gitLabDetections(projects));
    const user = await signInThrough(app.baseUrl, login, { provider: 'gitlab' });
    const keys = [...(opts.known ? [] : [`glpages:${user.userId}`]), `listing:v2:${user.userId}:gitlab`, `listing:v2:${user.userId}:gitlab:stamp`];
    const cold = async () => {
      await app.app.services.cache.del(keys);
      const res = await getRepos(app.baseUrl, user.token, { refresh: 'true', provider: 'gitlab' });
      if (res.body.total !== opts.size) throw new Error(`listing gave ${res.body.total} projects, expected ${opts.size}`);
      return res.ms;
    };
    for (let i = 0; i < 5; i++) await cold();
    const times: number[] = [];
    const { profile, load } = await profiled(session, async () => {
      const t0 = performance.now();
      for (let i = 0; i < opts.runs; i++) times.push(await cold());
      const seconds = (performance.now() - t0) / 1000;
      return { requests: opts.runs, seconds, rps: opts.runs / seconds, p50: Math.round(median(times)), p99: Math.round(Math.max(...times)), errors: 0, timeouts: 0, non2xx: 0 };
    });
    const what = opts.known ? 'known page count' : 'cold';
    say(`Node ${process.version}; GitLab ${what} listings of ${count(opts.size)} projects one after another, the fake answering without delay; median ${median(times).toFixed(1)} ms`);
    report(`GitLab ${what}: GET /api/v1/repos?refresh=true&provider=gitlab (${count(opts.size)} projects)`, profile, load);
    if (opts.save) save(opts.save, `gitlab-${opts.known ? 'known' : 'cold'}-${opts.size}`, profile);
  } finally {
    session.disconnect();
    await app.close();
    await github.close();
    await gitlab.close();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`profile failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
