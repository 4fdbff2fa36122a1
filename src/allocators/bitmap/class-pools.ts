/**
 * Per size class: the partly used pools and the counts `stats()` needs (spec/bitmap.md §1.4).
 *
 *   partly[c]   LevelBitset over global pool indices: member ⇔ a pool of class c with
 *               0 < live < blocksPerPool[c]
 *   lowest[c]   Int32Array: partly[c]'s smallest member, or −1: the lowest-address partly used
 *               pool (spec/policy.md §2.1) in one array read, like CPython's usedpools[c] head.
 *               Kept on add (a smaller member) and remove (the next member, O(levels)).
 *   pools[c]    pools of class c holding a live block  ┐ kept on every transition, so
 *   blocks[c]   live blocks of class c                 ┘ stats() is O(classes) (invariant 7)
 */
import { LevelBitset } from "../../core/bits/level-bitset.ts";
import type { Geometry } from "../../core/geometry.ts";

export class ClassPools {
  readonly partly: readonly LevelBitset[];
  readonly lowest: Int32Array;
  readonly pools: Int32Array;
  readonly blocks: Int32Array;

  constructor(geometry: Geometry) {
    this.partly = Array.from(
      { length: geometry.sizeClasses },
      () => new LevelBitset(geometry.poolsPerArena),
    );
    this.lowest = new Int32Array(geometry.sizeClasses).fill(-1);
    this.pools = new Int32Array(geometry.sizeClasses);
    this.blocks = new Int32Array(geometry.sizeClasses);
  }

  /** The pool became partly used. O(levels). */
  addPartly(sizeClass: number, gp: number): void {
    this.partly[sizeClass]!.add(gp);
    const lowest = this.lowest[sizeClass]!;
    if (lowest === -1 || gp < lowest) this.lowest[sizeClass] = gp;
  }

  /** The pool stopped being partly used (full, or empty). O(levels). */
  removePartly(sizeClass: number, gp: number): void {
    const partly = this.partly[sizeClass]!;
    partly.delete(gp);
    // The lowest member left: every other member is above gp, so the set's first is the next.
    if (this.lowest[sizeClass] === gp) this.lowest[sizeClass] = partly.first();
  }
}
