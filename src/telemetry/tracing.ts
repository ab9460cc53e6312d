/**
 * OpenTelemetry traces, off by default and on with the standard `OTEL_*` variables:
 * `OTEL_TRACES_EXPORTER=otlp` (or an `OTEL_EXPORTER_OTLP_ENDPOINT` / `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`)
 * sends them over OTLP/HTTP, `OTEL_TRACES_EXPORTER=console` prints them; `OTEL_SDK_DISABLED=true` keeps
 * them off whatever else is set. `OTEL_SERVICE_NAME`, `OTEL_RESOURCE_ATTRIBUTES`, `OTEL_TRACES_SAMPLER`
 * (with `_ARG`) and the exporter's own `OTEL_EXPORTER_OTLP_*` settings are honoured.
 *
 * Off, nothing of OpenTelemetry is loaded: every hook here is a no-op that costs one check. On, only
 * the tracing SDK, its context manager, the W3C propagator and the chosen exporter are loaded (no
 * instrumentation that patches modules as they load), and the spans are made here:
 * - a request span (src/http/tracing.ts), named by the operation's operationId;
 * - a client span for each request to a git host, from Node's own `fetch` events (diagnostics channels
 *   `undici:request:*`): one place for every host, whichever client library makes the request; the W3C
 *   `traceparent` goes with the request;
 * - a span for each database query (`traceDb`) and each Redis command (`traceRedis`).
 * Attributes never carry a credential: no request or response header is recorded, a URL's secret query
 * values are redacted, a database query is recorded as its parameterised text (never its values) and a
 * Redis command by its name only (never its keys or values).
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type * as OtelApi from '@opentelemetry/api';
import type { Sampler, SpanExporter, TracerProvider } from '@opentelemetry/sdk-trace';
import { ConfigError } from '../config.ts';
import { redactUrl } from '../logger.ts';
import type { Db, Sql } from '../store/db.ts';

type Env = Record<string, string | undefined>;

export interface Tracing {
  api: typeof OtelApi;
  tracer: OtelApi.Tracer;
  provider: TracerProvider;
}

let active: (Tracing & { stop(): Promise<void> }) | undefined;

/** The running tracing, or undefined when traces are off. */
export function tracing(): Tracing | undefined {
  return active;
}

const EXPORTERS = ['otlp', 'console', 'none'] as const;

/** Which exporter the environment asks for; undefined when traces stay off (the default). */
export function tracesExporter(env: Env): 'otlp' | 'console' | undefined {
  if ((env.OTEL_SDK_DISABLED ?? '').trim().toLowerCase() === 'true') return undefined;
  const named = (env.OTEL_TRACES_EXPORTER ?? '')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  for (const name of named) {
    if (!(EXPORTERS as readonly string[]).includes(name)) {
      throw new ConfigError(`OTEL_TRACES_EXPORTER=${JSON.stringify(env.OTEL_TRACES_EXPORTER)} is not valid: expected otlp, console or none`);
    }
  }
  if (named.includes('otlp')) return 'otlp';
  if (named.includes('console')) return 'console';
  if (named.includes('none')) return undefined;
  return env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ? 'otlp' : undefined;
}

export interface StartTracingOptions {
  env?: Env;
  /** The service's version, for the `service.version` resource attribute. */
  serviceVersion: string;
  /** Replaces the exporter the environment asks for, and turns traces on (tests: the SDK's in-memory exporter). */
  exporter?: SpanExporter;
}

/**
 * Starts tracing when the environment (or `exporter`) asks for it, once per process; undefined when
 * traces stay off. A second call while tracing runs returns the running one.
 */
export async function startTracing(options: StartTracingOptions): Promise<Tracing | undefined> {
  if (active) return active;
  const env = options.env ?? process.env;
  const kind = options.exporter ? 'given' : tracesExporter(env);
  if (!kind) return undefined;

  const [api, sdk, { AsyncLocalStorageContextManager }, { W3CTraceContextPropagator }, resources] = await Promise.all([
    import('@opentelemetry/api'),
    import('@opentelemetry/sdk-trace'),
    import('@opentelemetry/context-async-hooks'),
    import('@opentelemetry/core'),
    import('@opentelemetry/resources'),
  ]);
  const exporter =
    options.exporter ??
    (kind === 'console' ? new sdk.ConsoleSpanExporter() : new (await import('@opentelemetry/exporter-trace-otlp-http')).OTLPTraceExporter());
  // Spans go out in batches, except to the console or a test's exporter, where each is wanted at once.
  const processor = kind === 'otlp' ? new sdk.BatchSpanProcessor({ exporter }) : new sdk.SimpleSpanProcessor({ exporter });
  const resource = resources
    .resourceFromAttributes({ 'service.name': 'repositories-api', 'service.version': options.serviceVersion })
    .merge(resources.detectResources({ detectors: [resources.envDetector] }));
  const provider = new sdk.TracerProvider({ resource, sampler: samplerOf(env, sdk), spanProcessors: [processor] });

  const contextManager = new AsyncLocalStorageContextManager().enable();
  api.context.setGlobalContextManager(contextManager);
  api.propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  api.trace.setGlobalTracerProvider(provider);
  const tracer = provider.getTracer('repositories-api', options.serviceVersion);
  const hostCalls = traceHostCalls(api, tracer);

  active = {
    api,
    tracer,
    provider,
    async stop() {
      hostCalls.stop();
      await provider.shutdown();
      api.trace.disable();
      api.propagation.disable();
      api.context.disable();
      active = undefined;
    },
  };
  return active;
}

