/**
 * Traces with the SDK's in-memory exporter: a listing's request span named by its operationId, with a
 * child span for each request to the git host (which receives the W3C trace context), the database's
 * queries and Redis's commands, the trace id in the JSON log line, and no credential in any attribute.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { createLogger } from '../../src/logger.ts';
import { startTracing, stopTracing, tracesExporter } from '../../src/telemetry/tracing.ts';
import { generateRepos, tokenFor } from '../fakes/github/index.ts';
import { startTestApp, type TestApp } from '../support/harness.ts';
import type { SignedIn } from '../support/harness.ts';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('traces', () => {
  const exporter = new InMemorySpanExporter();
  const logLines: Array<Record<string, unknown>> = [];
  let t: TestApp;
  let user: SignedIn;

  beforeAll(async () => {
    await startTracing({ exporter, serviceVersion: 'test' });
    const logger = createLogger(
      'info',
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) logLines.push(JSON.parse(line) as Record<string, unknown>);
          done();
        },
      }),
    );
    t = await startTestApp({
      fake: { users: [{ login: 'octocat', repos: generateRepos(12, { owner: { login: 'octocat' }, seed: 3 }) }] },
      env: { REDIS_URL, REDIS_PREFIX: `test-tracing-${randomUUID()}:` },
      overrides: { logger },
    });
    user = await t.signIn('octocat');
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await stopTracing();
  });

  const spans = () => exporter.getFinishedSpans();
  const childrenOf = (parent: ReadableSpan) => spans().filter((s) => s.parentSpanContext?.spanId === parent.spanContext().spanId);

  test('when a listing is read, then its request span is named listRepositories, with child spans for the host calls, the database and Redis', async () => {
    exporter.reset();
    t.fake.state.resetCounters();
    const res = await fetch(`${t.baseUrl}/api/v1/repos?refresh=true&per_page=5`, { headers: { authorization: `Bearer ${user.token}` } });
    assert.equal(res.status, 200, await res.text());

    const request = spans().find((s) => s.name === 'listRepositories');
    assert.ok(request, `no listRepositories span among ${spans().map((s) => s.name).join(', ')}`);
    assert.equal(request.attributes['http.route'], '/api/v1/repos');
    assert.equal(request.attributes['http.response.status_code'], 200);
    assert.equal(request.attributes['http.request.method'], 'GET');

    const children = childrenOf(request);
    const hostCalls = children.filter((s) => s.attributes['server.address'] === '127.0.0.1' && s.attributes['http.request.method'] === 'GET');
    assert.ok(hostCalls.length >= 1, `no host call among ${children.map((s) => s.name).join(', ')}`);
    const fakePort = Number(new URL(t.fake.baseUrl).port);
    const listingCall = hostCalls.find((s) => s.attributes['server.port'] === fakePort && String(s.attributes['url.full']).includes('/user/repos'));
    assert.ok(listingCall, 'no span for GET /user/repos');
    assert.equal(listingCall.attributes['http.response.status_code'], 200);

    // The fake GitHub received the trace context of the host call's span.
    const sent = t.fake.state.requests.filter((r) => r.route === '/user/repos').map((r) => r.traceparent);
    assert.ok(sent.length >= 1);
    assert.ok(sent.includes(`00-${listingCall.spanContext().traceId}-${listingCall.spanContext().spanId}-01`), `traceparent sent: ${sent.join(', ')}`);

    const all = spans().filter((s) => s.spanContext().traceId === request.spanContext().traceId);
    assert.ok(all.some((s) => s.attributes['db.system.name'] === 'postgresql' && s.attributes['db.operation.name'] === 'SELECT'), `no database span among ${JSON.stringify(spans().map((s) => [s.name, s.attributes['db.operation.name'], s.spanContext().traceId === request.spanContext().traceId]))}`);
    assert.ok(all.some((s) => s.attributes['db.system.name'] === 'redis' && ['GET', 'SET'].includes(String(s.attributes['db.operation.name']))), 'no Redis span');
  });

  test('when a request is answered, then its access log line carries the request span\'s trace id', async () => {
    exporter.reset();
    logLines.length = 0;
    const res = await fetch(`${t.baseUrl}/api/v1/me`, { headers: { authorization: `Bearer ${user.token}` } });
    assert.equal(res.status, 200);
    const request = spans().find((s) => s.name === 'getMe');
    assert.ok(request);
    const line = logLines.find((l) => l.msg === 'request completed');
    assert.ok(line, JSON.stringify(logLines));
    assert.equal(line.trace_id, request.spanContext().traceId);
  });

  test('when requests carry a bearer token, a session cookie and a host token, then no span attribute holds any of them', async () => {
    exporter.reset();
    await fetch(`${t.baseUrl}/api/v1/repos?refresh=true&per_page=5`, { headers: { authorization: `Bearer ${user.token}` } });
    await fetch(`${t.baseUrl}/api/v1/me`, { headers: { cookie: user.cookie } });
    await fetch(`${t.baseUrl}/api/v1/connections`, { headers: { cookie: user.cookie, authorization: `Bearer ${user.token}` } });
    const recorded = JSON.stringify(spans().map((s) => s.attributes));
    assert.ok(spans().length > 3);
    for (const secret of [user.token, user.cookieValue, tokenFor('octocat'), user.token.split('.')[2]!]) {
      assert.ok(!recorded.includes(secret), `a span attribute holds ${secret.slice(0, 12)}…`);
    }
    assert.doesNotMatch(recorded, /authorization|cookie|bearer/i);
  });
});

describe('which exporter the environment asks for', () => {
  test('off by default, on with OTEL_TRACES_EXPORTER or an OTLP endpoint, off with OTEL_SDK_DISABLED', () => {
    assert.equal(tracesExporter({}), undefined);
    assert.equal(tracesExporter({ OTEL_TRACES_EXPORTER: 'console' }), 'console');
    assert.equal(tracesExporter({ OTEL_TRACES_EXPORTER: 'otlp' }), 'otlp');
    assert.equal(tracesExporter({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }), undefined);
    assert.equal(tracesExporter({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }), 'otlp');
    assert.equal(tracesExporter({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' }), 'otlp');
    assert.equal(tracesExporter({ OTEL_SDK_DISABLED: 'true', OTEL_TRACES_EXPORTER: 'otlp' }), undefined);
    assert.throws(() => tracesExporter({ OTEL_TRACES_EXPORTER: 'zipkin' }), /^ConfigError: OTEL_TRACES_EXPORTER="zipkin" is not valid: expected otlp, console or none$/);
  });
});
