/**
 * One route table: our operation index (`src/http/operations.ts`) names a request's operation, and
 * auth, metrics, logs, the request and response validator and the dispatch to a handler all use that
 * match (`src/http/validation.ts` hands it to express-openapi-validator, whose own lookup runs only at
 * start, once per operation). Every spec path and a generated set of URLs are sent through that chain:
 * the operation the validator checked is the one the handler was given, and a URL the index does not
 * know gets 404, 405 or 400 without reaching the validator.
 */
import assert from 'node:assert/strict';
import { request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type ErrorRequestHandler, type Request } from 'express';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { identifyOperation } from '../../src/http/auth.ts';
import { toProblem } from '../../src/http/errors.ts';
import { loadSpec, type OpenApiDocument } from '../../src/http/openapi.ts';
import { headAsGet, indexOperations } from '../../src/http/operations.ts';
import { createValidation, unmatched } from '../../src/http/validation.ts';

const spec = loadSpec();
const operations = indexOperations(spec);
const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'];

/** What the chain did with a request: the status, the operation our index named, the one the validator checked. */
interface Seen {
  status: number;
  operation: string | null;
  validated: string | null;
}

/** The operationId behind what the validator was given (`req.openapi`), if it ran. */
function validatedOperation(req: Request): string | null {
  const openapi = (req as Request & { openapi?: { schema?: { operationId?: string } } }).openapi;
  return openapi?.schema?.operationId ?? null;
}

async function chainFor(document: OpenApiDocument): Promise<Server> {
  const index = indexOperations(document);
  const app = express();
  app.use(identifyOperation(index), headAsGet, express.json());
  // Response validation on: the validator is then given every request our index names.
  app.use(await createValidation(app, document, index, { validateResponses: { onError: () => {} } }));
  app.use((req, res, next) => {
    if (!req.operation) return next();
    // What the handler was given (written with `end`, which the response check does not read).
    res.status(200).end(JSON.stringify({ operation: req.operation.operationId, validated: validatedOperation(req) }));
  });
  app.use(unmatched(index));
  const onError: ErrorRequestHandler = (error: unknown, req, res, _next) => {
    const status = toProblem(error)?.status ?? 500;
    res.status(status).end(JSON.stringify({ operation: req.operation?.operationId ?? null, validated: validatedOperation(req) }));
  };
  app.use(onError);
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  return server;
}

/** Sends a request, the path exactly as given (no client normalises it). */
function send(server: Server, method: string, path: string): Promise<Seen> {
  const { port } = server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        try {
          const seen = JSON.parse(body) as Omit<Seen, 'status'>;
          resolve({ status: res.statusCode!, ...seen });
        } catch {
          reject(new Error(`${method} ${path}: ${res.statusCode} ${body}`));
        }
      });
    });
    req.on('error', reject).end();
  });
}

/** What our index makes of a request: its operation, and whether a path parameter is not valid percent-encoding. */
function expected(method: string, path: string): { operation: string | null; status?: 400 | 404 | 405 } {
  const operation = operations.find(method, path);
  const atPath = operation ?? operations.anyAt(path);
  if (!atPath) return { operation: null, status: 404 };
  try {
    for (const value of Object.values(operations.pathParams(atPath, path))) decodeURIComponent(value);
  } catch {
    return { operation: operation?.operationId ?? null, status: 400 };
  }
  return operation ? { operation: operation.operationId } : { operation: null, status: 405 };
}

let server: Server;

beforeAll(async () => {
  server = await chainFor(spec);
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

/** A path segment as clients write them: letters, digits, the unreserved marks, and percent-escapes (some invalid). */
const segment = fc
  .array(fc.oneof(fc.constantFrom(...'aZ09-._~'.split('')), fc.constantFrom('%20', '%2F', '%C3%A9', '%E0%A4%A', '%zz', '%')), { minLength: 1, maxLength: 6 })
  .map((parts) => parts.join(''));

describe('one match: the validator checks the operation the handler is given', () => {
  test('every operation of the spec, at its own path with sample parameters', async () => {
    assert.ok(operations.all.length > 10, 'the spec has its operations');
    for (const operation of operations.all) {
      const path = operation.template.replace(/\{[^}]+\}/g, '1');
      const seen = await send(server, operation.method, path);
      assert.equal(seen.operation, operation.operationId, `${operation.method} ${path}`);
      assert.equal(seen.validated, operation.operationId, `${operation.method} ${path}: the validator checked another operation`);
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
    let matched = 0;
    await fc.assert(
      fc.asyncProperty(url, async ({ template, values, upper, slash, extra, drop, method }) => {
        let i = 0;
        let path = template.replace(/\{[^}]+\}/g, () => values[i++]!);
        if (drop) path = path.slice(0, path.lastIndexOf('/')) || '/';
        if (extra !== undefined) path += `/${extra}`;
        if (upper) path = path.toUpperCase();
        if (slash && !path.endsWith('/')) path += '/';
        const seen = await send(server, method, path);
        const want = expected(method, path);
        assert.equal(seen.operation, want.operation, `${method} ${path}`);
        if (want.status) {
          // Answered before the validator: a path parameter that is not valid percent-encoding, or no operation.
          assert.deepEqual(seen, { status: want.status, operation: want.operation, validated: null }, `${method} ${path}`);
        } else {
          // Named an operation, and given to the validator with it.
          matched++;
          assert.equal(seen.validated, want.operation, `${method} ${path}: the validator checked another operation`);
        }
      }),
      { numRuns: 300 },
    );
    // Most generated URLs name no operation or carry an invalid escape; some must reach the validator.
    assert.ok(matched > 0, 'none of the generated URLs reached the validator');
  });
});

describe('the route table', () => {
  test('a concrete path is matched before a templated one, whatever their order in the spec', async () => {
    const paths = Object.entries(spec.paths);
    const templated = paths.findIndex(([path]) => path === '/api/v1/auth/{provider}/login');
    const concrete = paths.findIndex(([path]) => path === '/api/v1/auth/github/login');
    assert.ok(templated >= 0 && concrete >= 0, 'the spec has both sign-in paths');
    // The templated path first, then the concrete one.
    const reordered = { ...spec, paths: Object.fromEntries([paths[templated]!, paths[concrete]!, ...paths.filter((_, i) => i !== templated && i !== concrete)]) } as OpenApiDocument;
    const other = await chainFor(reordered);
    try {
      const github = await send(other, 'GET', '/api/v1/auth/github/login');
      assert.equal(github.operation, (spec.paths['/api/v1/auth/github/login']!.get as { operationId: string }).operationId);
      assert.equal(github.validated, github.operation);
      const gitlab = await send(other, 'GET', '/api/v1/auth/gitlab/login');
      assert.equal(gitlab.operation, 'startSignIn');
      assert.equal(gitlab.validated, 'startSignIn');
    } finally {
      await new Promise((resolve) => other.close(resolve));
    }
  });

  test("when the validator's own lookup finds another operation than the one it is looked up for, the start stops", async () => {
    // Two templates that only differ in their parameter's name: the validator's lookup finds the same
    // one for both, so the other could never be checked against its own operation.
    const health = spec.paths['/api/v1/health']!.get as Record<string, unknown>;
    const paths = { ...spec.paths, '/api/v1/health/{a}': { get: { ...health, operationId: 'first' } }, '/api/v1/health/{b}': { get: { ...health, operationId: 'second' } } };
    const document = { ...spec, paths } as OpenApiDocument;
    const app = express();
    await assert.rejects(createValidation(app, document, indexOperations(document), { validateResponses: false }), /express-openapi-validator finds/);
  });
});
