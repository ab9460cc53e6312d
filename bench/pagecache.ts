/**
 * Part A's page cache and object shapes.
 *
 * Page cache: the bytes GitHub's page cache holds per 1,000 repositories, in the process (the in-process
 * cache keeps each entry as a JSON string) and in Redis (the same string, and Redis's own count with
 * `MEMORY USAGE` when a Redis is named), for three forms of the same pages of the fake, in this run:
 * GitHub's whole repository objects, the repositories as JSON objects of our fields (what the cache kept
 * before the lean form), and the lean form the app wrote (read back from its cache).
 *
 * Object shapes: why the repository's fields are compiled into one object literal (src/hosts/fields.ts)
 * rather than copied in a loop over the field list or spread: 1,000 answered repositories built each
 * way, then read and serialised.
 */
import { Redis } from 'ioredis';
import { toGitHubRepoPage } from '../src/hosts/github/repo.ts';
import { compileLiteral, REPOSITORY_FIELDS } from '../src/hosts/fields.ts';
import { checkHostRepositories } from '../src/hosts/boundary.ts';
import { renderRepo } from '../test/fakes/github/render.ts';
import type { FakeRepo } from '../test/fakes/github/index.ts';
import type { HostRepository } from '../src/hosts/types.ts';
import { count, pct, table, userCacheKeys, type FakeHost, type RunningApp, type SignedIn, type TargetResult } from './support.ts';

export interface PageCacheBytes {
  repositories: number;
  /** Per form: bytes in the process and in Redis (value bytes), and Redis's `MEMORY USAGE` when a Redis was named. */
  forms: Array<{ name: string; process: number; redis: number; redisUsage: number | undefined }>;
  redisUrl: string | undefined;
}

const WHOLE = "GitHub's whole repository objects";
const OBJECTS = 'our fields as JSON objects (the page cache until now)';
const LEAN = 'lean pages, ghpage:v2 (as the app wrote them)';

/** The bytes a JavaScript string takes: one per character when every one fits in a byte, else two. */
const stringBytes = (text: string) => (/[^\p{ASCII}\u0080-\u00ff]/u.test(text) ? 2 : 1) * text.length;

/**
 * The page cache of `user`'s listing of `pages` pages (read by the app already), in each form. The
 * whole and mapped forms are made here from the same pages of the fake, with the ETag and Link the app
 * kept, so only the repositories differ.
 */
export async function measurePageCache(fake: FakeHost, app: RunningApp, user: SignedIn, pages: number): Promise<PageCacheBytes> {
  const keys = userCacheKeys(user);
  const entries: Record<string, string[]> = { [WHOLE]: [], [OBJECTS]: [], [LEAN]: [] };
  let repositories = 0;
  for (let page = 1; page <= pages; page++) {
    const kept = await app.app.services.cache.get<{ etag: string; link: string | null; repos: { repos: unknown[] } }>(keys.page(page));
    if (!kept?.repos?.repos) throw new Error(`page ${page} is not in the app's page cache under ${keys.page(page)}: the page cache keys have changed in the app`);
    const url = `${fake.baseUrl}/user/repos?affiliation=owner,collaborator,organization_member&sort=full_name&direction=asc&per_page=100&page=${page}`;
    const res = await fetch(url, { headers: { authorization: `bearer ${user.githubToken}` } });
    if (res.status !== 200) throw new Error(`the fake answered ${res.status} to page ${page}`);
    const whole = (await res.json()) as unknown[];
    if (whole.length !== kept.repos.repos.length) throw new Error(`page ${page}: the fake sent ${whole.length} repositories, the app kept ${kept.repos.repos.length}`);
    repositories += whole.length;
    entries[WHOLE]!.push(JSON.stringify({ etag: kept.etag, link: kept.link, repos: whole }));
    entries[OBJECTS]!.push(JSON.stringify({ etag: kept.etag, link: kept.link, repos: toGitHubRepoPage(whole) }));
    entries[LEAN]!.push(JSON.stringify(kept));
  }
  const redisUrl = process.env.BENCH_REDIS_URL || process.env.TEST_REDIS_URL || undefined;
  const usage = redisUrl ? await redisUsage(redisUrl, entries) : undefined;
  const per1000 = (bytes: number) => Math.round((bytes * 1000) / Math.max(1, repositories));
  return {
    repositories,
    redisUrl,
    forms: Object.entries(entries).map(([name, values]) => ({
      name,
      process: per1000(values.reduce((s, v) => s + stringBytes(v), 0)),
      redis: per1000(values.reduce((s, v) => s + Buffer.byteLength(v), 0)),
      redisUsage: usage?.has(name) ? per1000(usage.get(name)!) : undefined,
    })),
  };
}

