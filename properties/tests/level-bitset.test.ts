/**
 * Unit tests for src/core/bits/level-bitset.ts, the summary-level bitset under the bitmap allocator
 * (pool bits, partly used pools, arena buckets) and the address space's free arena slots, and
 * LevelBitsets, many such sets in one array (one per size class).
 * Every operation is checked against a plain boolean array, for every capacity 1..70 (bit 31,
 * partial last words, the switch from one to two levels at 33) and some large ones (three and
 * four levels). Regions are placed at an offset inside a larger Uint32Array whose other words
 * hold a sentinel, so a write outside the region is caught.
 */
import { describe, expect, it } from "vitest";
import {
  LEVEL_BITSET_MAX_CAPACITY,
  LevelBitset,
  LevelBitsets,
  bitLayout,
  clearBit,
  ctz32,
  fillFirst,
  nextSetBit,
  popcount32,
  setBit,
  testBit,
  type BitLayout,
} from "../../src/core/bits/level-bitset.ts";
import { mulberry32 } from "../../src/core/random.ts";

const SENTINEL = 0xdeadbeef;
const PAD = 3;

/** A region for `capacity` bits at word offset PAD of an array padded with sentinels. */
function region(capacity: number): { a: Uint32Array; base: number; layout: BitLayout } {
  const layout = bitLayout(capacity);
  const a = new Uint32Array(layout.totalWords + 2 * PAD).fill(SENTINEL);
  a.fill(0, PAD, PAD + layout.totalWords);
  return { a, base: PAD, layout };
}

const oracleFirst = (bits: boolean[], from = 0): number => {
  for (let i = Math.max(0, from); i < bits.length; i++) if (bits[i]) return i;
  return -1;
};

/** Everything about the region agrees with the oracle and the summaries are exact. */
function verify(
  a: Uint32Array,
  base: number,
  layout: BitLayout,
  bits: boolean[],
  froms: readonly number[],
): void {
  const capacity = bits.length;
  if (!a.subarray(0, base).every((w) => w === SENTINEL))
    expect.fail("a word before the region was written");
  if (!a.subarray(base + layout.totalWords).every((w) => w === SENTINEL))
    expect.fail("a word after the region was written");
  for (let i = 0; i < capacity; i++)
    if (testBit(a, base, i) !== bits[i])
      expect.fail(`bit ${i}: ${testBit(a, base, i)} but oracle ${bits[i]}`);
  // No bit past the capacity in level 0.
  for (let i = capacity; i < 32 * layout.words[0]!; i++)
    if (testBit(a, base, i)) expect.fail(`bit ${i} past the capacity ${capacity} is set`);
  // Summaries: bit w of level k ⇔ word w of level k-1 non-zero; nothing past the last word.
  for (let level = 1; level < layout.offsets.length; level++) {
    for (let w = 0; w < 32 * layout.words[level]!; w++) {
      const nonZero =
        w < layout.words[level - 1]! && a[base + layout.offsets[level - 1]! + w] !== 0;
      if (testBit(a, base + layout.offsets[level]!, w) !== nonZero)
        expect.fail(`summary level ${level} bit ${w}`);
    }
  }
  for (const from of [0, ...froms]) {
    const got = nextSetBit(a, base, layout, from);
    if (got !== oracleFirst(bits, from))
      expect.fail(
        `next(${from}) = ${got}, oracle ${oracleFirst(bits, from)} (capacity ${capacity})`,
      );
  }
}

const allFroms = (capacity: number): number[] => [
  ...Array.from({ length: capacity + 1 }, (_, i) => i),
  capacity + 31,
  capacity + 32,
  32 * Math.ceil(capacity / 32) + 5,
];

function randomFroms(capacity: number, rng: () => number): number[] {
  const froms = [0, capacity - 1, capacity, capacity + 1, 31, 32, 33, 1023, 1024, 1025];
  for (let i = 0; i < 40; i++) froms.push(Math.floor(rng() * (capacity + 64)));
  return froms.filter((f) => f >= 0);
}

const SMALL = Array.from({ length: 70 }, (_, i) => i + 1);
const LARGE = [
  1021,
  1023,
  1024,
  1025,
  2047,
  32 * 1024,
  32 * 1024 + 1,
  100_000,
  32 * 32 * 32 * 32 + 7,
];

