/**
 * Middlewares run as one layer: each in order, and an error, thrown or rejected, goes to Express's
 * error handling as it would from a layer of its own.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import { describe, test } from 'vitest';
import { series } from '../../src/http/series.ts';

async function answer(chain: RequestHandler[]): Promise<{ status: number; body: string }> {
  const app = express();
  app.use(series(chain));
  app.get('/x', (req, res) => void res.json({ seen: (req as unknown as { seen?: string[] }).seen ?? [] }));
  const onError: ErrorRequestHandler = (error: unknown, _req, res, _next) => void res.status(500).json({ error: error instanceof Error ? error.message : String(error) });
  app.use(onError);
  const server = createServer(app).listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/x`);
    return { status: res.status, body: await res.text() };
  } finally {
    server.close();
  }
}

const mark =
  (name: string): RequestHandler =>
  (req, _res, next) => {
    const r = req as unknown as { seen?: string[] };
    (r.seen ??= []).push(name);
    next();
  };

describe('middlewares in series', () => {
  test('each runs in order, synchronous and asynchronous alike, then the routes', async () => {
    const later: RequestHandler = (req, res, next) => void setTimeout(() => mark('later')(req, res, next), 5);
    const promised: RequestHandler = async (req, res, next) => {
      await Promise.resolve();
      mark('promised')(req, res, next);
    };
    assert.deepEqual(await answer([mark('a'), later, promised, mark('b')]), { status: 200, body: '{"seen":["a","later","promised","b"]}' });
  });

  test('next(error), a throw and a rejected promise each reach the error handler, and what follows does not run', async () => {
    const failures: RequestHandler[] = [
      (_req, _res, next) => next(new Error('passed on')),
      () => {
        throw new Error('thrown');
      },
      async () => {
        await Promise.resolve();
        throw new Error('rejected');
      },
    ];
    for (const [i, failing] of failures.entries()) {
      const res = await answer([mark('a'), failing, mark('never')]);
      assert.equal(res.status, 500);
      assert.equal(JSON.parse(res.body).error, ['passed on', 'thrown', 'rejected'][i]);
    }
  });

  test("next('route') goes on, as it does between the router's own layers", async () => {
    const skip: RequestHandler = (_req, _res, next) => next('route');
    assert.deepEqual(await answer([skip, mark('after')]), { status: 200, body: '{"seen":["after"]}' });
  });
});
