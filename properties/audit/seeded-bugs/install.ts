/**
 * Helpers for the seeded bugs: a variant that needs a buggy helper structure (the pool bits)
 * installs its subclass in place of the allocator's before any call.
 */
import type { BitmapAllocator } from "../../../src/allocators/bitmap/bitmap-allocator.ts";
import type { PoolBitmaps } from "../../../src/allocators/bitmap/pool-bitmaps.ts";

/** Replaces the allocator's (still empty) pool bits; called from a variant's constructor. */
export function installBitmaps(allocator: BitmapAllocator, bitmaps: PoolBitmaps): void {
  (allocator as { bitmaps: PoolBitmaps }).bitmaps = bitmaps;
}
