/**
 * Part A — listing at 100, 1,000 and 5,000 repositories against the fake GitHub at a fixed latency:
 * cold, known page count, revalidation, the sequential baseline, and warm load with response
 * validation on and off, all in one run and side by side.
 */
import { createServer, get as httpGet, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { generateRepos, type FakeRepo } from '../test/fakes/github/index.ts';
import {
  combineLoads,
  count,
  fakeQuiet,
  getRepos,
  heading,
  loadFromChild,
  median,
  ms,
  pct,
  ratio,
  say,
  settle,
  signIn,
  startApp,
  startBareProxy,
  startFake,
  startTimingClient,
  table,
  userCacheKeys,
  type FakeHost,
  type LoadResult,
  type RunningApp,
  type RunOptions,
  type SignedIn,
  type TargetResult,
  warmUpCode,
  WARMUP_LOGIN,
} from './support.ts';
import { measurePageCache, measureShapes, pageCacheTable, pageCacheTargets, shapesTable, type PageCacheBytes, type ShapeResult } from './pagecache.ts';

const WARM_CONNECTIONS = 50;

interface Step {
  ms: number;
  /** `GET /user/repos` requests the fake received. */
  requests: number;
  notModified: number;
  /** Every request the fake received, whatever the route (GraphQL included). */
  upstream: number;
}

interface SizeResult {
  size: number;
  pages: number;
  roundTrip: number;
  /** All pages straight from the fake on the app's schedule: cold (page 1, then the rest) and known (all at once). */
  fakeAlone: { cold: number; known: number };
  /** The same pages through a bare proxy that parses them (`startBareProxy`): the floor for any app here. */
  bareProxy: { cold: number; known: number };
  cold: Step;
  known: Step & { remembered: number | undefined };
  revalidation: Step;
  /** Pages downloaded in each revalidation run: the worst one is what the target is judged on. */
  revalidationDownloaded: number[];
  sequential: Step;
  warm: { validated: LoadResult; plain: LoadResult; upstream: number; single: number; roundSeconds: number };
}

const progress = (text: string) => process.stderr.write(`  … ${text}\n`);

/** What the detection service would store for a repository without files, so Part A measures the listing alone. */
function knownDetections(repos: FakeRepo[]) {
  return repos.map((r) => ({
    provider: 'github' as const,
    repo_id: r.id,
    pushed_at: r.pushed_at ?? r.updated_at,
    kind: 'unknown' as const,
    reason: 'Empty repository',
    origin: null,
    origin_reason: null,
  }));
}

/**
 * One timed step: `run` gives the time its client measured, on the timing client's thread, until the
 * last byte arrived. Timed here instead, on the app's thread, a step would also wait for whatever the
 * app does after answering (storing the listing), which no remote client waits for.
 */
async function step(fake: FakeHost, run: () => Promise<number>): Promise<Step> {
  await fakeQuiet(fake, 50, 5_000);
  await fake.resetCounters();
  const elapsed = await run();
  const c = await fake.counters();
  return { ms: elapsed, requests: c.byRoute['/user/repos'] ?? 0, notModified: c.notModified, upstream: c.total };
}

/** The step of the median time, so its request counts belong to the time shown. */
function medianStep<T extends Step>(steps: T[]): T {
  const m = median(steps.map((s) => s.ms));
  return steps.reduce((best, s) => (Math.abs(s.ms - m) < Math.abs(best.ms - m) ? s : best), steps[0] as T);
}

export async function benchListing(opts: RunOptions): Promise<TargetResult[]> {
  const sizes = opts.quick ? [100, 1_000] : [100, 1_000, 5_000, 10_000];
  const reps = opts.quick ? 1 : 7;
  // Warm load per app: alternating rounds (validation on, off, on, off) so drift hits both alike.
  // A round lasts at least a few queue cycles (connections × one request's time), or its figures
  // describe the ramp rather than the steady state: longer for the larger lists, within a cap.
  // Four rounds each: validation's cost (about a tenth of a warm request's CPU) is smaller than the
  // difference this machine has shown between two rounds of the same app.
  const rounds = opts.quick ? 1 : 4;
  const [minRound, maxRound] = opts.quick ? [1, 2] : [2.5, 30];
  // The loads that compare other apps or routes: their rounds, and the seconds of each run.
  const otherRounds = opts.quick ? 1 : 2;
  const otherLoadSeconds = otherRounds * minRound;
  const roundFor = (serviceMs: number) => Math.min(maxRound, Math.max(minRound, Math.ceil((3 * WARM_CONNECTIONS * serviceMs) / 1000)));

  const repos = new Map(sizes.map((n) => [n, generateRepos(n, { owner: { login: `bench-${n}` }, seed: n })]));
  const warmupRepos = generateRepos(150, { owner: { login: WARMUP_LOGIN }, seed: 99 });
  const fake = await startFake(
    [{ login: WARMUP_LOGIN, repos: warmupRepos }, ...sizes.map((n) => ({ login: `bench-${n}`, repos: repos.get(n) ?? [] }))],
    opts.latencyMs,
  );
  const ttl = { LISTING_CACHE_TTL_SECONDS: '3600' };
  const validated = await startApp(fake, { ...ttl, VALIDATE_RESPONSES: 'true' });
  const plain = await startApp(fake, { ...ttl, VALIDATE_RESPONSES: 'false' });
  // The timed steps' client, on a thread of its own (see `client-worker.ts`).
  const timed = await startTimingClient();
  const proxy = await startBareProxy(fake, validated.config.github.concurrency);
  const results: SizeResult[] = [];
  // The user whose warm listing of 1,000 repositories is measured again beside bare Express.
  let warmFloorUser: SignedIn | undefined;
  const floor: Array<[string, LoadResult]> = [];
  // The body of a page of 100 of the 1,000-repository listing as it goes over the wire, in each coding.
  let wire: { plain: number; gzip: number; br: number } | undefined;
  const structures: Array<[string, LoadResult]> = [];
  let pageCache: PageCacheBytes | undefined;
  let shapes: ShapeResult[] | undefined;

  heading('Part A — listing');
  say(`fake GitHub: ${opts.latencyMs} ms per request; GitHub concurrency ${validated.config.github.concurrency}; ` +
    `${reps === 1 ? 'one measurement' : `median of ${reps}`} per cold/known/revalidation/sequential figure`);
  say('kinds are already stored for these repositories, so no detection runs here (Part B measures it)');
  say('cold, known page count and revalidation run on the app with production settings (response validation off); the warm load on both apps');
  say(`"known page count": the app's stored page ETags are deleted, the remembered page count is kept, then refresh=true`);
  say(`"fake alone": the same pages fetched straight from the fake on the app's schedule (${validated.config.github.concurrency} at a time); the difference is the app's own time`);
  say('before measuring, each app serves listings of another user, so "cold" means cold caches, not a cold process');
  say(`warm load: ${WARM_CONNECTIONS} connections, autocannon in its own process; ${rounds} round(s) per app, validation on / off alternating; ` +
    `a round lasts 3 queue cycles (${WARM_CONNECTIONS} × one request's time), ${minRound}–${maxRound} s`);

  try {
    for (const app of [validated, plain]) {
      for (const n of sizes) await app.app.services.store.detections.putMany(knownDetections(repos.get(n) ?? []));
      await app.app.services.store.detections.putMany(knownDetections(warmupRepos));
      await warmUpCode(app);
    }
    for (const n of sizes) {
      progress(`${count(n)} repositories`);
      const login = `bench-${n}`;
      const pages = Math.max(1, Math.ceil(n / 100));
      const user = await signIn(validated.baseUrl, login);
      const plainUser = await signIn(plain.baseUrl, login);
      if (n === 1_000) warmFloorUser = plainUser;
      // The steps that read the host run on the app as production runs it (response validation off).
      const keys = userCacheKeys(plainUser);
      const cache = plain.app.services.cache;
      const pageKeys = Array.from({ length: pages + 2 }, (_, i) => keys.page(i + 1));
      const list = (app: RunningApp, u: SignedIn, refresh: boolean) => async () => {
        const res = await timed.getRepos(app.baseUrl, u.token, refresh ? { refresh: 'true' } : {});
        if (res.body.total !== n) throw new Error(`listing ${login} gave ${res.body.total} repositories, expected ${n}`);
        return res.ms;
      };

      // Round trips are sampled between the steps, so they see the same machine as the figures they divide.
      const rtts: number[] = [];
      const sampleRtt = async () => void rtts.push(await timed.fakeRoundTrip(fake, user.githubToken));
      for (let i = 0; i < 3; i++) await sampleRtt();

      // Cold and sequential alternate, so both see the same machine. The first cold listing comes
      // right after sign-in; the later ones start from caches emptied of this user's entries.
      const colds: Step[] = [];
      const sequentials: Step[] = [];
      const concurrency = validated.config.github.concurrency;
      const aloneCold: number[] = [];
      const aloneKnown: number[] = [];
      const proxyCold: number[] = [];
      const proxyKnown: number[] = [];
      const throughProxy = async (firstAlone: boolean) => {
        const res = await timed.getRepos(proxy.baseUrl, user.githubToken, { pages: String(pages), ...(firstAlone ? { first: '1' } : {}) });
        if (res.body.total !== n) throw new Error(`the bare proxy read ${res.body.total} repositories, expected ${n}`);
        return res.ms;
      };
      for (let r = 0; r < reps; r++) {
        if (r > 0) await cache.del([keys.pageCount, ...keys.listing, ...pageKeys]);
        colds.push(await step(fake, list(plain, plainUser, true)));
        await sampleRtt();
        aloneCold.push(await timed.fakeListing(fake, user.githubToken, pages, concurrency, true));
        await fakeQuiet(fake, 50, 5_000);
        proxyCold.push(await throughProxy(true));
        // From the timing client's thread, like the fake alone: it is a client of the fake, not the app.
        sequentials.push(
          await step(fake, async () => {
            const listing = await timed.sequentialListing(fake, user.githubToken);
            if (listing.count !== n) throw new Error(`the sequential baseline read ${listing.count} repositories, expected ${n}`);
            return listing.ms;
          }),
        );
      }

      const knowns: Array<Step & { remembered: number | undefined }> = [];
      for (let r = 0; r < reps; r++) {
        const remembered = await cache.get<number>(keys.pageCount);
        await cache.del(pageKeys);
        const s = await step(fake, list(plain, plainUser, true));
        // A 304 here means the page keys above no longer match the app's: the figure would be revalidation.
        if (s.notModified > 0) throw new Error('page ETags survived the clearing: the page cache keys have changed in the app');
        knowns.push({ ...s, remembered });
        await sampleRtt();
        aloneKnown.push(await timed.fakeListing(fake, user.githubToken, pages, concurrency, false));
        await fakeQuiet(fake, 50, 5_000);
        proxyKnown.push(await throughProxy(false));
      }

      const revalidations: Step[] = [];
      for (let r = 0; r < reps; r++) {
        revalidations.push(await step(fake, list(plain, plainUser, true)));
        await sampleRtt();
      }
      const roundTrip = median(rtts);

      // Warm: both listing caches filled, then load. Upstream requests are counted over all of it.
      await list(validated, user, false)();
      await list(plain, plainUser, false)();
      // One request at a time first: what a user sees when the server is not saturated.
      const singles: number[] = [];
      for (let i = 0; i < (opts.quick ? 3 : 7); i++) singles.push((await getRepos(validated.baseUrl, user.token)).ms);
      const single = median(singles);
      const roundSeconds = roundFor(single);
      // Quick mode skips the warm-up load: the steps above have already run this code.
      const warmupSeconds = opts.quick ? 0 : Math.min(roundSeconds, 10);
      // Each run ends by waiting for the answers it abandoned: both apps share this event loop.
      const load = (app: RunningApp, u: SignedIn, seconds: number) => async () => {
        const result = await loadFromChild(`${app.baseUrl}/api/v1/repos`, { authorization: `Bearer ${u.token}` }, WARM_CONNECTIONS, seconds);
        await settle();
        return result;
      };
      const onValidated = load(validated, user, roundSeconds);
      const onPlain = load(plain, plainUser, roundSeconds);
      if (warmupSeconds > 0) {
        await load(validated, user, warmupSeconds)();
        await load(plain, plainUser, warmupSeconds)();
      }
      await fakeQuiet(fake, 50, 5_000);
      await fake.resetCounters();
      const v: LoadResult[] = [];
      const p: LoadResult[] = [];
      for (let r = 0; r < rounds; r++) {
        v.push(await onValidated());
        p.push(await onPlain());
      }
      const warmUpstream = (await fake.counters()).total;

      results.push({
        size: n,
        pages,
        roundTrip,
        fakeAlone: { cold: median(aloneCold), known: median(aloneKnown) },
        bareProxy: { cold: median(proxyCold), known: median(proxyKnown) },
        cold: medianStep(colds),
        known: medianStep(knowns),
        revalidation: medianStep(revalidations),
        revalidationDownloaded: revalidations.map((s) => s.requests - s.notModified),
        sequential: medianStep(sequentials),
        warm: { validated: combineLoads(v), plain: combineLoads(p), upstream: warmUpstream, single, roundSeconds },
      });
    }

    // What each of the listing's in-process structures buys: the same warm load at 1,000 repositories
    // on apps that differ only in the structures they keep (validation off, as in production).
    if (sizes.includes(1_000)) {
      progress('in-process structures');
      const variants: Array<[string, RunningApp]> = [
        ['all kept (as shipped)', plain],
        ['no answers kept (each answer built and serialised again)', await startApp(fake, { ...ttl, VALIDATE_RESPONSES: 'false' }, { listing: { keptAnswerBytes: 0 } })],
        ['neither answers nor decoded listings kept (each request decodes the cached listing)', await startApp(fake, { ...ttl, VALIDATE_RESPONSES: 'false' }, { listing: { keptAnswerBytes: 0, keptListings: 0 } })],
      ];
      const users: SignedIn[] = [];
      for (const [, app] of variants) {
        if (app !== plain) {
          await app.app.services.store.detections.putMany(knownDetections(repos.get(1_000) ?? []));
          await app.app.services.store.detections.putMany(knownDetections(warmupRepos));
          await warmUpCode(app);
        }
        const u = await signIn(app.baseUrl, 'bench-1000');
        await getRepos(app.baseUrl, u.token);
        users.push(u);
      }
      const runs: LoadResult[][] = variants.map(() => []);
      for (let r = 0; r < otherRounds; r++) {
        for (const [i, [, app]] of variants.entries()) {
          runs[i]!.push(await loadFromChild(`${app.baseUrl}/api/v1/repos`, { authorization: `Bearer ${users[i]!.token}` }, WARM_CONNECTIONS, otherLoadSeconds));
          await settle();
        }
      }
      for (const [i, [name]] of variants.entries()) structures.push([name, combineLoads(runs[i]!)]);
      for (const [, app] of variants.slice(1)) await app.close();
    }

    // The same load on the cheapest routes, on the app with production settings (response validation
    // off): what the HTTP stack, and the stack plus authentication, cost with no listing at all. Then
    // what the framework allows on this machine: a bare Express app and bare node:http, each answering
    // a small JSON object, in this process like the apps above. /health and bare Express alternate in
    // rounds, so that both see the same machine.
    progress('reference routes');
    const someone = await signIn(plain.baseUrl, `bench-${sizes[0]}`);
    const seconds = otherLoadSeconds;
    const bare: Array<[string, RequestListener]> = [
      [BARE_EXPRESS, express().get('/x', (_req, res) => void res.json({ status: 'ok' }))],
      ['bare node:http answering {"status":"ok"}', (_req: IncomingMessage, res: ServerResponse) => res.setHeader('content-type', 'application/json').end('{"status":"ok"}')],
    ];
    const servers = await Promise.all(
      bare.map(async ([, handler]) => {
        const server = createServer(handler);
        await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
        return server;
      }),
    );
    const urlOf = (server: Server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}/x`;
    try {
      const healthRuns: LoadResult[] = [];
      const expressRuns: LoadResult[] = [];
      const warmRuns: LoadResult[] = [];
      const compressedRuns: LoadResult[] = [];
      for (let r = 0; r < 4; r++) {
        await settle();
        healthRuns.push(await loadFromChild(`${plain.baseUrl}/api/v1/health`, {}, WARM_CONNECTIONS, seconds));
        await settle();
        expressRuns.push(await loadFromChild(urlOf(servers[0]!), {}, WARM_CONNECTIONS, seconds));
        if (warmFloorUser) {
          const authorization = `Bearer ${warmFloorUser.token}`;
          const asIs = async () => warmRuns.push(await loadFromChild(`${plain.baseUrl}/api/v1/repos`, { authorization }, WARM_CONNECTIONS, seconds));
          // The same answers asked for compressed: each is compressed once, then sent as kept.
          const compressed = async () =>
            compressedRuns.push(await loadFromChild(`${plain.baseUrl}/api/v1/repos`, { authorization, 'accept-encoding': 'gzip, deflate, br' }, WARM_CONNECTIONS, seconds));
          // In turn first and second, so that neither is always the one that follows the other.
          for (const run of r % 2 === 0 ? [asIs, compressed] : [compressed, asIs]) {
            await settle();
            await run();
          }
        }
      }
      if (warmFloorUser) {
        const url = `${plain.baseUrl}/api/v1/repos?per_page=100`;
        const authorization = `Bearer ${warmFloorUser.token}`;
        wire = {
          plain: await wireBytes(url, { authorization }),
          gzip: await wireBytes(url, { authorization, 'accept-encoding': 'gzip' }),
          br: await wireBytes(url, { authorization, 'accept-encoding': 'br, gzip' }),
        };
      }
      floor.push([HEALTH, combineLoads(healthRuns)]);
      if (warmRuns.length) floor.push([WARM_1000, combineLoads(warmRuns)]);
      if (compressedRuns.length) floor.push([WARM_1000_COMPRESSED, combineLoads(compressedRuns)]);
      await settle();
      floor.push([
        'GET /api/v1/connections (auth + one small query)',
        await loadFromChild(`${plain.baseUrl}/api/v1/connections`, { authorization: `Bearer ${someone.token}` }, WARM_CONNECTIONS, seconds),
      ]);
      floor.push([BARE_EXPRESS, combineLoads(expressRuns)]);
      await settle();
      floor.push([bare[1]![0], await loadFromChild(urlOf(servers[1]!), {}, WARM_CONNECTIONS, seconds)]);
      // The page cache the listings of 1,000 repositories left in the app, and the object shapes.
      if (warmFloorUser) {
        progress('page cache and object shapes');
        pageCache = await measurePageCache(fake, plain, warmFloorUser, 10);
        shapes = measureShapes(repos.get(1_000) ?? []);
      }
    } finally {
      for (const server of servers) {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
    }
  } finally {
    await timed.close();
    await proxy.close();
    await validated.close();
    await plain.close();
    await fake.close();
  }

  printTable(results, rounds);
  say();
  say(table(
    [`reference: same load, production settings (${WARM_CONNECTIONS} conn)`, 'p50 / p99', 'req/s', 'errors / non-2xx'],
    floor.map(([name, l]) => [name, `${l.p50} / ${l.p99} ms`, count(Math.round(l.rps)), `${l.errors} / ${l.non2xx}`]),
  ));
  if (structures.length) {
    say();
    say(table(
      [`in-process structures: warm load, 1,000 repos, validation off (${WARM_CONNECTIONS} conn)`, 'p50 / p99', 'req/s', '÷ all kept'],
      structures.map(([name, l]) => [name, `${l.p50} / ${l.p99} ms`, count(Math.round(l.rps)), pct(l.rps / structures[0]![1].rps)]),
    ));
  }
  say(`with ${WARM_CONNECTIONS} connections each waiting for its answer, p50 ≈ ${WARM_CONNECTIONS} ÷ throughput: p50 ≤ 5 ms needs about ${count(WARM_CONNECTIONS / 0.005)} req/s`);
  say('the last two rows are the floor of the stack on this machine: the warm targets cannot be met below it');
  if (wire) {
    say();
    say(table(
      ['a page of 100 repositories on the wire (1,000-repository listing)', 'bytes', '÷ as it is'],
      [['as it is (no Accept-Encoding)', count(wire.plain), '100.0%'], ['gzip', count(wire.gzip), pct(wire.gzip / wire.plain)], ['br (gzip, deflate, br accepted)', count(wire.br), pct(wire.br / wire.plain)]],
    ));
  }
  if (pageCache) {
    say();
    say(pageCacheTable(pageCache));
  }
  if (shapes) {
    say();
    say(shapesTable(shapes, 1_000));
  }
  const out = [...targets(results), ...floorTargets(results, floor)];
  if (pageCache) out.push(...pageCacheTargets(pageCache));
  if (wire) out.push({ part: 'A', name: 'a page of 100 repositories on the wire, br', measured: `${count(wire.br)} bytes (${count(wire.plain)} as it is)`, target: '≤ 10 kB', met: wire.br <= 10_000 });
  return out;
}

function printTable(results: SizeResult[], rounds: number): void {
  const col = (f: (r: SizeResult) => string) => results.map(f);
  const reqs = (s: Step) => `${s.requests} req`;
  const warmCell = (l: LoadResult) => `${l.p50} / ${l.p99} ms`;
  const rows: string[][] = [
    ['fake round trip (1 page of 100, median)', ...col((r) => ms(r.roundTrip))],
    ['fake alone: page 1, then the rest (no app)', ...col((r) => ms(r.fakeAlone.cold))],
    ['  ÷ round trip (floor for "cold")', ...col((r) => ratio(r.fakeAlone.cold / r.roundTrip))],
    ['fake alone: all pages at once (no app)', ...col((r) => ms(r.fakeAlone.known))],
    ['  ÷ round trip (floor for "known page count")', ...col((r) => ratio(r.fakeAlone.known / r.roundTrip))],
    ['bare proxy that parses the pages: page 1, then the rest', ...col((r) => ms(r.bareProxy.cold))],
    ['  ÷ the fake alone (floor for any app here)', ...col((r) => ratio(r.bareProxy.cold / r.fakeAlone.cold))],
    ['bare proxy that parses the pages: all at once', ...col((r) => ms(r.bareProxy.known))],
    ['  ÷ the fake alone (floor for any app here)', ...col((r) => ratio(r.bareProxy.known / r.fakeAlone.known))],
    ['cold listing (after sign-in)', ...col((r) => ms(r.cold.ms))],
    ['  ÷ round trip', ...col((r) => ratio(r.cold.ms / r.roundTrip))],
    ['  app overhead over the fake alone', ...col((r) => ms(r.cold.ms - r.fakeAlone.cold))],
    ['  upstream requests', ...col((r) => `${reqs(r.cold)}${r.cold.upstream !== r.cold.requests ? ` (+${r.cold.upstream - r.cold.requests} other)` : ''}`)],
    ['known page count', ...col((r) => ms(r.known.ms))],
    ['  ÷ round trip', ...col((r) => ratio(r.known.ms / r.roundTrip))],
    ['  app overhead over the fake alone', ...col((r) => ms(r.known.ms - r.fakeAlone.known))],
    ['  pages remembered / upstream requests', ...col((r) => `${r.known.remembered ?? 'none'} / ${reqs(r.known)}`)],
    ['revalidation (every page 304)', ...col((r) => ms(r.revalidation.ms))],
    ['  ÷ round trip', ...col((r) => ratio(r.revalidation.ms / r.roundTrip))],
    ['  upstream requests / 304 / downloaded', ...col((r) => `${r.revalidation.requests} / ${r.revalidation.notModified} / ${r.revalidation.requests - r.revalidation.notModified}`)],
    ['  pages downloaded, each run', ...col((r) => r.revalidationDownloaded.join(', '))],
    ['sequential baseline (page after page)', ...col((r) => ms(r.sequential.ms))],
    ['  ÷ round trip', ...col((r) => ratio(r.sequential.ms / r.roundTrip))],
    ['  upstream requests', ...col((r) => reqs(r.sequential))],
    ['cold ÷ sequential', ...col((r) => ratio(r.cold.ms / r.sequential.ms))],
    ['warm, one request at a time (median)', ...col((r) => ms(r.warm.single))],
    ['warm load: seconds per round', ...col((r) => `${rounds} × ${r.warm.roundSeconds} s`)],
    [`warm p50 / p99, validation on (${WARM_CONNECTIONS} conn)`, ...col((r) => warmCell(r.warm.validated))],
    ['warm req/s, validation on', ...col((r) => count(Math.round(r.warm.validated.rps)))],
    [`warm p50 / p99, validation off`, ...col((r) => warmCell(r.warm.plain))],
    ['warm req/s, validation off', ...col((r) => count(Math.round(r.warm.plain.rps)))],
    ['validation cost (1 − on ÷ off)', ...col((r) => pct(validationCost(r)))],
    ['warm: upstream requests', ...col((r) => String(r.warm.upstream))],
    ['warm: errors / non-2xx', ...col((r) => `${r.warm.validated.errors + r.warm.plain.errors} / ${r.warm.validated.non2xx + r.warm.plain.non2xx}`)],
  ];
  say();
  say(table(['', ...results.map((r) => `${count(r.size)} repos (${r.pages} p.)`)], rows));
}

const validationCost = (r: SizeResult) => 1 - r.warm.validated.rps / r.warm.plain.rps;

const BARE_EXPRESS = 'bare Express 5, one route answering {"status":"ok"}';
const HEALTH = 'GET /api/v1/health (no auth, no database)';
const WARM_1000 = 'GET /api/v1/repos, warm, 1,000 repositories (auth, listing)';
const WARM_1000_COMPRESSED = 'the same, compressed (Accept-Encoding: gzip, deflate, br)';

/** The bytes of an answer's body as they come over the wire (not decoded). */
function wireBytes(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    httpGet(url, { headers }, (res) => {
      let bytes = 0;
      res.on('data', (chunk: Buffer) => (bytes += chunk.length));
      res.on('end', () => (res.statusCode === 200 ? resolve(bytes) : reject(new Error(`${url} answered ${res.statusCode}`))));
      res.on('error', reject);
    }).on('error', reject);
  });
}

/** The targets set against the framework's floor and the fake alone, each a ratio measured in this run. */
function floorTargets(results: SizeResult[], floor: Array<[string, LoadResult]>): TargetResult[] {
  const out: TargetResult[] = [];
  const bare = floor.find(([name]) => name === BARE_EXPRESS)?.[1];
  const health = floor.find(([name]) => name === HEALTH)?.[1];
  if (bare && health) {
    const share = health.rps / bare.rps;
    out.push({ part: 'A', name: '/health through the full middleware ÷ bare Express (req/s)', measured: `${pct(share)} (${count(Math.round(health.rps))} ÷ ${count(Math.round(bare.rps))})`, target: '≥ 70%', met: share >= 0.7 });
  }
  const one = results.find((r) => r.size === 1_000);
  // Measured in the rounds that alternate with bare Express, so both see the same machine.
  const warm = floor.find(([name]) => name === WARM_1000)?.[1];
  if (warm && bare) {
    const share = warm.rps / bare.rps;
    out.push({ part: 'A', name: 'warm listing, 1,000 repos, validation off ÷ bare Express (req/s)', measured: `${pct(share)} (${count(Math.round(warm.rps))} ÷ ${count(Math.round(bare.rps))})`, target: '≥ 40%', met: share >= 0.4 });
    const spread = warm.p99 / Math.max(1, warm.p50);
    out.push({ part: 'A', name: 'warm listing, 1,000 repos, validation off: p99 ÷ p50', measured: `${ratio(spread)} (${warm.p50} / ${warm.p99} ms)`, target: '≤ 3×', met: spread <= 3 });
  }
  const compressed = floor.find(([name]) => name === WARM_1000_COMPRESSED)?.[1];
  if (warm && compressed) {
    const share = compressed.rps / warm.rps;
    out.push({ part: 'A', name: 'warm listing, 1,000 repos: compressed ÷ as it is (req/s)', measured: `${pct(share)} (${count(Math.round(compressed.rps))} ÷ ${count(Math.round(warm.rps))})`, target: '≥ 90%', met: share >= 0.9 });
  }
  if (one) {
    const cost = validationCost(one);
    out.push({ part: 'A', name: 'validation on: throughput lost, 1,000 repos', measured: pct(cost), target: '≤ 15%', met: cost <= 0.15 });
  }
  // Large accounts (5,000 and 10,000 repositories) against the same floor, with a looser goal.
  for (const r of results) {
    const goal = r.size <= 1_000 ? 1.1 : 1.15;
    const cold = r.cold.ms / r.fakeAlone.cold;
    out.push({ part: 'A', name: `cold listing, ${count(r.size)} repos ÷ the fake alone`, measured: `${ratio(cold)} (${ms(r.cold.ms)} ÷ ${ms(r.fakeAlone.cold)}; bare proxy ${ratio(r.bareProxy.cold / r.fakeAlone.cold)})`, target: `≤ ${goal.toFixed(2)}×`, met: cold <= goal });
    const known = r.known.ms / r.fakeAlone.known;
    out.push({ part: 'A', name: `known page count, ${count(r.size)} repos ÷ the fake alone`, measured: `${ratio(known)} (${ms(r.known.ms)} ÷ ${ms(r.fakeAlone.known)}; bare proxy ${ratio(r.bareProxy.known / r.fakeAlone.known)})`, target: `≤ ${goal.toFixed(2)}×`, met: known <= goal });
  }
  return out;
}

function targets(results: SizeResult[]): TargetResult[] {
  const out: TargetResult[] = [];
  const one = results.find((r) => r.size === 1_000);
  if (one) {
    const vsRtt = one.cold.ms / one.roundTrip;
    out.push({ part: 'A', name: 'cold listing, 1,000 repos ÷ round trip', measured: `${ratio(vsRtt)} (${ms(one.cold.ms)})`, target: '≤ 2.2×', met: vsRtt <= 2.2 });
    const vsSeq = one.cold.ms / one.sequential.ms;
    out.push({ part: 'A', name: 'cold listing, 1,000 repos ÷ sequential', measured: `${ratio(vsSeq)} (${ms(one.sequential.ms)} seq.)`, target: '≤ 0.25×', met: vsSeq <= 0.25 });
  }
  for (const r of results) {
    const size = `${count(r.size)} repos`;
    const known = r.known.ms / r.roundTrip;
    out.push({ part: 'A', name: `known page count, ${size} ÷ round trip`, measured: `${ratio(known)} (${ms(r.known.ms)})`, target: '≤ 1.2×', met: known <= 1.2 });
    const downloaded = Math.max(...r.revalidationDownloaded);
    out.push({ part: 'A', name: `revalidation, ${size}: pages downloaded (worst run)`, measured: `${downloaded} of ${r.revalidation.requests}`, target: '0', met: downloaded === 0 });
    const w = r.warm.validated;
    out.push({ part: 'A', name: `warm p50, ${size}`, measured: `${w.p50} ms`, target: '≤ 5 ms', met: w.p50 <= 5 });
    out.push({ part: 'A', name: `warm p99, ${size}`, measured: `${w.p99} ms`, target: '≤ 25 ms', met: w.p99 <= 25 });
    const cost = validationCost(r);
    out.push({ part: 'A', name: `validation cost of warm throughput, ${size}`, measured: pct(cost), target: '≤ 30%', met: cost <= 0.3 });
  }
  return out;
}
