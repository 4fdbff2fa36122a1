/**
 * What the bitmap allocator's helpers (heap query, snapshot, check) may read of its state: the
 * structures of spec/bitmap.md §1, implemented by `BitmapAllocator`.
 */
import type { AddressSpace } from "../../core/address-space.ts";
import type { LevelBitset } from "../../core/bits/level-bitset.ts";
import type { Geometry } from "../../core/geometry.ts";
import type { RequestedBytes } from "../../core/stats.ts";
import type { ArenaBuckets } from "./arena-buckets.ts";
import type { ClassPools } from "./class-pools.ts";
import type { PoolBitmaps } from "./pool-bitmaps.ts";
import type { PoolTable } from "./pool-table.ts";
import type { RequestedSizes } from "./requested-sizes.ts";

export interface BitmapHeap {
  readonly kind: string;
  readonly geometry: Geometry;
  readonly addressSpace: AddressSpace;
  readonly table: PoolTable;
  readonly bitmaps: PoolBitmaps;
  readonly requestedSizes: RequestedSizes;
  readonly classes: ClassPools;
  readonly buckets: ArenaBuckets;
  /** Member ⇔ a pool of a mapped arena with no live block (global pool index). */
  readonly emptyPools: LevelBitset;
  /** Mapped arenas with no live block (0, or 1 when the geometry keeps one). */
  readonly whollyEmptyArenas: number;
  readonly requested: RequestedBytes;
}
