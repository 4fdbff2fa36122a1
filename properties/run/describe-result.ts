/**
 * A property result as text: the verdict, the figures, and on failure everything a developer
 * needs: what broke (an invariant, or an error thrown where none is expected), the shrunk steps,
 * the seed and path, the counterexample file and the one-command replay.
 */
import { deadlineSteps, describeDeadline } from "../model/deadline.ts";
import { formatOp } from "../model/ops.ts";
import { UNEXPECTED_ERROR } from "../model/violation.ts";
import { replayCommand } from "./counterexample.ts";
import type { PropertyResult } from "./run-property.ts";

/**
 * What a failure with this number broke: "invariant 6", or for UNEXPECTED_ERROR (number 0,
 * spec/invariants.md §Contracts) "an unexpected error", such as the allocator throwing on a valid
 * call. Never "invariant 0".
 */
export function failedRule(invariant: number): string {
  return invariant === UNEXPECTED_ERROR ? "an unexpected error" : `invariant ${invariant}`;
}

export function describeResult(r: PropertyResult): string {
  const lines = [
    `${r.property} on ${r.implementation} (${r.family} geometries, ${r.profile} profile, seed ${r.seed}): ${r.verdict}`,
    `  ${r.runs} runs, ${r.steps} steps, ${r.operations} operations checked in ${r.seconds.toFixed(1)} s`,
  ];
  for (const miss of r.unreached) lines.push(`  target state too rare: ${miss}`);
  if (r.deadline !== undefined)
    lines.push(
      `  ${r.deadline.kind}: ${describeDeadline(r.deadline)}`,
      ...deadlineSteps(r.deadline),
    );
  if (r.crashed !== undefined)
    lines.push(`  the child process running it died: ${r.crashed.replace(/\n/g, "\n    ")}`);
  const f = r.failure;
  if (f !== undefined) {
    const what =
      f.invariant === UNEXPECTED_ERROR
        ? failedRule(f.invariant)
        : `${failedRule(f.invariant)} failed`;
    lines.push(`  ${what} on ${f.geometry.name}: ${f.message}`);
    lines.push(`  shrunk (${f.shrinks} shrinks) to ${f.operations.length} step(s):`);
    f.operations.forEach((op, i) =>
      lines.push(`    ${i === f.failingStep ? "→" : " "} ${i}: ${formatOp(op)}`),
    );
    lines.push(`  seed ${r.seed}, path "${f.path}"`);
    if (f.file !== undefined)
      lines.push(
        `  counterexample: ${f.file}`,
        `  replay: ${replayCommand(f.file, r.implementation)}`,
      );
  }
  return lines.join("\n");
}
