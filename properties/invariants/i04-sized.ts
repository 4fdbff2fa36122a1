/**
 * Invariant 4, sized: usableSize(p) >= n; a small block has the smallest class that fits, sizes 0
 * and > T are raw; realloc stays in place exactly when n <= size and 4n > 3·size.
 */
import { hex } from "../../src/core/errors.ts";
import { reallocStaysInPlace } from "../../src/core/geometry.ts";
import { violation } from "../model/violation.ts";
import { defineInvariant, needs, type Invariant } from "./invariant.ts";

export const sized: Invariant = defineInvariant({
  number: 4,
  title: "sized: usableSize >= n, the smallest class that fits, CPython's in-place realloc rule",
  inapplicable: (subject, geometry) => needs(subject, geometry, "usableSize"),
  check: ({ subject, geometry }) => ({
    invariant: 4,
    after(call) {
      const block = call.created ?? (call.inPlace ? call.target : undefined);
      if (block === undefined) return;
      const usable = subject.usableSize!(block.address);
      if (usable < block.n)
        throw violation(4, `usableSize(${hex(block.address)}) = ${usable} < ${block.n} requested`);
      if (geometry === undefined) return;
      if (usable !== block.usable) {
        throw violation(
          4,
          `usableSize(${hex(block.address)}) = ${usable}, but a request of ${block.n} bytes gets ${block.usable} (${block.raw ? "raw path" : `class ${block.sizeClass}`})`,
        );
      }
      const old = call.target;
      if (call.kind === "realloc" && old !== undefined && !old.raw && call.result !== null) {
        const stays = reallocStaysInPlace(old.usable, call.n!);
        if (stays !== Boolean(call.inPlace)) {
          throw violation(
            4,
            `realloc(${hex(old.address)}, ${call.n}) of a ${old.usable}-byte block ${call.inPlace ? "stayed in place" : "moved"}; the rule says it ${stays ? "stays" : "moves"}`,
          );
        }
      }
    },
  }),
});
