/**
 * A request that sends nothing the request validator could check (its operation takes nothing, or
 * only optional query and header parameters and none is sent) skips the request check: in production
 * (response validation off) the validator is not run at all; with response validation on, it is still
 * given the request's operation, as the response check needs it.
 */
import assert from 'node:assert/strict';
import type { RequestHandler } from 'express';
import { describe, test } from 'vitest';
import { generateRepos } from '../fakes/github/index.ts';
import { startTestApp } from '../support/harness.ts';

/**
 * Answers whether the validator was given the request's operation (on `req.openapi`), and
 * whether its request check ran (it fills in the query parameters' defaults).
 */
const reportValidator: RequestHandler = (req, res) =>
  void res.status(500).json({ validated: 'openapi' in req, checked: Object.keys(req.query as object).length > 0 });

async function report(validateResponses: boolean, path: string, headers: Record<string, string> = {}): Promise<{ validated: boolean; checked: boolean }> {
  const t = await startTestApp({
    env: { VALIDATE_RESPONSES: String(validateResponses) },
    fake: { users: [{ login: 'octocat' }] },
    overrides: { handlers: { getHealth: reportValidator, listRepositories: reportValidator } },
  });
  try {
    const me = await t.signIn('octocat');
    const res = await fetch(`${t.baseUrl}${path}`, { redirect: 'manual', headers: { authorization: `Bearer ${me.token}`, ...headers } });
    return (await res.json()) as { validated: boolean; checked: boolean };
  } finally {
    await t.close();
  }
}

async function validated(validateResponses: boolean, path: string, headers: Record<string, string> = {}): Promise<boolean> {
  return (await report(validateResponses, path, headers)).validated;
}

describe('the request validator runs where there is something to check', () => {
  test('without response validation, an operation with no parameter and no body is not validated', async () => {
    assert.equal(await validated(false, '/api/v1/health'), false);
  });

  test('with response validation, it is given the operation: the response check needs it', async () => {
    assert.equal(await validated(true, '/api/v1/health'), true);
  });

  test('without response validation, a listing is validated when it sends a query or a header the operation declares, not otherwise', async () => {
    assert.equal(await validated(false, '/api/v1/repos'), false);
    assert.equal(await validated(false, '/api/v1/repos?page=2'), true);
    assert.equal(await validated(false, '/api/v1/repos', { 'if-none-match': 'W/"x"' }), true);
  });

  test('with response validation, a listing that sends nothing is given to the validator but not checked; one that sends a query is checked', async () => {
    assert.deepEqual(await report(true, '/api/v1/repos'), { validated: true, checked: false });
    assert.deepEqual(await report(true, '/api/v1/repos?page=2'), { validated: true, checked: true });
  });
});

describe('a listing asked without a query string is answered as one asked with every default', () => {
  test('without response validation: the validator is skipped only when nothing is sent, and the answer is the same', async () => {
    const t = await startTestApp({
      env: { VALIDATE_RESPONSES: 'false' },
      fake: { users: [{ login: 'octocat', repos: generateRepos(45, { owner: { login: 'octocat' }, seed: 3 }) }] },
    });
    try {
      const me = await t.signIn('octocat');
      const get = (path: string, headers: Record<string, string> = {}) =>
        fetch(`${t.baseUrl}${path}`, { headers: { authorization: `Bearer ${me.token}`, ...headers } });
      const bare = await get('/api/v1/repos');
      const defaults = await get('/api/v1/repos?visibility=all&sort=updated&page=1&per_page=30&refresh=false');
      assert.equal(bare.status, 200);
      assert.equal(await bare.text(), await defaults.text());
      assert.equal(bare.headers.get('etag'), defaults.headers.get('etag'));
      // Something to check: the query, or a header the operation declares, goes through the validator.
      assert.equal((await get('/api/v1/repos?per_page=0')).status, 400);
      assert.equal((await get('/api/v1/repos', { 'if-none-match': 'x'.repeat(1100) })).status, 400);
    } finally {
      await t.close();
    }
  });
});
