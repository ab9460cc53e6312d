/**
 * Ends the run's output with one plain line, `N passed, N failed, N skipped`, counted over every test of
 * every project (gates included), after the Node version and vitest's own summary.
 */
import type { Reporter, TestModule, Vitest } from 'vitest/node';

export default class SummaryReporter implements Reporter {
  private vitest: Vitest | undefined;

  onInit(vitest: Vitest): void {
    this.vitest = vitest;
    console.log(`vitest ${vitest.version} on Node ${process.version}`);
  }

  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const counts = { passed: 0, failed: 0, skipped: 0 };
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        const { state } = test.result();
        if (state === 'passed') counts.passed++;
        else if (state === 'failed') counts.failed++;
        else counts.skipped++;
      }
      // A file that failed before defining its tests counts as one failure.
      if (module.state() === 'failed' && ![...module.children.allTests()].some((t) => t.result().state === 'failed')) counts.failed++;
    }
    const line = `${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`;
    // After the coverage report, which vitest prints once every reporter has ended the run.
    const coverage = this.vitest?.config.coverage.enabled;
    if (coverage) process.once('beforeExit', () => console.log(`\n${line}`));
    else console.log(`\n${line}`);
  }
}
