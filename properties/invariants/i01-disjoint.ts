/**
 * Invariant 1, disjoint: live blocks never overlap each other or a pool header.
 * Keeps its own sorted list of live ranges; each new block is checked against its neighbours.
 */
import { hex } from "../../src/core/errors.ts";
import type { Call } from "../model/call.ts";
import { violation } from "../model/violation.ts";
import { defineInvariant, type Invariant } from "./invariant.ts";

export const disjoint: Invariant = defineInvariant({
  number: 1,
  title: "disjoint: live blocks never overlap each other or a pool header",
  inapplicable: () => undefined,
  check: ({ shadow, geometry }) => {
    const starts: number[] = [];
    const ends = new Map<number, number>();
    const position = (address: number): number => {
      let lo = 0;
      let hi = starts.length;
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
      const before = starts[at - 1];
      if (starts[at] === address)
        throw violation(1, `${hex(address)} was handed out while it is still live`);
      if (before !== undefined && ends.get(before)! > address) {
        throw violation(
          1,
          `new block [${hex(address)}, ${hex(end)}) overlaps live block [${hex(before)}, ${hex(ends.get(before)!)})`,
        );
      }
      const next = starts[at];
      if (next !== undefined && next < end)
        throw violation(
          1,
          `new block [${hex(address)}, ${hex(end)}) overlaps live block at ${hex(next)}`,
        );
      starts.splice(at, 0, address);
      ends.set(address, end);
    };
    const remove = (address: number): void => {
      const at = position(address);
      if (starts[at] === address) starts.splice(at, 1);
      ends.delete(address);
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