/** Sends the spans still buffered and turns tracing off (a stopping process; a test's end). */
export async function stopTracing(): Promise<void> {
  await active?.stop();
}

/** `OTEL_TRACES_SAMPLER` (and `OTEL_TRACES_SAMPLER_ARG`), as the specification names them; parent-based, always on by default. */
function samplerOf(env: Env, sdk: typeof import('@opentelemetry/sdk-trace')): Sampler {
  const name = (env.OTEL_TRACES_SAMPLER ?? 'parentbased_always_on').trim().toLowerCase();
  const arg = Number(env.OTEL_TRACES_SAMPLER_ARG ?? '1');
  const ratio = Number.isFinite(arg) && arg >= 0 && arg <= 1 ? arg : 1;
  const samplers: Record<string, () => Sampler> = {
    always_on: () => new sdk.AlwaysOnSampler(),
    always_off: () => new sdk.AlwaysOffSampler(),
    traceidratio: () => new sdk.TraceIdRatioBasedSampler(ratio),
    parentbased_always_on: () => new sdk.ParentBasedSampler({ root: new sdk.AlwaysOnSampler() }),
    parentbased_always_off: () => new sdk.ParentBasedSampler({ root: new sdk.AlwaysOffSampler() }),
    parentbased_traceidratio: () => new sdk.ParentBasedSampler({ root: new sdk.TraceIdRatioBasedSampler(ratio) }),
  };
  const make = samplers[name];
  if (!make) throw new ConfigError(`OTEL_TRACES_SAMPLER=${JSON.stringify(env.OTEL_TRACES_SAMPLER)} is not valid: expected one of ${Object.keys(samplers).join(', ')}`);
  return make();
}

/** `trace_id` and `span_id` of the active span, for each JSON log line (a pino mixin); empty when none. */
export function traceFields(): Record<string, string> {
  const span = active?.api.trace.getActiveSpan();
  if (!span) return {};
  const { traceId, spanId } = span.spanContext();
  return { trace_id: traceId, span_id: spanId };
}

/** Runs `fn` in a child span of the active one, ended when its promise settles; `fn` alone when traces are off or no span is active. */
function inSpan<T>(name: string, attributes: OtelApi.Attributes, fn: () => Promise<T>): Promise<T> {
  const t = active;
  if (!t || !t.api.trace.getActiveSpan()) return fn();
  const { api, tracer } = t;
  return tracer.startActiveSpan(name, { kind: api.SpanKind.CLIENT, attributes }, async (span) => {
    try {
      return await fn();
    } catch (error) {
      span.setStatus({ code: api.SpanStatusCode.ERROR });
      span.setAttribute('error.type', errorType(error));
      throw error;
    } finally {
      span.end();
    }
  });
}

/** The error's class or code, never its message (which may quote a value or an address). */
function errorType(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && code) return code;
  return error instanceof Error ? error.name : 'Error';
}

/** The SQL keyword a statement starts with (SELECT, INSERT, BEGIN...). */
function operationOf(text: string): string {
  return /^\s*([A-Za-z]+)/.exec(text)?.[1]?.toUpperCase() ?? 'QUERY';
}

const QUERY_TEXT_LIMIT = 2_000;

/**
 * A span for each query and statement of this database, when tracing is on: the parameterised text
 * only (the values are never recorded). Changes the object in place, so its identity is kept.
 */
