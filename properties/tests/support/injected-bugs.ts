/**
 * Allocators with one injected bug each: the reference with one policy step overridden. The
 * tests use them to show the properties catch each bug class (the audit's full catalogue of
 * seeded bugs lives elsewhere, outside the shipped src/).
 */
import { sizeClassOf } from "../../../src/core/geometry.ts";
import {
  ReferenceAllocator,
  type Live,
} from "../../../src/allocators/reference/reference-allocator.ts";
import type { Arena, Pool } from "../../../src/allocators/reference/heap.ts";

/** Block handed out twice: the second block of a pool reuses the first, live one. */
export class HandsOutLiveBlock extends ReferenceAllocator {
  protected override lowestFreeBlock(pool: Pool): number {
    return pool.live === 1
      ? pool.blocks.findIndex((b) => b !== undefined)
      : super.lowestFreeBlock(pool);
  }
}

/** Misalignment: blocks of classes of 32 bytes and more come back 8 bytes in. */
export class MisalignsLargerClasses extends ReferenceAllocator {
  protected override allocate(n: number): number | null {
    const p = super.allocate(n);
    const c = sizeClassOf(this.geometry, n);
    return p !== null && c !== -1 && this.geometry.classSizes[c]! >= 32 ? p + 8 : p;
  }
}

/** Missing arena release: a wholly empty arena is never unmapped. */
export class NeverReleasesArenas extends ReferenceAllocator {
  protected override shouldReleaseEmptyArena(): boolean {
    return false;
  }
}

/** Premature arena release: an arena is unmapped as soon as one of its pools empties. */
export class ReleasesArenaWithLiveBlocks extends ReferenceAllocator {
  protected override release(live: Live): void {
    super.release(live);
    if (live.raw || live.pool.live > 0) return;
    const arena: Arena = live.arena;
    if (this.arenas.includes(arena) && arena.pools.some((pool) => pool.live > 0)) {
      this.arenas.splice(this.arenas.indexOf(arena), 1);
      this.addressSpace.unmapArena(arena.slot);
    }
  }
}

/** Wrong block choice: the highest free block instead of the lowest (spec/policy.md §2.2). */
export class ChoosesHighestBlock extends ReferenceAllocator {
  protected override lowestFreeBlock(pool: Pool): number {
    return pool.blocks.findLastIndex((b) => b === undefined);
  }
}

export const BUGS = [
  {
    slug: "overlap",
    bug: "overlap (a live block handed out again)",
    property: "I01-disjoint",
    invariant: 1,
    Allocator: HandsOutLiveBlock,
  },
  {
    slug: "misalignment",
    bug: "misalignment",
    property: "I03-aligned",
    invariant: 3,
    Allocator: MisalignsLargerClasses,
  },
  {
    slug: "missing-arena-release",
    bug: "missing arena release",
    property: "I06-arena-release",
    invariant: 6,
    Allocator: NeverReleasesArenas,
  },
  {
    slug: "premature-arena-release",
    bug: "premature arena release",
    property: "I06-arena-release",
    invariant: 6,
    Allocator: ReleasesArenaWithLiveBlocks,
  },
  {
    slug: "wrong-block-choice",
    bug: "wrong block choice",
    property: "I11-equivalence",
    invariant: 11,
    Allocator: ChoosesHighestBlock,
  },
] as const;
