import { createServer } from 'node:http';
import { afterAll } from 'vitest';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
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

export interface Overridden {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export interface FakeGitHubOptions {
  lookup: FakeRepoLookup;
  /** Delay before answering each request. */
  delayMs?: number;
  /** Answers a request instead of the GraphQL handler; `'hang'` never answers. */
  override?: (requestNumber: number) => Overridden | 'hang' | undefined;
}

export interface FakeGitHub {
  apiUrl: string;
  /** GraphQL requests received so far. */
  requests: number;
  /** Repositories asked for in each request, in order. */
  repositoriesPerRequest: number[];
  close(): Promise<void>;
}

/** A real HTTP server on loopback that serves the fake GraphQL endpoint. */
export async function startFakeGitHub(opts: FakeGitHubOptions): Promise<FakeGitHub> {
  const handler = createFakeGraphqlHandler(opts.lookup);
  const state = { requests: 0, repositoriesPerRequest: [] as number[] };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      if (req.method !== 'POST' || req.url !== '/graphql') {
        res.writeHead(404).end();
        return;
      }
      const n = ++state.requests;
      const body: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      const query = (body as { query?: string }).query ?? '';
      state.repositoriesPerRequest.push((query.match(/repository\(/g) ?? []).length);
      if (opts.delayMs) await new Promise((r) => setTimeout(r, opts.delayMs));
      const overridden = opts.override?.(n);
      if (overridden === 'hang') return;
      const token = /^bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? '';
      const answer = overridden ?? (await handler({ token, body }));
      res.writeHead(answer.status, { 'content-type': 'application/json', ...(overridden?.headers ?? {}) });
      res.end(JSON.stringify(answer.body));
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    apiUrl: `http://127.0.0.1:${port}`,
    get requests() {
      return state.requests;
    },
    get repositoriesPerRequest() {
      return state.repositoriesPerRequest;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
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
export function fakeGitHubs(): (opts: FakeGitHubOptions) => Promise<FakeGitHub> {
  const servers: FakeGitHub[] = [];
  afterAll(() => Promise.all(servers.map((s) => s.close())));
  return async (opts) => {
    const server = await startFakeGitHub(opts);
    servers.push(server);
    return server;
  };
}
