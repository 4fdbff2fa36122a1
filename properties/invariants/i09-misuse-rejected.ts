/**
 * Invariant 9, misuse rejected: an invalid size, a double free and an interior, header, unknown
 * or released pointer each throw AllocatorError with the code spec/errors.md gives (worked out
 * from the shadow heap), and the heap is unchanged: snapshot, stats and event log.
 */
import { AllocatorError, hex } from "../../src/core/errors.ts";
import { differences } from "./i07-accounting.ts";
import { violation } from "../model/violation.ts";
import type { Invariant } from "./invariant.ts";

export const misuseRejected: Invariant = {
  number: 9,
  title: "misuse rejected: the specified error code, and the heap unchanged",
  applies: () => true,
  check: ({ subject, geometry }) => {
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
        const what = `${call.kind}(${String(call.p ?? call.n)}${call.kind === "realloc" ? `, ${call.n}` : ""})`;
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
            `${what} was accepted${call.result != null ? ` (returned ${hex(call.result)})` : ""}; expected ${call.expectedError}`,
          );
        if (!(call.error instanceof AllocatorError))
          throw violation(9, `${what} threw ${String(call.error)}, not an AllocatorError`);
        if (call.expectedError !== "any" && call.error.code !== call.expectedError) {
          throw violation(
            9,
            `${what} threw ${call.error.code}; spec/errors.md says ${call.expectedError} (${call.error.message})`,
          );
        }
        const changed = differences(observe(), before);
        if (changed.length > 0)
          throw violation(
            9,
            `${what} threw ${call.error.code} but changed the heap: ${changed.slice(0, 4).join("; ")}`,
          );
      },
    };
  },
};
