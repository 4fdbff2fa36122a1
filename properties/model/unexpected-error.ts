/**
 * Errors where none is expected (spec/invariants.md §Contracts): the subject threw on a valid
 * call, or something threw while the checks read the step. Neither is an invariant failing, so
 * they are reported as violations of their own kind, `UNEXPECTED_ERROR`, with the error named.
 * An `IntegrityError` from the allocator's own `check()` is invariant 12. What the factory or a
 * member of a new subject throws before any step is one too (setUp).
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

/**
 * Makes the subject and its driver: what the factory, or a member the driver reads (a getter such
 * as `addressSpace`), throws is the allocator's failure before any step, an unexpected error
 * (spec/invariants.md §Contracts), not an escape.
 */
export function setUp<T>(make: () => T): T {
  try {
    return make();
  } catch (error) {
    if (error instanceof InvariantViolation) throw error;
    throw withStack(
      violation(
        UNEXPECTED_ERROR,
        `setting up the run threw ${formatError(error)} (the factory, or a member of its subject)`,
      ),
      error,
    );
  }
}

function withStack(wrapped: InvariantViolation, error: unknown): InvariantViolation {
  if (error instanceof Error && error.stack) wrapped.stack = error.stack;
  return wrapped;
}
