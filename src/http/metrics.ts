import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { RequestListener } from 'node:http';
import type { RequestHandler } from 'express';
import type { Versions } from '../version.ts';

/** One registry per app, so several apps in one process (tests) do not share counters. */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const requests = new Counter({
    name: 'http_requests_total',
    help: 'Requests answered, by operation and status.',
    labelNames: ['operation', 'status'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time to answer, by operation.',
    labelNames: ['operation'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const upstream = new Counter({
    name: 'git_host_requests_total',
    help: 'Requests made to git hosts, by host and outcome.',
    labelNames: ['provider', 'outcome'] as const,
    registers: [registry],
  });
  const listingCache = new Counter({
    name: 'listing_cache_total',
    help: 'Listing cache lookups, by result.',
    labelNames: ['result'] as const,
    registers: [registry],
  });

  const cacheFailures = new Counter({
    name: 'cache_failures_total',
    help: 'Cache operations that failed, or were skipped while the cache was unavailable, by operation. Each costs speed, never an answer.',
    labelNames: ['operation'] as const,
    registers: [registry],
  });
  const cacheAvailable = new Gauge({
    name: 'cache_available',
    help: '1 while the cache answers, 0 from a failure until it answers again.',
    registers: [registry],
  });
  cacheAvailable.set(1);

  // Each label set's series looked up once, not hashed again on every request.
  const answered = new Map<string, { count: ReturnType<typeof requests.labels>; time: ReturnType<typeof duration.labels> }>();
  const seriesOf = (operation: string, status: number) => {
    const key = `${operation} ${status}`;
    let series = answered.get(key);
    if (!series) {
      series = { count: requests.labels(operation, String(status)), time: duration.labels(operation) };
      answered.set(key, series);
    }
    return series;
  };

  const middleware: RequestHandler = (req, res, next) => {
    const started = performance.now();
    res.once('finish', () => {
      const series = seriesOf(req.operation?.operationId ?? 'unmatched', res.statusCode);
      series.count.inc();
      series.time.observe((performance.now() - started) / 1000);
    });
    next();
  };

  /**
   * The operators' endpoint, on a port of its own: `GET /metrics` (and HEAD) in the Prometheus text
   * format. Nothing else is served there, and the API port does not serve it.
   */
  const listener: RequestListener = (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Not found: metrics are at /metrics\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }).end('Method not allowed\n');
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType, 'cache-control': 'no-store' }).end(text),
      () => res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('Metrics could not be collected\n'),
    );
  };

  return { registry, requests, upstream, listingCache, cacheFailures, cacheAvailable, middleware, listener };
}

export type Metrics = ReturnType<typeof createMetrics>;

/** `build_info{version, api_version, node} 1`: which service, API and Node versions this process runs. */
export function registerBuildInfo(registry: Registry, versions: Versions): void {
  new Gauge({
    name: 'build_info',
    help: "The service's version, the API version it implements and the Node running it; always 1.",
    labelNames: ['version', 'api_version', 'node'] as const,
    registers: [registry],
  }).set({ version: versions.version, api_version: versions.apiVersion, node: versions.node }, 1);
}
