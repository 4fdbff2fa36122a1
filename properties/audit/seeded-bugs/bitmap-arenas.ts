/**
 * Seeded bugs in the bitmap allocator's arena life cycle (spec/policy.md §2.5–§2.6, §3;
 * invariant 6): the shipped BitmapAllocator with one method overridden, the shipped code copied
 * with exactly one mistake, marked `BUG:`.
 */
import { BitmapAllocator } from "../../../src/allocators/bitmap/bitmap-allocator.ts";

/**
 * Premature arena release: an arena is taken to be wholly empty at R/P − 1 empty pools, as if every
 * arena lost a pool to alignment; a pool-aligned arena is released with one pool still in use.
 */
export class EmptyAtOnePoolLess extends BitmapAllocator {
  protected override poolEmptied(gp: number, c: number): void {
    const table = this.table;
    if (this.blocksPerPool[c]! > 1) this.classes.removePartly(c, gp);
    table.sizeClass[gp] = -1;
    this.requestedSizes.release(gp, c);
    this.bitmaps.release(gp, c);
    this.classes.pools[c]!--;
    this.emptyPools.add(gp);
    const slot = Math.floor(gp / this.poolsPerArena);
    const empty = table.emptyPools[slot]! + 1;
    table.emptyPools[slot] = empty;
    this.buckets.move(slot, empty - 1, empty);
    if (empty === this.geometry.arenaSize / this.poolSize - 1) {
      // BUG: this.poolsPerArena (R/P, or R/P − 1 when not pool-aligned)
      this.emptyArenaCount++;
      if (this.releasesEmptyArena()) this.releaseArena(slot);
    }
  }
}

/**
 * Missing arena release: an arena is taken to be wholly empty at R/P empty pools; an arena that is
 * not pool-aligned has R/P − 1 pools, never gets there, and is never released.
 */
export class EmptyAtAllPoolsOfAnAlignedArena extends BitmapAllocator {
  protected override poolEmptied(gp: number, c: number): void {
    const table = this.table;
    if (this.blocksPerPool[c]! > 1) this.classes.removePartly(c, gp);
    table.sizeClass[gp] = -1;
    this.requestedSizes.release(gp, c);
    this.bitmaps.release(gp, c);
    this.classes.pools[c]!--;
    this.emptyPools.add(gp);
    const slot = Math.floor(gp / this.poolsPerArena);
    const empty = table.emptyPools[slot]! + 1;
    table.emptyPools[slot] = empty;
    this.buckets.move(slot, empty - 1, empty);
    if (empty === this.geometry.arenaSize / this.poolSize) {
      // BUG: this.poolsPerArena (CPython: ntotalpools, 63 or 64)
      this.emptyArenaCount++;
      if (this.releasesEmptyArena()) this.releaseArena(slot);
    }
  }
}

/** Wrong empty-arena rule: 3.9's rule hard-coded; a geometry that keeps no empty arena keeps one. */
export class AlwaysKeepsOneEmptyArena extends BitmapAllocator {
  protected override releasesEmptyArena(): boolean {
    return this.emptyArenaCount > 1; // BUG: !this.keepEmptyArena || this.emptyArenaCount > 1
  }
}

/**
 * Wrong empty-arena rule, by its bookkeeping: taking a pool from a wholly empty arena does not
 * lower the count of wholly empty arenas, so the rule later sees "another" empty arena that is
 * not there and releases the one it should keep.
 */
export class EmptyArenaCountNotLowered extends BitmapAllocator {
  protected override takeEmptyPool(c: number): number {
    let slot = this.buckets.best();
    if (slot === -1) {
      slot = this.mapArena();
      if (slot === -1) return -1;
    }
    const gp = this.emptyPools.next(slot * this.poolsPerArena);
    this.emptyPools.delete(gp);
    const table = this.table;
    const empty = table.emptyPools[slot]!;
    table.emptyPools[slot] = empty - 1;
    this.buckets.move(slot, empty, empty - 1);
    // BUG: `if (empty === this.poolsPerArena) this.emptyArenaCount--;` is missing
    table.sizeClass[gp] = c;
    this.bitmaps.assign(gp, c);
    this.requestedSizes.assign(gp, c);
    this.classes.pools[c]!++;
    return gp;
  }
}
