import { rejectsWithProblem as rejectsGitVerse } from '../support/problems.ts';

/** Asserts that `promise` rejects with a GitVerse ApiProblem matching `expected`, and returns it. */
export const rejectsWithProblem = (promise: Promise<unknown>, expected: { status: number; code: string; extras?: Record<string, unknown> }) =>
  rejectsGitVerse('gitverse', promise, expected);
