/**
 * A bitset with summary levels: "find the lowest set bit at or after i" in O(levels) word
 * operations, never a scan (spec/bitmap.md §2). Level 0 holds the bits; bit j of a level-k word is
 * set exactly when level-(k-1) word j is non-zero. The top level is one word.
 *
 *   level 2 (top)  [0000 0101]                  one word
 *                        │ └───────────┐
 *   level 1        [..01][....]..[1000]         one bit per non-zero level-0 word
 *                     │              │
 *   level 0        [0010 ...]     [... 0001]    the bits themselves
 *
 * The functions work on a region of any Uint32Array (`base` = first word of the region), so the
 * bitmap allocator can keep thousands of these (one per pool) in one typed array, and
 * `LevelBitset` wraps one growable region for the sparse sets (partly used pools, arena buckets).
 */
import { Problems } from "../integrity.ts";

/** Count trailing zeros of a non-zero 32-bit word: the index of its lowest set bit. */
export function ctz32(word: number): number {
  return 31 - Math.clz32(word & -word);
}

/** Number of set bits in a 32-bit word. */
export function popcount32(word: number): number {
  let w = word - ((word >>> 1) & 0x55555555);
  w = (w & 0x33333333) + ((w >>> 2) & 0x33333333);
  return (((w + (w >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

export interface BitLayout {
  /** Number of bits the region can hold. */
  readonly capacity: number;
  /** Word offset of each level within the region; level 0 first. */
  readonly offsets: readonly number[];
  /** Words in each level. */
  readonly words: readonly number[];
  /** Words in the whole region. */
  readonly totalWords: number;
}

/**
 * The levels for `capacity` bits: each level one bit per word of the level below, up to a single
 * word, and at least `minLevels` levels (the extra ones one word each, bit 0 ⇔ the word below is
 * non-zero: still a valid summary, so every function here works on either layout).
 */
export function bitLayout(capacity: number, minLevels = 1): BitLayout {
  const offsets: number[] = [];
  const words: number[] = [];
  let total = 0;
  let n = Math.max(1, Math.ceil(capacity / 32));
  for (;;) {
    offsets.push(total);
    words.push(n);
    total += n;
    if (n === 1 && offsets.length >= minLevels) break;
    n = Math.ceil(n / 32);
  }
  return { capacity, offsets, words, totalWords: total };
}

export function testBit(a: Uint32Array, base: number, i: number): boolean {
  return (a[base + (i >>> 5)]! & (1 << (i & 31))) !== 0;
}

/** Sets bit i and the summary bits above it. */
export function setBit(a: Uint32Array, base: number, layout: BitLayout, i: number): void {
  const { offsets } = layout;
  for (let level = 0; level < offsets.length; level++) {
    const at = base + offsets[level]! + (i >>> 5);
    const before = a[at]!;
    a[at] = before | (1 << (i & 31));
    if (before !== 0) return; // the word was already non-zero: the summaries above are right
    i >>>= 5;
  }
}

/** Clears bit i and every summary bit whose word became zero. */
export function clearBit(a: Uint32Array, base: number, layout: BitLayout, i: number): void {
  const { offsets } = layout;
  for (let level = 0; level < offsets.length; level++) {
    const at = base + offsets[level]! + (i >>> 5);
    const after = a[at]! & ~(1 << (i & 31));
    a[at] = after;
    if (after !== 0) return;
    i >>>= 5;
  }
}

/** The lowest set bit >= from, or -1: up until a level has a later bit, then down. */
export function nextSetBit(a: Uint32Array, base: number, layout: BitLayout, from: number): number {
  const { offsets, words } = layout;
  let i = from;
  for (let level = 0; level < offsets.length; level++) {
    const w = i >>> 5;
    if (w >= words[level]!) return -1;
    const word = a[base + offsets[level]! + w]! & (-1 << (i & 31));
    if (word !== 0) {
      let found = (w << 5) | ctz32(word);
      for (let down = level - 1; down >= 0; down--) {
        found = (found << 5) | ctz32(a[base + offsets[down]! + found]!);
      }
      return found;
    }
    i = w + 1; // the next word of this level, as an index one level up
  }
  return -1;
}

/** Sets bits [0, count) and clears the rest of the region, summaries included. */
export function fillFirst(a: Uint32Array, base: number, layout: BitLayout, count: number): void {
  const { offsets, words } = layout;
  let n = count;
  for (let level = 0; level < offsets.length; level++) {
    const start = base + offsets[level]!;
    const full = n >>> 5;
    a.fill(0xffffffff, start, start + full);
    const rest = n & 31;
    if (full < words[level]!) {
      a[start + full] = (1 << rest) - 1; // the partial word: its low `rest` bits (0 when rest = 0)
      a.fill(0, start + full + 1, start + words[level]!);
    }
    n = Math.ceil(n / 32);
  }
}

/**
 * Where summary word v of `level` (≥ 1) disagrees with the level below: bit j is set ⇔ bit j of
 * the word ≠ (word 32v + j of level − 1 is non-zero), a word past the level below counting as
 * zero. 0 on a consistent region. For the checks of invariant 12: a word compared at once, not
 * its 32 bits one by one.
 */
export function summaryMismatch(
  a: Uint32Array,
  base: number,
  layout: BitLayout,
  level: number,
  v: number,
): number {
  const below = base + layout.offsets[level - 1]!;
  const first = 32 * v;
  const end = Math.min(first + 32, layout.words[level - 1]!);
  let expected = 0;
  for (let w = first; w < end; w++) expected |= Number(a[below + w] !== 0) << (w - first);
  return expected ^ a[base + layout.offsets[level]! + v]!;
}

/** How `summaryProblems` names a word: ZERO_NESS[Number(word !== 0)]. */
const ZERO_NESS = ["zero", "non-zero"] as const;

/**
 * Records a message for each bit of summary word v of `level` that `mismatch` (summaryMismatch)
 * marks, lowest first: the bit's value and what the word below it is.
 */
/* v8 ignore next -- @preserve reached only when a structure is corrupt (a mismatch of 0 records nothing): covered by properties/tests/level-bitset.test.ts and bitmap-check.test.ts (spec/coverage.md) */
function recordSummaryMismatch(
  problems: Problems,
  level: number,
  v: number,
  mismatch: number,
  bits: Uint32Array,
  offset: number,
): void {
  for (let rest = mismatch; rest !== 0; rest &= rest - 1) {
    const w = 32 * v + ctz32(rest);
    const isSet = testBit(bits, offset, w);
    problems.expect(
      false,
    )`summary level ${level} bit ${w} is ${isSet} but level ${level - 1} word ${w} is ${ZERO_NESS[Number(!isSet)]}`;
  }
}

/** The most members a set of LevelBitsets holds: 32^5, its five levels (geometry.ts keeps pool indices below it). */
export const LEVEL_BITSET_MAX_CAPACITY = 2 ** 25;
const LEVELS = 5;
/**
 * Up to 32^3 members level 2 is one word and levels 3 and 4 hold one bit each, so first() starts
 * at level 2: three dependent reads instead of five (why it matters: spec/bitmap.md §2).
 */
const SHALLOW_CAPACITY = 32 ** 3;

/**
 * `count` sets over 0..capacity-1 in one growable Uint32Array (the partly used pools, one set per
 * size class), each a region of five levels (bitLayout(capacity, 5)) at s · stride, so that the
 * hot operations are written out level by level with no loop over a layout, as the benchmarks'
 * slot loop is (src/bench/slot-allocator.ts):
 *
 *   bits  │ set 0: level 0 │ level 1 │ level 2 │ level 3 │ top │ set 1: level 0 │ … │
 *   bit     i                i >>> 5   i >>> 10  i >>> 15  i >>> 20
 *   word    base + (i >>> 5), base + o1 + (i >>> 10), base + o2 + (i >>> 15),
 *           base + o3 + (i >>> 20), base + o4; base = s · stride
 *
 * Each set's lowest member is kept in `lowest[s]`, so first(s) is one read: add lowers it, and
 * delete of the lowest member finds the next by the levels, five ctz from the top or three from
 * level 2 up to SHALLOW_CAPACITY (`lowestByLevels`). add sets the bit and, when its word was zero,
 * the four summary bits above it unconditionally (a summary bit already set stays set); delete
 * clears upwards while a word becomes zero. A small set still has five levels (the upper ones one
 * word each): a word per level is what a smaller layout would read too, less the loop over it.
 * next, iteration and the summary check use the generic functions above, on the same words. Why
 * one array for the sets of every class rather than one object each: spec/bitmap.md §2. Every
 * set grows with the first member past the capacity.
 */
export class LevelBitsets {
  /** How many sets. */
  readonly count: number;
  /** lowest[s]: set s's smallest member, or −1 (kept by add and delete; checked by summaryProblems). */
  readonly lowest: Int32Array;
  private layout!: BitLayout;
  private bits!: Uint32Array;
  /** Words per set: layout.totalWords. */
  private stride = 0;
  /** Word offsets of levels 1 … 4 (the top) within a set's region. */
  private o1 = 0;
  private o2 = 0;
  private o3 = 0;
  private o4 = 0;
  /** layout.capacity, as a field of its own for the hot paths. */
  private limit = 0;

  /** `count` empty sets, or with `filled` each the set {0, …, filled - 1}. */
  constructor(count: number, capacity = 1024, filled = 0) {
    this.count = count;
    this.empty(Math.max(capacity, filled));
    for (let s = 0; s < count; s++) fillFirst(this.bits, s * this.stride, this.layout, filled);
    this.lowest = new Int32Array(count).fill(filled > 0 ? 0 : -1);
  }

  /** Makes every set the empty set over 0..capacity-1 (a new five-level layout and words). */
  private empty(capacity: number): void {
    // Five written-out levels hold no more (a sixth would be silently ignored): refuse.
    /* v8 ignore next -- @preserve unreachable through the allocators: defineGeometry keeps every pool index and arena slot below the maximum; covered by properties/tests/level-bitset.test.ts */
    if (!(capacity <= LEVEL_BITSET_MAX_CAPACITY))
      throw new RangeError(
        `LevelBitset: capacity ${capacity} is above ${LEVEL_BITSET_MAX_CAPACITY} (five levels)`,
      );
    this.layout = bitLayout(capacity, LEVELS);
    this.stride = this.layout.totalWords;
    this.bits = new Uint32Array(this.stride * this.count);
    [, this.o1, this.o2, this.o3, this.o4] = this.layout.offsets as [
      number,
      number,
      number,
      number,
      number,
    ];
    this.limit = capacity;
  }

  get capacity(): number {
    return this.limit;
  }

  has(s: number, i: number): boolean {
    return i < this.limit && testBit(this.bits, s * this.stride, i);
  }

  add(s: number, i: number): void {
    if (i >= this.limit) this.grow(i + 1);
    // −1 (no member) is 2^32 − 1 as unsigned: above every i.
    if (i < this.lowest[s]! >>> 0) this.lowest[s] = i;
    const bits = this.bits;
    const base = s * this.stride;
    // Shift counts are taken mod 32: 1 << (i >>> 5) is bit (i >>> 5) & 31 of its level-1 word.
    const before = bits[base + (i >>> 5)]!;
    bits[base + (i >>> 5)] = before | (1 << i);
    if (before !== 0) return; // the summaries above already say this word is non-zero
    bits[base + this.o1 + (i >>> 10)] |= 1 << (i >>> 5);
    bits[base + this.o2 + (i >>> 15)] |= 1 << (i >>> 10);
    bits[base + this.o3 + (i >>> 20)] |= 1 << (i >>> 15);
    bits[base + this.o4] |= 1 << (i >>> 20);
  }

  delete(s: number, i: number): void {
    if (i >= this.limit) return;
    const bits = this.bits;
    const base = s * this.stride;
    const w0 = base + (i >>> 5);
    const word0 = bits[w0]! & ~(1 << i);
    bits[w0] = word0;
    if (word0 === 0) {
      const w1 = base + this.o1 + (i >>> 10);
      const word1 = bits[w1]! & ~(1 << (i >>> 5));
      bits[w1] = word1;
      if (word1 === 0) {
        // Above level 1 a bit goes only with the last member under it: shifts of 0 or 1, not
        // branches (a set spanning fewer than 1024 words of level 0 would never take them).
        const w2 = base + this.o2 + (i >>> 15);
        const word2 = bits[w2]! & ~(1 << (i >>> 10));
        bits[w2] = word2;
        const w3 = base + this.o3 + (i >>> 20);
        const word3 = bits[w3]! & ~(Number(word2 === 0) << (i >>> 15));
        bits[w3] = word3;
        bits[base + this.o4] &= ~(Number(word3 === 0) << (i >>> 20));
      }
    }
    // Every other member is above i, so the lowest left is the next.
    if (this.lowest[s] === i) this.lowest[s] = this.lowestByLevels(base);
  }

  /** Set s's lowest member, or -1: one read. */
  first(s: number): number {
    return this.lowest[s]!;
  }

  /** The lowest member of the set at `base` by its levels (top down), or -1. */
  private lowestByLevels(base: number): number {
    const bits = this.bits;
    if (this.limit <= SHALLOW_CAPACITY) {
      // Levels 3 and 4 are one word each with at most bit 0 set: start at level 2's one word.
      const word2 = bits[base + this.o2]!;
      if (word2 === 0) return -1;
      const i1 = ctz32(word2);
      const i0 = (i1 << 5) | ctz32(bits[base + this.o1 + i1]!);
      return (i0 << 5) | ctz32(bits[base + i0]!);
    }
    const top = bits[base + this.o4]!;
    if (top === 0) return -1;
    const i3 = ctz32(top);
    const i2 = (i3 << 5) | ctz32(bits[base + this.o3 + i3]!);
    const i1 = (i2 << 5) | ctz32(bits[base + this.o2 + i2]!);
    const i0 = (i1 << 5) | ctz32(bits[base + this.o1 + i1]!);
    return (i0 << 5) | ctz32(bits[base + i0]!);
  }

  /** Set s's lowest member >= from, or -1 (also for from >= capacity: no bit is set past it). */
  next(s: number, from: number): number {
    return nextSetBit(this.bits, s * this.stride, this.layout, from);
  }

  /**
   * Set s's members in ascending order, by the bits alone (for check() and tests; not for hot
   * paths).
   */
  *members(s: number): IterableIterator<number> {
    for (let i = this.next(s, 0); i !== -1; i = this.next(s, i + 1)) yield i;
  }

  /**
   * Recomputes set s's summaries from its level 0 and reports where they differ, any member at or
   * past the capacity, and a cached lowest member that is not the lowest bit (for check()). Every
   * bit of every summary word is compared, a word at a time (summaryMismatch): a bit for a word
   * that does not exist must be clear, or `lowestByLevels` would descend into it.
   */
  summaryProblems(s: number): readonly string[] {
    const problems = new Problems();
    const { capacity, offsets, words } = this.layout;
    const base = s * this.stride;
    // The lowest bit of level 0 itself, not by the summaries (they are checked below); a plain
    // loop, no subarray and callback per set per check().
    let w = 0;
    while (w < words[0]! && this.bits[base + w] === 0) w++;
    const lowest = w === words[0] ? -1 : (w << 5) | ctz32(this.bits[base + w]!);
    problems.expect(
      this.lowest[s] === lowest,
    )`lowest member cached as ${this.lowest[s]} but the lowest bit set is ${lowest}`;
    for (let i = capacity; i < 32 * words[0]!; i++)
      problems.expect(!testBit(this.bits, base, i))`bit ${i} is set past the capacity ${capacity}`;
    for (let level = 1; level < offsets.length; level++) {
      for (let v = 0; v < words[level]!; v++) {
        const mismatch = summaryMismatch(this.bits, base, this.layout, level, v);
        recordSummaryMismatch(problems, level, v, mismatch, this.bits, base + offsets[level]!);
      }
    }
    return problems.list;
  }

  private grow(needed: number): void {
    // Stryker disable next-line ArithmeticOperator: equivalent: spec/audit.md §3.1 #6
    let capacity = this.capacity * 2;
    while (capacity < needed) capacity *= 2;
    const members = Array.from({ length: this.count }, (_, s) => [...this.members(s)]);
    // At most the maximum, unless `needed` is above it (and then `empty` throws).
    this.empty(Math.max(needed, Math.min(capacity, LEVEL_BITSET_MAX_CAPACITY)));
    // A class's partly used set grows when it takes a pool of a new arena while other classes'
    // sets hold members (their pools in the arenas before).
    members.forEach((set, s) => {
      for (const i of set) setBit(this.bits, s * this.stride, this.layout, i);
    });
  }
}

/**
 * One growable set over 0..capacity-1 (the empty pools, the arena buckets, the address space's
 * free arena slots): a LevelBitsets of one set.
 */
export class LevelBitset {
  private readonly sets: LevelBitsets;

  /** An empty set, or with `filled` the set {0, …, filled - 1}. */
  constructor(capacity = 1024, filled = 0) {
    this.sets = new LevelBitsets(1, capacity, filled);
  }

  get capacity(): number {
    return this.sets.capacity;
  }

  has(i: number): boolean {
    return this.sets.has(0, i);
  }

  add(i: number): void {
    this.sets.add(0, i);
  }

  delete(i: number): void {
    this.sets.delete(0, i);
  }

  first(): number {
    return this.sets.first(0);
  }

  /** The lowest member >= from, or -1 (also for from >= capacity: no bit is set past it). */
  next(from: number): number {
    return this.sets.next(0, from);
  }

  /** Every member in ascending order (for check() and tests; not for hot paths). */
  [Symbol.iterator](): IterableIterator<number> {
    return this.sets.members(0);
  }

  /** LevelBitsets.summaryProblems of the one set. */
  summaryProblems(): readonly string[] {
    return this.sets.summaryProblems(0);
  }
}
