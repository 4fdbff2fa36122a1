/**
 * Class-sized regions of one growable typed array, one per used pool (spec/bitmap.md §1.3). The
 * requested sizes (requested-sizes.ts: one entry per block) and the free-block bits
 * (pool-bitmaps.ts: the words of the class's bit layout) both keep a pool's entries in a region
 * whose length depends on the pool's class, so each array holds about what the used pools need,
 * not the longest class's region for every pool (3.12: class 0 has 1021 blocks a pool, class 31
 * has 31; its bits are 33 words against one):
 *
 *   array  │ region (class 3) │ region (class 0) ............ │ region (class 3) │ …   │ uncut
 *            ▲ start[gp]                                        length[c] entries       ▲ used
 *
 *   start[gp] = the first entry of pool gp's region, −1 while the pool has no class
 *
 * A pool gets a region when it takes class c (`assign`) and gives it back when it empties
 * (`release`); a given-back region is reused by the next pool of the same class (a stack per
 * class), a new one is cut at `used`. The owner keeps the array and makes room for `used` entries
 * (`withRoomFor`). Both O(1), amortised; `regionProblems` is the check of invariant 12. The two
 * owners extend this class (their hot paths read `start` as their own field).
 */
import { Problems } from "../../core/integrity.ts";
import { resized, withRoomFor } from "../../core/typed-growth.ts";

export class ClassRegions {
  /** The first entry of each pool's region, −1 while the pool has no class. */
  start: Int32Array;
  /** Entries cut into regions so far. */
  used = 0;
  /** lengths[c]: the entries of a class-c region. */
  readonly lengths: Int32Array;
  /** Per class, the starts of regions given back (a stack of `spareCount[c]`). */
  private readonly spare: Int32Array[];
  private readonly spareCount: Int32Array;
  /** What the entries are, for the messages of `regionProblems` ("requested-size", "free-bit"). */
  private readonly noun: string;
  /**
   * regionProblems' count of the regions claiming each entry, all 0 between checks: kept from
   * one check to the next (no array of `used` entries made and dropped per check, which the
   * properties run after every operation).
   */
  private taken = new Uint8Array(0);

  /** No pools yet: `ensurePools` makes room as arenas are mapped. */
  constructor(lengths: readonly number[], noun: string) {
    this.lengths = Int32Array.from(lengths);
    this.noun = noun;
    this.start = new Int32Array(0);
    this.spare = lengths.map(() => new Int32Array(1));
    this.spareCount = new Int32Array(lengths.length);
  }

  /** Makes room for at least `pools` pools; called only to grow (see `PoolTable.ensureArenas`). */
  ensurePools(pools: number): void {
    this.start = resized(this.start, Math.max(pools, this.start.length), -1);
  }

  /** The pool takes class c: a region of lengths[c] entries; returns its start. O(1). */
  assign(pool: number, sizeClass: number): number {
    const count = this.spareCount[sizeClass]!;
    if (count > 0) {
      this.spareCount[sizeClass] = count - 1;
      return (this.start[pool] = this.spare[sizeClass]![count - 1]!);
    }
    const first = this.used;
    this.used = first + this.lengths[sizeClass]!;
    return (this.start[pool] = first);
  }

  /** The pool (of class c) emptied: its region goes back to class c's stack. O(1), amortised. */
  release(pool: number, sizeClass: number): void {
    const count = this.spareCount[sizeClass]!;
    const spare = (this.spare[sizeClass] = withRoomFor(this.spare[sizeClass]!, count + 1));
    spare[count] = this.start[pool]!;
    this.spareCount[sizeClass] = count + 1;
    this.start[pool] = -1;
  }

  /**
   * Invariant 12: exactly the used pools (`sizeClass[gp]` ≥ 0) have a region, and the regions in
   * use and on the stacks tile the entries cut so far: each lies inside them, none overlaps
   * another, and no entry is left over (a region neither in use nor on a stack is lost for good).
   * O(pools + entries).
   */
  regionProblems(sizeClass: Int16Array): readonly string[] {
    const problems = new Problems();
    const noun = this.noun;
    this.taken = withRoomFor(this.taken, this.used);
    for (let gp = 0; gp < this.start.length; gp++) {
      const c = sizeClass[gp]!;
      const first = this.start[gp]!;
      problems.expect(
        (c === -1) === (first === -1),
      )`pool ${gp} of class ${c} has ${noun} region ${first}`;
      if (c >= 0)
        problems.expect(
          this.claim(first, c) === 0,
        )`pool ${gp}: ${noun} region ${first} (class ${c}) lies outside the ${this.used} entries cut or overlaps another`;
    }
    for (let c = 0; c < this.spare.length; c++) {
      for (let i = 0; i < this.spareCount[c]!; i++) {
        problems.expect(
          this.claim(this.spare[c]![i]!, c) === 0,
        )`spare ${noun} region ${this.spare[c]![i]} (class ${c}) lies outside the ${this.used} entries cut or overlaps another`;
      }
    }
    const lost = this.taken.subarray(0, this.used).indexOf(0);
    problems.expect(
      lost === -1,
    )`${noun} entry ${lost} of the ${this.used} cut belongs to no region in use or spare (lost)`;
    this.taken.fill(0, 0, this.used); // clear for the next check
    return problems.list;
  }

  /**
   * For regionProblems: 0 when class c's region at `first` lies inside the cut entries and
   * overlaps none claimed before in this check; its entries are claimed.
   */
  private claim(first: number, c: number): number {
    const taken = this.taken;
    const end = first + this.lengths[c]!;
    let bad = Number(!(first >= 0 && end <= this.used));
    for (let i = Math.max(first, 0); i < Math.min(end, this.used); i++) bad += taken[i]++;
    return bad;
  }
}
