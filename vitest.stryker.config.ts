/**
 * The test files `npm run mutation` runs against each mutant: those that exercise the modules Stryker
 * mutates (see stryker.config.mjs), without the gates, Prism or the reference build of `npm test`.
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    env: { NODE_ENV: 'test' },
    testTimeout: 60_000,
    hookTimeout: 120_000,
    include: [
      'test/api/auth.test.ts',
      'test/api/expiry.test.ts',
      'test/api/filters.test.ts',
      'test/api/paging.test.ts',
      'test/api/connections.test.ts',
      'test/auth/jwt.test.ts',
      'test/listing/query.test.ts',
      'test/contract/problem.test.ts',
      'test/store/store.test.ts',
      'test/kind/detect.test.ts',
      'test/kind/corpus.test.ts',
      'test/github/client.test.ts',
      'test/gitverse/client.test.ts',
    ],
    globalSetup: ['test/mutation/global-setup.ts'],
  },
});