/** What Redis says each form takes (`MEMORY USAGE`, key and overhead included), stored under keys of the bench's own and deleted. */
async function redisUsage(url: string, entries: Record<string, string[]>): Promise<Map<string, number>> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 2_000, commandTimeout: 2_000 });
  redis.on('error', () => {});
  const out = new Map<string, number>();
  try {
    await redis.connect();
    for (const [form, values] of Object.entries(entries)) {
      let bytes = 0;
      for (const [i, value] of values.entries()) {
        const key = `bench:pagecache:${process.pid}:${i}`;
        await redis.set(key, value, 'EX', 60);
        bytes += Number(await redis.call('MEMORY', 'USAGE', key, 'SAMPLES', '0'));
        await redis.del(key);
      }
      out.set(form, bytes);
    }
  } catch (error) {
    process.stderr.write(`  … Redis at ${url} not measured: ${error instanceof Error ? error.message : String(error)}\n`);
  } finally {
    redis.disconnect();
  }
  return out;
}

export function pageCacheTable(m: PageCacheBytes): string {
  const today = m.forms.find((f) => f.name === OBJECTS)!;
  const whole = m.forms.find((f) => f.name === WHOLE)!;
  return table(
    [`page cache per 1,000 repositories (${count(m.repositories)} read)`, 'in the process', 'in Redis (value)', m.redisUrl ? 'Redis MEMORY USAGE' : 'Redis MEMORY USAGE (no BENCH_REDIS_URL)', '÷ JSON objects', "÷ GitHub's objects"],
    m.forms.map((f) => [
      f.name,
      `${count(f.process)} B`,
      `${count(f.redis)} B`,
      f.redisUsage === undefined ? 'n/a' : `${count(f.redisUsage)} B`,
      pct(f.process / today.process),
      pct(f.process / whole.process),
    ]),
  );
}

export function pageCacheTargets(m: PageCacheBytes): TargetResult[] {
  const today = m.forms.find((f) => f.name === OBJECTS)!;
  const lean = m.forms.find((f) => f.name === LEAN)!;
  const whole = m.forms.find((f) => f.name === WHOLE)!;
  const share = Math.max(lean.process / today.process, lean.redis / today.redis);
  return [
    {
      part: 'A',
      name: 'page cache per 1,000 repos: lean ÷ JSON objects (process, Redis)',
      measured: `${pct(lean.process / today.process)}, ${pct(lean.redis / today.redis)} (${count(lean.process)} B; GitHub's objects ${count(whole.process)} B)`,
      target: '≤ 20%',
      met: share <= 0.2,
    },
  ];
}

// ------------------------------------------------------------------ object shapes

const ANNOTATION = { is_connected: false, installation_id: null, kind: 'unknown', reason: 'Empty repository', kind_pending: false, origin: null, origin_reason: null };
type Build = (r: HostRepository) => Record<string, unknown>;

