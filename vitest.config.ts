import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

/**
 * The package's own name resolves to its sources here (and for tsc: tsconfig.json `paths`), so
 * the repository's tests import from "allocheck" as a consumer's do (properties/tests/regressions/).
 */
export const PACKAGE_ALIASES = [
  { find: /^allocheck$/, replacement: fileURLToPath(new URL("src/index.ts", import.meta.url)) },
  {
    find: /^allocheck\/vitest$/,
    replacement: fileURLToPath(new URL("src/vitest/index.ts", import.meta.url)),
  },
  {
    find: /^allocheck\/wasm$/,
    replacement: fileURLToPath(new URL("src/wasm/index.ts", import.meta.url)),
  },
];

/**
 * Coverage thresholds for the code the properties are about (spec/coverage.md), measured for the
 * property suites alone: `npm run coverage` (the ci profile) runs
 *
 *   vitest run --coverage properties/tests/invariants properties/tests/exhaustive.test.ts
 *
 * Every branch of the reference and bitmap allocators and their shared modules is reached, or
 * excluded with its reason (spec/coverage.md §3).
 */
const PROPERTY_COVERAGE = {
  "src/allocators/reference/**": { branches: 100, functions: 100, lines: 100, statements: 100 },
  "src/allocators/bitmap/**": { branches: 100, functions: 100, lines: 100, statements: 100 },
  "src/core/bits/**": { branches: 100, functions: 100, lines: 100, statements: 100 },
  // The CPython-faithful model: the gaps are corrupt-state fallbacks of its check() and the
  // test-only internals() (spec/coverage.md §5).
  "src/allocators/cpython/**": { branches: 97, functions: 98, lines: 99, statements: 99 },
  "src/core/misuse.ts": { branches: 100, functions: 100, lines: 100, statements: 100 },
  "src/core/address-space.ts": { branches: 100, functions: 100, lines: 100, statements: 100 },
  "src/core/stats.ts": { branches: 100, functions: 100, lines: 100, statements: 100 },
  "src/core/integrity.ts": { branches: 100, functions: 100, lines: 100, statements: 100 },
  "src/core/typed-growth.ts": { branches: 100, functions: 100, lines: 100, statements: 100 },
};

export default defineConfig({
  resolve: { alias: PACKAGE_ALIASES },
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
      // The allocator core and the allocators are the subject of the properties; the layers above
      // them (spec/README.md §Layers: the CLI, the tools, the scenarios and reports, the vitest
      // integration, the entry point) and the CPython model's test-only introspection are not
      // (spec/coverage.md §1).
      include: ["src/**/*.ts"],
      exclude: [
        "src/cli/**",
        "src/bench/**",
        "src/crosscheck/**",
        "src/scenarios/**",
        "src/report/**",
        "src/vitest/**",
        "src/index.ts",
        "src/allocators/cpython/internals.ts",
      ],
      reportsDirectory: "reports/coverage",
      reporter: ["text", "json-summary", "html"],
      thresholds: PROPERTY_COVERAGE,
    },
  },
});
