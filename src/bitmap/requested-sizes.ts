/**
 * What each live small block was asked for, stored as `classSize − requested` (spec/bitmap.md
 * §1.3; invariant 7), in class-sized regions of one typed array:
 *
 *   slack  │ region (class 3) │ region (class 0) ............ │ region (class 3) │ …
 *            ▲ start[gp]                                         entries: blocksPerPool[c]
 *
 *   slack[start[gp] + k] = classSize − requested for live block k of pool gp
 *   start[gp]            = −1 while the pool has no class
 *
 * A pool gets a region of blocksPerPool[c] entries when it takes class c (`assign`) and gives it
 * back when it empties (`release`); given-back regions are reused by the next pool of the same
 * class (a stack per class), new ones are cut from the end of `slack`, which doubles when full.
 * So the array holds about one entry per block of the used pools, not blocksPerPool[0] entries
 * for every pool (3.12: a 16-byte class has 1021 blocks a pool, a 512-byte class 31): 1 MiB
 * instead of 17 MiB at 10^6 live blocks, and the entry a free reads is more often in the cache.
 *
 * The difference itself is small: a malloc'd block of class c asked for more than c·A bytes, so
 * it is below A; a block kept in place by realloc asked for more than 3/4 of its class size, so
 * it is below ⌈classSize/4⌉ ≤ ⌈T/4⌉. With CPython's A = 16, T = 512 that is < 128: one byte.
 */
import type { Geometry } from "../geometry.ts";
import { Problems } from "../integrity.ts";
import { resized } from "./typed-growth.ts";

/** The largest `classSize − requested` a live block can hold (see above). */
export function maxSlack(geometry: Geometry): number {
  return Math.max(geometry.alignment - 1, Math.ceil(geometry.smallThreshold / 4) - 1);
}

export class RequestedSizes {
  /** slack[start[pool] + block] = classSize − requested, for live blocks. */
  slack: Uint8Array | Uint16Array | Uint32Array;
  /** The first entry of each pool's region, −1 while the pool has no class. */
  start: Int32Array;
  /** Entries of `slack` cut into regions so far. */
  private used = 0;
  /** Per class, the starts of regions given back (a stack of `spareCount[c]`). */
  private readonly spare: Int32Array[];
  private readonly spareCount: Int32Array;
  private readonly blocksPerPool: Int32Array;

  /** No pools yet: `ensurePools` makes room as arenas are mapped. */
  constructor(geometry: Geometry) {
    this.blocksPerPool = Int32Array.from(geometry.blocksPerPool);
    // The narrowest entry that holds every slack (one byte for CPython's geometries).
    const limit = maxSlack(geometry);
    this.slack = limit <= 0xff ? new Uint8Array(0) : limit <= 0xffff ? new Uint16Array(0) : new Uint32Array(0);
    this.start = new Int32Array(0);
    this.spare = geometry.blocksPerPool.map(() => new Int32Array(1));
    this.spareCount = new Int32Array(geometry.sizeClasses);
  }

  /** Makes room for at least `pools` pools; called only to grow (see `PoolTable.ensureArenas`). */
  ensurePools(pools: number): void {
    this.start = resized(this.start, Math.max(pools, this.start.length), -1);
  }

  /** The pool takes class c: a region of blocksPerPool[c] entries. O(1), amortised. */
  assign(pool: number, sizeClass: number): void {
    const count = this.spareCount[sizeClass]!;
    if (count > 0) {
      this.spareCount[sizeClass] = count - 1;
      this.start[pool] = this.spare[sizeClass]![count - 1]!;
      return;
    }
    const length = this.blocksPerPool[sizeClass]!;
    if (this.used + length > this.slack.length) {
      // Stryker disable next-line MethodExpression,ArithmeticOperator: equivalent: any length >= used + length is correct; doubling only makes growth amortised O(1)
      this.slack = resized(this.slack, Math.max(2 * this.slack.length, this.used + length));
    }
    this.start[pool] = this.used;
    this.used += length;
  }

  /** The pool (of class c) emptied: its region goes back to class c's stack. O(1), amortised. */
  release(pool: number, sizeClass: number): void {
    const count = this.spareCount[sizeClass]!;
    if (count === this.spare[sizeClass]!.length) this.spare[sizeClass] = resized(this.spare[sizeClass]!, 2 * count);
    this.spare[sizeClass]![count] = this.start[pool]!;
    this.spareCount[sizeClass] = count + 1;
    this.start[pool] = -1;
  }

  get(pool: number, block: number): number {
    return this.slack[this.start[pool]! + block]!;
  }

  set(pool: number, block: number, slack: number): void {
    this.slack[this.start[pool]! + block] = slack;
  }

  /**
   * Invariant 12: exactly the used pools (`sizeClass[gp]` ≥ 0) have a region, and the regions in
   * use and on the stacks tile the entries cut so far: each lies inside them, none overlaps
   * another, and no entry is left over (a region neither in use nor on a stack is lost for good).
   * O(pools + entries).
   */
  check(sizeClass: Int16Array): string[] {
    const problems = new Problems();
    const taken = new Uint8Array(this.used);
    /** 0 when class c's region at `first` lies inside the cut entries and overlaps none claimed before. */
    const claim = (first: number, c: number): number => {
      const end = first + this.blocksPerPool[c]!;
      let bad = Number(!(first >= 0 && end <= this.used));
      for (let i = Math.max(first, 0); i < Math.min(end, this.used); i++) bad += taken[i]++;
      return bad;
    };
    for (let gp = 0; gp < this.start.length; gp++) {
      const c = sizeClass[gp]!;
      const first = this.start[gp]!;
      problems.expect((c === -1) === (first === -1))`pool ${gp} of class ${c} has requested-size region ${first}`;
      if (c >= 0) problems.expect(claim(first, c) === 0)`pool ${gp}: requested-size region ${first} (class ${c}) lies outside the ${this.used} entries cut or overlaps another`;
    }
    for (let c = 0; c < this.spare.length; c++) {
      for (let i = 0; i < this.spareCount[c]!; i++) {
        problems.expect(claim(this.spare[c]![i]!, c) === 0)`spare requested-size region ${this.spare[c]![i]} (class ${c}) lies outside the ${this.used} entries cut or overlaps another`;
      }
    }
    const lost = taken.indexOf(0);
    problems.expect(lost === -1)`requested-size entry ${lost} of the ${this.used} cut belongs to no region in use or spare (lost)`;
    return problems.list;
  }
}
