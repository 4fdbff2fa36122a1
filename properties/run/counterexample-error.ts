/**
 * Why a counterexample file cannot be read, replayed or written: a typed error with a stable
 * `code` (COUNTEREXAMPLE_ERROR_CODES) and, for a bad field, the field's path in the file
 * (`operations[3].n`). The CLI prints it as one line, exit code 2.
 */

export const COUNTEREXAMPLE_ERROR_CODES = [
  /** Not a readable JSON file. */
  "unreadable",
  /** JSON, but not an object marked `"allocheck": "counterexample"` of version 1. */
  "not-a-counterexample",
  /** A field is missing, of the wrong type, out of its range, or unknown (`field` names it). */
  "invalid-field",
  /** `property` is not one of PROPERTY_IDS. */
  "unknown-property",
  /** `geometry` is refused by defineGeometry (spec/model.md §1). */
  "invalid-geometry",
  /** The counterexample or its regression test cannot be written. */
  "unwritable",
] as const;

export type CounterexampleErrorCode = (typeof COUNTEREXAMPLE_ERROR_CODES)[number];

export class CounterexampleError extends Error {
  override readonly name = "CounterexampleError";
  constructor(
    readonly code: CounterexampleErrorCode,
    message: string,
    /** The path of the bad field in the file, e.g. "operations[3].n"; absent for a whole file. */
    readonly field?: string,
  ) {
    super(message);
  }
}
