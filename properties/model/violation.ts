/**
 * An invariant failed. Carries the invariant's number (spec/invariants.md), so a failure, its
 * counterexample file and its replay all name the rule that broke.
 */
import { formatOp, type Op } from "./ops.ts";

/**
 * The number a violation carries when no invariant failed but an error was thrown where none is
 * expected, such as the allocator throwing on a valid call (spec/invariants.md §Contracts;
 * unexpected-error.ts). Its message has no "invariant N:" prefix.
 */
export const UNEXPECTED_ERROR = 0;

export class InvariantViolation extends Error {
  override readonly name = "InvariantViolation";
  readonly invariant: number;
  /** Index of the failing step in the run (0-based), and the step itself. */
  step = -1;
  op: Op | undefined;

  constructor(invariant: number, message: string) {
    super(invariant === UNEXPECTED_ERROR ? message : `invariant ${invariant}: ${message}`);
    this.invariant = invariant;
  }

  /** Adds where it happened; called once by the driver. */
  at(step: number, op: Op): this {
    this.step = step;
    this.op = op;
    this.message = `step ${step} ${formatOp(op)}: ${this.message}`;
    return this;
  }
}

export function violation(invariant: number, message: string): InvariantViolation {
  return new InvariantViolation(invariant, message);
}
