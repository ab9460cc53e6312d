import assert from 'node:assert/strict';
import { ApiProblem, type Provider } from '../../src/contract/problem.ts';

/**
 * Asserts that `promise` rejects with an ApiProblem of the git host `provider` matching `expected`
 * (status, code and any extras given), and returns it.
 */
export async function rejectsWithProblem(
  provider: Provider,
  promise: Promise<unknown>,
  expected: { status?: number; code?: string; extras?: Record<string, unknown> },
): Promise<ApiProblem> {
  let problem: ApiProblem | undefined;
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof ApiProblem, `expected an ApiProblem, got ${String(error)}`);
    problem = error;
    return true;
  });
  const p = problem as ApiProblem;
  if (expected.status !== undefined) assert.equal(p.status, expected.status, p.detail);
  if (expected.code !== undefined) assert.equal(p.code, expected.code, p.detail);
  assert.equal(p.extras.provider, provider, p.detail);
  for (const [k, v] of Object.entries(expected.extras ?? {})) assert.equal((p.extras as Record<string, unknown>)[k], v, `${k}: ${p.detail}`);
  return p;
}
