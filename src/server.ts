import { realpathSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import { createApp, type AppOverrides } from './app.ts';
import { ConfigError, configWarnings, loadConfig, type Config } from './config.ts';
import { answerClientErrors, serverOptions } from './http/client-errors.ts';
import { SERVICE_VERSION, versionsOf } from './version.ts';
import { startTracing, stopTracing, tracing } from './telemetry/tracing.ts';
import { dependencyFailureInWords, listenFailure, redisAddress, StartupError, watchRedis, within } from './startup.ts';

/** How long the start waits for Redis before it warns that Redis does not answer. */
const REDIS_CHECK_MS = 3_000;

/**
 * Listens on the configured port and shuts down gracefully. Once asked to stop, readiness answers 503
 * (so a load balancer stops routing here) and every answer closes its connection; when no request is
 * in flight any more the listener closes and the stores with it. A request still running after
 * `shutdownTimeoutMs` has its connection closed, so the process always exits.
 */
export async function startServer(config: Config = loadConfig(), overrides: AppOverrides = {}) {
  // Traces (off unless the OTEL_* variables ask for them) start first, so the start's queries are in them.
  const ownTracing = !tracing() && (await startTracing({ serviceVersion: SERVICE_VERSION })) !== undefined;
  const { app, metricsListener, services, close: closeApp } = await createApp(config, overrides);
  const close = async () => {
    await closeApp();
    if (ownTracing) await stopTracing();
  };
  const server = createServer(serverOptions(config.clientTimeouts), app);
  answerClientErrors(server);
  await listen(server, config.port, config.host).catch(async (error: unknown) => {
    await close();
    throw listenFailure(error, { name: 'the API', variable: 'PORT', host: config.host, port: config.port });
  });
  const port = portOf(server, config.port);
  // Metrics on a port of their own, for operators: the load balancer routes only the API port.
  const metricsServer = config.metrics.port === undefined ? undefined : createServer(metricsListener);
  // Both ports open before the first line is logged: a start that fails says so in its one line only.
  if (metricsServer) {
    await listen(metricsServer, config.metrics.port as number, config.metrics.host).catch(async (error: unknown) => {
      await new Promise((resolve) => server.close(resolve));
      await close();
      throw listenFailure(error, { name: 'the metrics endpoint', variable: 'METRICS_PORT', host: config.metrics.host, port: config.metrics.port as number });
    });
  }

  const { version, apiVersion } = versionsOf(services.spec);
  services.logger.info(
    { port, version, api_version: apiVersion, node: process.version, env: config.env },
    `Repositories API listening on http://${config.host}:${port} (version ${version}, API ${apiVersion}, Node ${process.version})`,
  );
  if (metricsServer) {
    const metricsPort = portOf(metricsServer, config.metrics.port as number);
    services.logger.info({ metrics_port: metricsPort }, `Prometheus metrics on http://${config.metrics.host}:${metricsPort}/metrics`);
  }
  for (const warning of configWarnings(config)) services.logger.warn(warning);
  if (config.redisUrl) {
    // Redis away is no reason to refuse the start (it may come back), but it is said at once.
    const redisUrl = config.redisUrl;
    const cache = services.rawCache;
    watchRedis(cache);
    await within(REDIS_CHECK_MS, cache.get('readiness-probe')).catch((error: unknown) => {
      services.logger.warn(
        { check: 'cache', reason: dependencyFailureInWords('cache', error, cache) },
        `Redis at ${redisAddress(redisUrl)} (REDIS_URL) ${dependencyFailureInWords('cache', error, cache).replace(/^Redis /, '')}: listings are not cached and readiness answers 503 until it answers`,
      );
    });
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
  let started: Awaited<ReturnType<typeof startServer>>;
  try {
    started = await startServer(config);
  } catch (error) {
    // One line, naming the part and what to do; the stack only when asked for (LOG_LEVEL=debug or trace).
    const line = error instanceof StartupError ? error.message : `${error instanceof Error ? error.message : String(error)}`.split('\n')[0];
    console.error(`Repositories API cannot start: ${line}`);
    if (config.logLevel === 'debug' || config.logLevel === 'trace') console.error(error);
    process.exit(1);
  }
  const { stop, services } = started;
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
