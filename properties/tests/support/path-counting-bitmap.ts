/**
 * The bitmap allocator with its fast paths (spec/bitmap.md §3.1) switched on or off at will, and
 * counting the calls that reach the generic path's small steps (allocateSmall, freeSmall), so a
 * test can tell which path each call took. Off is what every subclass gets, a seeded bug
 * included; on is what the shipped class gets (createAllocator("bitmap")).
 */
import { BitmapAllocator } from "../../../src/allocators/bitmap/bitmap-allocator.ts";
import { AddressSpace } from "../../../src/core/address-space.ts";
import type { Geometry } from "../../../src/core/geometry.ts";

export class PathCountingBitmap extends BitmapAllocator {
  /** Calls of allocateSmall: small mallocs (and moving reallocs) on the generic path. */
  genericSmallMallocs = 0;
  /** Calls of freeSmall: frees of small blocks (and moving reallocs) on the generic path. */
  genericSmallFrees = 0;

  constructor(geometry: Geometry, fastPaths: boolean) {
    super(geometry, new AddressSpace(geometry));
    (this as unknown as { fastPaths: boolean }).fastPaths = fastPaths;
  }

  get takesFastPaths(): boolean {
    return this.fastPaths;
  }

  protected override allocateSmall(n: number): number {
    this.genericSmallMallocs++;
    return super.allocateSmall(n);
  }

  protected override freeSmall(gp: number, c: number, k: number): number {
    this.genericSmallFrees++;
    return super.freeSmall(gp, c, k);
  }
}
