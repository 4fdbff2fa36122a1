/**
 * Bytes of the bitmap allocator's typed-array metadata (pool and arena tables, bit regions,
 * requested sizes): what the benchmarks report beside each heap (spec/bitmap.md §1).
 */
import type { BitmapAllocator } from "../allocators/bitmap/bitmap-allocator.ts";

export function bitmapMetadataBytes(a: BitmapAllocator): number {
  const t = a.table;
  return (
    t.sizeClass.byteLength +
    t.live.byteLength +
    t.address.byteLength +
    t.emptyPools.byteLength +
    t.mapped.byteLength +
    a.bitmaps.words.byteLength +
    a.bitmaps.start.byteLength +
    a.requestedSizes.slack.byteLength +
    a.requestedSizes.start.byteLength
  );
}
