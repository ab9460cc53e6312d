/**
 * Part D — facets and the hint checks. The facets are counted in the listing's filter pass, so a warm
 * listing that builds its page pays for them; the hint checks ask GitHub a few more questions when a
 * listing is read cold. Both measured side by side in one run.
 */
import { filterAndCount, repositoryFilter, type ListQuery } from '../src/listing/query.ts';
import type { KindAnnotation } from '../src/hosts/types.ts';
import { generateRepos, type FakeRepo } from '../test/fakes/github/index.ts';
import { checkHostRepositories } from '../src/hosts/boundary.ts';
import { toGitHubRepo } from '../src/hosts/github/repo.ts';
import { renderRepo } from '../test/fakes/github/render.ts';
import {
  count,
  fakeQuiet,
  heading,
  median,
  ms,
  pct,
  ratio,
  say,
  signIn,
  startApp,
  startFake,
  startTimingClient,
  table,
  userCacheKeys,
  warmUpCode,
  WARMUP_LOGIN,
  type RunOptions,
  type TargetResult,
} from './support.ts';

const KINDS: KindAnnotation['kind'][] = ['frontend', 'backend', 'fullstack', 'monorepo', 'unknown'];

const us = (v: number) => (Number.isFinite(v) ? `${Math.round(v * 1000)} µs` : 'n/a');

/** What the detection service would store for a repository without files, so no detection runs here. */
const knownDetections = (repos: FakeRepo[]) =>
  repos.map((r) => ({ provider: 'github' as const, repo_id: r.id, pushed_at: r.pushed_at ?? r.updated_at, kind: 'unknown' as const, reason: 'Empty repository', origin: null, origin_reason: null }));

/** The routes a listing and its hint checks ask GitHub on. */
const LISTING_ROUTES = ['/user/repos', '/user/orgs', '/orgs/{org}/repos'] as const;

/** The time of `run`, in ms: the median of `reps` runs after two unmeasured ones. */
function timeOf(run: () => void, reps: number): number {
  run();
  run();
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    run();
    times.push(performance.now() - t0);
  }
  return median(times);
}

/**
 * The listing's filter pass over `n` repositories, with the facets and without (the filter alone, as
 * the listing ran it before facets), interleaved so both see the same machine.
 */
function filterPass(n: number, reps: number): { withFacets: number; without: number } {
  const repos = checkHostRepositories('github', generateRepos(n, { owner: { login: `facets-${n}` }, seed: n }).map((r) => toGitHubRepo(renderRepo(r, 'https://api.github.com', 'https://github.com'))));
  const kinds = new Map(repos.map((r, i) => [r.id, { kind: KINDS[i % KINDS.length]!, reason: '', origin: null, origin_reason: null, pending: false }]));
  const annotation = (r: (typeof repos)[number]) => ({ installationId: null, kind: kinds.get(r.id)! });
  const query: ListQuery = { kind: 'frontend' };
  const login = () => `facets-${n}`;
  let sink = 0;
  const withFacets: number[] = [];
  const without: number[] = [];
  for (let round = 0; round < 5; round++) {
    withFacets.push(timeOf(() => (sink += filterAndCount(repos, query, login, annotation).matched.length), reps));
    without.push(
      timeOf(() => {
        const matches = repositoryFilter(query, login);
        const matched: number[] = [];
        for (let i = 0; i < repos.length; i++) {
          const r = repos[i]!;
          const a = annotation(r);
          if (matches(r, a.installationId, a.kind)) matched.push(i);
        }
        sink += matched.length;
      }, reps),
    );
  }
  if (sink < 0) say(String(sink));
  return { withFacets: median(withFacets), without: median(without) };
}

