import assert from 'node:assert/strict';
import { ApiProblem } from '../../src/contract/problem.ts';

/** Asserts that `promise` rejects with a GitVerse ApiProblem matching `expected`, and returns it. */
export async function rejectsWithProblem(
  promise: Promise<unknown>,
  expected: { status: number; code: string; extras?: Record<string, unknown> },
): Promise<ApiProblem> {
  let problem: ApiProblem | undefined;
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof ApiProblem, `expected an ApiProblem, got ${String(error)}`);
    problem = error;
    return true;
  });
  const p = problem as ApiProblem;
  assert.equal(p.status, expected.status, p.detail);
  assert.equal(p.code, expected.code, p.detail);
  assert.equal(p.extras.provider, 'gitverse', p.detail);
  for (const [k, v] of Object.entries(expected.extras ?? {})) assert.equal((p.extras as Record<string, unknown>)[k], v, `${k}: ${p.detail}`);
  return p;
}
