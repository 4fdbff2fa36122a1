/**
 * Invariant 1, disjoint: live blocks never overlap each other or a pool header.
 * Keeps its own sorted list of live ranges; each new block is checked against its neighbours.
 */
import { hex } from "../../src/core/errors.ts";
import { resized } from "../../src/core/typed-growth.ts";
import type { Call } from "../model/call.ts";
import { violation } from "../model/violation.ts";
import { defineInvariant, type Invariant } from "./invariant.ts";

export const disjoint: Invariant = defineInvariant({
  number: 1,
  title: "disjoint: live blocks never overlap each other or a pool header",
  inapplicable: () => undefined,
  check: ({ shadow, geometry }) => {
    // The live ranges sorted by start: starts[i] … ends[i], i < count, in two typed arrays that
    // an insertion or removal shifts with copyWithin (no per-block objects, no Map of ends).
    let starts = new Float64Array(64);
    let ends = new Float64Array(64);
    let count = 0;
    const position = (address: number): number => {
      let lo = 0;
      let hi = count;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (starts[mid]! < address) lo = mid + 1;
        else hi = mid;
      }
      return lo;
    };
    const insert = (address: number, usable: number): void => {
      const at = position(address);
      const end = address + usable;
      if (at < count && starts[at] === address)
        throw violation(1, `${hex(address)} was handed out while it is still live`);
      if (at > 0 && ends[at - 1]! > address) {
        throw violation(
          1,
          `new block [${hex(address)}, ${hex(end)}) overlaps live block [${hex(starts[at - 1]!)}, ${hex(ends[at - 1]!)})`,
        );
      }
      if (at < count && starts[at]! < end)
        throw violation(
          1,
          `new block [${hex(address)}, ${hex(end)}) overlaps live block at ${hex(starts[at]!)}`,
        );
      if (count === starts.length) {
        starts = resized(starts, 2 * starts.length);
        ends = resized(ends, 2 * ends.length);
      }
      starts.copyWithin(at + 1, at, count);
      ends.copyWithin(at + 1, at, count);
      starts[at] = address;
      ends[at] = end;
      count++;
    };
    const remove = (address: number): void => {
      const at = position(address);
      if (at === count || starts[at] !== address) return;
      starts.copyWithin(at, at + 1, count);
      ends.copyWithin(at, at + 1, count);
      count--;
    };
    return {
      invariant: 1,
      after(call: Call) {
        const created = call.created;
        if (created !== undefined) {
          if (
            !created.raw &&
            geometry !== undefined &&
            created.address - created.pool < geometry.poolOverhead
          ) {
            throw violation(
              1,
              `block ${hex(created.address)} overlaps the header [${hex(created.pool)}, ${hex(created.pool + geometry.poolOverhead)}) of its pool`,
            );
          }
          insert(created.address, shadow.blockAt(created.address)?.usable ?? created.usable);
        }
        if (
          call.target !== undefined &&
          !call.inPlace &&
          call.error === undefined &&
          (call.kind === "free" || call.result != null)
        )
          remove(call.target.address);
        if (call.inPlace === true) {
          // The block's usable size may change in place (a general allocator): re-check it.
          remove(call.target!.address);
          insert(call.target!.address, call.target!.usable);
        }
      },
    };
  },
});
