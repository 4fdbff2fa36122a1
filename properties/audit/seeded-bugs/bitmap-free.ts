/**
 * Seeded bugs in how the bitmap allocator finds and frees a block (spec/policy.md §3,
 * spec/errors.md): the shipped BitmapAllocator with one step overridden (or one method of its pool
 * bits), the shipped step copied with exactly one mistake, marked `BUG:`.
 */
import type { AddressSpace } from "../../../src/core/address-space.ts";
import { BitmapAllocator } from "../../../src/allocators/bitmap/bitmap-allocator.ts";
import { PoolBitmaps } from "../../../src/allocators/bitmap/pool-bitmaps.ts";
import { setBit } from "../../../src/core/bits/level-bitset.ts";
import type { Geometry } from "../../../src/core/geometry.ts";
import { installBitmaps } from "./install.ts";

/** Undetected double free: a block is taken as live without testing its free bit. */
export class NoFreeBitTest extends BitmapAllocator {
  protected override liveBlockAt(gp: number, c: number, p: number): number {
    const offset = p - this.table.address[gp]! - this.poolOverhead;
    const k = Math.round(offset * this.classInverse[c]!);
    if (k >>> 0 >= this.blocksPerPool[c]! || k * this.classSizes[c]! !== offset) return -1;
    return k; // BUG: was `this.bitmaps.isFree(gp, k) ? -1 : k`
  }
}

/** Interior pointer accepted: the block *containing* p is found, not the block *starting* at p. */
export class ContainingBlock extends BitmapAllocator {
  protected override liveBlockAt(gp: number, c: number, p: number): number {
    const offset = p - this.table.address[gp]! - this.poolOverhead;
    const k = Math.floor(offset * this.classInverse[c]!); // BUG: floor, and k · size = offset is never confirmed (was: round, then confirm)
    if (k >>> 0 >= this.blocksPerPool[c]!) return -1;
    return this.bitmaps.isFree(gp, k) ? -1 : k;
  }
}

/** Wrong class on free: the class is recomputed from the size the block was asked for (a "sized free"). */
export class ClassFromRequestedSize extends BitmapAllocator {
  protected override freeSmall(gp: number, c: number, k: number): number {
    const asked = this.classSizes[c]! - this.requestedSizes.get(gp, k);
    // BUG: the pool's class `c` is replaced by the class of the size asked for, which differs after
    // a shrinking realloc kept the block in place (4n > 3·size): everything below then uses it.
    return super.freeSmall(gp, (asked - 1) >> this.alignmentShift, k);
  }
}

/** Pool bits whose two-level freeBlock forgets the summary bit of a word that was full. */
class NoSummaryOnReleaseBitmaps extends PoolBitmaps {
  override freeBlock(pool: number, sizeClass: number, block: number): void {
    const words = this.words;
    const base = this.start[pool]!;
    const levels = this.levels[sizeClass]!;
    if (levels === 1) {
      words[base] |= 1 << block;
      return;
    }
    if (levels === 2) {
      const w = block >>> 5;
      words[base + w] |= 1 << (block & 31); // BUG: the summary bit is not set (it was clear if the word had been full)
      return;
    }
    setBit(words, base, this.layouts[sizeClass]!, block);
  }
}

/** Bitmap/summary desync: a freed block in a word that was full stays invisible to the summary. */
export class SummaryNotSetOnFree extends BitmapAllocator {
  constructor(geometry: Geometry, space: AddressSpace) {
    super(geometry, space);
    installBitmaps(this, new NoSummaryOnReleaseBitmaps(geometry));
  }
}

/** Spurious out of memory: a full pool that gets a block back is not made partly used again. */
export class FullPoolNotReturned extends BitmapAllocator {
  protected override poolLostBlock(gp: number, c: number): void {
    const live = this.table.live[gp]! - 1;
    this.table.live[gp] = live;
    this.classes.blocks[c]!--;
    if (live === 0) this.insertToFreepool(gp, c);
    else if (live === this.blocksPerPool[c]!) this.classes.addPartly(c, gp); // BUG: compares the new count with the full count (was: blocksPerPool - 1)
  }
}

/** Leaked pool: the two transitions tested in the wrong order, so a one-block pool never empties. */
export class EmptiedPoolStaysPartly extends BitmapAllocator {
  protected override poolLostBlock(gp: number, c: number): void {
    const live = this.table.live[gp]! - 1;
    this.table.live[gp] = live;
    this.classes.blocks[c]!--;
    // BUG: "was full" is tested before "is empty"; for a pool of one block both hold, and the
    // emptied pool goes back to its class's partly used set instead of to its arena.
    if (live === this.blocksPerPool[c]! - 1) this.classes.addPartly(c, gp);
    else if (live === 0) this.insertToFreepool(gp, c);
  }
}
