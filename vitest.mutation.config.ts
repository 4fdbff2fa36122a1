import { BaseSequencer, type TestSpecification } from "vitest/node";
import { defineConfig } from "vitest/config";

/**
 * The tests Stryker runs against each mutant of the bitmap allocator (`npm run mutation`,
 * stryker.config.json, spec/audit.md §3): the fast suites that exercise src/allocators/bitmap/ and
 * src/core/bits/, nothing else. In this order, cheapest first, so that a killed mutant usually dies
 * within a second or two (Stryker bails at the first failing test): the twelve properties and the
 * bounded-exhaustive mode on the bitmap allocator alone, quick profile; the check() corruption
 * tests (hand-picked, then every kind of metadata cell); the structure tests (bit layouts,
 * requested-size entries); the bitset tests; the deterministic differential test against the
 * reference (~25 s).
 * The setup file fixes fast-check's seed and, under Stryker, stops a property at its first
 * failure (no shrinking).
 */
const FILES = [
  "properties/audit/mutation/bitmap-properties.mutation.ts",
  "properties/tests/bitmap-check.test.ts",
  "properties/tests/bitmap-corruption.test.ts",
  "properties/tests/bitmap-structures.test.ts",
  "properties/tests/level-bitset.test.ts",
  "properties/tests/bitmap-differential.test.ts",
];

class FixedOrder extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (f: TestSpecification) => FILES.findIndex((name) => f.moduleId.endsWith(name));
    return [...files].sort((a, b) => rank(a) - rank(b));
  }
}

export default defineConfig({
  test: {
    include: FILES,
    setupFiles: ["properties/audit/mutation/setup.ts"],
    sequence: { sequencer: FixedOrder },
    testTimeout: 600_000,
    hookTimeout: 60_000,
  },
});
