/**
 * The test files `npm run mutation` runs against each mutant: those that exercise the modules Stryker
 * mutates (see stryker.config.mjs), without the gates, Prism or the reference build of `npm test`.
 */
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Files in the order of `include` (unit tests before the API suites that start apps): Stryker stops a
 * mutant's run at its first failing test, so the fast tests that kill most mutants go first.
 */
class IncludeOrder extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (f: TestSpecification) => INCLUDE.findIndex((pattern) => f.moduleId.endsWith(pattern));
    return [...files].sort((a, b) => rank(a) - rank(b));
  }
}

const INCLUDE = [
  'test/auth/jwt.test.ts',
  'test/listing/query.test.ts',
  'test/contract/problem.test.ts',
  'test/kind/detect.test.ts',
  'test/kind/corpus.test.ts',
  'test/store/store.test.ts',
  'test/github/client.test.ts',
  'test/gitverse/client.test.ts',
  'test/api/auth.test.ts',
  'test/api/expiry.test.ts',
  'test/api/paging.test.ts',
  'test/api/connections.test.ts',
  'test/api/filters.test.ts',
];

export default defineConfig({
  test: {
    env: { NODE_ENV: 'test' },
    testTimeout: 60_000,
    hookTimeout: 120_000,
    include: INCLUDE,
    sequence: { sequencer: IncludeOrder },
    globalSetup: ['test/mutation/global-setup.ts'],
  },
});
