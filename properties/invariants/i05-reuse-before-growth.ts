/**
 * Invariant 5, reuse before growth: no empty pool is taken while a pool of the class has a free
 * block; no arena is mapped while a mapped arena has an empty pool; malloc; free; malloc of one
 * size returns the same address.
 */
import { hex } from "../../src/core/errors.ts";
import type { ShadowFacts } from "../model/shadow-heap.ts";
import { violation } from "../model/violation.ts";
import { defineInvariant, needs, type Invariant } from "./invariant.ts";

export const reuseBeforeGrowth: Invariant = defineInvariant({
  number: 5,
  title: "reuse before growth: free blocks before empty pools, empty pools before new arenas",
  inapplicable: (subject, geometry) => needs(subject, geometry, "geometry", "addressSpace"),
  check: ({ shadow }) => {
    let facts: ShadowFacts | undefined;
    return {
      invariant: 5,
      before(call) {
        facts =
          call.kind === "malloc" || call.kind === "realloc" ? shadow.facts(call.n ?? 0) : undefined;
      },
      after(call) {
        const block = call.created;
        if (block === undefined || facts === undefined) return;
        if (call.events.some((e) => e.kind === "map-arena") && facts.arenaWithEmptyPool) {
          throw violation(
            5,
            `malloc(${call.n}) mapped a new arena while a mapped arena had an empty pool`,
          );
        }
        if (call.newPool === true && facts.partlyUsedPool) {
          throw violation(
            5,
            `malloc(${call.n}) took the empty pool ${hex(block.pool)} while a pool of class ${block.sizeClass} had a free block`,
          );
        }
      },
      roundTrip(first, second) {
        if (first !== second)
          throw violation(
            5,
            `malloc; free; malloc returned ${hex(first ?? 0)} then ${second === null ? "null" : hex(second)}`,
          );
      },
    };
  },
});