describe("ctz32 and popcount32", () => {
  it("ctz32 finds the lowest set bit, bit 31 included", () => {
    for (let i = 0; i < 32; i++) {
      expect(ctz32(1 << i)).toBe(i);
      expect(ctz32((1 << i) | (i < 31 ? 1 << 31 : 0))).toBe(i);
      expect(ctz32(-1 << i)).toBe(i);
    }
    expect(ctz32(0x80000000)).toBe(31);
    expect(ctz32(0xffffffff)).toBe(0);
  });

  it("popcount32 counts bits of any word", () => {
    const rng = mulberry32(0xb17c0);
    const naive = (w: number): number => {
      let n = 0;
      for (let i = 0; i < 32; i++) n += (w >>> i) & 1;
      return n;
    };
    for (const w of [0, 1, 0x80000000, 0xffffffff, -1, 0x7fffffff, 0x55555555, 0xaaaaaaaa])
      expect(popcount32(w)).toBe(naive(w));
    for (let i = 0; i < 5000; i++) {
      const w = Math.floor(rng() * 2 ** 32);
      expect(popcount32(w)).toBe(naive(w));
    }
  });
});

describe("bitLayout", () => {
  it("has one word per 32 bits at each level, up to a single top word", () => {
    for (const capacity of [...SMALL, ...LARGE]) {
      const layout = bitLayout(capacity);
      expect(layout.capacity).toBe(capacity);
      expect(layout.words[0]).toBe(Math.ceil(capacity / 32));
      for (let level = 1; level < layout.words.length; level++) {
        expect(layout.words[level]).toBe(Math.ceil(layout.words[level - 1]! / 32));
        expect(layout.offsets[level]).toBe(layout.offsets[level - 1]! + layout.words[level - 1]!);
      }
      expect(layout.words[layout.words.length - 1]).toBe(1);
      expect(layout.totalWords).toBe(layout.words.reduce((s, w) => s + w, 0));
    }
    expect(bitLayout(32).words).toEqual([1]);
    expect(bitLayout(33).words).toEqual([2, 1]);
    expect(bitLayout(1021).words).toEqual([32, 1]); // a CPython 3.10+ pool of 16-byte blocks
    expect(bitLayout(1025).words).toEqual([33, 2, 1]);
  });
});

