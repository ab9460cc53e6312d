import { realpathSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import { createApp } from './app.ts';
import { ConfigError, configWarnings, loadConfig, type Config } from './config.ts';
import { answerClientErrors, serverOptions } from './http/client-errors.ts';

/**
 * Listens on the configured port and shuts down gracefully. Once asked to stop, readiness answers 503
 * (so a load balancer stops routing here) and every answer closes its connection; when no request is
 * in flight any more the listener closes and the stores with it. A request still running after
 * `shutdownTimeoutMs` has its connection closed, so the process always exits.
 */
export async function startServer(config: Config = loadConfig()) {
  const { app, metricsListener, services, close } = await createApp(config);
  const server = createServer(serverOptions(config.clientTimeouts), app);
  answerClientErrors(server);
  await listen(server, config.port, config.host);
  const port = portOf(server, config.port);
  services.logger.info({ port, node: process.version, env: config.env }, `Repositories API listening on http://${config.host}:${port} (Node ${process.version})`);
  for (const warning of configWarnings(config)) services.logger.warn(warning);
  // Metrics on a port of their own, for operators: the load balancer routes only the API port.
  const metricsServer = config.metrics.port === undefined ? undefined : createServer(metricsListener);
  if (metricsServer) {
    await listen(metricsServer, config.metrics.port as number, config.metrics.host);
    const metricsPort = portOf(metricsServer, config.metrics.port as number);
    services.logger.info({ metrics_port: metricsPort }, `Prometheus metrics on http://${config.metrics.host}:${metricsPort}/metrics`);
  }

  // Once stopping, every answer tells the client to close, so no kept-alive connection outlives it.
  let stopping: Promise<void> | undefined;
  let drained: (() => void) | undefined;
  const answering = new Set<ServerResponse>();
  server.prependListener('request', (_req: IncomingMessage, res: ServerResponse) => {
    if (stopping) res.setHeader('Connection', 'close');
    answering.add(res);
    res.once('close', () => {
      answering.delete(res);
      if (answering.size === 0) drained?.();
    });
  });
  const stop = () =>
    (stopping ??= (async () => {
      services.lifecycle.stopping = true;
      services.logger.info({ inFlight: answering.size }, 'shutting down: readiness answers 503, requests in flight finish');
      for (const res of answering) if (!res.headersSent) res.setHeader('Connection', 'close');
      let timer: NodeJS.Timeout | undefined;
      const finished = answering.size === 0 || (await new Promise<boolean>((resolve) => {
        drained = () => resolve(true);
        timer = setTimeout(() => resolve(false), config.shutdownTimeoutMs);
      }));
      clearTimeout(timer);
      if (!finished) services.logger.warn({ inFlight: answering.size }, `requests still in flight after ${config.shutdownTimeoutMs} ms: closing their connections`);
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
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

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`Repositories API cannot start: ${error.message}`);
    process.exit(1);
  }
  const { stop, services } = await startServer(config);
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

// Started as a program (not imported): compared as real paths, so a checkout behind a symlink or with
// a space in its path starts too.
if (process.argv[1] && fileURLToPath(import.meta.url) === realpathSync(process.argv[1])) await main();
