/**
 * A bounded-exhaustive result as text: the figures, and on failure the invariant, the geometry and
 * the failing sequence step by step (the failing step marked), as describeResult shows a
 * property's failure.
 */
import { deadlineSteps, describeDeadline } from "../model/deadline.ts";
import { formatOp } from "../model/ops.ts";
import { exhaustiveFailed, type ExhaustiveResult } from "./bounded.ts";

export function describeExhaustive(implementation: string, e: ExhaustiveResult): string {
  const f = e.failure;
  const lines = [
    `bounded-exhaustive on ${implementation} (every sequence of up to ${e.length} steps on ${e.geometries} tiny geometries): ${exhaustiveFailed(e) ? "fail" : "pass"}`,
    `  ${e.sequences} sequences, ${e.operations} operations checked in ${e.seconds.toFixed(1)} s`,
  ];
  if (e.deadline !== undefined)
    lines.push(`  ${describeDeadline(e.deadline)}`, ...deadlineSteps(e.deadline));
  if (e.crashed !== undefined) lines.push(`  the child process running it died: ${e.crashed}`);
  if (f !== undefined) {
    lines.push(`  ${f.violation.message}`, `  on ${f.geometry.name}, the sequence:`);
    f.operations.forEach((op, i) =>
      lines.push(`    ${i === f.violation.step ? "→" : " "} ${i}: ${formatOp(op)}`),
    );
    lines.push("  every run of the mode tries the same sequences in the same order: no seed");
  }
  return lines.join("\n");
}
