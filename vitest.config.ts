/**
 * The whole test run. `npm test` runs it: the gates (lint, generated files, breaking changes, types) as
 * tests beside the behaviour tests, then the spec-coverage gate once every other test has recorded what
 * it exercised, then the code coverage of src/.
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Test files that start apps, fakes, Prism and Chromium: one process per file, three at a time on
    // two cores, since most of them wait on their children and sockets.
    pool: 'forks',
    maxWorkers: 3,
    // Test processes live seconds, and optimising the embedded PostgreSQL's WebAssembly costs each of
    // them more CPU than it saves.
    execArgv: ['--liftoff-only'],
    env: { NODE_ENV: 'test' },
    // Bounds that catch a hang, with room for a busy machine: with two runs at once a test that starts
    // processes or a browser has taken minutes.
    testTimeout: 300_000,
    hookTimeout: 300_000,
    teardownTimeout: 30_000,
    reporters: ['default', './test/support/summary-reporter.ts'],
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts'],
      // Generated types are not code of ours; the dev tools and fake git hosts live outside src/.
      exclude: ['src/api/**'],
      reporter: ['text-summary', ['html', { subdir: 'html' }]],
      reportsDirectory: '.test-out/coverage',
      thresholds: { lines: 85 },
      reportOnFailure: true,
    },
    projects: [
      {
        extends: true,
        test: {
          name: 'tests',
          include: ['test/**/*.test.ts'],
          exclude: ['test/spec-coverage/**'],
          globalSetup: ['test/support/global-setup.ts'],
          // A worker loads the app's modules once for every file it runs (a second of CPU or more each
          // time otherwise): no test relies on a module's state being new, and nothing patches a global.
          isolate: false,
        },
      },
      {
        // Runs after every other test (a higher group), over what they recorded as exercised.
        extends: true,
        test: {
          name: 'spec coverage',
          include: ['test/spec-coverage/*.test.ts'],
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
