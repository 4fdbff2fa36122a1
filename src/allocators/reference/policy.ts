/**
 * The address-ordered policy, one function per decision (spec/policy.md). Each is a plain search
 * over the reference heap, so it reads as the rule it implements.
 */
import type { Geometry } from "../../core/geometry.ts";
import { emptyPoolCount, isArenaEmpty, isPoolEmpty, type Arena, type Pool } from "./heap.ts";

/**
 * §2.1 The lowest-address partly used pool of class c: a pool of that class with a free block.
 * `arenas` is in address order, and so are the pools of each arena.
 */
export function lowestPartlyUsedPool(
  arenas: readonly Arena[],
  sizeClass: number,
  geometry: Geometry,
): Pool | undefined {
  for (const arena of arenas) {
    for (const pool of arena.pools) {
      if (pool.sizeClass === sizeClass && pool.live < geometry.blocksPerPool[sizeClass]!)
        return pool;
    }
  }
  return undefined;
}

/** §2.2 The lowest free block of a pool (pool.blocks has one entry per block of its class). */
export function lowestFreeBlock(pool: Pool): number {
  return pool.blocks.findIndex((block) => block === undefined);
}

/**
 * §2.3 The arena a new pool comes from: among mapped arenas with an empty pool, the one with the
 * fewest empty pools (CPython's usable_arenas heuristic: fill the fullest, so that nearly empty
 * arenas can drain and be released); ties go to the lowest address.
 */
export function arenaForNewPool(arenas: readonly Arena[]): Arena | undefined {
  let best: Arena | undefined;
  let bestEmpty = Infinity;
  for (const arena of arenas) {
    const empty = emptyPoolCount(arena);
    if (empty > 0 && empty < bestEmpty) {
      best = arena;
      bestEmpty = empty;
    }
  }
  return best;
}

/** §2.4 The lowest empty pool of an arena. */
export function lowestEmptyPool(arena: Arena): Pool | undefined {
  return arena.pools.find(isPoolEmpty);
}

/**
 * §2.6 The empty-arena rule, asked when `arena` has just become wholly empty: release it unless
 * the geometry keeps one empty arena and no other wholly empty arena is mapped.
 */
export function shouldReleaseEmptyArena(
  arena: Arena,
  arenas: readonly Arena[],
  geometry: Geometry,
): boolean {
  if (!geometry.keepEmptyArena) return true;
  return arenas.some((other) => other !== arena && isArenaEmpty(other));
}
