/**
 * An operation that takes no parameter and no body has nothing for the request validator to check: in
 * production (response validation off) the validator is not run for it. Every other operation is
 * validated, and with response validation on every request is.
 */
import assert from 'node:assert/strict';
import type { RequestHandler } from 'express';
import { describe, test } from 'vitest';
import { generateRepos } from '../fakes/github/index.ts';
import { startTestApp } from '../support/harness.ts';

/** Answers whether the request validator ran for this request (it leaves what it found on `req.openapi`). */
const reportValidator: RequestHandler = (req, res) => void res.status(500).json({ validated: 'openapi' in req });

async function validated(validateResponses: boolean, path: string, headers: Record<string, string> = {}): Promise<boolean> {
  const t = await startTestApp({
    env: { VALIDATE_RESPONSES: String(validateResponses) },
    fake: { users: [{ login: 'octocat' }] },
    overrides: { handlers: { getHealth: reportValidator, listRepositories: reportValidator } },
  });
  try {
    const me = await t.signIn('octocat');
    const res = await fetch(`${t.baseUrl}${path}`, { redirect: 'manual', headers: { authorization: `Bearer ${me.token}`, ...headers } });
    return ((await res.json()) as { validated: boolean }).validated;
  } finally {
    await t.close();
  }
}

describe('the request validator runs where there is something to check', () => {
  test('without response validation, an operation with no parameter and no body is not validated', async () => {
    assert.equal(await validated(false, '/api/v1/health'), false);
  });

  test('with response validation, it is: the response check needs what the validator found', async () => {
    assert.equal(await validated(true, '/api/v1/health'), true);
  });

  test('without response validation, a listing is validated when it sends a query or a header the operation declares, not otherwise', async () => {
    assert.equal(await validated(false, '/api/v1/repos'), false);
    assert.equal(await validated(false, '/api/v1/repos?page=2'), true);
    assert.equal(await validated(false, '/api/v1/repos', { 'if-none-match': 'W/"x"' }), true);
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
