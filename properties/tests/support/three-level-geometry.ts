/**
 * A geometry whose class-0 pools have 2044 blocks: a three-level pool bit layout, so the bitmap
 * allocator's generic bit functions (and not its one- and two-level fast paths) run; three arenas
 * at most, so out of memory comes within a few thousand operations.
 */
import { defineGeometry, type Geometry } from "../../../src/core/geometry.ts";

export const THREE_LEVEL_POOLS: Geometry = defineGeometry(
  {
    alignment: 4,
    smallThreshold: 64,
    poolSize: 8192,
    arenaSize: 32768,
    poolOverhead: 16,
    poolAlignedArenas: true,
    maxArenas: 3,
    keepEmptyArena: false,
  },
  "small-a4-p8192-three-levels",
);
