/**
 * What each live small block was asked for, stored as `classSize − requested` in one typed array
 * indexed by `pool · blocksPerPool[0] + block` (spec/bitmap.md §1.3; invariant 7).
 *
 * The difference is small: a malloc'd block of class c asked for more than c·A bytes, so it is
 * below A; a block kept in place by realloc asked for more than 3/4 of its class size, so it is
 * below ⌈classSize/4⌉ ≤ ⌈T/4⌉. With CPython's A = 16, T = 512 that is < 128: one byte per block.
 */
import type { Geometry } from "../geometry.ts";
import { resized } from "./typed-growth.ts";

/** The largest `classSize − requested` a live block can hold (see above). */
export function maxSlack(geometry: Geometry): number {
  return Math.max(geometry.alignment - 1, Math.ceil(geometry.smallThreshold / 4) - 1);
}

export class RequestedSizes {
  /** Entries per pool: the most blocks any class has in a pool (class 0). */
  readonly blocksPerRegion: number;
  /** slack[pool · blocksPerRegion + block] = classSize − requested, for live blocks. */
  slack: Uint8Array | Uint16Array | Uint32Array;

  constructor(geometry: Geometry, pools: number) {
    this.blocksPerRegion = Math.max(...geometry.blocksPerPool);
    const limit = maxSlack(geometry);
    const length = pools * this.blocksPerRegion;
    this.slack = limit <= 0xff ? new Uint8Array(length) : limit <= 0xffff ? new Uint16Array(length) : new Uint32Array(length);
  }

  /** Makes room for at least `pools` pools; called only to grow (see `PoolTable.ensureArenas`). */
  ensurePools(pools: number): void {
    this.slack = resized(this.slack, Math.max(pools * this.blocksPerRegion, this.slack.length));
  }

  get(pool: number, block: number): number {
    return this.slack[pool * this.blocksPerRegion + block]!;
  }

  set(pool: number, block: number, slack: number): void {
    this.slack[pool * this.blocksPerRegion + block] = slack;
  }
}
