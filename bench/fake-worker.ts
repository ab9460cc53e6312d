/**
 * The fake GitHub in a worker thread. GitHub is another machine: its work (sorting a user's whole
 * list for every page, rendering, hashing, executing GraphQL) must not be billed to the app's event
 * loop. The bench asks for the request counters over messages.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createStateGraphqlHandler } from '../test/fakes/github/graphql.ts';
import { startFakeGitHub, type FakeOrg, type FakeUserInput } from '../test/fakes/github/index.ts';

export interface FakeWorkerData {
  users: FakeUserInput[];
  orgs?: Array<Omit<FakeOrg, 'id'>>;
  latencyMs: number;
  clientId: string;
  clientSecret: string;
}

export type FakeWorkerRequest = { id: number; cmd: 'counters' | 'reset' | 'close' };

const data = workerData as FakeWorkerData;
const port = parentPort;
if (!port) throw new Error('the fake GitHub worker runs as a worker thread only');

// The fake's own rate limit is lifted: the benchmark measures our app, not GitHub's quota.
const fake = await startFakeGitHub({ clientId: data.clientId, clientSecret: data.clientSecret, users: data.users, orgs: data.orgs ?? [], latencyMs: data.latencyMs, rateLimit: 1_000_000_000 });
fake.state.graphql = createStateGraphqlHandler(fake.state);

port.on('message', (msg: FakeWorkerRequest) => {
  void (async () => {
    if (msg.cmd === 'reset') fake.state.resetCounters();
    if (msg.cmd === 'close') await fake.close();
    port.postMessage({ id: msg.id, counters: fake.state.counters });
  })();
});
port.postMessage({ ready: fake.baseUrl });
