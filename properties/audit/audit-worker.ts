/**
 * One task of `npm run audit` in a child process (audit-main.ts runs two at a time, one per
 * core): a chunk of the full kill matrix, the bitmap allocator's verifyAllocator run (the
 * reachability figures) or the outside allocator's rounds. Usage:
 *
 *   tsx properties/audit/audit-worker.ts '<task json>' <output file>
 */
import { writeFileSync } from "node:fs";
import { createAllocator } from "../../src/allocators/create-allocator.ts";
import { PROFILES, type ProfileName } from "../profiles.ts";
import { verifyAllocator } from "../verify-allocator.ts";
import { killBug } from "./kill-matrix.ts";
import { auditMemPool } from "./outside-allocator.ts";
import { auditRealAllocators } from "./real-allocators.ts";
import { SEEDED_BUGS } from "./seeded-bugs/catalogue.ts";

export type AuditTask =
  | {
      readonly kind: "kill";
      readonly bugs: readonly string[];
      readonly mode: "gate" | "full";
      readonly profile: ProfileName;
      readonly baseSeed: number;
    }
  | { readonly kind: "verify"; readonly profile: ProfileName; readonly baseSeed: number }
  | {
      readonly kind: "outside" | "real";
      readonly profile: ProfileName;
      readonly baseSeed: number;
      readonly deadlineMs: number;
    };

const task = JSON.parse(process.argv[2]!) as AuditTask;
const output = process.argv[3]!;
const json = (value: unknown) =>
  JSON.stringify(value, (_, v: unknown) =>
    typeof v === "number" && !Number.isFinite(v) ? String(v) : v,
  );

switch (task.kind) {
  case "kill": {
    const results = task.bugs.map((id) => {
      const bug = SEEDED_BUGS.find((b) => b.id === id)!;
      const result = killBug(bug, {
        mode: task.mode,
        profile: PROFILES[task.profile],
        baseSeed: task.baseSeed,
      });
      process.stderr.write(
        `  ${id}: ${result.killed ? "killed" : "SURVIVED"} (${result.cells.filter((c) => c.killed).length}/${result.cells.length} cells, ${result.seconds.toFixed(1)} s)\n`,
      );
      return result;
    });
    writeFileSync(output, json(results));
    break;
  }
  case "verify": {
    const report = verifyAllocator((g) => createAllocator("bitmap", g), {
      name: "bitmap",
      profile: task.profile,
      seed: task.baseSeed,
    });
    // The failures' counterexamples carry geometries and steps; the figures are what the audit needs.
    const results = report.results.map(({ failure, ...rest }) => ({
      ...rest,
      ...(failure ? { failure: { message: failure.message, invariant: failure.invariant } } : {}),
    }));
    writeFileSync(output, json({ ...report, results }));
    break;
  }
  case "outside":
    writeFileSync(
      output,
      json(auditMemPool(PROFILES[task.profile], task.baseSeed, task.deadlineMs)),
    );
    break;
  case "real":
    writeFileSync(
      output,
      json(
        auditRealAllocators(PROFILES[task.profile], task.baseSeed, task.deadlineMs, (line) =>
          process.stderr.write(`${line}\n`),
        ),
      ),
    );
    break;
}
