/** The vitest configuration of a mutation run, over the test files it lists. */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/** `databases`: the files start apps, which need the migrated embedded database of the global setup. */
export function strykerVitestConfig(include: string[], options: { databases: boolean }) {
  /**
   * Files in the order of `include` (unit tests before the API suites that start apps): Stryker stops a
   * mutant's run at its first failing test, so the fast tests that kill most mutants go first.
   */
  class IncludeOrder extends BaseSequencer {
    override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
      const rank = (f: TestSpecification) => include.findIndex((pattern) => f.moduleId.endsWith(pattern));
      return [...files].sort((a, b) => rank(a) - rank(b));
    }
  }

  return defineConfig({
    // The project's root, wherever this configuration lives: the listed files and setups are relative to it.
    root: fileURLToPath(new URL('../..', import.meta.url)),
    test: {
      env: { NODE_ENV: 'test' },
      testTimeout: 60_000,
      hookTimeout: 120_000,
      include,
      sequence: { sequencer: IncludeOrder },
      globalSetup: options.databases ? ['test/mutation/global-setup.ts'] : [],
    },
  });
}
