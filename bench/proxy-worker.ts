/**
 * The bare proxy of the listing part (`startBareProxy` in `support.ts`), in a worker thread: for each
 * request, every page of the listing from the fake on the app's schedule (page 1 alone first when
 * `first=1`, then `concurrency` at a time), each parsed as any app that reads them must, and
 * `{"total":N}` as the answer. No authentication, checks, caches or answer of its own.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';
import { range, runBounded } from '../src/hosts/pages.ts';

export interface ProxyWorkerData {
  /** A page's URL in the fake without the page number, which is appended. */
  pageUrl: string;
  concurrency: number;
}

const data = workerData as ProxyWorkerData;
const port = parentPort;
if (!port) throw new Error('the bare proxy runs as a worker thread only');

const server = createServer((req, res) => {
  const query = new URLSearchParams((req.url ?? '').split('?')[1] ?? '');
  const pages = Number(query.get('pages') ?? 1);
  // The app's schedule, with the app's own bound (`runBounded`): page 1 alone first, or all at once.
  const rounds = query.get('first') === '1' ? [range(1, 1), range(2, pages)] : [range(1, pages)];
  const headers = { authorization: (req.headers.authorization ?? '').replace(/^Bearer /, 'bearer ') };
  void (async () => {
    let total = 0;
    for (const round of rounds) {
      await runBounded(round, data.concurrency, async (n) => {
        const page = await fetch(`${data.pageUrl}${n}`, { headers });
        if (page.status !== 200) throw new Error(`the fake GitHub answered ${page.status}`);
        const repos = JSON.parse(await page.text()) as unknown[];
        total += repos.length;
      });
    }
    res.setHeader('content-type', 'application/json').end(JSON.stringify({ total }));
  })().catch((error: unknown) => {
    res.statusCode = 502;
    res.end(String(error));
  });
});
server.listen(0, '127.0.0.1', () => port.postMessage({ ready: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }));
