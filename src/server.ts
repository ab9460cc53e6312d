import { realpathSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import { createApp } from './app.ts';
import { loadConfig } from './config.ts';
import { answerClientErrors, MAX_HEADER_BYTES } from './http/client-errors.ts';

/** Listens on the configured port and shuts down gracefully: stop accepting, finish in-flight requests, close the stores. */
export async function startServer(config = loadConfig()) {
  const { app, metricsListener, services, close } = await createApp(config);
  const server = createServer({ maxHeaderSize: MAX_HEADER_BYTES }, app);
  answerClientErrors(server);
  await listen(server, config.port, config.host);
  const port = portOf(server, config.port);
  services.logger.info({ port }, `Repositories API listening on http://${config.host}:${port}`);
  // Metrics on a port of their own, for operators: the load balancer routes only the API port.
  const metricsServer = config.metrics.port === undefined ? undefined : createServer(metricsListener);
  if (metricsServer) {
    await listen(metricsServer, config.metrics.port as number, config.metrics.host);
    const metricsPort = portOf(metricsServer, config.metrics.port as number);
    services.logger.info({ metrics_port: metricsPort }, `Prometheus metrics on http://${config.metrics.host}:${metricsPort}/metrics`);
  }

  // `server.close()` only closes the connections idle at that moment: a kept-alive connection whose
  // request is in flight would take new requests afterwards and hold the exit until its idle timeout.
  // So once stopping, every answer tells the client to close, and the connection goes with it.
  let stopping: Promise<void> | undefined;
  const answering = new Set<ServerResponse>();
  server.prependListener('request', (_req: IncomingMessage, res: ServerResponse) => {
    if (stopping) res.setHeader('Connection', 'close');
    answering.add(res);
    res.once('close', () => answering.delete(res));
  });
  const stop = () =>
    (stopping ??= (async () => {
      services.logger.info('shutting down');
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const res of answering) if (!res.headersSent) res.setHeader('Connection', 'close');
      metricsServer?.closeAllConnections();
      await Promise.all([closed, metricsServer && new Promise<void>((resolve) => metricsServer.close(() => resolve()))]);
      await close();
    })());
  return { server, metricsServer, services, port, stop };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
    server.listen(port, host);
  });
}

function portOf(server: Server, fallback: number): number {
  const address = server.address();
  return typeof address === 'object' && address ? address.port : fallback;
}

// Started as a program (not imported): compared as real paths, so a checkout behind a symlink or with
// a space in its path starts too.
if (process.argv[1] && fileURLToPath(import.meta.url) === realpathSync(process.argv[1])) {
  const { stop, services } = await startServer();
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      stop().then(
        () => process.exit(0),
        (error: unknown) => {
          services.logger.error({ err: error }, 'shutdown failed');
          process.exit(1);
        },
      );
    });
  }
}
