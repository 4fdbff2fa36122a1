/**
 * Invariant 9, misuse rejected: an invalid size, a double free and an interior, header, unknown
 * or released pointer are each detected, and the heap is unchanged: snapshot, stats and event log.
 *
 * Detection is a throw (a general allocator may also fail C-style, with null). The code is checked
 * when it is known: the allocator's `misuseCode` maps its errors to codes, or it throws allocheck's
 * `AllocatorError`; then it must be the code spec/errors.md gives (worked out from the shadow
 * heap). Any other error counts as detection (spec/invariants.md §Contracts).
 */
import type { AllocatorErrorCode } from "../../src/core/errors.ts";
import { AllocatorError, hex } from "../../src/core/errors.ts";
import type { ResolvedContract } from "../model/contract.ts";
import { formatCallArguments, formatError } from "../model/format-call.ts";
import { violation } from "../model/violation.ts";
import { differences } from "./i07-accounting.ts";
import { defineInvariant, type Invariant } from "./invariant.ts";

/**
 * The code of what the subject threw: from `misuseCode` when the contract has one (undefined: not
 * a misuse error), else an AllocatorError's own; null when no code is known.
 */
function thrownCode(
  error: unknown,
  contract: ResolvedContract,
): AllocatorErrorCode | undefined | null {
  if (contract.misuseCode !== undefined) return contract.misuseCode(error);
  return error instanceof AllocatorError ? error.code : null;
}

export const misuseRejected: Invariant = defineInvariant({
  number: 9,
  title: "misuse rejected: the specified error code, and the heap unchanged",
  inapplicable: (_subject, _geometry, contract) =>
    contract.misuse === "undetected" ? "the contract says misuse is undetected" : undefined,
  check: ({ subject, geometry, contract }) => {
    let before: unknown;
    const observe = () => ({
      snapshot: subject.snapshot?.(),
      stats: subject.stats?.(),
      events: subject.addressSpace?.eventsLogged,
    });
    return {
      invariant: 9,
      before(call) {
        if (call.expectedError !== undefined) before = observe();
      },
      after(call) {
        if (call.expectedError === undefined) return;
        // A general allocator (no geometry) may reject misuse C-style, by failing: null.
        const failed =
          geometry === undefined &&
          call.error === undefined &&
          call.result === null &&
          call.events.length === 0;
        if (failed) return;
        if (call.error === undefined)
          throw violation(
            9,
            `${formatCallArguments(call)} was accepted${call.result != null ? ` (returned ${hex(call.result)})` : ""}; expected ${call.expectedError}`,
          );
        const code = thrownCode(call.error, contract);
        if (code === undefined)
          throw violation(
            9,
            `${formatCallArguments(call)} threw ${formatError(call.error)}, which misuseCode maps to no misuse code; expected ${call.expectedError}`,
          );
        if (code !== null && call.expectedError !== "any" && code !== call.expectedError) {
          throw violation(
            9,
            `${formatCallArguments(call)} threw ${code}; spec/errors.md says ${call.expectedError} (${formatError(call.error)})`,
          );
        }
        const changed = differences(observe(), before);
        if (changed.length > 0)
          throw violation(
            9,
            `${formatCallArguments(call)} threw ${code ?? formatError(call.error)} but changed the heap: ${changed.slice(0, 4).join("; ")}`,
          );
      },
    };
  },
});
