/**
 * The test files the mutation run of kind detection (stryker.kind.config.mjs) runs against each mutant: the
 * unit tests of the detector, which pin every rule. The API suites that also run detection are left out:
 * each would start an app for every mutant, and they only repeat what these tests decide.
 */
import { strykerVitestConfig } from './vitest-config.ts';

export default strykerVitestConfig(['test/kind/detect.test.ts', 'test/kind/corpus.test.ts'], { databases: false });
