/**
 * The fake GitLab in a worker thread, as the fake GitHub runs in `fake-worker.ts`: GitLab is another
 * machine, and its work (sorting, rendering pages) must not be billed to the app's event loop.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { startFakeGitLab, type FakeUserInput } from '../test/fakes/gitlab/index.ts';

export interface GitLabWorkerData {
  users: FakeUserInput[];
  latencyMs: number;
  clientId: string;
  clientSecret: string;
}

export type GitLabWorkerRequest = { id: number; cmd: 'counters' | 'reset' | 'close' };

const data = workerData as GitLabWorkerData;
const port = parentPort;
if (!port) throw new Error('the fake GitLab worker runs as a worker thread only');

const fake = await startFakeGitLab({ clientId: data.clientId, clientSecret: data.clientSecret, users: data.users, latencyMs: data.latencyMs });

port.on('message', (msg: GitLabWorkerRequest) => {
  void (async () => {
    if (msg.cmd === 'reset') fake.state.resetCounters();
    if (msg.cmd === 'close') await fake.close();
    port.postMessage({ id: msg.id, counters: fake.state.counters });
  })();
});
port.postMessage({ ready: fake.baseUrl });
