/**
 * Drift: an app with a deliberately wrong handler must fail its contract check, for the right reason.
 * The app's own response validation is switched off here, so the wrong answer reaches the client and only
 * the independent contract check stands between it and the test passing.
 */
import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, test } from 'vitest';
import type { RequestHandler } from 'express';
import { ContractViolation } from '../support/checked.ts';
import { appFetch, startTestApp, type TestApp } from '../support/harness.ts';

// One app serves every planted mistake; the request names which one it wants.
const WRONG: Record<string, RequestHandler> = {
  'missing-field': (_req, res) => void res.json({}),
  'extra-field': (_req, res) => void res.json({ status: 'ok', uptime: 12 }),
  'undeclared-status': (_req, res) => void res.status(418).json({ status: 'ok' }),
  'wrong-type': (_req, res) => void res.json({ status: 'ready', checks: { database: true, cache: 'ok' } }),
  'wrong-content-type': (_req, res) => void res.type('text/plain').send('ok'),
};
const planted: RequestHandler = (req, res, next) => (WRONG[req.get('x-drift') ?? ''] ?? (() => next(new Error('no such drift'))))(req, res, next);

describe('drift between the app and the spec is caught', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { VALIDATE_RESPONSES: 'false' }, overrides: { handlers: { getHealth: planted, getReadiness: planted } } });
  });
  afterAll(() => t.close());

  async function violation(drift: string, path = '/api/v1/health'): Promise<string> {
    const error = await appFetch(`${t.baseUrl}${path}`, { headers: { 'x-drift': drift } }).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(error instanceof ContractViolation, 'the contract check failed');
    return error.message;
  }

  test('when a handler leaves out a required field, then the check fails naming the field', async () => {
    assert.match(await violation('missing-field'), /must have required property 'status'/);
  });

  test('when a handler adds a field the spec does not have, then the check fails on additional properties', async () => {
    assert.match(await violation('extra-field'), /must NOT have additional properties/);
  });

  test('when a handler answers a status the operation does not declare, then the check fails on the status', async () => {
    assert.match(await violation('undeclared-status'), /undeclared status 418/);
  });

  test('when a handler answers a field with the wrong type, then the check fails on the type', async () => {
    assert.match(await violation('wrong-type', '/api/v1/ready'), /checks\/database must be string/);
  });

  test('when a handler answers another content type, then the check fails on the content type', async () => {
    assert.match(await violation('wrong-content-type'), /undeclared content type text\/plain/);
  });
});

test("with the app's own response validation on, drift becomes a 500 INTERNAL problem instead of a wrong answer", async () => {
  const wrongMe: RequestHandler = (_req, res) => void res.json({ user: { id: 1, login: 'octocat', name: null, avatar_url: null }, scopes: [], providers: [], debug: true });
  const t = await startTestApp({ fake: { users: [{ login: 'octocat' }] }, overrides: { handlers: { getMe: wrongMe } } });
  try {
    const me = await t.signIn('octocat');
    const res = await me.api.GET('/api/v1/me');
    assert.equal(res.response.status, 500);
    assert.equal(res.error?.code, 'INTERNAL');
  } finally {
    await t.close();
  }
});
