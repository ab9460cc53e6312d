/**
 * The client of the timed listing steps, in a worker thread. The app of parts A and B runs on the
 * bench's own event loop: a client on that loop would read the answer only once the app had finished
 * whatever it does after sending it (storing the listing, writing caches), which a remote client never
 * waits for. Here the answer is timed when its last byte arrives. The fake alone is timed from here
 * too, so both figures of a ratio come from the same client, and so is the sequential baseline (Octokit's
 * way of reading a list, page after page): run on the app's thread, it left the garbage of ten parsed
 * pages to the app's next measured listing.
 */
import { parentPort } from 'node:worker_threads';
import { GitHubClient } from '../src/hosts/github/client.ts';

export type ClientWorkerRequest =
  | { id: number; cmd: 'get'; url: string; headers: Record<string, string> }
  | { id: number; cmd: 'pages'; urls: string[][]; headers: Record<string, string>; concurrency: number }
  | { id: number; cmd: 'sequential'; apiUrl: string; token: string };

export interface ClientWorkerAnswer {
  id: number;
  ms?: number;
  status?: number;
  text?: string;
  /** `sequential`: the repositories read. */
  count?: number;
  error?: string;
}

const port = parentPort;
if (!port) throw new Error('the timing client runs as a worker thread only');

/** Fetches `url` and reads its whole body: as text for the app's answers, as bytes for the fake's pages. */
async function get(url: string, headers: Record<string, string>, asText: boolean): Promise<{ status: number; text: string }> {
  const res = await fetch(url, { headers });
  if (asText) return { status: res.status, text: await res.text() };
  await res.arrayBuffer();
  return { status: res.status, text: '' };
}

port.on('message', (msg: ClientWorkerRequest) => {
  void (async () => {
    const t0 = performance.now();
    try {
      if (msg.cmd === 'get') {
        const { status, text } = await get(msg.url, msg.headers, true);
        port.postMessage({ id: msg.id, ms: performance.now() - t0, status, text } satisfies ClientWorkerAnswer);
        return;
      }
      if (msg.cmd === 'sequential') {
        const listing = await new GitHubClient({ apiUrl: msg.apiUrl, timeoutMs: 30_000 }).sequentialListRepos(msg.token);
        port.postMessage({ id: msg.id, ms: performance.now() - t0, count: listing.repos.length } satisfies ClientWorkerAnswer);
        return;
      }
      // Rounds one after another; within a round, at most `concurrency` pages at once.
      for (const round of msg.urls) {
        let next = 0;
        await Promise.all(
          Array.from({ length: Math.min(msg.concurrency, round.length) }, async () => {
            while (next < round.length) {
              const { status } = await get(round[next++] as string, msg.headers, false);
              if (status !== 200) throw new Error(`the fake answered ${status}`);
            }
          }),
        );
      }
      port.postMessage({ id: msg.id, ms: performance.now() - t0 } satisfies ClientWorkerAnswer);
    } catch (error) {
      port.postMessage({ id: msg.id, error: error instanceof Error ? error.message : String(error) } satisfies ClientWorkerAnswer);
    }
  })();
});
port.postMessage({ ready: true });
