import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
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

/** A problem answer's body, as the API's tests read it. */
export interface ProblemBody {
  status: number;
  code: string;
  detail: string;
  retry_after?: number;
  provider?: string;
  request_id: string;
}

/** The body of an answer that must be `application/problem+json`. */
export async function problemOf(res: Response): Promise<ProblemBody> {
  assert.equal(res.headers.get('content-type')?.split(';')[0], 'application/problem+json');
  return (await res.json()) as ProblemBody;
}

/** A request the spec does not describe (a method a path lacks, a path it lacks): sent past the contract check. */
export function rawRequest(url: string, method: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}
