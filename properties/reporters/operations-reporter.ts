/**
 * A vitest reporter that sums the operations every property test checked (task.meta.operations)
 * and says the total at the end of the run, with the profile and base seed, so `npm test` states
 * how much it verified.
 */
import type { Reporter, TestCase } from "vitest/node";
import { baseSeedFromEnv, profileFromEnv } from "../profiles.ts";

export default class OperationsReporter implements Reporter {
  private operations = 0;
  private tests = 0;

  onTestCaseResult(testCase: TestCase): void {
    const n = testCase.meta().operations;
    if (typeof n === "number") {
      this.operations += n;
      this.tests++;
    }
  }

  onTestRunEnd(): void {
    if (this.tests === 0) return;
    const profile = profileFromEnv().name;
    console.log(
      `\nallocheck: ${this.operations.toLocaleString("en-US")} allocator operations checked by ${this.tests} property tests ` +
        `(profile ${profile}, ALLOCHECK_SEED=${baseSeedFromEnv()}).`,
    );
  }
}
