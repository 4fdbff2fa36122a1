/**
 * `npm run audit` (spec/audit.md): how strong the verification is, in numbers, in
 * reports/audit.md (read in a minute) and reports/audit.json. It runs, two tasks at a time (one
 * per core, in child processes: audit-worker.ts):
 *
 *   1. coverage of src/ by the property suites alone (spec/coverage.md's command);
 *   2. the full kill matrix: every property, every family, every seeded bug, ci profile;
 *   3. the bitmap allocator through verifyAllocator at the ci profile: the reachability figures;
 *   4. the outside allocator (@thi.ng/malloc MemPool) in its three rounds;
 *   5. the production allocators (SQLite's dlmalloc, Pyodide's mimalloc and dlmalloc) in their
 *      two rounds (real-allocators.ts);
 *
 * and reads Stryker's results (the committed incremental file, stryker.config.json's
 * incrementalFile) without running Stryker.
 *
 *   npm run audit                       everything (about 4 minutes on 2 cores)
 *   npm run audit -- --matrix gate      the kill matrix as the test's gate (first kill per family)
 *   npm run audit -- --no-coverage      read the last coverage summary instead of measuring
 */
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { machineDescription } from "../../src/report/machine.ts";
import { baseSeedFromEnv } from "../profiles.ts";
import type { AuditTask } from "./audit-worker.ts";
import { renderAudit, type AuditData } from "./audit-report.ts";
import { measureCoverage, readCoverage } from "./coverage-summary.ts";
import type { BugResult } from "./kill-matrix.ts";
import { readMutation } from "./mutation-report.ts";
import { SEEDED_BUGS } from "./seeded-bugs/catalogue.ts";

const ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));
const WORKER = fileURLToPath(new URL("./audit-worker.ts", import.meta.url));
const OUTSIDE_DEADLINE_MS = 30_000;
/** mimalloc's invariant 10 at ci takes 100 s under load (its non-coalescing check is the cost). */
const REAL_DEADLINE_MS = 180_000;
const PARALLEL = 2;

const args = process.argv.slice(2);
const matrixMode: "gate" | "full" =
  args.includes("--matrix") && args[args.indexOf("--matrix") + 1] === "gate"
    ? "gate"
    : args.includes("--matrix=gate")
      ? "gate"
      : "full";
const measure = !args.includes("--no-coverage");
const baseSeed = baseSeedFromEnv();
const started = performance.now();
const log = (line: string) => process.stderr.write(`${line}\n`);

function runWorker(task: AuditTask, label: string): Promise<unknown> {
  const dir = join(tmpdir(), `allocheck-audit-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  const output = join(dir, `${label.replace(/[^a-z0-9]+/gi, "-")}.json`);
  return new Promise((done, fail) => {
    const t = performance.now();
    log(`  start ${label}`);
    const child = spawn(
      process.execPath,
      ["--import", "tsx", WORKER, JSON.stringify(task), output],
      { cwd: ROOT, stdio: ["ignore", "inherit", "inherit"] },
    );
    child.on("exit", (code) => {
      log(`  done  ${label} (${((performance.now() - t) / 1000).toFixed(0)} s)`);
      if (code !== 0) return fail(new Error(`${label}: exit ${code}`));
      done(JSON.parse(readFileSync(output, "utf8")));
    });
  });
}

/** Runs the tasks `PARALLEL` at a time, longest first (the order given); results in task order. */
async function runAll(tasks: readonly { task: AuditTask; label: string }[]): Promise<unknown[]> {
  const results: unknown[] = new Array(tasks.length);
  let next = 0;
  const lane = async () => {
    while (next < tasks.length) {
      const i = next++;
      try {
        results[i] = await runWorker(tasks[i]!.task, tasks[i]!.label);
      } catch (error) {
        results[i] = { error: String(error) };
      }
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, lane));
  return results;
}

log(
  `allocheck audit: ${machineDescription()}; ci profile, ALLOCHECK_SEED=${baseSeed}, kill matrix: ${matrixMode}`,
);

log("coverage of src/ by the properties alone …");
const coverage = measure ? measureCoverage(ROOT) : readCoverage(ROOT, null, 0);

// Bugs in chunks of three, so the two lanes stay busy to the end.
const chunks: string[][] = [];
for (let i = 0; i < SEEDED_BUGS.length; i += 3)
  chunks.push(SEEDED_BUGS.slice(i, i + 3).map((b) => b.id));
const tasks: { task: AuditTask; label: string }[] = [
  { task: { kind: "verify", profile: "ci", baseSeed }, label: "verifyAllocator(bitmap), ci" },
  {
    task: { kind: "real", profile: "ci", baseSeed, deadlineMs: REAL_DEADLINE_MS },
    label: "real allocators, two rounds",
  },
  {
    task: { kind: "outside", profile: "ci", baseSeed, deadlineMs: OUTSIDE_DEADLINE_MS },
    label: "outside allocator, three rounds",
  },
  ...chunks.map((bugs, i) => ({
    task: { kind: "kill", bugs, mode: matrixMode, profile: "ci", baseSeed } as AuditTask,
    label: `kill matrix ${i + 1}/${chunks.length}`,
  })),
];
log(`${tasks.length} tasks, ${PARALLEL} at a time …`);
const [verify, realAllocators, outside, ...kills] = await runAll(tasks);
const killResults = kills.flatMap((k) => (Array.isArray(k) ? (k as BugResult[]) : []));
const killErrors = kills.flatMap((k) =>
  Array.isArray(k) ? [] : [String((k as { error: string }).error)],
);

const data: AuditData = {
  generated: new Date().toISOString(),
  machine: machineDescription(),
  profile: "ci",
  baseSeed,
  seconds: (performance.now() - started) / 1000,
  coverage,
  killMatrix: {
    mode: matrixMode,
    bugs: SEEDED_BUGS.map(({ make: _, ...bug }) => bug),
    results: killResults,
    ...(killErrors.length > 0 ? { errors: killErrors } : {}),
  },
  mutation: readMutation(ROOT),
  reachability: verify as AuditData["reachability"],
  outside: outside as AuditData["outside"],
  realAllocators: realAllocators as NonNullable<AuditData["realAllocators"]>,
};

mkdirSync(join(ROOT, "reports"), { recursive: true });
writeFileSync(join(ROOT, "reports/audit.json"), `${JSON.stringify(data, null, 1)}\n`);
writeFileSync(join(ROOT, "reports/audit.md"), renderAudit(data));
rmSync(join(tmpdir(), `allocheck-audit-${process.pid}`), { recursive: true, force: true });
log(`reports/audit.md and reports/audit.json written in ${data.seconds.toFixed(0)} s`);
