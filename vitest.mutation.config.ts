import { defineConfig } from "vitest/config";
import {
  MUTATION_PROFILE,
  MUTATION_SETUP_FILE,
  MUTATION_TEST_FILES,
} from "./properties/audit/mutation/test-set.ts";

/**
 * The mutation test set under Vitest (`npx vitest run -c vitest.mutation.config.ts`): the files
 * Stryker's in-process runner runs against each mutant (properties/audit/mutation/test-set.ts,
 * spec/audit.md §3), with the same setup file and profile, to see them pass or fail with Vitest's
 * reporting. Stryker itself does not use this file.
 */
export default defineConfig({
  test: {
    include: [...MUTATION_TEST_FILES],
    setupFiles: [MUTATION_SETUP_FILE],
    env: { ALLOCHECK_PROFILE: MUTATION_PROFILE },
    testTimeout: 600_000,
  },
});
