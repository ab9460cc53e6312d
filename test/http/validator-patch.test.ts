/**
 * What `patches/express-openapi-validator+5.6.2.patch` changes in the request validator, checked by
 * what it does: an operation's parameters are prepared once (dereferenced and normalised on its first
 * request, not on every one), its query is read without url.parse, and a request is still read as the
 * library reads it (arrays in both styles, defaults filled in, types coerced, a bad value refused),
 * however many came before it; and the response validator keeps one set of validators per operation,
 * not one per request media type. (The patch's third part, the meta-schema, is tested in
 * test/spec/loading.test.ts.)
 */
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import legacyUrl from 'node:url';
import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { identifyOperation } from '../../src/http/auth.ts';
import { toProblem } from '../../src/http/errors.ts';
import { loadSpec } from '../../src/http/openapi.ts';
import { indexOperations } from '../../src/http/operations.ts';
import { canonicalQuery } from '../../src/http/query-string.ts';
import { createValidation, type ValidationOptions } from '../../src/http/validation.ts';

/** The Ajv the validator itself loads, whose schema lookups are counted below. */
const fromValidator = createRequire(createRequire(import.meta.url).resolve('express-openapi-validator'));
const AjvCore = (fromValidator('ajv/dist/core') as { default: { prototype: { getSchema: (this: unknown, ref: string) => unknown } } }).default;

let server: Server;
let baseUrl: string;

/** Our operation index and the validator in front of `handler`, on a loopback port; problems answered with their field errors. */
async function startValidated(options: ValidationOptions, handler: RequestHandler): Promise<{ server: Server; baseUrl: string }> {
  const spec = loadSpec();
  const operations = indexOperations(spec);
  const app = express();
  app.use(canonicalQuery, identifyOperation(operations));
  app.use(await createValidation(app, spec, operations, options));
  app.use(handler);
  const onError: ErrorRequestHandler = (error: unknown, _req, res, _next) => {
    const problem = toProblem(error);
    res.status(problem?.status ?? 500).json(problem ? { field_errors: problem.extras.field_errors ?? null } : { error: String(error) });
  };
  app.use(onError);
  const listening = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => listening.once('listening', resolve));
  return { server: listening, baseUrl: `http://127.0.0.1:${(listening.address() as AddressInfo).port}` };
}

beforeAll(async () => {
  // The query as the handler gets it.
  ({ server, baseUrl } = await startValidated({ validateResponses: false }, (req, res) => void res.json(req.query)));
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

const DEFAULTS = { visibility: 'all', sort: 'updated', page: 1, per_page: 30, refresh: false };

describe('the request validator with its parameters prepared once per operation', () => {
  test('a listing query is read the same on every request: exploded and comma-separated arrays, coerced types, defaults, and nothing kept from the one before', async () => {
    const full = '/api/v1/repos?owner=octo-org&owner=octocat&affiliation=owner,collaborator&page=2&connected=true';
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${baseUrl}${full}`);
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), { ...DEFAULTS, owner: ['octo-org', 'octocat'], affiliation: ['owner', 'collaborator'], page: 2, connected: true });
      const other = await fetch(`${baseUrl}/api/v1/repos?q=api`);
      assert.equal(other.status, 200);
      assert.deepEqual(await other.json(), { ...DEFAULTS, q: 'api' });
    }
  });

  test('a bad value is refused after good ones, with the field named', async () => {
    assert.equal((await fetch(`${baseUrl}/api/v1/repos?per_page=5`)).status, 200);
    const res = await fetch(`${baseUrl}/api/v1/repos?per_page=0&affiliation=owner,nobody`);
    assert.equal(res.status, 400);
    const { field_errors } = (await res.json()) as { field_errors: Record<string, string> | null };
    assert.ok(field_errors, 'the problem names its fields');
    assert.deepEqual(Object.keys(field_errors).sort(), ['query.affiliation.1', 'query.per_page']);
  });

  test("after an operation's first request, a request to it looks no parameter schema up again", async () => {
    const path = '/api/v1/repos?provider=github&kind=frontend&page=3';
    assert.equal((await fetch(`${baseUrl}${path}`)).status, 200);
    const getSchema = AjvCore.prototype.getSchema;
    const looked: string[] = [];
    AjvCore.prototype.getSchema = function (this: unknown, ref: string) {
      looked.push(ref);
      return getSchema.call(this, ref);
    };
    try {
      for (let i = 0; i < 3; i++) {
        const res = await fetch(`${baseUrl}${path}`);
        assert.equal(res.status, 200);
        assert.equal(((await res.json()) as { provider?: string }).provider, 'github');
      }
    } finally {
      AjvCore.prototype.getSchema = getSchema;
    }
    // Without the patch each request dereferences its $ref parameters (provider, kind) again.
    assert.deepEqual(looked, []);
  });

  test('the query is read from the request target without url.parse (slow on Node 24 when called from a package)', async () => {
    const path = '/api/v1/repos?owner=octocat&sort=pushed';
    assert.equal((await fetch(`${baseUrl}${path}`)).status, 200);
    const parse = legacyUrl.parse;
    let calls = 0;
    legacyUrl.parse = ((...args: Parameters<typeof parse>) => {
      calls++;
      return parse(...args);
    }) as typeof parse;
    try {
      const res = await fetch(`${baseUrl}${path}`);
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), { ...DEFAULTS, owner: ['octocat'], sort: 'pushed' });
    } finally {
      legacyUrl.parse = parse;
    }
    assert.equal(calls, 0);
  });
});

describe("the response validator's cache, keyed by operation and not by the request's Content-Type", () => {
  let responseServer: Server;
  let responseUrl: string;

  beforeAll(async () => {
    ({ server: responseServer, baseUrl: responseUrl } = await startValidated({ validateResponses: { onError: () => undefined } }, (_req, res) => void res.json({ status: 'ok' })));
  });

  afterAll(async () => {
    await new Promise((resolve) => responseServer.close(resolve));
  });

  test('requests with ever new media types compile no new response schema (without the patch: one set per media type, kept for ever)', async () => {
    const first = await fetch(`${responseUrl}/api/v1/health`);
    assert.equal(first.status, 200);
    // The validator adds each response schema to its Ajv under the cache key, then compiles it on lookup.
    const prototype = AjvCore.prototype as unknown as { addSchema: (this: unknown, ...args: unknown[]) => unknown };
    const addSchema = prototype.addSchema;
    let added = 0;
    prototype.addSchema = function (this: unknown, ...args: unknown[]) {
      added++;
      return addSchema.apply(this, args);
    };
    try {
      for (let i = 0; i < 5; i++) {
        const res = await fetch(`${responseUrl}/api/v1/health`, { headers: { 'content-type': `application/x-type-${i}` } });
        assert.equal(res.status, 200);
        assert.deepEqual(await res.json(), { status: 'ok' });
      }
    } finally {
      prototype.addSchema = addSchema;
    }
    assert.equal(added, 0);
  });
});
