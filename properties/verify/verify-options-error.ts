/**
 * Bad options of `verifyAllocator`, `planVerification` and `describeAllocator` (or of the
 * ALLOCHECK_PROFILE and ALLOCHECK_SEED variables they default to): a typed error with a stable
 * code, thrown before anything runs.
 */

import { CodedError } from "../../src/core/coded-error.ts";

export const VERIFY_OPTIONS_ERROR_CODES = [
  /** `name` is empty or not a string. */
  "empty-name",
  /** `profile` (or ALLOCHECK_PROFILE) names no profile of properties/profiles.ts. */
  "unknown-profile",
  /** `seed` (or ALLOCHECK_SEED) is not a safe integer. */
  "invalid-seed",
  /** `families` is empty. */
  "no-families",
  /** `families` has a name that is not a geometry family. */
  "unknown-family",
  /** `properties` is empty. */
  "no-properties",
  /** `properties` has an id (or prefix) that no property has. */
  "unknown-property",
  /** `contract` or `misuseCode` is not of the declared shape (spec/invariants.md §Contracts). */
  "invalid-contract",
  /** `counterexampleDir` is neither a non-empty path nor false. */
  "invalid-counterexample-dir",
  /** `timeout` (describeAllocator) is not a positive number of milliseconds. */
  "invalid-timeout",
  /** `deadline` is neither a positive number of milliseconds nor false. */
  "invalid-deadline",
  /** `adapterModule` is not the path of an existing file. */
  "invalid-adapter-module",
  /** No property applies with these options: a report never says pass with zero properties run. */
  "nothing-to-run",
] as const;

export type VerifyOptionsErrorCode = (typeof VERIFY_OPTIONS_ERROR_CODES)[number];

export class VerifyOptionsError extends CodedError<VerifyOptionsErrorCode> {
  override readonly name = "VerifyOptionsError";
}
