/**
 * Seeded bugs in the reference allocator (src/allocators/reference/): one protected step
 * overridden, the shipped step copied with exactly one mistake, marked `BUG:`. The reference is the
 * oracle of invariant 11, so these must be caught by the invariants that do not compare with it.
 */
import {
  isArenaEmpty,
  type Arena,
  type Block,
  type Pool,
} from "../../../src/allocators/reference/heap.ts";
import {
  ReferenceAllocator,
  type Live,
} from "../../../src/allocators/reference/reference-allocator.ts";

/** realloc frees the old block when it fails, though null promises the block is untouched. */
export class ReferenceFreesOnFailedRealloc extends ReferenceAllocator {
  protected override reallocMoving(p: number, live: Live, n: number): number | null {
    const oldRequested = live.raw ? live.requested : live.block.requested;
    const q = live.raw ? this.allocateRaw(n) : this.allocate(n);
    if (q === null) return (this.release(live), this.requested.change(-oldRequested), null); // BUG: was `return null`
    const copied = Math.min(this.usable(live), n);
    this.addressSpace.view(q, copied).set(this.addressSpace.view(p, copied));
    this.release(live);
    this.requested.change(n - oldRequested);
    return q;
  }
}

/** Stats drift: an in-place realloc changes the block's requested size but not the total. */
export class ReferenceInPlaceNotCounted extends ReferenceAllocator {
  protected override resizeInPlace(block: Block, n: number): void {
    // BUG: `this.requested.change(n - block.requested);` is missing
    block.requested = n;
  }
}

/** Wrong empty-arena rule: the arena just emptied counts as "another" empty arena, so none is kept. */
export class ReferenceCountsItselfAsOtherEmptyArena extends ReferenceAllocator {
  protected override shouldReleaseEmptyArena(_arena: Arena): boolean {
    if (!this.geometry.keepEmptyArena) return true;
    return this.arenas.some((other) => isArenaEmpty(other)); // BUG: `other !== arena &&` is missing
  }
}

/** Spurious out of memory: a pool counts as partly used only while two blocks are free (a fencepost). */
export class ReferenceLastBlockNeverUsed extends ReferenceAllocator {
  protected override lowestPartlyUsedPool(sizeClass: number): Pool | undefined {
    for (const arena of this.arenas) {
      for (const pool of arena.pools) {
        if (pool.sizeClass === sizeClass && pool.live < this.geometry.blocksPerPool[sizeClass]! - 1)
          return pool; // BUG: `< blocksPerPool[sizeClass]`
      }
    }
    return undefined;
  }
}

/** Interior pointer accepted: a pointer anywhere inside a live block finds that block. */
export class ReferenceContainingBlock extends ReferenceAllocator {
  protected override liveBlockAt(pool: Pool, p: number): number {
    const size = pool.sizeClass >= 0 ? this.geometry.classSizes[pool.sizeClass]! : 0;
    return pool.blocks.findIndex(
      (block) => block !== undefined && block.address <= p && p < block.address + size,
    ); // BUG: block?.address === p
  }
}
