/**
 * Part B — kind detection: 1,000 repositories whose files come from the detector's corpus, listed
 * cold with nothing detected yet, against the same listing whose kinds are already stored.
 */
import { performance } from 'node:perf_hooks';
import { generateRepos, type FakeRepo } from '../test/fakes/github/index.ts';
import { KIND_CORPUS } from '../test/fixtures/kind-corpus.ts';
import { count, fakeQuiet, fakeRoundTrip, getRepos, heading, median, ms, ratio, say, signIn, startApp, startFake, table, warmUpCode, WARMUP_LOGIN } from './support.ts';
import type { RepoListBody, RunOptions, SignedIn, TargetResult } from './support.ts';

const SIZE = 1_000;
/** Which corpus fixture repository i gets: its files, and the kind the detector should find. */
const fixtureOf = (i: number) => KIND_CORPUS[i % KIND_CORPUS.length];

interface Listing {
  ms: number;
  repoRequests: number;
  graphqlRequests: number;
  /** Repositories answered "Analysis pending" among the first page (100) of the answer. */
  pending: number;
}

const progress = (text: string) => process.stderr.write(`  … ${text}\n`);

export async function benchDetection(opts: RunOptions): Promise<TargetResult[]> {
  const reps = opts.quick ? 1 : 3;
  // Fresh repository ids per user: detections are stored per repository, whoever listed it.
  const sets = Array.from({ length: reps }, (_, r) =>
    (['with', 'without'] as const).map((mode, m) => {
      const login = `kinds-${mode}-${r + 1}`;
      const repos = generateRepos(SIZE, { owner: { login }, seed: 2_000 + r * 2 + m, files: (_repo, i) => ({ ...fixtureOf(i)?.files }) });
      return { mode, login, repos };
    }),
  );
  const warmupRepos = generateRepos(150, { owner: { login: WARMUP_LOGIN }, seed: 98, files: (_repo, i) => ({ ...fixtureOf(i)?.files }) });
  const fake = await startFake([{ login: WARMUP_LOGIN, repos: warmupRepos }, ...sets.flat().map(({ login, repos }) => ({ login, repos }))], opts.latencyMs);
  const app = await startApp(fake, { VALIDATE_RESPONSES: 'true', LISTING_CACHE_TTL_SECONDS: '3600' });
  const budget = app.config.detectionBudgetMs;

  heading('Part B — kind detection');
  say(`${count(SIZE)} repositories with files from the detector's corpus; detection budget ${budget} ms; ` +
    `${reps === 1 ? 'one measurement' : `median of ${reps}`}, each on repositories never detected before`);
  say('"without detection": the same cold listing with every kind already stored (no GraphQL request)');

  const withRuns: Listing[] = [];
  const withoutRuns: Listing[] = [];
  let roundTrip: number;
  let warm: Listing | undefined;
  let cachedMs: number;
  let matching: number;
  let backgroundDone = true;

  try {
    // Detection and listing code run once on another user first: the figures are about caches, not a cold process.
    await warmUpCode(app);
    const users = new Map<string, SignedIn>();
    for (const { login } of sets.flat()) users.set(login, await signIn(app.baseUrl, login));
    const first = users.get(`kinds-with-1`) as SignedIn;
    // Round trips are sampled between the listings, so they see the same machine as the listings.
    const rtts: number[] = [];
    const sampleRtt = async () => void rtts.push(await fakeRoundTrip(fake, first.githubToken));
    for (let i = 0; i < 3; i++) await sampleRtt();

    const listOnce = async (user: SignedIn, waitForBackground: boolean): Promise<Listing> => {
      await fakeQuiet(fake, 50, 5_000);
      await fake.resetCounters();
      const t0 = performance.now();
      const res = await getRepos(app.baseUrl, user.token, { refresh: 'true', per_page: '100' });
      const elapsed = performance.now() - t0;
      if (res.body.total !== SIZE) throw new Error(`listing ${user.login} gave ${res.body.total} repositories, expected ${SIZE}`);
      // Detection left running past the budget still counts: wait until the fake has gone quiet.
      if (waitForBackground && !(await fakeQuiet(fake, 300, 30_000))) backgroundDone = false;
      const c = await fake.counters();
      return {
        ms: elapsed,
        repoRequests: c.byRoute['/user/repos'] ?? 0,
        graphqlRequests: c.byRoute['/graphql'] ?? 0,
        pending: res.body.repositories.filter((r) => r.kind_pending).length,
      };
    };

    for (const [r, set] of sets.entries()) {
      progress(`detection, round ${r + 1} of ${reps}`);
      const [withSet, withoutSet] = set as [(typeof set)[number], (typeof set)[number]];
      await app.app.services.store.detections.putMany(storedKinds(withoutSet.repos));
      withoutRuns.push(await listOnce(users.get(withoutSet.login) as SignedIn, true));
      await sampleRtt();
      withRuns.push(await listOnce(users.get(withSet.login) as SignedIn, true));
      await sampleRtt();
    }
    roundTrip = median(rtts);

    // Warm: the first user again, forcing the listing upstream (revalidation) so only detection is cached.
    warm = await listOnce(first, true);
    const t0 = performance.now();
    await getRepos(app.baseUrl, first.token, { per_page: '100' });
    cachedMs = performance.now() - t0;
    matching = await kindsAsExpected(app.baseUrl, first, sets[0]?.[0]?.repos ?? []);
  } finally {
    await app.close();
    await fake.close();
  }

  const withMs = median(withRuns.map((l) => l.ms));
  const withoutMs = median(withoutRuns.map((l) => l.ms));
  const graphql = Math.max(...withRuns.map((l) => l.graphqlRequests));
  const listingTarget = 2.2 * roundTrip;
  const row = (name: string, f: (l: Listing) => string, w: Listing[], wo: Listing[]) => [name, f(pickMedian(wo)), f(pickMedian(w))];
  say();
  say(table(
    ['', 'without detection', 'with detection'],
    [
      ['cold listing, 1,000 repos', ms(withoutMs), ms(withMs)],
      ['  ÷ fake round trip', ratio(withoutMs / roundTrip), ratio(withMs / roundTrip)],
      row('upstream: /user/repos requests', (l) => String(l.repoRequests), withRuns, withoutRuns),
      ['upstream: GraphQL requests (max of runs)', String(Math.max(...withoutRuns.map((l) => l.graphqlRequests))), String(graphql)],
      row('kinds pending in the answer (first 100)', (l) => String(l.pending), withRuns, withoutRuns),
    ],
  ));
  say(`detection adds ${ms(withMs - withoutMs)} to a cold listing; fake round trip ${ms(roundTrip)}`);
  if (!backgroundDone) say('note: detection was still running 30 s after a listing; GraphQL counts may be short');
  say(`warm (second listing with refresh=true, kinds stored): ${ms(warm?.ms ?? Number.NaN)}, ${warm?.graphqlRequests ?? 'n/a'} GraphQL requests; from the listing cache: ${ms(cachedMs)}`);
  say(`kinds and origins as the corpus expects them, after detection: ${count(matching)} of ${count(SIZE)}`);

  return [
    { part: 'B', name: 'cold detection, 1,000 repos: GraphQL requests', measured: String(graphql), target: '≤ 40', met: graphql <= 40 },
    { part: 'B', name: 'warm listing: detection requests', measured: String(warm?.graphqlRequests ?? 'n/a'), target: '0', met: warm ? warm.graphqlRequests === 0 : undefined },
    {
      part: 'B',
      name: 'cold listing with detection, 1,000 repos',
      measured: `${ms(withMs)} (without: ${ms(withoutMs)})`,
      target: `≤ ${ms(listingTarget + budget)} (2.2× RTT + ${budget} ms)`,
      met: withMs <= listingTarget + budget,
    },
  ];
}

