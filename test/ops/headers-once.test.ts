/**
 * Security headers worked out once at start: the same headers helmet sets on each request itself, and
 * a refusal at start of any middleware whose headers depend on the request.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type RequestHandler } from 'express';
import helmet from 'helmet';
import { describe, test } from 'vitest';
import { headersOnce } from '../../src/http/headers-once.ts';

async function headersFrom(middleware: RequestHandler): Promise<IncomingHttpHeaders> {
  const app = express();
  app.use(middleware);
  app.get('/x', (_req, res) => void res.json({ ok: true }));
  const server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/x`);
    await res.arrayBuffer();
    const headers: IncomingHttpHeaders = {};
    res.headers.forEach((value, name) => {
      if (name !== 'date') headers[name] = value;
    });
    return headers;
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

describe('headers worked out once', () => {
  test('helmet with a fixed policy gives the same headers, worked out once or on each request', async () => {
    const policy = () => helmet({ contentSecurityPolicy: { directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } } });
    const each = await headersFrom(policy());
    const once = await headersFrom(headersOnce(policy()));
    assert.ok(Object.keys(each).length > 10);
    assert.match(String(each['content-security-policy']), /^default-src 'none';.*frame-ancestors 'none'/);
    assert.deepEqual(once, each);
  });

  test('a middleware that reads the request, or does not finish at once, is refused at start', () => {
    assert.throws(() => headersOnce((req, res, next) => void (res.setHeader('X-Path', req.path), next())), /read the request's path/);
    assert.throws(() => headersOnce((_req, _res, next) => void setTimeout(next, 1)), /did not finish at once/);
  });
});
