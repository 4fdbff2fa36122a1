/**
 * Setup of the mutation test set only, loaded before its test files by the in-process runner and
 * by vitest.mutation.config.ts (test-set.ts MUTATION_SETUP_FILE; spec/audit.md §3). Two
 * pitfalls of property tests under Stryker (measured: spec/references.md §3):
 *
 * - Stryker picks the tests to run for a mutant by their names from the dry run, so a name must
 *   not change between runs. fast-check's own `(with seed=N)` suffix is not used here; every test
 *   names the fixed seed it passes to fast-check, and the seed below covers any property that
 *   passes none.
 * - A killed mutant makes fast-check shrink, which can outlast Stryker's per-mutant timeout and
 *   turn a kill into a load-dependent "Timeout". Under Stryker, `endOnFailure` stops at the first
 *   failure (runProperty passes it too, per check).
 *
 * `fc.configureGlobal` replaces the whole global configuration, so every global option is here.
 */
import fc from "fast-check";

const underStryker = process.env.STRYKER_MUTATOR_WORKER !== undefined;

fc.configureGlobal({
  seed: Number(process.env.FC_SEED ?? 20261125),
  endOnFailure: underStryker,
});