export async function benchFacets(opts: RunOptions): Promise<TargetResult[]> {
  const n = opts.quick ? 1_000 : 5_000;
  const reps = opts.quick ? 3 : 7;
  const passReps = opts.quick ? 20 : 50;
  heading('Part D — facets and the hint checks');

  // The filter pass alone, in this process, with and without facets.
  const pass = filterPass(n, passReps);
  const facetCost = Math.max(0, pass.withFacets - pass.without);

  // A warm listing that builds its page (each query once, so no answer is sent again as it was kept).
  // Two users with the same repositories (their own and one organisation's): the second is also a member of
  // six organisations with nothing in its list (two restrict this app, one wants SSO), each asked about.
  const orgNames = ['org-open', 'org-locked-1', 'org-locked-2', 'org-sso', 'org-empty-1', 'org-empty-2', 'org-empty-3'];
  const plain = generateRepos(n, { owner: { login: 'facets-plain' }, seed: 7, orgs: ['org-open'], collaborators: [] });
  const withOrgs: FakeRepo[] = generateRepos(n, { owner: { login: 'facets-orgs' }, seed: 7, orgs: ['org-open'], collaborators: [] });
  const fake = await startFake(
    [
      { login: WARMUP_LOGIN, repos: generateRepos(150, { owner: { login: WARMUP_LOGIN }, seed: 99 }) },
      { login: 'facets-plain', repos: plain },
      { login: 'facets-orgs', repos: withOrgs },
    ],
    opts.latencyMs,
    orgNames.map((login) => ({ login, members: login === 'org-open' ? ['facets-plain', 'facets-orgs'] : ['facets-orgs'], oauthRestricted: login.startsWith('org-locked'), sso: login === 'org-sso' })),
  );
  const app = await startApp(fake, { LISTING_CACHE_TTL_SECONDS: '3600', VALIDATE_RESPONSES: 'false', DETECTION_BUDGET_MS: '0' });
  const timed = await startTimingClient();
  const out: TargetResult[] = [];
  try {
    await app.app.services.store.detections.putMany(knownDetections([...plain, ...withOrgs]));
    await warmUpCode(app);
    const plainUser = await signIn(app.baseUrl, 'facets-plain');
    const orgsUser = await signIn(app.baseUrl, 'facets-orgs');

    // Cold listings, interleaved: without organisations, and with seven of them to check.
    const cold = { plain: [] as number[], orgs: [] as number[] };
    let checks = 0;
    for (let r = 0; r < reps; r++) {
      for (const [user, into] of [[plainUser, cold.plain], [orgsUser, cold.orgs]] as const) {
        const keys = userCacheKeys(user);
        await app.app.services.cache.del([keys.pageCount, ...keys.listing, ...Array.from({ length: Math.ceil(n / 100) + 2 }, (_, i) => keys.page(i + 1))]);
        await fakeQuiet(fake, 50, 5_000);
        await fake.resetCounters();
        into.push((await timed.getRepos(app.baseUrl, user.token, { refresh: 'true' })).ms);
        const c = await fake.counters();
        if (user === orgsUser) checks = (c.byRoute['/user/orgs'] ?? 0) + (c.byRoute['/orgs/{org}/repos'] ?? 0);
      }
    }
    // Warm: each page of each sort once per round, so every answer is built, not sent again as kept.
    await timed.getRepos(app.baseUrl, plainUser.token);
    await fake.resetCounters();
    const warm: number[] = [];
    const sorts = ['updated', 'pushed', 'created', 'full_name'];
    for (let r = 0; r < reps; r++) {
      for (let page = 1; page <= 5; page++) {
        // A page size of its own per round: no query is asked twice.
        const res = await timed.getRepos(app.baseUrl, plainUser.token, { sort: sorts[r % sorts.length]!, page: String(page), per_page: String(30 + r) });
        warm.push(res.ms);
      }
    }
    const warmCounters = await fake.counters();
    const warmUpstream = LISTING_ROUTES.reduce((sum, route) => sum + (warmCounters.byRoute[route] ?? 0), 0);
    const warmMs = median(warm);
    const share = (warmMs - facetCost) / warmMs;
    const coldPlain = median(cold.plain);
    const coldOrgs = median(cold.orgs);

    say(table(
      ['figure', 'measured'],
      [
        [`filter pass, ${count(n)} repos, with facets`, us(pass.withFacets)],
        [`filter pass, ${count(n)} repos, without facets`, us(pass.without)],
        [`warm listing that builds its page, ${count(n)} repos (median of ${warm.length})`, ms(warmMs)],
        ['warm listing: requests to GitHub (listing and hint routes)', String(warmUpstream)],
        [`cold listing, ${count(n)} repos, no organisation`, ms(coldPlain)],
        [`cold listing, ${count(n)} repos, and 6 organisations to ask about (2 restricted, 1 SSO)`, ms(coldOrgs)],
        ['hint checks: requests to GitHub per cold listing', String(checks)],
      ],
    ));
    say('"with ÷ without": the warm listing\'s time less what the facets add to its filter pass (the two passes above), ÷ its time, as throughput');
    out.push({ part: 'D', name: `warm listing with facets ÷ without, ${count(n)} repos (throughput)`, measured: `${pct(share)} (facets add ${us(facetCost)} to ${ms(warmMs)})`, target: '≥ 90%', met: share >= 0.9 });
    out.push({ part: 'D', name: 'hint checks, cold: requests to GitHub (orgs list + one per organisation not in the list)', measured: String(checks), target: '≤ 11', met: checks <= 11 });
    out.push({ part: 'D', name: `hint checks, cold listing with 6 organisations to ask about ÷ none, ${count(n)} repos`, measured: `${ratio(coldOrgs / coldPlain)} (${ms(coldOrgs)} ÷ ${ms(coldPlain)})`, target: 'informative', met: undefined });
    out.push({ part: 'D', name: 'warm listing: requests to GitHub (hints cached with the list)', measured: String(warmUpstream), target: '0', met: warmUpstream === 0 });
  } finally {
    await timed.close();
    await app.close();
    await fake.close();
  }
  return out;
}
