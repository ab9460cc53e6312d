import { afterAll } from 'vitest';
import { startFakeGitHub, tokenFor, type FakeGitHub } from '../fakes/github/index.ts';
import { createFakeGraphqlHandler } from '../fakes/github/graphql.ts';
import type { FakeRepoLookup } from '../fakes/github/graphql.ts';
import { KIND_CORPUS } from '../fixtures/kind-corpus.ts';
import type { CorpusFixture } from '../fixtures/kind-corpus.ts';
import type { Detection, DetectionKey, Origin } from '../../src/store/types.ts';
import { detectionKey } from '../../src/store/types.ts';
import { loadSpecDocument } from '../support/contract.ts';

interface SpecEnums {
  components: { schemas: { RepositoryOrigin: { enum: Origin[] } }; parameters: { OriginQuery: { schema: { enum: string[] } } } };
}
const spec = loadSpecDocument() as unknown as SpecEnums;

/** The app builders the API names (`RepositoryOrigin` in the bundled spec). */
export const ORIGINS: readonly Origin[] = spec.components.schemas.RepositoryOrigin.enum;
/** The values the listing's `origin` filter accepts. */
export const ORIGIN_FILTER_VALUES: readonly string[] = spec.components.parameters.OriginQuery.schema.enum;

/** The account the kind tests read as: its token is the one the readers are given. */
export const READER = 'kind-reader';
export const READER_TOKEN = tokenFor(READER);
/** A second account, for callers that share a read started with the first one's token. */
export const OTHER_READER_TOKEN = tokenFor('kind-reader-2');

export interface KindHostOptions {
  /** The repositories GraphQL resolves, by owner and name. */
  lookup: FakeRepoLookup;
  /** How long the fake takes to answer each request. */
  latencyMs?: number;
  /** Replaces the GraphQL answer of the n-th request (from 1) when it returns one. */
  answer?: (requestNumber: number) => { status: number; body: unknown } | undefined;
  /** GraphQL answers wait for this: a host slower than anything the test measures, until the test lets it answer. */
  held?: Promise<unknown>;
}

export interface KindHost {
  /** The shared fake GitHub (test/fakes/github): tests shape its answers through `fake.state` (faults, latency). */
  fake: FakeGitHub;
  apiUrl: string;
  /** GraphQL requests received so far, faulted ones included. */
  readonly requests: number;
  /** Repositories asked for in each request that reached the GraphQL handler, in order. */
  repositoriesPerRequest: number[];
  close(): Promise<void>;
}

/** The fake GitHub serving `lookup` over GraphQL to the readers' accounts. */
export async function startKindHost(opts: KindHostOptions): Promise<KindHost> {
  const graphql = createFakeGraphqlHandler(opts.lookup);
  const repositoriesPerRequest: number[] = [];
  let answered = 0;
  const fake = await startFakeGitHub({
    users: [{ login: READER }, { login: 'kind-reader-2' }],
    latencyMs: opts.latencyMs ?? 0,
    graphql: async (req) => {
      const query = (req.body as { query?: string }).query ?? '';
      repositoriesPerRequest.push((query.match(/repository\(/g) ?? []).length);
      await opts.held;
      return opts.answer?.(++answered) ?? graphql(req);
    },
  });
  return {
    fake,
    apiUrl: fake.baseUrl,
    get requests() {
      return fake.state.counters.byRoute['/graphql'] ?? 0;
    },
    repositoriesPerRequest,
    close: () => fake.close(),
  };
}

/** `count` repositories `acme/repo-N` whose contents cycle through the corpus. */
export function corpusRepos(count: number, firstId = 1) {
  const byName = new Map<string, CorpusFixture>();
  const repos = Array.from({ length: count }, (_, i) => {
    const fixture = KIND_CORPUS[i % KIND_CORPUS.length]!;
    const repo = { id: firstId + i, owner: 'acme', name: `repo-${firstId + i}`, pushed_at: '2024-07-01T00:00:00Z' };
    byName.set(repo.name, fixture);
    return { ...repo, fixture };
  });
  const lookup: FakeRepoLookup = (owner, name) => (owner === 'acme' ? byName.get(name) : undefined);
  return { repos, lookup };
}

/** The store's detection cache in memory, with the same contract: a changed `pushed_at` is a miss. */
export function memoryDetections() {
  const rows = new Map<string, DetectionKey & Detection>();
  const calls = { getMany: 0, putMany: 0 };
  return {
    rows,
    calls,
    detections: {
      async getMany(keys: DetectionKey[]) {
        calls.getMany++;
        const out = new Map<string, Detection>();
        for (const k of keys) {
          const row = rows.get(detectionKey(k));
          if (row && row.pushed_at === k.pushed_at) {
            out.set(detectionKey(k), { kind: row.kind, reason: row.reason, origin: row.origin, origin_reason: row.origin_reason });
          }
        }
        return out;
      },
      async putMany(entries: Array<DetectionKey & Detection>) {
        calls.putMany++;
        for (const e of entries) rows.set(detectionKey(e), { ...e });
      },
    },
  };
}

/** Starts fake GitHubs for a test file and closes them all after its last test. */
export function kindHosts(): (opts: KindHostOptions) => Promise<KindHost> {
  const hosts: KindHost[] = [];
  afterAll(() => Promise.all(hosts.map((h) => h.close())));
  return async (opts) => {
    const host = await startKindHost(opts);
    hosts.push(host);
    return host;
  };
}
