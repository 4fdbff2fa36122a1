/**
 * Invariant 12, self-check: the allocator's own check() passes after every operation.
 */
import { IntegrityError } from "../../src/core/errors.ts";
import { violation } from "../model/violation.ts";
import { defineInvariant, needs, type Invariant } from "./invariant.ts";

export const selfCheck: Invariant = defineInvariant({
  number: 12,
  title: "self-check: check() passes after every operation",
  inapplicable: (subject, geometry) => needs(subject, geometry, "check"),
  check: ({ subject }) => {
    const run = () => {
      try {
        subject.check!();
      } catch (error) {
        throw violation(
          12,
          error instanceof IntegrityError ? error.message : `check() threw ${String(error)}`,
        );
      }
    };
    return { invariant: 12, afterStep: run, finish: run };
  },
});
