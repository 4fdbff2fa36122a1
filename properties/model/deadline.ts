/**
 * Bounded runs (spec/README.md §Bounded runs): every run of verifyAllocator and describeAllocator
 * has a deadline. In process, the driver checks it before each step, so a slow subject stops at a
 * step boundary and is reported as a "deadline" finding with the steps it ran; a step that never
 * returns cannot be interrupted in process, so a subject given as a module runs in a child process
 * that the parent kills, and that is a "hang" finding with the steps logged before it
 * (run/isolated.ts).
 */
import { formatOp, type Op } from "./ops.ts";

/** Thrown by the driver before a step when the run's deadline has passed. */
export class DeadlineExceeded extends Error {
  override readonly name = "DeadlineExceeded";
  constructor(
    /** The step that was not run. */
    readonly next: Op,
  ) {
    super(`the deadline passed before ${formatOp(next)}`);
  }
}

/** A run that did not finish within its deadline. */
export interface DeadlineFinding {
  /** "deadline": stopped at a step boundary, in process; "hang": a step never returned (isolated). */
  readonly kind: "deadline" | "hang";
  /** The deadline, in milliseconds. */
  readonly deadlineMs: number;
  /** Which execution it stopped in (1 = the first), 0 when it stopped between executions. */
  readonly execution: number;
  /**
   * The steps of that execution. "deadline": those that ran, then `next`, the one not run;
   * "hang": those logged, the one that never returned last.
   */
  readonly operations: readonly Op[];
  readonly next?: Op;
}

/** One line: "deadline of 30 s passed in execution 3 after 41 steps, before free(#2)". */
export function describeDeadline(f: DeadlineFinding): string {
  const limit = `${f.deadlineMs / 1000} s`;
  if (f.kind === "hang") {
    const last = f.operations.at(-1);
    return last === undefined
      ? `no answer within the deadline of ${limit}, before any step ran`
      : `no answer within the deadline of ${limit}: execution ${f.execution} hung in step ${f.operations.length - 1} (${formatOp(last)})`;
  }
  if (f.execution === 0) return `the deadline of ${limit} passed between executions`;
  return `the deadline of ${limit} passed in execution ${f.execution} after ${f.operations.length} step(s)${f.next ? `, before ${formatOp(f.next)}` : ""}`;
}

/** The steps of a finding, one per line, as describeResult prints a counterexample's. */
export function deadlineSteps(f: DeadlineFinding): string[] {
  const lines = f.operations.map((op, i) => `      ${i}: ${formatOp(op)}`);
  if (f.next !== undefined)
    lines.push(`    ⧗ ${f.operations.length}: ${formatOp(f.next)} (not run)`);
  else if (f.kind === "hang" && lines.length > 0)
    lines[lines.length - 1] = `    ⧗${lines.at(-1)!.slice(5)} (never returned)`;
  return lines;
}