describe("region functions against a boolean array", () => {
  it("set / clear / first / next for every capacity 1..70, every `from`", () => {
    const rng = mulberry32(0x1e7e1);
    for (const capacity of SMALL) {
      const { a, base, layout } = region(capacity);
      const bits = new Array<boolean>(capacity).fill(false);
      const froms = allFroms(capacity);
      verify(a, base, layout, bits, froms);
      for (let op = 0; op < 6 * capacity + 20; op++) {
        const i = Math.floor(rng() * capacity);
        if (rng() < 0.55) {
          setBit(a, base, layout, i);
          bits[i] = true;
        } else {
          clearBit(a, base, layout, i);
          bits[i] = false;
        }
        verify(a, base, layout, bits, froms);
      }
      // Drain from the top, then from the bottom.
      for (let i = capacity - 1; i >= 0; i--) {
        clearBit(a, base, layout, i);
        bits[i] = false;
        verify(a, base, layout, bits, froms);
      }
      for (let i = 0; i < capacity; i++) {
        setBit(a, base, layout, i);
        bits[i] = true;
        verify(a, base, layout, bits, froms);
      }
    }
  });

  it("bit 31 and the last bit of each word are found (signed 1 << 31)", () => {
    for (const capacity of [32, 33, 63, 64, 65, 1024, 1025]) {
      const { a, base, layout } = region(capacity);
      const bits = new Array<boolean>(capacity).fill(false);
      for (let i = 31; i < capacity; i += 32) {
        setBit(a, base, layout, i);
        bits[i] = true;
      }
      verify(a, base, layout, bits, allFroms(capacity));
      clearBit(a, base, layout, 31);
      bits[31] = false;
      verify(a, base, layout, bits, allFroms(capacity));
      setBit(a, base, layout, capacity - 1);
      bits[capacity - 1] = true;
      verify(a, base, layout, bits, allFroms(capacity));
    }
  });

  it("clearing an already clear bit and setting a set bit change nothing", () => {
    for (const capacity of [1, 31, 32, 33, 64, 65, 1025]) {
      const { a, base, layout } = region(capacity);
      const bits = new Array<boolean>(capacity).fill(false);
      clearBit(a, base, layout, capacity - 1);
      verify(a, base, layout, bits, allFroms(capacity));
      setBit(a, base, layout, 0);
      setBit(a, base, layout, 0);
      bits[0] = true;
      clearBit(a, base, layout, capacity - 1 === 0 ? 0 : capacity - 1);
      if (capacity === 1) bits[0] = false;
      verify(a, base, layout, bits, allFroms(capacity));
    }
  });

  it("fillFirst sets exactly [0, count) and clears the rest, summaries included", () => {
    for (const capacity of SMALL) {
      for (let count = 0; count <= capacity; count++) {
        const { a, base, layout } = region(capacity);
        // Start dirty: every bit set, so fillFirst must clear as well as set.
        fillFirst(a, base, layout, capacity);
        fillFirst(a, base, layout, count);
        const bits = Array.from({ length: capacity }, (_, i) => i < count);
        verify(a, base, layout, bits, allFroms(capacity));
      }
    }
    for (const capacity of LARGE) {
      for (const count of [0, 1, 31, 32, 33, capacity - 33, capacity - 1, capacity]) {
        if (count < 0) continue;
        const { a, base, layout } = region(capacity);
        fillFirst(a, base, layout, capacity);
        fillFirst(a, base, layout, count);
        const bits = Array.from({ length: capacity }, (_, i) => i < count);
        verify(a, base, layout, bits, randomFroms(capacity, mulberry32(count)));
      }
    }
  });

  it("large capacities (two to five levels): random set / clear, random `from`", () => {
    const rng = mulberry32(0x1a26e);
    for (const capacity of LARGE) {
      const { a, base, layout } = region(capacity);
      const bits = new Array<boolean>(capacity).fill(false);
      // Sparse, so that next() has to climb levels to find the following bit.
      for (let op = 0; op < 400; op++) {
        const i =
          rng() < 0.1 ? capacity - 1 - Math.floor(rng() * 40) : Math.floor(rng() * capacity);
        if (i < 0) continue;
        if (rng() < 0.6) {
          setBit(a, base, layout, i);
          bits[i] = true;
        } else {
          clearBit(a, base, layout, i);
          bits[i] = false;
        }
        if (op % 20 === 0) verify(a, base, layout, bits, randomFroms(capacity, rng));
      }
      verify(a, base, layout, bits, randomFroms(capacity, rng));
      // Clear all but the very last bit: next(0) climbs to the top and walks down to it.
      for (let i = 0; i < capacity; i++) {
        if (!bits[i]) continue;
        clearBit(a, base, layout, i);
        bits[i] = false;
      }
      setBit(a, base, layout, capacity - 1);
      bits[capacity - 1] = true;
      verify(a, base, layout, bits, [0, 1, capacity - 2, capacity - 1, capacity]);
    }
  });
});

