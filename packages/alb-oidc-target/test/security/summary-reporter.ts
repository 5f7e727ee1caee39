// Ends `npm run test:security` with one plain line, `N passed, N failed`, that anyone (and CI) can read without parsing vitest's output.
import type { Reporter, TestModule } from "vitest/node";

/** A file that failed to load or whose hooks failed counts as one failure even though it ran no test. */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: readonly TestModule[], unhandledErrors: readonly unknown[]): void {
    let passed = 0;
    let failed = unhandledErrors.length;
    for (const m of testModules) {
      let failedHere = 0;
      for (const t of m.children.allTests()) {
        const state = t.result().state;
        if (state === "passed") passed++;
        else if (state === "failed") failedHere++;
      }
      if (failedHere === 0 && m.errors().length > 0) failedHere = 1;
      failed += failedHere;
    }
    process.stdout.write(`\n${passed} passed, ${failed} failed\n`);
  }
}
