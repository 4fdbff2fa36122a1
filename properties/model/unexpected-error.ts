/**
 * Errors where none is expected (spec/invariants.md §Contracts): the subject threw on a valid
 * call, or something threw while the checks read the step. Neither is an invariant failing, so
 * they are reported as violations of their own kind, `UNEXPECTED_ERROR`, with the error named.
 * An `IntegrityError` from the allocator's own `check()` is invariant 12.
 */
import { IntegrityError } from "../../src/core/errors.ts";
import type { PlannedCall } from "./call.ts";
import { formatCallArguments, formatError } from "./format-call.ts";
import { InvariantViolation, UNEXPECTED_ERROR, violation } from "./violation.ts";

/** A valid call (malloc, free, realloc) threw: "the allocator threw TypeError: boom, on …". */
export function allocatorThrew(call: PlannedCall, error: unknown): InvariantViolation {
  if (error instanceof InvariantViolation) return error;
  return withStack(
    violation(
      UNEXPECTED_ERROR,
      `the allocator threw ${formatError(error)}, on a valid ${formatCallArguments(call)}`,
    ),
    error,
  );
}

/** Any error out of a step, as a violation: itself, invariant 12, or an unexpected error. */
export function asViolation(error: unknown): InvariantViolation {
  if (error instanceof InvariantViolation) return error;
  if (error instanceof IntegrityError) return violation(12, error.message);
  return withStack(
    violation(UNEXPECTED_ERROR, `unexpected ${formatError(error)}, while checking the step`),
    error,
  );
}

function withStack(wrapped: InvariantViolation, error: unknown): InvariantViolation {
  if (error instanceof Error && error.stack) wrapped.stack = error.stack;
  return wrapped;
}
