/**
 * Seeded bugs in the reference allocator (src/allocators/reference/): one protected step overridden, the
 * shipped code copied with exactly one mistake, marked `BUG:`. The reference is the oracle of
 * invariant 11, so these must be caught by the invariants that do not compare with it.
 */
import { reallocStaysInPlace } from "../../../src/core/geometry.ts";
import {
  classifyBadPointer,
  isAddressShaped,
  validateSize,
  type PointerUse,
} from "../../../src/core/misuse.ts";
import { isArenaEmpty, type Arena, type Pool } from "../../../src/allocators/reference/heap.ts";
import {
  ReferenceAllocator,
  type Live,
} from "../../../src/allocators/reference/reference-allocator.ts";

/** The shipped realloc, with `onFailure` run where it returns null, and `inPlace` for the in-place branch. */
abstract class ReallocVariant extends ReferenceAllocator {
  override realloc(p: number | null, n: number): number | null {
    validateSize(this.geometry, n);
    if (p === null) return this.malloc(n);
    const live = this.findLive(p, "realloc");
    const oldRequested = live.raw ? live.requested : live.block.requested;
    if (!live.raw && reallocStaysInPlace(this.geometry.classSizes[live.pool.sizeClass]!, n)) {
      live.block.requested = n;
      this.inPlace(n - oldRequested);
      return p;
    }
    const q = live.raw ? this.allocateRaw(n) : this.allocate(n);
    if (q === null) return this.onFailure(live, oldRequested);
    const oldSize = live.raw ? live.size : this.geometry.classSizes[live.pool.sizeClass]!;
    const copied = Math.min(oldSize, n);
    this.addressSpace.view(q, copied).set(this.addressSpace.view(p, copied));
    this.release(live);
    this.requested.change(n - oldRequested);
    return q;
  }

  protected inPlace(change: number): void {
    this.requested.change(change);
  }

  protected onFailure(_live: Live, _oldRequested: number): null {
    return null;
  }
}

/** realloc frees the old block when it fails, though null promises the block is untouched. */
export class ReferenceFreesOnFailedRealloc extends ReallocVariant {
  protected override onFailure(live: Live, oldRequested: number): null {
    this.release(live); // BUG: was `return null` alone
    this.requested.change(-oldRequested);
    return null;
  }
}

/** Stats drift: an in-place realloc changes the block's requested size but not the total. */
export class ReferenceInPlaceNotCounted extends ReallocVariant {
  protected override inPlace(_change: number): void {
    // BUG: `this.requested.change(change)` is missing
  }
}

/** Wrong empty-arena rule: the arena just emptied counts as "another" empty arena, so none is kept. */
export class ReferenceCountsItselfAsOtherEmptyArena extends ReferenceAllocator {
  protected override shouldRelease(_arena: Arena): boolean {
    if (!this.geometry.keepEmptyArena) return true;
    return this.arenas.some((other) => isArenaEmpty(other)); // BUG: `other !== arena &&` is missing
  }
}

/** Spurious out of memory: a pool counts as partly used only while two blocks are free (a fencepost). */
export class ReferenceLastBlockNeverUsed extends ReferenceAllocator {
  protected override choosePool(sizeClass: number): Pool | undefined {
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
  protected override findLive(p: number, use: PointerUse): Live {
    const slot = isAddressShaped(p) ? this.addressSpace.slotOf(p) : -1;
    const arena = this.arenas.find((a) => a.slot === slot);
    if (arena !== undefined) {
      const pool = arena.pools[this.addressSpace.poolIndexIn(arena.slot, p)]!;
      const size = pool.sizeClass >= 0 ? this.geometry.classSizes[pool.sizeClass]! : 0;
      const index = pool.blocks.findIndex(
        (block) => block !== undefined && block.address <= p && p < block.address + size,
      ); // BUG: block?.address === p
      if (index !== -1) return { raw: false, arena, pool, index, block: pool.blocks[index]! };
    }
    const size = isAddressShaped(p) ? this.addressSpace.rawSize(p) : -1;
    if (size !== -1)
      return { raw: true, address: p, size, requested: this.addressSpace.rawRequested(p) };
    return classifyBadPointer(this.addressSpace, this.heapQuery, p, use);
  }
}