describe("LevelBitset", () => {
  it("add / delete / has / first / next / iteration against a boolean array, growing past its capacity", () => {
    const rng = mulberry32(0x5e7);
    for (const initial of [1, 31, 32, 33, 64, 1024]) {
      const set = new LevelBitset(initial);
      const oracle: boolean[] = [];
      for (let op = 0; op < 3000; op++) {
        const i = Math.floor(rng() * rng() * 5000);
        if (rng() < 0.6) {
          set.add(i);
          oracle[i] = true;
        } else {
          set.delete(i);
          oracle[i] = false;
        }
        if (op % 100 === 0) {
          const bits = Array.from(
            { length: Math.max(oracle.length, set.capacity) },
            (_, k) => oracle[k] === true,
          );
          expect(set.first()).toBe(oracleFirst(bits));
          for (let t = 0; t < 20; t++) {
            const from = Math.floor(rng() * (bits.length + 100));
            expect(set.next(from)).toBe(oracleFirst(bits, from));
            expect(set.has(from)).toBe(bits[from] === true);
          }
          expect([...set]).toEqual(bits.flatMap((b, k) => (b ? [k] : [])));
          expect(set.summaryProblems()).toEqual([]);
        }
      }
      expect(set.capacity).toBeGreaterThanOrEqual(initial);
    }
  });

  it("five levels at every capacity: members at the edges of every level's words, up to the maximum", () => {
    expect(bitLayout(1, 5).words).toEqual([1, 1, 1, 1, 1]);
    expect(bitLayout(2 ** 20, 5).words).toEqual([32768, 1024, 32, 1, 1]);
    expect(bitLayout(LEVEL_BITSET_MAX_CAPACITY, 5).words).toEqual([2 ** 20, 32768, 1024, 32, 1]);
    const rng = mulberry32(0x5e75);
    for (const capacity of [
      1,
      33,
      1025,
      2 ** 15,
      2 ** 15 + 1,
      2 ** 20 + 1,
      LEVEL_BITSET_MAX_CAPACITY,
    ]) {
      const set = new LevelBitset(capacity);
      expect(set.capacity).toBe(capacity);
      // Candidates: both ends, and both sides of every word boundary of every level (32^k).
      const edges = [0, capacity - 1];
      for (let span = 32; span < capacity; span *= 32) {
        for (const m of [1, 2, Math.floor((capacity - 1) / span)])
          edges.push(m * span - 1, m * span);
      }
      const candidates = [...new Set(edges.filter((i) => i >= 0 && i < capacity))];
      const oracle = new Set<number>();
      for (let op = 0; op < 400; op++) {
        const i =
          rng() < 0.7
            ? candidates[Math.floor(rng() * candidates.length)]!
            : Math.floor(rng() * capacity);
        if (rng() < 0.55) {
          set.add(i);
          oracle.add(i);
        } else {
          set.delete(i);
          oracle.delete(i);
        }
        const members = [...oracle].sort((x, y) => x - y);
        expect(set.first()).toBe(members[0] ?? -1);
        expect(set.has(i)).toBe(oracle.has(i));
        if (op % 25 === 0) {
          expect([...set]).toEqual(members);
          expect(set.summaryProblems()).toEqual([]);
        }
      }
      // Empty again, member by member from the top: every summary word clears with the last bit under it.
      for (const i of [...oracle].sort((x, y) => y - x)) set.delete(i);
      expect(set.first()).toBe(-1);
      expect(set.summaryProblems()).toEqual([]);
    }
  });

  it("grows by doubling until the new member fits, so a run of adds grows O(log n) times", () => {
    for (const [initial, member, grown] of [
      [64, 64, 128], // one doubling
      [64, 1000, 1024], // four doublings: 64 · 2^4
      [1, 5, 8],
      [33, 33 * 8, 33 * 16], // 264 needs 265: 33 · 2^4 = 528
      [1000, 1999, 2000],
    ] as const) {
      const set = new LevelBitset(initial);
      set.add(member);
      expect(set.capacity, `new LevelBitset(${initial}).add(${member})`).toBe(grown);
      expect([...set]).toEqual([member]);
      expect(set.summaryProblems()).toEqual([]);
    }
  });

  it("summaryProblems names the level, the bit, what the bit says and what the word below holds", () => {
    // Capacity 1024: level 0 is words 0 … 31, each level above one word (bitLayout(1024, 5)).
    const { offsets } = bitLayout(1024, 5);
    const bitsOf = (set: LevelBitset) =>
      (set as unknown as { sets: { bits: Uint32Array } }).sets.bits;
    const set = new LevelBitset(1024);
    set.add(40); // level-0 word 1: level-1 bit 1, level-2 bit 0, …
    expect(set.summaryProblems()).toEqual([]);
    const bits = bitsOf(set);
    bits[offsets[1]!] ^= 0b110; // level-1 bit 1 cleared, bit 2 set
    expect(set.summaryProblems()).toEqual([
      "summary level 1 bit 1 is false but level 0 word 1 is non-zero",
      "summary level 1 bit 2 is true but level 0 word 2 is zero",
    ]);
    bits[offsets[1]!] ^= 0b110;
    // Level-3 bit 0 cleared under a non-zero level-2 word 0: the top bit above it is now wrong too.
    bits[offsets[3]!] ^= 0b1;
    expect(set.summaryProblems()).toEqual([
      "summary level 3 bit 0 is false but level 2 word 0 is non-zero",
      "summary level 4 bit 0 is true but level 3 word 0 is zero",
    ]);
  });

  it("refuses a capacity above the five levels, when made and when growing", () => {
    expect(() => new LevelBitset(LEVEL_BITSET_MAX_CAPACITY + 1)).toThrow(RangeError);
    const full = new LevelBitset(LEVEL_BITSET_MAX_CAPACITY / 2);
    full.add(LEVEL_BITSET_MAX_CAPACITY - 1); // grows to the maximum
    expect(full.capacity).toBe(LEVEL_BITSET_MAX_CAPACITY);
    expect(() => full.add(LEVEL_BITSET_MAX_CAPACITY)).toThrow(/above 33554432 \(five levels\)/);
    expect([...full]).toEqual([LEVEL_BITSET_MAX_CAPACITY - 1]);
  });

  it("a filled set holds exactly 0 … filled-1; delete beyond capacity and has() beyond are harmless", () => {
    for (const filled of [1, 31, 32, 33, 1021, 16384]) {
      const set = new LevelBitset(filled, filled);
      expect(set.first()).toBe(0);
      expect(set.has(filled - 1)).toBe(true);
      expect(set.has(filled)).toBe(false);
      expect(set.next(filled - 1)).toBe(filled - 1);
      expect(set.next(filled)).toBe(-1);
      set.delete(filled + 1000);
      // Exactly at the capacity: for 32 and 16384 (multiples of 32) bit `filled` would be the
      // first bit of the next level's words, so delete must not touch it.
      set.delete(filled);
      expect(set.has(filled + 1000)).toBe(false);
      expect([...set].length).toBe(filled);
      expect(set.summaryProblems()).toEqual([]);
      // Growing by one keeps every member and makes room for exactly the next one.
      set.add(filled);
      expect([...set]).toEqual(Array.from({ length: filled + 1 }, (_, i) => i));
      expect(set.capacity).toBe(2 * filled);
      expect(set.summaryProblems()).toEqual([]);
    }
    const empty = new LevelBitset();
    expect(empty.first()).toBe(-1);
    expect(empty.next(0)).toBe(-1);
    expect([...empty]).toEqual([]);
  });
});

