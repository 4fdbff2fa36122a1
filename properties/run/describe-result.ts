/**
 * A property result as text: the verdict, the figures, and on failure everything a developer
 * needs: the invariant, the shrunk steps, the seed and path, the counterexample file and the
 * one-command replay.
 */
import { formatOp } from "../model/ops.ts";
import type { PropertyResult } from "./run-property.ts";

export function describeResult(r: PropertyResult): string {
  const lines = [
    `${r.property} on ${r.implementation} (${r.family} geometries, ${r.profile} profile, seed ${r.seed}): ${r.verdict}`,
    `  ${r.runs} runs, ${r.steps} steps, ${r.operations} operations checked in ${r.seconds.toFixed(1)} s`,
  ];
  for (const miss of r.unreached) lines.push(`  target state too rare: ${miss}`);
  const f = r.failure;
  if (f !== undefined) {
    lines.push(`  invariant ${f.invariant} failed on ${f.geometry.name}: ${f.message}`);
    lines.push(`  shrunk (${f.shrinks} shrinks) to ${f.operations.length} step(s):`);
    f.operations.forEach((op, i) =>
      lines.push(`    ${i === f.failingStep ? "→" : " "} ${i}: ${formatOp(op)}`),
    );
    lines.push(`  seed ${r.seed}, path "${f.path}"`);
    if (f.file !== undefined)
      lines.push(`  counterexample: ${f.file}`, `  replay: npm run replay -- ${f.file}`);
  }
  return lines.join("\n");
}
