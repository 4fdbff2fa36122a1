/**
 * Per size class: the partly used pools and the counts `stats()` needs (spec/bitmap.md §1.4).
 *
 *   partly      LevelBitsets, set c over global pool indices: member ⇔ a pool of class c
 *               with 0 < live < blocksPerPool[c] (every class's set in one array: spec/bitmap.md §2)
 *   lowest[c]   Int32Array, the set's own cache (partly.lowest): set c's smallest member, or −1:
 *               the lowest-address partly used pool (spec/policy.md §2.1) in one array read, like
 *               CPython's usedpools[c] head. Kept on add (a smaller member) and delete (the next
 *               member, O(levels)).
 *   pools[c]    pools of class c holding a live block  ┐ kept on every transition, so
 *   blocks[c]   live blocks of class c                 ┘ stats() is O(classes) (invariant 7)
 */
import { LevelBitsets } from "../../core/bits/level-bitset.ts";
import type { Geometry } from "../../core/geometry.ts";

export class ClassPools {
  readonly partly: LevelBitsets;
  readonly lowest: Int32Array;
  readonly pools: Int32Array;
  readonly blocks: Int32Array;

  constructor(geometry: Geometry) {
    this.partly = new LevelBitsets(geometry.sizeClasses, geometry.poolsPerArena);
    this.lowest = this.partly.lowest;
    this.pools = new Int32Array(geometry.sizeClasses);
    this.blocks = new Int32Array(geometry.sizeClasses);
  }

  /** The pool became partly used. O(levels). */
  addPartly(sizeClass: number, gp: number): void {
    this.partly.add(sizeClass, gp);
  }

  /** The pool stopped being partly used (full, or empty). O(levels). */
  removePartly(sizeClass: number, gp: number): void {
    this.partly.delete(sizeClass, gp);
  }
}
