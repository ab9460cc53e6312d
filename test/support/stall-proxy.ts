import { createServer, connect, type Server, type Socket } from 'node:net';

/**
 * A loopback TCP proxy in front of a real server (Redis, PostgreSQL), with a switch: `stall()` stops
 * forwarding in both directions while every socket stays open, as a stopped process or a network
 * partition looks to a client; `down()` closes every connection and refuses new ones, as a server that
 * is gone; `pass()` goes back to forwarding (what was held in a stall then flows).
 */
export interface StallProxy {
  readonly port: number;
  /** `url` with its host and port replaced by the proxy's. */
  through(url: string): string;
  pass(): void;
  stall(): void;
  down(): void;
  close(): Promise<void>;
}

type Mode = 'pass' | 'stall' | 'down';

export async function startStallProxy(target: { host: string; port: number }): Promise<StallProxy> {
  let mode: Mode = 'pass';
  const pairs = new Set<{ client: Socket; upstream: Socket | undefined; start(): void }>();
  // What arrived during a stall, in order, to be delivered when forwarding resumes.
  let held: Array<{ to: Socket; data: Buffer }> = [];
  const forward = (from: Socket, to: Socket) =>
    from.on('data', (data: Buffer) => {
      if (mode === 'stall') held.push({ to, data });
      else if (!to.destroyed) to.write(data);
    });

  const server: Server = createServer((client) => {
    if (mode === 'down') {
      client.destroy();
      return;
    }
    client.pause();
    const pair = {
      client,
      upstream: undefined as Socket | undefined,
      start() {
        if (pair.upstream) return;
        const upstream = connect(target.port, target.host);
        pair.upstream = upstream;
        forward(client, upstream);
        forward(upstream, client);
        const end = () => {
          client.destroy();
          upstream.destroy();
          pairs.delete(pair);
        };
        client.once('close', end).on('error', end);
        upstream.once('close', end).on('error', end);
        client.resume();
      },
    };
    pairs.add(pair);
    client.once('close', () => {
      pair.upstream?.destroy();
      pairs.delete(pair);
    });
    client.on('error', () => {});
    if (mode === 'pass') pair.start();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;

  const proxy: StallProxy = {
    port,
    through(url) {
      const u = new URL(url);
      u.hostname = '127.0.0.1';
      u.port = String(port);
      return u.toString();
    },
    pass() {
      mode = 'pass';
      const flushing = held;
      held = [];
      for (const { to, data } of flushing) if (!to.destroyed) to.write(data);
      for (const pair of pairs) pair.start();
    },
    stall() {
      mode = 'stall';
    },
    down() {
      mode = 'down';
      held = [];
      for (const pair of pairs) {
        pair.client.destroy();
        pair.upstream?.destroy();
      }
      pairs.clear();
    },
    async close() {
      proxy.down();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return proxy;
}
