/**
 * `npm run mutation [-- stryker options]`: Stryker against the committed results, the step CI runs
 * after `npm test` (spec/audit.md §3). It
 *
 *   1. retests every mutant (`--force`) when a helper of the test set changed since the results
 *      were recorded (inputs.ts): Stryker itself reuses a result while the mutated file and the
 *      test files are unchanged, whatever their imports do;
 *   2. runs Stryker, incrementally: only mutants whose code or covering tests changed are run;
 *      `thresholds.break` (95) makes it exit 1 below 95%, and this exits with its status;
 *   3. keeps the committed file free of machine paths (Stryker writes the absolute projectRoot)
 *      and records the helpers' hashes beside it; when the results are the same as before (every
 *      one reused), it puts the file back byte for byte (Stryker rewrites it in another order,
 *      with other ids), so that a run on unchanged code leaves the working tree clean.
 *
 * A run on part of the code (`--mutate <files>`) writes its results to PARTIAL_RESULTS, seeded from
 * the committed file, so that the committed file keeps every mutated file's results.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { INPUTS_FILE, changedHelpers, recordInputs, type TrackedFiles } from "./inputs.ts";

const ROOT = process.cwd();
const { incrementalFile } = JSON.parse(
  readFileSync(resolve(ROOT, "stryker.config.json"), "utf8"),
) as {
  incrementalFile: string;
};
/** Where a run on part of the code (`--mutate`) keeps its results. */
const PARTIAL_RESULTS = "reports/mutation/partial-incremental.json";

const args = process.argv.slice(2);
const partial = args.some((a) => a === "--mutate" || a === "-m" || a.startsWith("--mutate="));
const results = resolve(ROOT, partial ? PARTIAL_RESULTS : incrementalFile);
if (partial) {
  mkdirSync(dirname(results), { recursive: true });
  copyFileSync(resolve(ROOT, incrementalFile), results);
  args.push("--incrementalFile", PARTIAL_RESULTS);
}

const helpers = changedHelpers(
  ROOT,
  JSON.parse(readFileSync(resolve(ROOT, incrementalFile), "utf8")) as TrackedFiles,
);
if ((helpers === undefined || helpers.length > 0) && !args.includes("--force")) {
  console.log(
    helpers === undefined
      ? `mutation: the inputs of the recorded results are unknown (no ${INPUTS_FILE}): every mutant is retested (--force)`
      : `mutation: ${helpers.length} helper(s) of the test set changed since the results were recorded (${helpers.slice(0, 5).join(", ")}${helpers.length > 5 ? ", …" : ""}): every mutant is retested (--force)`,
  );
  args.push("--force");
}

/** The results as a set: per file its source and each mutant's place, change and status; the tests. */
function canonical(text: string): string {
  const report = JSON.parse(text) as {
    files: Record<string, { source: string; mutants: Record<string, unknown>[] }>;
    testFiles?: Record<string, { source?: string; tests: { name: string }[] }>;
  };
  const mutant = (m: Record<string, unknown>) =>
    JSON.stringify([m.mutatorName, m.replacement, m.location, m.status]);
  const files = Object.entries(report.files)
    .map(([name, f]) => [name, f.source, f.mutants.map(mutant).sort()] as const)
    .sort((a, b) => a[0].localeCompare(b[0]));
  const tests = Object.entries(report.testFiles ?? {})
    .map(([name, f]) => [name, f.source, f.tests.map((t) => t.name).sort()] as const)
    .sort((a, b) => a[0].localeCompare(b[0]));
  return JSON.stringify([files, tests]);
}

const previous = readFileSync(results, "utf8");
const before = statSync(results).mtimeMs;
const stryker = spawnSync("npx", ["stryker", "run", ...args], { stdio: "inherit" });
const rewritten = statSync(results).mtimeMs !== before;
if (rewritten) {
  const report = JSON.parse(readFileSync(results, "utf8")) as { projectRoot?: string };
  report.projectRoot = ".";
  const text = JSON.stringify(report, null, 2); // as Stryker writes it
  writeFileSync(results, canonical(text) === canonical(previous) ? previous : text);
  if (!partial) recordInputs(ROOT);
}
process.exitCode = stryker.status ?? 1;
