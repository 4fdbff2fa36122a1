/**
 * Invariant 3, aligned: every address is a multiple of A; a small block of class c sits at
 * q + H + k·classSize(c), k < blocksPerPool(c), in a pool that holds only class c. A general
 * allocator's A is its region's, or what the region's rule owes a request of n bytes
 * (Region.alignmentFor: C's malloc rule, spec/wasm.md §2).
 */
import { hex } from "../../src/core/errors.ts";
import { violation } from "../model/violation.ts";
import { defineInvariant, type Invariant } from "./invariant.ts";

/** Alignment outside allocators promise when no geometry says otherwise. */
export const DEFAULT_ALIGNMENT = 8;

export const aligned: Invariant = defineInvariant({
  number: 3,
  title: "aligned: addresses are multiples of A; a block sits at q + H + k·size",
  inapplicable: () => undefined,
  check: ({ subject, shadow, geometry }) => ({
    invariant: 3,
    after(call) {
      const block = call.created;
      if (block === undefined) return;
      const region = subject.region;
      const A =
        geometry?.alignment ??
        region?.alignmentFor?.(block.n) ??
        region?.alignment ??
        DEFAULT_ALIGNMENT;
      if (block.address % A !== 0)
        throw violation(3, `${hex(block.address)} is not a multiple of ${A}`);
      if (block.raw || geometry === undefined) return;
      const size = geometry.classSizes[block.sizeClass]!;
      const offset = block.address - block.pool - geometry.poolOverhead;
      if (offset % size !== 0 || offset / size >= geometry.blocksPerPool[block.sizeClass]!) {
        throw violation(
          3,
          `${hex(block.address)} is not at pool + H + k·${size} (offset ${offset + geometry.poolOverhead} in pool ${hex(block.pool)})`,
        );
      }
      const pool = shadow.pool(block.pool)!;
      if (pool.sizeClass !== block.sizeClass) {
        throw violation(
          3,
          `${hex(block.address)} of class ${block.sizeClass} was placed in pool ${hex(block.pool)}, which holds class ${pool.sizeClass}`,
        );
      }
    },
  }),
});
