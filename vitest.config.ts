import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["properties/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    pool: "forks",
    reporters: ["default", "./properties/reporters/operations-reporter.ts"],
    coverage: {
      provider: "v8",
      include: ["src/**/*.ts"],
      reportsDirectory: "reports/coverage",
      reporter: ["text", "json-summary", "html"],
    },
  },
});
