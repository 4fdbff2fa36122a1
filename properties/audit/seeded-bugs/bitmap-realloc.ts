/**
 * Seeded bugs in the bitmap allocator's realloc and its bookkeeping (spec/policy.md §4,
 * invariants 7, 8, 10): the shipped BitmapAllocator with one step overridden, the shipped step
 * copied with exactly one mistake, marked `BUG:`.
 */
import { BitmapAllocator } from "../../../src/allocators/bitmap/bitmap-allocator.ts";
import { classifyBadPointer } from "../../../src/core/misuse.ts";

/** realloc loses the data: a same-arena copy by `copyWithin`, whose third argument is an end. */
export class CopyWithinLength extends BitmapAllocator {
  protected override copyBetweenArenas(
    fromSlot: number,
    fromOffset: number,
    toSlot: number,
    toOffset: number,
    length: number,
  ): void {
    const source = this.arenaView(fromSlot);
    const target = this.arenaView(toSlot);
    if (source === target)
      target.copyWithin(toOffset, fromOffset, length); // BUG: fromOffset + length
    else target.set(source.subarray(fromOffset, fromOffset + length), toOffset);
  }
}

/** realloc frees the old block when it fails: the caller's block is gone although null said "unchanged". */
export class FreesOldBlockOnFailure extends BitmapAllocator {
  protected override reallocMoving(
    p: number,
    gp: number,
    c: number,
    k: number,
    n: number,
  ): number | null {
    const q = this.allocate(n);
    if (q === -1) return (this.requested.change(-this.freeSmall(gp, c, k)), null); // BUG: was `return null`: the failure path frees the block
    this.copy(p, q, Math.min(this.classSizes[c]!, n));
    const oldRequested = this.freeSmall(gp, c, k);
    this.requested.change(n - oldRequested);
    return q;
  }
}

/** Stats drift: an in-place realloc updates the block's requested size but not the total. */
export class InPlaceReallocNotCounted extends BitmapAllocator {
  protected override resizeInPlace(gp: number, k: number, size: number, n: number): void {
    this.requestedSizes.set(gp, k, size - n);
    // BUG: `this.requested.change(n - oldRequested);` is missing
  }
}

/** Raw/small mix-up: realloc of a raw block to a small size moves it into a pool (raw blocks stay raw). */
export class RawBlockMovesIntoPool extends BitmapAllocator {
  protected override reallocRaw(p: number, n: number): number | null {
    const space = this.addressSpace;
    const size = space.rawSize(p);
    if (size === -1) classifyBadPointer(space, this.query, p, "realloc");
    const oldRequested = space.rawRequested(p);
    const q = this.allocate(n); // BUG: was `space.mapRaw(n)`: raw blocks stay raw
    if (q === -1) return null;
    this.copy(p, q, Math.min(size, n));
    space.unmapRaw(p);
    this.requested.change(n - oldRequested);
    return q;
  }
}
