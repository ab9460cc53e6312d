// @ts-check
/**
 * The mutation run of kind and origin detection, against the detector's unit tests only
 * (test/mutation/vitest.kind.config.ts): the API suites that list repositories run detection too, but each would
 * start an app for every one of its mutants. `npm run mutation` runs it after stryker.config.mjs;
 * `npx stryker run test/mutation/stryker.kind.config.mjs` runs it alone.
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
import base from './stryker.config.mjs';

export default {
  ...base,
  vitest: { configFile: 'test/mutation/vitest.kind.config.ts', related: false },
  mutate: ['src/kind/detect.ts'],
  incrementalFile: 'reports/mutation/kind/incremental.json',
  htmlReporter: { fileName: 'reports/mutation/kind/index.html' },
  jsonReporter: { fileName: 'reports/mutation/kind/mutation.json' },
};
