/**
 * The mutation test set: the test files run against each mutant (`npm run mutation`,
 * stryker.config.json, spec/audit.md §3), in this order when their times tie (the runner runs a
 * mutant's covering tests cheapest first and stops at the first failure). The same files run under
 * Vitest with `npx vitest run -c vitest.mutation.config.ts`. One list, read by both.
 */
export const MUTATION_TEST_FILES: readonly string[] = [
  "properties/audit/mutation/bitmap-properties.mutation.ts",
  "properties/tests/bitmap-check.test.ts",
  "properties/tests/bitmap-corruption.test.ts",
  "properties/tests/bitmap-structures.test.ts",
  "properties/tests/level-bitset.test.ts",
  "properties/tests/bitmap-differential.test.ts",
  // Which path each call takes (the fast paths' conditions), and no valueOf run.
  "properties/tests/bitmap-fast-paths.test.ts",
  // Every misuse on the three allocators (the bitmap's is what the mutants reach), pointers that
  // are not numbers included.
  "properties/tests/foundation-scenarios.test.ts",
];

/** Run before the test files, in both (fixed seeds, endOnFailure under Stryker). */
export const MUTATION_SETUP_FILE = "properties/audit/mutation/setup.ts";

/**
 * The profile the test files run in (ALLOCHECK_PROFILE): quick, so that the files that read the
 * profile (bitmap-corruption.test.ts: 40 heaps per family; bitmap-differential.test.ts: a tenth of
 * its operations) stay short; `npm test` runs them in ci.
 */
export const MUTATION_PROFILE = "quick";