/** What detection would have stored for these repositories: the corpus's expected kinds and origins. */
function storedKinds(repos: FakeRepo[]) {
  return repos.map((r, i) => {
    const expected = fixtureOf(i)?.expected ?? { kind: 'unknown' as const, reason: 'Empty repository', origin: null, origin_reason: null };
    return { provider: 'github' as const, repo_id: r.id, pushed_at: r.pushed_at ?? r.updated_at, ...expected };
  });
}

function pickMedian(runs: Listing[]): Listing {
  const m = median(runs.map((l) => l.ms));
  return runs.reduce((best, l) => (Math.abs(l.ms - m) < Math.abs(best.ms - m) ? l : best), runs[0] as Listing);
}

/** Reads every page of the (cached) listing and counts kinds and origins equal to the corpus fixture's. */
async function kindsAsExpected(baseUrl: string, user: SignedIn, repos: FakeRepo[]): Promise<number> {
  const expected = new Map(repos.map((r, i) => [r.id, fixtureOf(i)?.expected]));
  let matching = 0;
  for (let page = 1; page <= Math.ceil(repos.length / 100); page++) {
    const res: { body: RepoListBody } = await getRepos(baseUrl, user.token, { per_page: '100', page: String(page) });
    for (const r of res.body.repositories) {
      const e = expected.get(r.id);
      if (e?.kind === r.kind && e.origin === r.origin) matching++;
    }
  }
  return matching;
}
