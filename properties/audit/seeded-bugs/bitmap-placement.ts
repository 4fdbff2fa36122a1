/**
 * Seeded bugs in where the bitmap allocator puts a block (spec/policy.md §1–§2): each class is
 * the shipped BitmapAllocator with one step overridden (or one method of its pool bits). The
 * overriding step is the shipped one, copied, with exactly one mistake, marked `BUG:`; everything
 * else is inherited.
 * The catalogue (catalogue.ts) says which real bug each imitates.
 */
import type { AddressSpace } from "../../../src/core/address-space.ts";
import { BitmapAllocator } from "../../../src/allocators/bitmap/bitmap-allocator.ts";
import { PoolBitmaps } from "../../../src/allocators/bitmap/pool-bitmaps.ts";
import type { Geometry } from "../../../src/core/geometry.ts";
import { installBitmaps } from "./install.ts";

/** A block handed out twice: a pool taken for a class stays in the set of empty pools. */
export class TakenPoolStaysEmpty extends BitmapAllocator {
  protected override removeEmptyPool(_gp: number, slot: number): void {
    // BUG: `this.emptyPools.delete(gp);` is missing: the pool is still "empty" for the next class.
    const empty = this.table.emptyPools[slot]!;
    this.table.emptyPools[slot] = empty - 1;
    this.buckets.move(slot, empty, empty - 1);
    if (empty === this.poolsPerArena) this.emptyArenaCount--;
  }
}

/**
 * Pool bits whose one-level path names one block and marks another: `31 - clz32` (the highest
 * set bit) where `ctz32` (the lowest) was meant, while the bit cleared is still the lowest.
 */
class ClzForCtzBitmaps extends PoolBitmaps {
  override takeLowest(pool: number, sizeClass: number): number {
    const words = this.words;
    const base = this.start[pool]!;
    const levels = this.levels[sizeClass]!;
    if (levels === 1) {
      const word = words[base]!;
      words[base] = word & (word - 1);
      return 31 - Math.clz32(word); // BUG: the highest free block, but the lowest was marked used
    }
    return super.takeLowest(pool, sizeClass);
  }
}

/** A block handed out twice: the block returned is not the block marked used (clz for ctz). */
export class ClzForCtz extends BitmapAllocator {
  constructor(geometry: Geometry, space: AddressSpace) {
    super(geometry, space);
    installBitmaps(this, new ClzForCtzBitmaps(geometry));
  }
}

/** Pool bits that take the highest free block of a one-level pool, consistently. */
class HighestBlockBitmaps extends PoolBitmaps {
  override takeLowest(pool: number, sizeClass: number): number {
    const words = this.words;
    const base = this.start[pool]!;
    const levels = this.levels[sizeClass]!;
    if (levels === 1) {
      const word = words[base]!;
      const k = 31 - Math.clz32(word); // BUG: the highest free block; policy.md §2.2 says the lowest (ctz32)
      words[base] = word & ~(1 << k);
      return k;
    }
    return super.takeLowest(pool, sizeClass);
  }
}

/** Wrong block choice: the highest free block of a pool instead of the lowest (§2.2). */
export class HighestFreeBlock extends BitmapAllocator {
  constructor(geometry: Geometry, space: AddressSpace) {
    super(geometry, space);
    installBitmaps(this, new HighestBlockBitmaps(geometry));
  }
}

/** Misalignment: block k's offset from the pre-3.8 8-byte size quantum, not the geometry's A. */
export class EightByteQuantum extends BitmapAllocator {
  protected override blockAddress(gp: number, c: number, k: number): number {
    return this.table.address[gp]! + this.poolOverhead + k * ((c + 1) << 3); // BUG: INDEX2SIZE(c) with ALIGNMENT_SHIFT 3, not k * classSizes[c]
  }
}

/** Misalignment: an arena that is not pool-aligned does not skip its excess; pools start unaligned. */
export class PoolsNotRoundedUp extends BitmapAllocator {
  protected override addPools(slot: number): void {
    const ppa = this.poolsPerArena;
    for (let i = 0; i < ppa; i++) {
      this.emptyPools.add(slot * ppa + i);
      this.table.address[slot * ppa + i] = this.addressSpace.arenaStart(slot) + i * this.poolSize; // BUG: poolAddress(slot, i) rounds the first pool up to a pool boundary
    }
  }
}

/** Off-by-one size class: n >> log2 A instead of (n − 1) >> log2 A, so k·A goes one class up. */
export class ClassOffByOne extends BitmapAllocator {
  protected override sizeClassOf(n: number): number {
    return n >> this.alignmentShift; // BUG: (n - 1) >> this.alignmentShift
  }
}

/** Raw/small mix-up: a request of exactly T bytes takes the raw path (>= where > was meant). */
export class ThresholdGoesRaw extends BitmapAllocator {
  protected override takesRawPath(n: number): boolean {
    return n === 0 || n >= this.threshold; // BUG: n > this.threshold
  }
}
