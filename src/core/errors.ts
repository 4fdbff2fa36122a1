/**
 * The two kinds of failure an allocator reports (spec/errors.md).
 *
 * - `AllocatorError`: the caller misused the API. It carries a stable `code`, and the heap is
 *   exactly as it was before the call (invariant 9).
 * - `IntegrityError`: `check()` found the allocator's own structures inconsistent (invariant 12).
 *   That is a bug in the allocator, never in the caller.
 *
 * Out of memory is not an error: `malloc`/`realloc` return `null` and change nothing (invariant 10).
 */

import { CodedError } from "./coded-error.ts";

/** The stable misuse codes; spec/errors.md says exactly when each applies. */
export type AllocatorErrorCode = "invalid-size" | "invalid-pointer" | "double-free";

export const ALLOCATOR_ERROR_CODES: readonly AllocatorErrorCode[] = [
  "invalid-size",
  "invalid-pointer",
  "double-free",
];

export class AllocatorError extends CodedError<AllocatorErrorCode> {
  override readonly name = "AllocatorError";
}

export class IntegrityError extends Error {
  override readonly name = "IntegrityError";
  readonly problems: readonly string[];

  constructor(allocator: string, problems: readonly string[]) {
    const shown = problems.slice(0, 10).join("\n  ");
    const more = problems.length > 10 ? `\n  … and ${problems.length - 10} more` : "";
    super(`${allocator} check() failed:\n  ${shown}${more}`);
    this.problems = problems;
  }
}

/** Formats an address the way every message and picture in allocheck does. */
export function hex(address: number): string {
  return Number.isSafeInteger(address) && address >= 0
    ? `0x${address.toString(16)}`
    : String(address);
}