const SHAPES: Array<[string, Build]> = [
  ['one literal compiled from the field list (as shipped)', compileLiteral<Build>(['r'], [...REPOSITORY_FIELDS.map((f) => [f, `r.${f}`] as const), ...Object.keys(ANNOTATION).map((k) => [k, `A.${k}`] as const)], { A: ANNOTATION })],
  [
    'one literal written by hand',
    (r) => ({
      provider: r.provider, id: r.id, name: r.name, full_name: r.full_name, owner: r.owner, description: r.description, private: r.private,
      visibility: r.visibility, fork: r.fork, archived: r.archived, html_url: r.html_url, language: r.language, size: r.size,
      stargazers_count: r.stargazers_count, watchers_count: r.watchers_count, default_branch: r.default_branch, created_at: r.created_at,
      updated_at: r.updated_at, pushed_at: r.pushed_at, permissions: r.permissions, is_connected: ANNOTATION.is_connected,
      installation_id: ANNOTATION.installation_id, kind: ANNOTATION.kind, reason: ANNOTATION.reason, kind_pending: ANNOTATION.kind_pending,
      origin: ANNOTATION.origin, origin_reason: ANNOTATION.origin_reason,
    }),
  ],
  [
    'copied in a loop over the field list',
    (r) => {
      const out: Record<string, unknown> = {};
      for (const f of REPOSITORY_FIELDS) out[f] = r[f];
      for (const [k, v] of Object.entries(ANNOTATION)) out[k] = v;
      return out;
    },
  ],
  ['a spread, then the annotations', (r) => ({ ...r, ...ANNOTATION })],
];

export interface ShapeResult {
  name: string;
  /** µs to build 1,000, to read two fields of each, and to serialise 100. */
  build: number;
  read: number;
  serialise: number;
}

/**
 * Each way warmed up (so that every one runs optimised code), then timed in rounds whose order turns;
 * the fastest round of each is kept, as the one least disturbed by the rest of the machine. The
 * repositories are the fake's, held to the spec.
 */
export function measureShapes(fakeRepos: FakeRepo[], rounds = 9): ShapeResult[] {
  const raw = fakeRepos.map((r) => renderRepo(r, 'https://api.github.com', 'https://github.com'));
  const repos = checkHostRepositories('github', toGitHubRepoPage(JSON.parse(JSON.stringify(raw))));
  const times = SHAPES.map(() => ({ build: [] as number[], read: [] as number[], serialise: [] as number[] }));
  let sink = 0;
  for (const [, build] of SHAPES) for (let w = 0; w < 200; w++) sink += repos.map(build).length;
  const reps = 50;
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < SHAPES.length; k++) {
      const i = (round + k) % SHAPES.length;
      const build = SHAPES[i]![1];
      let built: Record<string, unknown>[] = [];
      let t = performance.now();
      for (let w = 0; w < reps; w++) built = repos.map(build);
      times[i]!.build.push(((performance.now() - t) * 1000) / reps);
      t = performance.now();
      for (let w = 0; w < reps; w++) for (const o of built) sink += (o.stargazers_count as number) + (o.is_connected ? 1 : 0);
      times[i]!.read.push(((performance.now() - t) * 1000) / reps);
      t = performance.now();
      for (let w = 0; w < reps; w++) sink += JSON.stringify(built.slice(0, 100)).length;
      times[i]!.serialise.push(((performance.now() - t) * 1000) / reps);
    }
  }
  if (sink < 0) throw new Error('unreachable');
  return SHAPES.map(([name], i) => ({ name, build: Math.min(...times[i]!.build), read: Math.min(...times[i]!.read), serialise: Math.min(...times[i]!.serialise) }));
}

export function shapesTable(shapes: ShapeResult[], repositories: number): string {
  const us = (v: number) => `${v.toFixed(0)} µs`;
  const first = shapes[0]!;
  return table(
    [`object shapes: ${count(repositories)} answered repositories (fastest of 9 rounds)`, 'build all', '÷ compiled', 'read 2 fields of each', 'serialise 100'],
    shapes.map((s) => [s.name, us(s.build), pct(s.build / first.build), us(s.read), us(s.serialise)]),
  );
}