export function traceDb(db: Db): Db {
  if (!active) return db;
  const traceSql = (sql: Sql): Sql => {
    const { query, exec } = sql;
    const attributes = (text: string) => ({
      'db.system.name': 'postgresql',
      'db.operation.name': operationOf(text),
      'db.query.text': text.length > QUERY_TEXT_LIMIT ? `${text.slice(0, QUERY_TEXT_LIMIT)}…` : text,
      ...(db.backend === 'embedded' ? { 'db.namespace': 'embedded' } : {}),
    });
    sql.query = <T>(text: string, params?: readonly unknown[]) => inSpan(operationOf(text), attributes(text), () => query.call(sql, text, params) as Promise<T[]>);
    sql.exec = (text) => inSpan(operationOf(text), attributes(text), () => exec.call(sql, text));
    return sql;
  };
  traceSql(db);
  const transaction = db.transaction.bind(db);
  db.transaction = <T>(fn: (tx: Sql) => Promise<T>) => transaction((tx) => fn(traceSql({ ...tx })));
  return db;
}

/** The part of an ioredis client tracing needs: every command goes through `sendCommand`. */
interface CommandSender {
  sendCommand(command: { name: string; promise: Promise<unknown> }, ...rest: unknown[]): unknown;
}

const tracedClients = new WeakSet<object>();

/** A span for each Redis command, when tracing is on: its name only, never its keys or values. */
export function traceRedis(client: CommandSender): void {
  if (!active || tracedClients.has(client)) return;
  tracedClients.add(client);
  const send = client.sendCommand;
  client.sendCommand = function (command, ...rest) {
    const t = active;
    if (!t || !t.api.trace.getActiveSpan()) return send.call(this, command, ...rest);
    const operation = command.name.toUpperCase();
    const span = t.tracer.startSpan(operation, { kind: t.api.SpanKind.CLIENT, attributes: { 'db.system.name': 'redis', 'db.operation.name': operation } });
    command.promise.then(
      () => span.end(),
      (error: unknown) => {
        span.setStatus({ code: t.api.SpanStatusCode.ERROR });
        span.setAttribute('error.type', errorType(error));
        span.end();
      },
    );
    return send.call(this, command, ...rest);
  };
}

/** What Node's fetch publishes about a request on the `undici:request:*` channels (the fields read here). */
interface UndiciRequest {
  origin: string | URL;
  method: string;
  path: string;
  addHeader(name: string, value: string): unknown;
}

/**
 * A client span for every `fetch` made while a span is active (the git hosts' requests: every host's
 * client, Octokit included, uses Node's fetch), with the W3C trace context added to the request's headers.
 */
function traceHostCalls(api: typeof OtelApi, tracer: OtelApi.Tracer): { stop(): void } {
  const spans = new WeakMap<object, OtelApi.Span>();
  const onCreate = (message: unknown) => {
    const { request } = message as { request: UndiciRequest };
    const parent = api.context.active();
    if (!api.trace.getSpan(parent)) return;
    const origin = new URL(String(request.origin));
    const method = request.method.toUpperCase();
    const span = tracer.startSpan(
      method,
      {
        kind: api.SpanKind.CLIENT,
        attributes: {
          'http.request.method': method,
          'server.address': origin.hostname,
          'server.port': Number(origin.port) || (origin.protocol === 'https:' ? 443 : 80),
          'url.full': `${origin.origin}${redactUrl(request.path)}`,
        },
      },
      parent,
    );
    spans.set(request, span);
    const carrier: Record<string, string> = {};
    api.propagation.inject(api.trace.setSpan(parent, span), carrier);
    for (const [name, value] of Object.entries(carrier)) request.addHeader(name, value);
  };
  const onHeaders = (message: unknown) => {
    const { request, response } = message as { request: object; response: { statusCode: number } };
    const span = spans.get(request);
    if (!span) return;
    span.setAttribute('http.response.status_code', response.statusCode);
    if (response.statusCode >= 400) {
      span.setStatus({ code: api.SpanStatusCode.ERROR });
      span.setAttribute('error.type', String(response.statusCode));
    }
  };
  const onEnd = (message: unknown) => {
    const { request } = message as { request: object };
    spans.get(request)?.end();
    spans.delete(request);
  };
  const onError = (message: unknown) => {
    const { request, error } = message as { request: object; error: unknown };
    const span = spans.get(request);
    if (!span) return;
    span.setStatus({ code: api.SpanStatusCode.ERROR });
    span.setAttribute('error.type', errorType(error));
    span.end();
    spans.delete(request);
  };
  const channels: Array<[string, (message: unknown) => void]> = [
    ['undici:request:create', onCreate],
    ['undici:request:headers', onHeaders],
    ['undici:request:trailers', onEnd],
    ['undici:request:error', onError],
  ];
  for (const [name, listener] of channels) subscribe(name, listener);
  return {
    stop() {
      for (const [name, listener] of channels) unsubscribe(name, listener);
    },
  };
}
