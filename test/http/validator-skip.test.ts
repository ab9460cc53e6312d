/**
 * An operation that takes no parameter and no body has nothing for the request validator to check: in
 * production (response validation off) the validator is not run for it. Every other operation is
 * validated, and with response validation on every request is.
 */
import assert from 'node:assert/strict';
import type { RequestHandler } from 'express';
import { describe, test } from 'vitest';
import { startTestApp } from '../support/harness.ts';

/** Answers whether the request validator ran for this request (it leaves what it found on `req.openapi`). */
const reportValidator: RequestHandler = (req, res) => void res.status(500).json({ validated: 'openapi' in req });

async function validated(validateResponses: boolean, path: string): Promise<boolean> {
  const t = await startTestApp({
    env: { VALIDATE_RESPONSES: String(validateResponses) },
    overrides: { handlers: { getHealth: reportValidator, completeGitHubSignIn: reportValidator } },
  });
  try {
    const res = await fetch(`${t.baseUrl}${path}`, { redirect: 'manual' });
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

  test('without response validation, an operation with parameters is validated', async () => {
    assert.equal(await validated(false, '/api/v1/auth/github/callback?code=c&state=s'), true);
  });
});
