/**
 * What each live small block was asked for, stored as `classSize − requested` (spec/bitmap.md
 * §1.3; invariant 7), one entry per block in the pool's class-sized region (class-regions.ts):
 *
 *   slack  │ region (class 3) │ region (class 0) ............ │ region (class 3) │ …
 *            ▲ start[gp]                                         entries: blocksPerPool[c]
 *
 *   slack[start[gp] + k] = classSize − requested for live block k of pool gp
 *
 * So the array holds about one entry per block of the used pools, not blocksPerPool[0] entries
 * for every pool: 1 MiB instead of 17 MiB at 10^6 live blocks, and the entry a free reads is
 * more often in the cache.
 *
 * The difference itself is small: a malloc'd block of class c asked for more than c·A bytes, so
 * it is below A; a block kept in place by realloc asked for more than 3/4 of its class size, so
 * it is below ⌈classSize/4⌉ ≤ ⌈T/4⌉. With CPython's A = 16, T = 512 that is < 128: one byte.
 */
import type { Geometry } from "../../core/geometry.ts";
import { ClassRegions } from "./class-regions.ts";
import { withRoomFor } from "../../core/typed-growth.ts";

/** The largest `classSize − requested` a live block can hold (see above). */
export function maxSlack(geometry: Geometry): number {
  return Math.max(geometry.alignment - 1, Math.ceil(geometry.smallThreshold / 4) - 1);
}

export class RequestedSizes extends ClassRegions {
  /** slack[start[pool] + block] = classSize − requested, for live blocks. */
  slack: Uint8Array | Uint16Array | Uint32Array;

  /** No pools yet: `ensurePools` (ClassRegions) makes room as arenas are mapped. */
  constructor(geometry: Geometry) {
    super(geometry.blocksPerPool, "requested-size");
    // The narrowest entry that holds every slack (one byte for CPython's geometries).
    const limit = maxSlack(geometry);
    this.slack =
      limit <= 0xff ? new Uint8Array(0) : limit <= 0xffff ? new Uint16Array(0) : new Uint32Array(0);
  }

  /** The pool takes class c: a region of blocksPerPool[c] entries. O(1), amortised. */
  override assign(pool: number, sizeClass: number): number {
    const first = super.assign(pool, sizeClass);
    this.slack = withRoomFor(this.slack, this.used);
    return first;
  }

  get(pool: number, block: number): number {
    return this.slack[this.start[pool]! + block]!;
  }

  set(pool: number, block: number, slack: number): void {
    this.slack[this.start[pool]! + block] = slack;
  }
}
