/**
 * Seeded bugs in the bitmap allocator's realloc and its bookkeeping (spec/policy.md §4,
 * invariants 7, 8, 10): the shipped BitmapAllocator with one method overridden, the shipped
 * code copied with exactly one mistake, marked `BUG:`.
 */
import { BitmapAllocator } from "../../../src/allocators/bitmap/bitmap-allocator.ts";
import { reallocStaysInPlace } from "../../../src/core/geometry.ts";
import { classifyBadPointer, validateSize } from "../../../src/core/misuse.ts";

/** realloc loses the data: `copyWithin`'s third argument is an end, not a length. */
export class CopyWithinLength extends BitmapAllocator {
  protected override copy(from: number, to: number, length: number): void {
    const space = this.addressSpace;
    const fromSlot = space.slotOf(from);
    const toSlot = space.slotOf(to);
    if (fromSlot === -1 || toSlot === -1) {
      space.view(to, length).set(space.view(from, length));
      return;
    }
    const source = this.arenaBytes[fromSlot]!;
    const target = this.arenaBytes[toSlot]!;
    const fromOffset = from - space.arenaStart(fromSlot);
    const toOffset = to - space.arenaStart(toSlot);
    if (source === target)
      target.copyWithin(toOffset, fromOffset, length); // BUG: fromOffset + length
    else target.set(source.subarray(fromOffset, fromOffset + length), toOffset);
  }
}

/** realloc frees the old block when it fails: the caller's block is gone although null said "unchanged". */
export class FreesOldBlockOnFailure extends BitmapAllocator {
  protected override reallocSmall(
    p: number,
    gp: number,
    c: number,
    k: number,
    n: number,
  ): number | null {
    const size = this.classSizes[c]!;
    const oldRequested = size - this.requestedSizes.get(gp, k);
    if (reallocStaysInPlace(size, n)) {
      this.requestedSizes.set(gp, k, size - n);
      this.requested.change(n - oldRequested);
      return p;
    }
    const q = n === 0 || n > this.threshold ? this.addressSpace.mapRaw(n) : this.allocateSmall(n);
    if (q === -1) return (this.requested.change(-this.freeSmall(gp, c, k)), null); // BUG: was `return null`: the failure path frees the block
    this.copy(p, q, Math.min(size, n));
    this.freeSmall(gp, c, k);
    this.requested.change(n - oldRequested);
    return q;
  }
}

/** Stats drift: an in-place realloc updates the block's requested size but not the total. */
export class InPlaceReallocNotCounted extends BitmapAllocator {
  protected override reallocSmall(
    p: number,
    gp: number,
    c: number,
    k: number,
    n: number,
  ): number | null {
    const size = this.classSizes[c]!;
    const oldRequested = size - this.requestedSizes.get(gp, k);
    if (reallocStaysInPlace(size, n)) {
      this.requestedSizes.set(gp, k, size - n);
      // BUG: `this.requested.change(n - oldRequested);` is missing
      return p;
    }
    const q = n === 0 || n > this.threshold ? this.addressSpace.mapRaw(n) : this.allocateSmall(n);
    if (q === -1) return null;
    this.copy(p, q, Math.min(size, n));
    this.freeSmall(gp, c, k);
    this.requested.change(n - oldRequested);
    return q;
  }
}

/** Raw/small mix-up: realloc of a raw block to a small size moves it into a pool (raw blocks stay raw). */
export class RawBlockMovesIntoPool extends BitmapAllocator {
  override realloc(p: number | null, n: number): number | null {
    validateSize(this.geometry, n);
    if (p === null) return this.malloc(n);
    const gp = this.locateSmall(p);
    if (gp !== -1) return this.reallocSmall(p, gp, this.foundClass, this.foundBlock, n);
    const space = this.addressSpace;
    const size = typeof p === "number" ? space.rawSize(p) : -1;
    if (size === -1) classifyBadPointer(space, this.query, p, "realloc");
    const oldRequested = space.rawRequested(p);
    const q = n === 0 || n > this.threshold ? space.mapRaw(n) : this.allocateSmall(n); // BUG: was `space.mapRaw(n)`: raw blocks stay raw
    if (q === -1) return null;
    this.copy(p, q, Math.min(size, n));
    space.unmapRaw(p);
    this.requested.change(n - oldRequested);
    return q;
  }
}
