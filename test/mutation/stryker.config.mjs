// @ts-check
/**
 * The mutation run of the modules that guard users: StrykerJS mutates them and runs the tests that cover
 * each mutant (see test/mutation/vitest.config.ts). Kind detection has a run of its own, against its unit tests:
 * test/mutation/stryker.kind.config.mjs. `npm run mutation` runs both and prints the score of each module
 * (scripts/mutation.ts); `npx stryker run test/mutation/stryker.config.mjs` runs this one alone. Not part of `npm test`. Equivalent mutants
 * that survive are listed, with their reason, in test/mutation/equivalent-mutants.md.
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'test/mutation/vitest.config.ts', related: false },
  plugins: ['@stryker-mutator/vitest-runner'],
  mutate: [
    'src/auth/jwt.ts',
    'src/http/auth.ts',
    'src/listing/query.ts',
    'src/contract/problem.ts',
    'src/hosts/github/errors.ts',
    // GitVerse: the mapping of its failures and error objects into our problems.
    'src/hosts/gitverse/client.ts:304-358',
    // The store: a session's expiry and revocation, and connections scoped to their user.
    'src/store/index.ts:116-121',
    'src/store/index.ts:256-335',
    'src/http/handlers/connections.ts',
  ],
  coverageAnalysis: 'perTest',
  incremental: true,
  incrementalFile: 'reports/mutation/incremental.json',
  tempDirName: '.stryker-tmp',
  // Two cores: one test runner each.
  concurrency: 2,
  timeoutMS: 30_000,
  reporters: ['clear-text', 'progress-append-only', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  // The whole run's score; scripts/mutation.ts holds each module to the same 85%.
  thresholds: { high: 90, low: 85, break: 85 },
  ignoreStatic: true,
  cleanTempDir: 'always',
};
