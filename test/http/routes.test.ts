/**
 * Our operation index (`src/http/operations.ts`) names a request's operation for auth, metrics, logs
 * and the dispatch to its handler; the request validator looks the same request up again in its own
 * route table. Both must find the same operation for every path the spec declares and every URL a
 * client can send, or a request is checked against one operation and served by another.
 */
import assert from 'node:assert/strict';
import { request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type ErrorRequestHandler } from 'express';
import * as OpenApiValidator from 'express-openapi-validator';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { loadSpec } from '../../src/http/openapi.ts';
import { indexOperations } from '../../src/http/operations.ts';

const spec = loadSpec();
const operations = indexOperations(spec);
const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'];

/** What a request resolves to: the spec path of its operation, or the status of a path or method it does not have. */
type Resolved = string | 404 | 405 | 400;

function ours(method: string, path: string): Resolved {
  // The path's template, under any method: a path parameter that is not valid percent-encoding is a
  // 400 before the method is looked at.
  const atPath = operations.all.find((o) => operations.find(o.method, path) === o);
  if (!atPath) return 404;
  try {
    for (const value of Object.values(operations.pathParams(atPath, path))) decodeURIComponent(value);
  } catch {
    return 400;
  }
  return operations.find(method, path)?.template ?? 405;
}

let server: Server;
let port: number;

beforeAll(async () => {
  const app = express();
  // Only the validator's route lookup: no request or response check, so that any URL reaches the end.
  app.use(OpenApiValidator.middleware({ apiSpec: loadSpec() as never, validateApiSpec: false, validateRequests: false, validateResponses: false, validateSecurity: false }));
  app.use((req, res) => void res.json({ route: (req as { openapi?: { openApiRoute: string } }).openapi?.openApiRoute ?? null }));
  const onError: ErrorRequestHandler = (err: { status?: number }, _req, res, _next) => void res.status(err.status ?? 500).json({ route: null });
  app.use(onError);
  server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

/** The validator's answer, the path sent exactly as given (no client normalises it). */
function theirs(method: string, path: string): Promise<Resolved> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        const { route } = JSON.parse(body) as { route: string | null };
        if (res.statusCode === 200 && route !== null) resolve(route);
        // Outside every managed route the validator lets the request through unmatched: our 404.
        else if (res.statusCode === 200) resolve(404);
        else if (res.statusCode === 404 || res.statusCode === 405 || res.statusCode === 400) resolve(res.statusCode);
        else reject(new Error(`${method} ${path}: ${res.statusCode} ${body}`));
      });
    });
    req.on('error', reject).end();
  });
}

/** A path segment as clients write them: letters, digits, the unreserved marks, and percent-escapes (some invalid). */
const segment = fc
  .array(fc.oneof(fc.constantFrom(...'aZ09-._~'.split('')), fc.constantFrom('%20', '%2F', '%C3%A9', '%E0%A4%A', '%zz', '%')), { minLength: 1, maxLength: 6 })
  .map((parts) => parts.join(''));

describe('our operation index and the request validator resolve every request the same way', () => {
  test('every operation of the spec, at its own path with sample parameters', async () => {
    assert.ok(operations.all.length > 10, 'the spec has its operations');
    for (const operation of operations.all) {
      const path = operation.template.replace(/\{[^}]+\}/g, '1');
      assert.equal(ours(operation.method, path), operation.template, `${operation.method} ${path}`);
      assert.equal(await theirs(operation.method, path), operation.template, `${operation.method} ${path}`);
    }
  });

  test('generated URLs: any parameter values, letter case, trailing slash, extra or missing segments, and method', async () => {
    const templates = Object.keys(spec.paths);
    const url = fc.record({
      template: fc.constantFrom(...templates),
      values: fc.array(segment, { minLength: 4, maxLength: 4 }),
      upper: fc.boolean(),
      slash: fc.boolean(),
      extra: fc.option(segment, { nil: undefined }),
      drop: fc.boolean(),
      method: fc.constantFrom(...METHODS),
    });
    await fc.assert(
      fc.asyncProperty(url, async ({ template, values, upper, slash, extra, drop, method }) => {
        let i = 0;
        let path = template.replace(/\{[^}]+\}/g, () => values[i++]!);
        if (drop) path = path.slice(0, path.lastIndexOf('/')) || '/';
        if (extra !== undefined) path += `/${extra}`;
        if (upper) path = path.toUpperCase();
        if (slash && !path.endsWith('/')) path += '/';
        assert.equal(await theirs(method, path), ours(method, path), `${method} ${path}`);
      }),
      { numRuns: 300 },
    );
  });
});
