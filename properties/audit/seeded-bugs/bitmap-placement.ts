/**
 * Seeded bugs in where the bitmap allocator puts a block (spec/policy.md §1–§2): each class is
 * the shipped BitmapAllocator with one method overridden. The overriding method is the shipped
 * one, copied, with exactly one mistake, marked `BUG:`; everything else is inherited.
 * The catalogue (catalogue.ts) says which real bug each imitates.
 */
import type { AddressSpace } from "../../../src/core/address-space.ts";
import { BitmapAllocator } from "../../../src/allocators/bitmap/bitmap-allocator.ts";
import { PoolBitmaps } from "../../../src/allocators/bitmap/pool-bitmaps.ts";
import { doubledCapacity } from "../../../src/allocators/bitmap/typed-growth.ts";
import type { Geometry } from "../../../src/core/geometry.ts";
import { validateSize } from "../../../src/core/misuse.ts";
import { installBitmaps } from "./install.ts";

/** A block handed out twice: a pool taken for a class stays in the set of empty pools. */
export class TakenPoolStaysEmpty extends BitmapAllocator {
  protected override takeEmptyPool(c: number): number {
    let slot = this.buckets.best();
    if (slot === -1) {
      slot = this.mapArena();
      if (slot === -1) return -1;
    }
    const gp = this.emptyPools.next(slot * this.poolsPerArena);
    // BUG: `this.emptyPools.delete(gp);` is missing: the pool is still "empty" for the next class.
    const table = this.table;
    const empty = table.emptyPools[slot]!;
    table.emptyPools[slot] = empty - 1;
    this.buckets.move(slot, empty, empty - 1);
    if (empty === this.poolsPerArena) this.emptyArenaCount--;
    table.sizeClass[gp] = c;
    this.bitmaps.assign(gp, c);
    this.requestedSizes.assign(gp, c);
    this.classes.pools[c]!++;
    return gp;
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
  protected override allocateSmall(n: number): number {
    const c = (n - 1) >> this.alignmentShift;
    const classes = this.classes;
    let gp = classes.lowest[c]!;
    if (gp === -1) {
      gp = this.takeEmptyPool(c);
      if (gp === -1) return -1;
    }
    const k = this.bitmaps.takeLowest(gp, c);
    const table = this.table;
    const live = table.live[gp]! + 1;
    table.live[gp] = live;
    if (live === this.blocksPerPool[c]) classes.removePartly(c, gp);
    else if (live === 1) classes.addPartly(c, gp);
    const size = this.classSizes[c]!;
    this.requestedSizes.set(gp, k, size - n);
    classes.blocks[c]!++;
    return table.address[gp]! + this.poolOverhead + k * ((c + 1) << 3); // BUG: INDEX2SIZE(c) with ALIGNMENT_SHIFT 3, not k * size
  }
}

/** Misalignment: an arena that is not pool-aligned does not skip its excess; pools start unaligned. */
export class PoolsNotRoundedUp extends BitmapAllocator {
  protected override mapArena(): number {
    const slot = this.addressSpace.mapArena();
    if (slot === -1) return -1;
    const ppa = this.poolsPerArena;
    if (slot >= this.table.capacity) {
      const capacity = doubledCapacity(this.table.capacity, slot + 1, this.geometry.maxArenas);
      this.table.ensureArenas(capacity);
      this.bitmaps.ensurePools(capacity * ppa);
      this.requestedSizes.ensurePools(capacity * ppa);
    }
    for (let i = 0; i < ppa; i++) {
      this.emptyPools.add(slot * ppa + i);
      this.table.address[slot * ppa + i] = this.addressSpace.arenaStart(slot) + i * this.poolSize; // BUG: poolAddress(slot, i) rounds the first pool up to a pool boundary
    }
    this.table.mapped[slot] = 1;
    this.table.emptyPools[slot] = ppa;
    this.arenaBytes[slot] = this.addressSpace.view(
      this.addressSpace.arenaStart(slot),
      this.geometry.arenaSize,
    );
    this.buckets.add(slot, ppa);
    this.emptyArenaCount++;
    return slot;
  }
}

/** Off-by-one size class: n >> log2 A instead of (n − 1) >> log2 A, so k·A goes one class up. */
export class ClassOffByOne extends BitmapAllocator {
  protected override allocateSmall(n: number): number {
    const c = n >> this.alignmentShift; // BUG: (n - 1) >> this.alignmentShift
    const classes = this.classes;
    let gp = classes.lowest[c]!;
    if (gp === -1) {
      gp = this.takeEmptyPool(c);
      if (gp === -1) return -1;
    }
    const k = this.bitmaps.takeLowest(gp, c);
    const table = this.table;
    const live = table.live[gp]! + 1;
    table.live[gp] = live;
    if (live === this.blocksPerPool[c]) classes.removePartly(c, gp);
    else if (live === 1) classes.addPartly(c, gp);
    const size = this.classSizes[c]!;
    this.requestedSizes.set(gp, k, size - n);
    classes.blocks[c]!++;
    return table.address[gp]! + this.poolOverhead + k * size;
  }
}

/** Raw/small mix-up: a request of exactly T bytes takes the raw path (>= where > was meant). */
export class ThresholdGoesRaw extends BitmapAllocator {
  override malloc(n: number): number | null {
    validateSize(this.geometry, n);
    const address =
      n === 0 || n >= this.threshold ? this.addressSpace.mapRaw(n) : this.allocateSmall(n); // BUG: n > this.threshold
    if (address === -1) return null;
    this.requested.change(n);
    return address;
  }
}
