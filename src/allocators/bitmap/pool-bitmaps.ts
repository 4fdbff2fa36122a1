/**
 * The free-block bits of every used pool, in one Uint32Array (spec/bitmap.md §1.2), each pool's
 * in a region the length of its class's bit layout (class-regions.ts):
 *
 *   words: │ region (class 3) │ region (class 0) ............ │ region (class 31) │ …
 *            ▲ start[gp]          totalWords of bitLayout(blocksPerPool[c]) words
 *   region of a class-c pool, laid out by bitLayout(blocksPerPool[c]):
 *          │ level 0: bit k = 1 ⇔ block k is free │ level 1: bit w ⇔ level-0 word w ≠ 0 │ … │ top │
 *
 * A pool gets its region when it takes a class (`assign`: every block free) and gives it back
 * when it empties (`release`). 3.12: a class-0 pool (1021 blocks) has 33 words, a class-31 pool
 * (31 blocks) one; with one stride for every pool (the longest layout), most of the words were
 * never used and a free's bit was rarely in the cache at 10^6 live blocks (reports/bench.md).
 * Finding the lowest free block is one ctz per level (`takeLowest`), never a scan of the level-0
 * words: a 1021-block pool is 32 level-0 words under one summary word (invariant 5's "lowest
 * free block" in O(levels)).
 */
import {
  bitLayout,
  clearBit,
  ctz32,
  fillFirst,
  nextSetBit,
  popcount32,
  setBit,
  testBit,
  type BitLayout,
} from "../../core/bits/level-bitset.ts";
import type { Geometry } from "../../core/geometry.ts";
import { Problems } from "../../core/integrity.ts";
import { ClassRegions } from "./class-regions.ts";
import { withRoomFor } from "../../core/typed-growth.ts";

export class PoolBitmaps extends ClassRegions {
  /** layouts[c] = bitLayout(blocksPerPool[c]). */
  readonly layouts: readonly BitLayout[];
  protected readonly blocksPerPool: Int32Array;
  /** levels[c]: 1 (≤ 32 blocks), 2 (≤ 1024 blocks: every CPython preset), or more. */
  readonly levels: Int32Array;
  /**
   * summaryOffset[c]: the word offset of level 1 in a class-c region (two-level fast paths: here
   * and the allocator's mallocFast and freeFast).
   */
  readonly summaryOffset: Int32Array;
  /** The regions; doubled when a new region does not fit. */
  words: Uint32Array;

  /** No regions yet: `ensurePools` (ClassRegions) makes room as arenas are mapped. */
  constructor(geometry: Geometry) {
    const layouts = geometry.blocksPerPool.map((blocks) => bitLayout(blocks));
    super(
      layouts.map((layout) => layout.totalWords),
      "free-bit",
    );
    this.layouts = layouts;
    this.blocksPerPool = Int32Array.from(geometry.blocksPerPool);
    // Stryker disable next-line ArrowFunction: equivalent: spec/audit.md §3.1 #2
    this.levels = Int32Array.from(layouts, (layout) => layout.offsets.length);
    this.summaryOffset = Int32Array.from(layouts, (layout) => layout.offsets[1] ?? 0);
    this.words = new Uint32Array(0);
  }

  /** A pool becomes class c: a region with every block free. O(words of class c's layout). */
  override assign(pool: number, sizeClass: number): number {
    const first = super.assign(pool, sizeClass);
    this.words = withRoomFor(this.words, this.used);
    fillFirst(this.words, first, this.layouts[sizeClass]!, this.blocksPerPool[sizeClass]!);
    return first;
  }

