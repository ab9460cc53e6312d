/**
 * The HTTP around every operation: an error handler that cannot fall through to Express's HTML, HEAD
 * and 405, metrics off the API port, probes past the per-address budget, and Vary: Origin.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { generateRepos } from '../fakes/github/index.ts';
import { ApiProblem } from '../../src/contract/problem.ts';
import { appFetch, startTestApp, type SignedIn, type TestApp } from '../support/harness.ts';
import { problemOf, rawRequest, type ProblemBody } from '../support/problems.ts';

describe('the error handler itself', () => {
  let t: TestApp;
  let me: SignedIn;
  beforeAll(async () => {
    t = await startTestApp({
      fake: { users: [{ login: 'octocat', repos: generateRepos(3, { owner: { login: 'octocat' } }) }] },
      overrides: {
        handlers: {
          // A problem that breaks the spec (an empty detail), so sending it fails inside the error handler.
          listConnections: (_req, _res, next) => next(new ApiProblem(400, 'VALIDATION_FAILED', '')),
        },
      },
    });
    me = await t.signIn('octocat');
  });
  afterAll(() => t.close());

  test('when sending the problem fails inside the error handler, then the answer is still a problem+json 500 without a stack, never Express HTML', async () => {
    const res = await appFetch(`${t.baseUrl}/api/v1/connections`, { headers: { authorization: `Bearer ${me.token}` } });
    assert.equal(res.status, 500);
    const text = await res.clone().text();
    assert.doesNotMatch(text, /<html|<pre|at .*\.ts:\d+/i);
    const problem = await problemOf(res);
    assert.equal(problem.code, 'INTERNAL');
    assert.equal(problem.request_id, res.headers.get('x-request-id'));
  });
});

describe('HEAD, 405 and metrics', () => {
  let t: TestApp;
  let me: SignedIn;
  beforeAll(async () => {
    t = await startTestApp({ fake: { users: [{ login: 'octocat', repos: generateRepos(30, { owner: { login: 'octocat' }, seed: 3 }) }] } });
    me = await t.signIn('octocat');
  });
  afterAll(() => t.close());

  test('when HEAD is sent to health, ready, docs, the spec and the listing, then the GET status and headers come back without a body', async () => {
    for (const [path, headers] of [
      ['/api/v1/health', {}],
      ['/api/v1/ready', {}],
      ['/api/v1/openapi.json', {}],
      ['/docs', {}],
      ['/api/v1/repos', { authorization: `Bearer ${me.token}` }],
    ] as const) {
      // Uncompressed, so that the GET's body as read is the body as sent.
      const res = await appFetch(`${t.baseUrl}${path}`, { method: 'HEAD', headers: { ...headers, 'accept-encoding': 'identity' } });
      const get = await appFetch(`${t.baseUrl}${path}`, { headers: { ...headers, 'accept-encoding': 'identity' } });
      assert.equal(res.status, get.status, path);
      assert.equal(await res.text(), '', path);
      assert.equal(res.headers.get('content-type'), get.headers.get('content-type'), path);
      // The length the GET's body has, said without the body.
      assert.equal(res.headers.get('content-length'), String(Buffer.byteLength(await get.text())), path);
    }
  });

  test('when a path is asked with a method it does not have, then 405 METHOD_NOT_ALLOWED with an Allow header', async () => {
    const res = await rawRequest(`${t.baseUrl}/api/v1/health`, 'DELETE');
    assert.equal(res.status, 405);
    assert.equal(res.headers.allow, 'GET, HEAD');
    assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
    assert.equal((JSON.parse(res.body) as ProblemBody).code, 'METHOD_NOT_ALLOWED');
    const connections = await rawRequest(`${t.baseUrl}/api/v1/connections`, 'PATCH', { authorization: `Bearer ${me.token}` });
    assert.equal(connections.status, 405);
    assert.deepEqual(String(connections.headers.allow).split(', ').sort(), ['GET', 'HEAD', 'POST']);
  });

  test('when /api/v1/metrics is asked on the API port, then 404 and the spec does not list it; the metrics listener serves Prometheus text', async () => {
    const res = await rawRequest(`${t.baseUrl}/api/v1/metrics`, 'GET');
    assert.equal(res.status, 404);
    const spec = (await (await appFetch(`${t.baseUrl}/api/v1/openapi.json`)).json()) as { paths: Record<string, unknown> };
    assert.ok(!Object.keys(spec.paths).some((p) => p.includes('metrics')));
    const server: Server = createServer(t.app.metricsListener);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as AddressInfo).port;
      const metrics = await appFetch(`http://127.0.0.1:${port}/metrics`);
      assert.equal(metrics.status, 200);
      assert.match(await metrics.text(), /^# HELP http_requests_total/m);
      assert.equal((await appFetch(`http://127.0.0.1:${port}/api/v1/repos`)).status, 404);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe('probes and CORS with a per-address budget', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { CORS_ORIGINS: 'https://app.example.com', RATE_LIMIT_PER_ADDRESS: '3' } });
  });
  afterAll(() => t.close());

  test('when the per-address budget is spent, then health and readiness probes still answer 200', async () => {
    let limited = false;
    for (let i = 0; i < 10 && !limited; i++) limited = (await appFetch(`${t.baseUrl}/api/v1/openapi.json`)).status === 429;
    assert.ok(limited, 'the budget is spent');
    for (let i = 0; i < 5; i++) {
      assert.equal((await appFetch(`${t.baseUrl}/api/v1/health`)).status, 200);
      assert.equal((await appFetch(`${t.baseUrl}/api/v1/ready`)).status, 200);
    }
  });

  test('when CORS is configured, then answers to an unlisted Origin, a listed one and none all carry Vary: Origin', async () => {
    for (const origin of ['https://evil.example.com', 'https://app.example.com', undefined]) {
      const res = await appFetch(`${t.baseUrl}/api/v1/health`, { headers: origin ? { origin } : {} });
      assert.match(res.headers.get('vary') ?? '', /\bOrigin\b/, String(origin));
    }
  });
});
