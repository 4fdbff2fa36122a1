/**
 * What a mutation run's results depend on beyond what Stryker records (spec/audit.md §3): Stryker's
 * incremental file keeps the source of the mutated files and of the test files, and reuses a
 * result while those are unchanged. The test files import helpers (the property library, the
 * corruption cells, the unmutated src/ modules) and the runner is ours; a change there can turn a
 * kill into a survivor with no mutated or test file changed. So every run records a hash of each
 * file the test set and the runner import, transitively (relative imports only: packages are
 * pinned by the lock file), in INPUTS_FILE beside the results:
 *
 *   npm run mutation   retests every mutant when a helper changed (run-mutation.ts);
 *   npm run audit      lists a changed helper as "changed since the run" (mutation-report.ts).
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";
import { MUTATION_SETUP_FILE, MUTATION_TEST_FILES } from "./test-set.ts";

/** The hashes of the last run's inputs, committed with the results. */
export const INPUTS_FILE = "properties/audit/mutation/stryker-inputs.json";

/** Where the closure starts: the test set, its setup, and the runner's own modules. */
const ROOTS: readonly string[] = [
  ...MUTATION_TEST_FILES,
  MUTATION_SETUP_FILE,
  "properties/audit/mutation/in-process-runner.ts",
  "properties/audit/mutation/allocheck-runner.mjs",
  "properties/audit/mutation/loader-hooks.mjs",
  "properties/audit/mutation/vitest-shim.ts",
  "properties/audit/mutation/test-set.ts",
  "stryker.config.json",
];

/** `from "./x.ts"`, `import("./x.ts")`, `new URL("./x.ts", import.meta.url)`: relative specifiers. */
const RELATIVE_SPECIFIER = /(?:from\s+|import\s*\(\s*|new URL\(\s*)["'](\.{1,2}\/[^"']+)["']/g;

/** Every file the roots reach through relative imports, sorted (paths relative to `root`). */
export function inputFiles(root: string): string[] {
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file) || !existsSync(resolve(root, file))) return;
    seen.add(file);
    const text = readFileSync(resolve(root, file), "utf8");
    for (const [, specifier] of text.matchAll(RELATIVE_SPECIFIER))
      visit(relative(root, resolve(root, dirname(file), specifier!)));
  };
  ROOTS.forEach(visit);
  return [...seen].sort();
}

/** The hash of every input, by path. */
export function inputHashes(root: string): Record<string, string> {
  return Object.fromEntries(
    inputFiles(root).map((f) => [
      f,
      createHash("sha1")
        .update(readFileSync(resolve(root, f)))
        .digest("hex"),
    ]),
  );
}

/** Records the current inputs as those of the results (after a run). */
export function recordInputs(root: string): void {
  writeFileSync(resolve(root, INPUTS_FILE), `${JSON.stringify(inputHashes(root), null, 2)}\n`);
}

/**
 * The helpers (inputs Stryker does not track: neither mutated nor a test file of `results`, the
 * incremental file's contents) whose hash differs from the one in `record` (INPUTS_FILE, or one
 * beside another results file): changed, added to or gone from the closure; undefined without a
 * record (nothing is known of the run's inputs).
 */
export function changedHelpers(
  root: string,
  results: TrackedFiles,
  record = resolve(root, INPUTS_FILE),
): string[] | undefined {
  if (!existsSync(record)) return undefined;
  const tracked = new Set([...Object.keys(results.files), ...Object.keys(results.testFiles ?? {})]);
  const then = JSON.parse(readFileSync(record, "utf8")) as Record<string, string>;
  const now = inputHashes(root);
  const names = new Set([...Object.keys(now), ...Object.keys(then)]);
  return [...names].filter((f) => !tracked.has(f) && now[f] !== then[f]).sort();
}

/** The files Stryker's results record (and so track themselves): mutated files and test files. */
export interface TrackedFiles {
  readonly files: Record<string, unknown>;
  readonly testFiles?: Record<string, unknown>;
}
