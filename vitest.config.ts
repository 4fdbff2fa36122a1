import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

/**
 * Coverage thresholds for the code the properties are about (spec/coverage.md). They are measured
 * for the property suites alone:
 *
 *   ALLOCHECK_PROFILE=quick npx vitest run --coverage properties/tests/invariants properties/tests/exhaustive.test.ts
 *
 * Any larger run (`npm run coverage` runs every test file) covers at least as much. The goal is
 * 100 for every number; until the generators reach the remaining reachable branches the numbers
 * below are what the quick profile reaches today, rounded down (spec/coverage.md §3 lists the gaps).
 */
const PROPERTY_COVERAGE = {
  "src/reference/**": { branches: 100, functions: 100, lines: 100, statements: 100 },
  "src/bitmap/**": { branches: 98, functions: 100, lines: 100, statements: 99 },
  "src/bits/**": { branches: 92, functions: 100, lines: 100, statements: 98 },
  "src/misuse.ts": { branches: 100, functions: 100, lines: 100, statements: 100 },
  "src/address-space.ts": { branches: 100, functions: 100, lines: 100, statements: 100 },
  "src/stats.ts": { branches: 100, functions: 100, lines: 100, statements: 100 },
  "src/integrity.ts": { branches: 100, functions: 100, lines: 100, statements: 100 },
};

export default defineConfig({
  test: {
    include: ["properties/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    pool: "forks",
    // Property tests are CPU-bound: one fork per core (vitest's default leaves one core idle).
    maxWorkers: availableParallelism(),
    reporters: ["default", "./properties/reporters/operations-reporter.ts"],
    coverage: {
      provider: "v8",
      // The CLI and the benchmarks are not the subject of the properties.
      include: ["src/**/*.ts"],
      exclude: ["src/cli/**", "src/bench/**"],
      reportsDirectory: "reports/coverage",
      reporter: ["text", "json-summary", "html"],
      thresholds: PROPERTY_COVERAGE,
    },
  },
});
