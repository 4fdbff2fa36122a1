/**
 * Seeded bugs in the bitmap allocator's arena life cycle (spec/policy.md §2.5–§2.6, §3;
 * invariant 6): the shipped BitmapAllocator with one step overridden, the shipped step copied
 * with exactly one mistake, marked `BUG:`.
 */
import { BitmapAllocator } from "../../../src/allocators/bitmap/bitmap-allocator.ts";

/**
 * Premature arena release: an arena is taken to be wholly empty at R/P − 1 empty pools, as if every
 * arena lost a pool to alignment; a pool-aligned arena is released with one pool still in use.
 */
export class EmptyAtOnePoolLess extends BitmapAllocator {
  protected override addEmptyPool(gp: number): void {
    this.emptyPools.add(gp);
    const slot = Math.floor(gp / this.poolsPerArena);
    const empty = this.table.emptyPools[slot]! + 1;
    this.table.emptyPools[slot] = empty;
    this.buckets.move(slot, empty - 1, empty);
    // BUG: this.poolsPerArena (R/P, or R/P − 1 when not pool-aligned)
    if (empty === this.geometry.arenaSize / this.poolSize - 1) this.arenaEmptied(slot);
  }
}

/**
 * Missing arena release: an arena is taken to be wholly empty at R/P empty pools; an arena that is
 * not pool-aligned has R/P − 1 pools, never gets there, and is never released.
 */
export class EmptyAtAllPoolsOfAnAlignedArena extends BitmapAllocator {
  protected override addEmptyPool(gp: number): void {
    this.emptyPools.add(gp);
    const slot = Math.floor(gp / this.poolsPerArena);
    const empty = this.table.emptyPools[slot]! + 1;
    this.table.emptyPools[slot] = empty;
    this.buckets.move(slot, empty - 1, empty);
    // BUG: this.poolsPerArena (CPython: ntotalpools, 63 or 64)
    if (empty === this.geometry.arenaSize / this.poolSize) this.arenaEmptied(slot);
  }
}

/** Wrong empty-arena rule: 3.9's rule hard-coded; a geometry that keeps no empty arena keeps one. */
export class AlwaysKeepsOneEmptyArena extends BitmapAllocator {
  protected override shouldReleaseEmptyArena(): boolean {
    return this.emptyArenaCount > 1; // BUG: !this.keepEmptyArena || this.emptyArenaCount > 1
  }
}

/**
 * Wrong empty-arena rule, by its bookkeeping: taking a pool from a wholly empty arena does not
 * lower the count of wholly empty arenas, so the rule later sees "another" empty arena that is
 * not there and releases the one it should keep.
 */
export class EmptyArenaCountNotLowered extends BitmapAllocator {
  protected override removeEmptyPool(gp: number, slot: number): void {
    this.emptyPools.delete(gp);
    const empty = this.table.emptyPools[slot]!;
    this.table.emptyPools[slot] = empty - 1;
    this.buckets.move(slot, empty, empty - 1);
    // BUG: `if (empty === this.poolsPerArena) this.emptyArenaCount--;` is missing
  }
}