  /**
   * Claims and returns the lowest free block (spec/policy.md §2.2). The pool must have one.
   * O(levels): one- and two-level layouts (every CPython preset) are written out, so the usual
   * case is two loads, two ctz and one or two stores; deeper layouts use the generic functions.
   */
  takeLowest(pool: number, sizeClass: number): number {
    const words = this.words;
    const base = this.start[pool]!;
    const levels = this.levels[sizeClass]!;
    // Stryker disable next-line BlockStatement: equivalent: spec/audit.md §3.1 #3
    if (levels === 1) {
      const word = words[base]!;
      words[base] = word & (word - 1);
      return ctz32(word);
    }
    // Stryker disable next-line BlockStatement: equivalent: spec/audit.md §3.1 #3
    if (levels === 2) {
      const at = base + this.summaryOffset[sizeClass]!;
      const summary = words[at]!;
      const w = ctz32(summary);
      const word = words[base + w]!;
      const rest = word & (word - 1);
      words[base + w] = rest;
      if (rest === 0) words[at] = summary & (summary - 1); // that word is full now
      return (w << 5) | ctz32(word);
    }
    const layout = this.layouts[sizeClass]!;
    const block = nextSetBit(words, base, layout, 0);
    clearBit(words, base, layout, block);
    return block;
  }

  /** Block k becomes free again. O(levels), written out for one and two levels. */
  freeBlock(pool: number, sizeClass: number, block: number): void {
    const words = this.words;
    const base = this.start[pool]!;
    const levels = this.levels[sizeClass]!;
    // Stryker disable next-line BlockStatement: equivalent: spec/audit.md §3.1 #3
    if (levels === 1) {
      words[base] |= 1 << block;
      return;
    }
    // Stryker disable next-line BlockStatement: equivalent: spec/audit.md §3.1 #3
    if (levels === 2) {
      const w = block >>> 5;
      words[base + w] |= 1 << (block & 31);
      words[base + this.summaryOffset[sizeClass]!] |= 1 << w; // already set unless the word was full
      return;
    }
    setBit(words, base, this.layouts[sizeClass]!, block);
  }

  /** Whether block k of the pool is free (the pool must have a class; k < blocksPerPool of it). */
  isFree(pool: number, block: number): boolean {
    return testBit(this.words, this.start[pool]!, block);
  }

  /** The live blocks among bits 32w … 32w+31 of a class-c pool, as a word (1 = live). */
  liveWord(pool: number, sizeClass: number, w: number): number {
    const blocks = this.blocksPerPool[sizeClass]!;
    const valid = blocks - 32 * w >= 32 ? -1 : (1 << (blocks - 32 * w)) - 1;
    return ~this.words[this.start[pool]! + w]! & valid;
  }

  /**
   * Invariant 12 for one used pool: the level-0 bits count exactly the free blocks, no bit is set
   * past the last block, and every summary bit says whether the word below it is non-zero.
   * The messages do not name the pool; the caller prefixes them (`Problems.include`).
   */
  poolProblems(pool: number, sizeClass: number, live: number): readonly string[] {
    const problems = new Problems();
    const words = this.words;
    const base = this.start[pool]!;
    const layout = this.layouts[sizeClass]!;
    const blocks = this.blocksPerPool[sizeClass]!;
    let free = 0;
    for (let w = 0; w < layout.words[0]!; w++) {
      const word = words[base + w]!;
      free += popcount32(word);
      // The bits of word w that lie past the last block: none when the word is wholly inside
      // (2^32 − 1 | 0 = −1 keeps every bit), the high ones of a partial last word.
      const beyond = word & ~((2 ** Math.min(32, blocks - 32 * w) - 1) | 0);
      problems.expect(beyond === 0)`level-0 word ${w} has bits set past block ${blocks - 1}`;
    }
    problems.expect(
      free === blocks - live,
    )`${free} free bits but ${blocks} blocks with ${live} live`;
    for (let level = 1; level < layout.offsets.length; level++) {
      const below = layout.words[level - 1]!;
      const at = base + layout.offsets[level]!;
      for (let w = 0; w < 32 * layout.words[level]!; w++) {
        const nonZero = w < below && words[base + layout.offsets[level - 1]! + w] !== 0;
        problems.expect(
          nonZero === testBit(words, at, w),
        )`summary level ${level} bit ${w} disagrees with level ${level - 1} word ${w}`;
      }
    }
    return problems.list;
  }
}