describe("LevelBitsets", () => {
  /** Every set agrees with its oracle: first (the cached lowest), has, next, members, summaries. */
  function verifySets(sets: LevelBitsets, oracles: readonly Set<number>[], rng: () => number) {
    oracles.forEach((oracle, s) => {
      const members = [...oracle].sort((x, y) => x - y);
      expect(sets.first(s), `set ${s}`).toBe(members[0] ?? -1);
      expect([...sets.members(s)], `set ${s}`).toEqual(members);
      for (let t = 0; t < 10; t++) {
        const from = Math.floor(rng() * (sets.capacity + 40));
        expect(sets.next(s, from)).toBe(members.find((m) => m >= from) ?? -1);
        expect(sets.has(s, from)).toBe(oracle.has(from));
      }
      expect(sets.summaryProblems(s), `set ${s}`).toEqual([]);
    });
  }

  it("each set is its own: random adds and deletes on one set never change another", () => {
    const rng = mulberry32(0x5e7b);
    for (const [count, capacity] of [
      [1, 64],
      [3, 33],
      [5, 1024],
      [32, 2048],
      [4, 2 ** 15 + 1], // past SHALLOW_CAPACITY: the lowest found from the top level
    ] as const) {
      const sets = new LevelBitsets(count, capacity);
      const oracles = Array.from({ length: count }, () => new Set<number>());
      for (let op = 0; op < 2000; op++) {
        const s = Math.floor(rng() * count);
        // Mostly near the lowest member, so that deleting the lowest (and finding the next) is common.
        const lowest = sets.first(s);
        const i =
          lowest !== -1 && rng() < 0.5
            ? Math.min(capacity - 1, lowest + Math.floor(rng() * 3))
            : Math.floor(rng() * capacity);
        if (rng() < 0.55) {
          sets.add(s, i);
          oracles[s]!.add(i);
        } else {
          sets.delete(s, i);
          oracles[s]!.delete(i);
        }
        if (op % 200 === 0) verifySets(sets, oracles, rng);
      }
      verifySets(sets, oracles, rng);
      expect(sets.capacity).toBe(capacity);
    }
  });

  it("growing keeps every set's members and lowest member", () => {
    const sets = new LevelBitsets(3, 64);
    sets.add(0, 5);
    sets.add(0, 63);
    sets.add(2, 40);
    sets.add(1, 200); // grows to 256
    expect(sets.capacity).toBe(256);
    expect([...sets.members(0)]).toEqual([5, 63]);
    expect([...sets.members(1)]).toEqual([200]);
    expect([...sets.members(2)]).toEqual([40]);
    expect([0, 1, 2].map((s) => sets.first(s))).toEqual([5, 200, 40]);
    for (const s of [0, 1, 2]) expect(sets.summaryProblems(s)).toEqual([]);
  });

  it("a filled family: every set holds 0 … filled-1, lowest 0", () => {
    const sets = new LevelBitsets(2, 10, 40);
    expect(sets.capacity).toBe(40);
    for (const s of [0, 1]) {
      expect(sets.first(s)).toBe(0);
      expect([...sets.members(s)].length).toBe(40);
      expect(sets.summaryProblems(s)).toEqual([]);
    }
    sets.delete(1, 0);
    expect([sets.first(0), sets.first(1)]).toEqual([0, 1]);
  });

  it("deleting the lowest member finds the next from the top in a set deeper than 32^3", () => {
    // Past SHALLOW_CAPACITY the next member must be found from the top level: a descent from level
    // 2's first word would miss members at 32^3 and above, and one past 2^20 takes level 3 and 4
    // words other than the first.
    for (const [capacity, far] of [
      [2 ** 15 + 1, 2 ** 15],
      [2 ** 20 + 1, 2 ** 20],
      [LEVEL_BITSET_MAX_CAPACITY, 2 ** 21 + 7],
      [LEVEL_BITSET_MAX_CAPACITY, LEVEL_BITSET_MAX_CAPACITY - 1],
    ] as const) {
      const sets = new LevelBitsets(2, capacity);
      for (const i of [5, far, capacity - 1]) sets.add(1, i);
      sets.delete(1, 5);
      expect(sets.first(1), `capacity ${capacity}`).toBe(far);
      sets.delete(1, far);
      expect(sets.first(1), `capacity ${capacity}`).toBe(far === capacity - 1 ? -1 : capacity - 1);
      expect(sets.first(0)).toBe(-1);
      expect(sets.summaryProblems(1)).toEqual([]);
    }
  });

  it("summaryProblems names a cached lowest member that is not the lowest bit", () => {
    const sets = new LevelBitsets(2, 100);
    sets.add(1, 7);
    sets.add(1, 9);
    expect(sets.summaryProblems(1)).toEqual([]);
    sets.lowest[1] = 9;
    expect(sets.summaryProblems(1)).toEqual([
      "lowest member cached as 9 but the lowest bit set is 7",
    ]);
    sets.lowest[0] = 3;
    expect(sets.summaryProblems(0)).toEqual([
      "lowest member cached as 3 but the lowest bit set is -1",
    ]);
  });

  it("a summary bit over an empty level 0 is a summary's problem, not a lowest member", () => {
    // Capacity 2048: level 0 is words 0 … 63, level 1 words 64 and 65 (bitLayout(2048, 5)). The
    // lowest member is looked for in level 0 alone, whatever the words after it hold.
    const { offsets } = bitLayout(2048, 5);
    for (const word of [0, 1]) {
      const sets = new LevelBitsets(1, 2048);
      (sets as unknown as { bits: Uint32Array }).bits[offsets[1]! + word] = 1;
      expect(sets.summaryProblems(0), `level-1 word ${word}`).toEqual([
        `summary level 1 bit ${32 * word} is true but level 0 word ${32 * word} is zero`,
        `summary level 2 bit ${word} is false but level 1 word ${word} is non-zero`,
      ]);
    }
  });
});
