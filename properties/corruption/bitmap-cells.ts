/**
 * Every piece of the bitmap allocator's metadata that `check()` guards (invariant 12), as cells
 * a test can corrupt one at a time, each with the diagnosis `check()` must give for it
 * (properties/tests/bitmap-corruption.test.ts). A cell is one entry of a typed array, one bit
 * of a bitset, one counter or one cached view whose value means something in the current state
 * of the heap. A corruption says what it changed and which messages must be among the problems
 * `check()` reports: the message of the check that exists for exactly that kind of damage, so
 * that every check is needed by some corruption (checks overlap; a corruption often trips
 * several, and each must still say what it found).
 *
 *   table.mapped[s]          s < capacity            flag not 0/1; mapped slots ≠ the space's
 *   table.sizeClass[gp]      every pool              out of range; class vs live; class counts
 *   table.live[gp]           every pool              unmapped pool; class vs live; > blocks; counts
 *   table.address[gp]        pools of mapped arenas  the pool's address
 *   table.emptyPools[s]      mapped arenas           the recount of empty pools
 *   bitmaps.words            a used pool's layout    free-bit count, bits past the last block,
 *   bitmaps.tail             (a free bit moved past the last block: the count kept)  summaries
 *   requestedSizes.slack     a live block's entry    the requested total; a request its class
 *                                                    cannot hold
 *   requestedSizes.start, .spare, .spareCount        regions: class vs region, outside or
 *   bitmaps.start, .spare, .spareCount               overlapping, lost
 *   classes.pools/blocks[c]                          the recounts
 *   classes.partly (set c), emptyPools, buckets,     one bit: membership, past the capacity,
 *   counts                                           summary bits; the set's cached lowest
 *                                                    member (classes.lowest for set c)
 *   buckets.sizes[e], a bucket 0                     member counts; no bucket for 0
 *   emptyArenaCount, requested.current, arenaBytes   recounts; the cached arena views
 *
 * Cells whose value means nothing in the current state (the bits of an empty pool's region, the
 * requested size of a free block, the address of a pool of an unmapped arena, words past a
 * class's layout) are left out: a change there is no corruption, and `inertCells` lists those
 * check() must accept (no false alarm: the allocator rewrites them before it reads them).
 *
 * The internals are reached through casts: the allocator exposes its structures read-only for
 * check() and the tests, and keeps the buckets', bitsets' and regions' bookkeeping private.
 */
import type { BitmapAllocator } from "../../src/allocators/bitmap/bitmap-allocator.ts";
import type { ClassRegions } from "../../src/allocators/bitmap/class-regions.ts";
import {
  LevelBitset,
  type BitLayout,
  type LevelBitsets,
} from "../../src/core/bits/level-bitset.ts";
import { classHoldsRequest } from "../../src/core/geometry.ts";

/** What a corruption changed, and the messages `check()` must report for it (each must match one). */
export interface Corruption {
  readonly what: string;
  readonly expect: readonly RegExp[];
}

/** One kind of cell: how many there are in this heap, and a corruption of the i-th. */
export interface CellKind {
  readonly name: string;
  readonly count: number;
  /** Corrupts cell i (0 ≤ i < count) in a way picked by `variant`. */
  corrupt(i: number, variant: number): Corruption;
}

interface BitsetsInternals {
  readonly layout: BitLayout;
  readonly bits: Uint32Array;
  readonly stride: number;
}
interface BucketInternals {
  readonly buckets: (LevelBitset | undefined)[];
  readonly sizes: Int32Array;
  readonly counts: LevelBitset;
}
interface RegionInternals {
  readonly used: number;
  readonly spare: Int32Array[];
  readonly spareCount: Int32Array;
}
interface AllocatorInternals {
  emptyArenaCount: number;
  readonly arenaBytes: (Uint8Array | undefined)[];
}

/** 0, 1, …, n − 1: the indices of n pools, slots, classes or blocks. */
export function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

/** A change of ±(1 + ⌊variant/2⌋), never below `min`. */
const nudge = (old: number, variant: number, min = 0) => {
  const step = 1 + (variant >> 1);
  return variant % 2 === 0 || old - step < min ? old + step : old - step;
};

function kind(
  name: string,
  count: number,
  corrupt: (i: number, variant: number) => Corruption,
): CellKind {
  return { name, count, corrupt };
}

/** The entries `indices` of a counter array, each nudged (never below `min`); check() must say `message`. */
function nudgedKind(
  name: string,
  array: Int32Array,
  indices: readonly number[],
  message: (at: number) => RegExp | readonly RegExp[],
  min = 0,
): CellKind {
  return kind(name, indices.length, (i, v) => {
    const at = indices[i]!;
    const old = array[at]!;
    array[at] = nudge(old, v, min);
    return { what: `${name}[${at}]: ${old} → ${array[at]}`, expect: [message(at)].flat() };
  });
}

/**
 * Bit i of the words of a region with this layout, as (level, index within the level): a summary
 * bit of level L ≥ 1 at index w says whether word w of level L − 1 is non-zero.
 */
function levelBitOf(layout: BitLayout, i: number): { level: number; w: number } {
  const word = i >>> 5;
  let level = layout.offsets.length - 1;
  while (layout.offsets[level]! > word) level--;
  return { level, w: 32 * (word - layout.offsets[level]!) + (i & 31) };
}

/**
 * One bit of the words of set s of `sets` (`prefix` is how check() names the set).
 * `member(m, isMember)` says what a flip of level-0 bit m < capacity, which now makes m a member
 * or not, must be reported as. The set's own summary check reports bits past the capacity, a
 * flipped summary bit (by its level, index and what it now says), and a level-0 flip that turns a
 * word zero or non-zero under a summary (the set's iteration follows the summary, so only that
 * check can see such a member). A flip below the cached lowest member, or of that member, is
 * also reported as a wrong cached lowest (an extra message).
 */
function bitsetKind(
  name: string,
  prefix: string,
  sets: LevelBitsets,
  s: number,
  member: (m: number, isMember: boolean) => readonly RegExp[],
): CellKind {
  const internals = sets as unknown as BitsetsInternals;
  const { layout } = internals;
  const bits = internals.bits.subarray(s * internals.stride, (s + 1) * internals.stride);
  return kind(name, bits.length * 32, (i) => {
    const before = bits[i >>> 5]!;
    bits[i >>> 5] = before ^ (1 << (i & 31));
    const isSet = (before & (1 << (i & 31))) === 0;
    const what = `${name}: word ${i >>> 5} bit ${i & 31} flipped`;
    if (i >= 32 * layout.words[0]!) {
      // The word below did not change, so the flipped bit now says the opposite of it.
      const { level, w } = levelBitOf(layout, i);
      const below = isSet ? "zero" : "non-zero";
      return {
        what,
        expect: [
          new RegExp(
            `^${prefix}: summary level ${level} bit ${w} is ${isSet} but level ${level - 1} word ${w} is ${below}$`,
          ),
        ],
      };
    }
    if (i >= layout.capacity)
      return { what, expect: [new RegExp(`^${prefix}: bit ${i} is set past the capacity`)] };
    const zeroNessChanged = (before === 0) !== (bits[i >>> 5] === 0);
    if (zeroNessChanged && layout.words.length > 1)
      return { what, expect: [new RegExp(`^${prefix}: summary level 1 bit ${i >>> 5} is`)] };
    return { what, expect: member(i, isSet) };
  });
}

/** Set s's cached lowest member (LevelBitsets.lowest), nudged: the set's own check names it. */
function lowestKind(name: string, prefix: string, sets: LevelBitsets, s: number): CellKind {
  return nudgedKind(
    `${name}.lowest`,
    sets.lowest,
    [s],
    () => new RegExp(`^${prefix}: lowest member cached as`),
    -1,
  );
}

/** The one set of a LevelBitset, as set 0 of its LevelBitsets. */
function setsOf(set: LevelBitset): LevelBitsets {
  return (set as unknown as { readonly sets: LevelBitsets }).sets;
}

/** A LevelBitset's cells: its bits (bitsetKind) and its cached lowest member. */
function levelBitsetKinds(
  name: string,
  prefix: string,
  set: LevelBitset,
  member: (m: number, isMember: boolean) => readonly RegExp[],
): CellKind[] {
  return [
    bitsetKind(name, prefix, setsOf(set), 0, member),
    lowestKind(name, prefix, setsOf(set), 0),
  ];
}

/**
 * The class-sized regions of `owner` (src/allocators/bitmap/class-regions.ts: the requested sizes' or the
 * pool bits'): each pool's start, each spare region, each class's spare count. check() names
 * them under `prefix`, the regions as "<noun> region".
 */
function regionKinds(
  name: string,
  prefix: string,
  noun: string,
  owner: ClassRegions,
  sizeClass: Int16Array,
): CellKind[] {
  const regions = owner as unknown as RegionInternals;
  const C = regions.spareCount.length;
  const spareCells = range(C).flatMap((c) =>
    range(regions.spareCount[c]!).map((i) => [c, i] as const),
  );
  const said = (what: string) => new RegExp(`^${prefix}: ${what}`);
  return [
    kind(`${name}.start`, owner.start.length, (gp, v) => {
      const old = owner.start[gp]!;
      const c = sizeClass[gp]!;
      const set = (value: number, expect: RegExp) => {
        owner.start[gp] = value;
        return { what: `${name}.start[${gp}] (class ${c}): ${old} → ${value}`, expect: [expect] };
      };
      if (c === -1)
        return set(
          v % Math.max(regions.used, 1),
          said(`pool \\d+ of class -1 has ${noun} region \\d+$`),
        );
      if (v % 2 === 0) return set(-1, said(`pool \\d+ of class \\d+ has ${noun} region -1$`));
      // The region now overlaps one claimed before or after it: the later of the two is reported.
      return set(
        nudge(old, v >> 1),
        said(
          `(pool \\d+: |spare )${noun} region -?\\d+ \\(class \\d+\\) lies outside the \\d+ entries cut or overlaps another$`,
        ),
      );
    }),

    kind(`${name}.spare`, spareCells.length, (i, v) => {
      const [c, j] = spareCells[i]!;
      const old = regions.spare[c]![j]!;
      regions.spare[c]![j] = nudge(old, v);
      return {
        what: `${name}.spare[${c}][${j}]: ${old} → ${regions.spare[c]![j]}`,
        expect: [said(`spare ${noun} region \\d+ \\(class \\d+\\) lies outside`)],
      };
    }),

    kind(`${name}.spareCount`, regions.used > 0 ? C : 0, (c, v) => {
      const old = regions.spareCount[c]!;
      if (old > 0 && v % 2 === 0) {
        regions.spareCount[c] = old - 1;
        return {
          what: `${name}.spareCount[${c}]: ${old} → ${old - 1}`,
          expect: [
            said(
              `${noun} entry \\d+ of the \\d+ cut belongs to no region in use or spare \\(lost\\)$`,
            ),
          ],
        };
      }
      regions.spareCount[c] = old + 1;
      return {
        what: `${name}.spareCount[${c}]: ${old} → ${old + 1}`,
        expect: [said(`spare ${noun} region`)],
      };
    }),
  ];
}

/** Every cell kind of this heap, in its current state, in a fixed order. Kinds may have no cells. */
export function bitmapCells(a: BitmapAllocator): CellKind[] {
  const g = a.geometry;
  const ppa = g.poolsPerArena;
  const { table, bitmaps, requestedSizes, classes } = a;
  const pools = table.capacity * ppa;
  const slotOf = (gp: number) => Math.floor(gp / ppa);
  const mappedPools = range(pools).filter((gp) => table.isMapped(slotOf(gp)));
  const usedPools = mappedPools.filter((gp) => table.sizeClass[gp]! >= 0);
  const mappedSlots = range(table.capacity).filter((s) => table.isMapped(s));
  const mostBlocks = Math.max(...g.blocksPerPool);
  const C = g.sizeClasses;

  // Per used pool, the bits its layout occupies and its live blocks, as prefix sums.
  const bitsBefore = [0];
  const liveBefore = [0];
  for (const gp of usedPools) {
    bitsBefore.push(bitsBefore.at(-1)! + 32 * bitmaps.layouts[table.sizeClass[gp]!]!.totalWords);
    liveBefore.push(liveBefore.at(-1)! + table.live[gp]!);
  }
  /** The used pool holding cell i of a prefix sum, and i's offset within it. */
  const locate = (before: readonly number[], i: number): [number, number] => {
    let j = 0;
    while (before[j + 1]! <= i) j++;
    return [usedPools[j]!, i - before[j]!];
  };
  /** The block index of the n-th live block of pool gp. */
  const nthLive = (gp: number, n: number): number => {
    let k = -1;
    for (let seen = -1; seen < n;) if (!bitmaps.isFree(gp, ++k)) seen++;
    return k;
  };
  // Used pools whose last level-0 word is partial and holds a free block: a free bit can move past the end.
  const tails = usedPools.filter((gp) => {
    const c = table.sizeClass[gp]!;
    const bpp = g.blocksPerPool[c]!;
    const last = bitmaps.words[bitmaps.start[gp]! + ((bpp - 1) >>> 5)]!;
    return bpp % 32 !== 0 && last !== 0;
  });

  const slack = requestedSizes.slack;
  const slackMax = 2 ** (8 * slack.BYTES_PER_ELEMENT) - 1;
  const buckets = a.buckets as unknown as BucketInternals;
  const internals = a as unknown as AllocatorInternals;
  const arenaSlots = range(table.capacity + 1);
  const inBucket = (slot: number) => table.isMapped(slot) && table.emptyPools[slot]! > 0;

  return [
    kind("table.mapped", table.capacity, (s, v) => {
      const old = table.mapped[s]!;
      if (v % 3 === 0) {
        table.mapped[s] = 1 - old;
        return {
          what: `table.mapped[${s}]: ${old} → ${1 - old}`,
          expect: [/^mapped slots \[.*\] differ from the address space's/],
        };
      }
      table.mapped[s] = 2 + (v % 250);
      return {
        what: `table.mapped[${s}]: ${old} → ${table.mapped[s]}`,
        expect: [new RegExp(`^mapped\\[${s}\\] = ${table.mapped[s]}$`)],
      };
    }),

    kind("table.sizeClass", pools, (gp, v) => {
      const old = table.sizeClass[gp]!;
      const outOfRange = v % 2 === 0 ? C + (v % 5) : -2 - (v % 5);
      const set = (value: number, expect: RegExp) => {
        table.sizeClass[gp] = value;
        return { what: `table.sizeClass[${gp}]: ${old} → ${value}`, expect: [expect] };
      };
      if (!table.isMapped(slotOf(gp)))
        return set(v % 3 === 0 ? outOfRange : v % C, /\(unmapped\): class -?\d+, \d+ live/);
      if (old === -1)
        return v % 2 === 0
          ? set(v % C, /: class \d+ with 0 live blocks/)
          : set(outOfRange, /: class -?\d+ out of range/);
      const choice = C > 1 ? v % 3 : 2 * (v % 2);
      if (choice === 0) return set(-1, /: class -1 with \d+ live blocks/);
      if (choice === 1) return set((old + 1 + (v % (C - 1))) % C, /^class \d+: pools = /);
      return set(outOfRange, /: class -?\d+ out of range/);
    }),

    kind("table.live", pools, (gp, v) => {
      const old = table.live[gp]!;
      const c = table.sizeClass[gp]!;
      const set = (value: number, expect: RegExp) => {
        table.live[gp] = value;
        return { what: `table.live[${gp}]: ${old} → ${value}`, expect: [expect] };
      };
      if (!table.isMapped(slotOf(gp))) return set(1 + (v % 4), /\(unmapped\): class -1, \d+ live/);
      if (c === -1) return set(1 + (v % mostBlocks), /: class -1 with \d+ live blocks/);
      const bpp = g.blocksPerPool[c]!;
      const choice = bpp > 1 ? v % 3 : v % 2;
      if (choice === 0) return set(0, /: class \d+ with 0 live blocks/);
      if (choice === 1) return set(bpp + 1 + (v % 3), / live blocks in a pool of \d+$/);
      const other = old + 1 + (v % (bpp - 1));
      return set(other > bpp ? other - bpp : other, /^class \d+: blocks = /);
    }),

    kind("table.address", mappedPools.length, (i, v) => {
      const gp = mappedPools[i]!;
      const old = table.address[gp]!;
      table.address[gp] = old + g.alignment * (1 + (v % 4));
      return {
        what: `table.address[${gp}]: ${old} → ${table.address[gp]}`,
        expect: [/: address \d+ but the pool is at \d+$/],
      };
    }),

    nudgedKind(
      "table.emptyPools",
      table.emptyPools,
      mappedSlots,
      () => /^arena \d+: emptyPools = \d+ but \d+ pools are empty$/,
    ),

    kind("bitmaps.words", bitsBefore.at(-1)!, (i) => {
      const [gp, bit] = locate(bitsBefore, i);
      const c = table.sizeClass[gp]!;
      const layout = bitmaps.layouts[c]!;
      const at = bitmaps.start[gp]! + (bit >>> 5);
      bitmaps.words[at] = bitmaps.words[at]! ^ (1 << (bit & 31));
      const what = `bitmaps.words[${at}] (pool ${gp}, word ${bit >>> 5}) bit ${bit & 31} flipped`;
      const prefix = "^arena \\d+ pool \\d+: ";
      if (bit >= 32 * layout.words[0]!) {
        const { level, w } = levelBitOf(layout, bit);
        return {
          what,
          expect: [
            new RegExp(
              `${prefix}summary level ${level} bit ${w} disagrees with level ${level - 1} word ${w}$`,
            ),
          ],
        };
      }
      const bpp = g.blocksPerPool[c]!;
      if (bit >= bpp)
        return {
          what,
          expect: [
            new RegExp(`${prefix}level-0 word ${bit >>> 5} has bits set past block ${bpp - 1}$`),
          ],
        };
      return {
        what,
        expect: [new RegExp(`${prefix}\\d+ free bits but \\d+ blocks with \\d+ live`)],
      };
    }),

    kind("bitmaps.tail", tails.length, (i, v) => {
      const gp = tails[i]!;
      const bpp = g.blocksPerPool[table.sizeClass[gp]!]!;
      const at = bitmaps.start[gp]! + ((bpp - 1) >>> 5);
      const word = bitmaps.words[at]!;
      const beyond = (bpp % 32) + (v % (32 - (bpp % 32))); // a bit past the last block
      bitmaps.words[at] = (word & (word - 1)) | (1 << beyond); // the lowest free bit moved there
      return {
        what: `bitmaps.words[${at}] (pool ${gp}): a free bit moved past block ${bpp - 1} to bit ${beyond}`,
        expect: [
          new RegExp(
            `^arena \\d+ pool \\d+: level-0 word ${(bpp - 1) >>> 5} has bits set past block ${bpp - 1}$`,
          ),
        ],
      };
    }),

    kind("requestedSizes.slack", liveBefore.at(-1)!, (i, v) => {
      const [gp, n] = locate(liveBefore, i);
      const c = table.sizeClass[gp]!;
      const at = requestedSizes.start[gp]! + nthLive(gp, n);
      const old = slack[at]!;
      const value = (old + 1 + (v % slackMax)) % (slackMax + 1);
      slack[at] = value;
      const size = g.classSizes[c]!;
      const asked = size - value;
      // The requests a block of class c can hold: its own class's, or (kept by realloc) more than 3/4 of it.
      const fits = classHoldsRequest(g, c, asked);
      return {
        what: `requestedSizes.slack[${at}] (pool ${gp}, class ${c}): ${old} → ${value}`,
        expect: [
          /^requested\.current = /,
          ...(fits ? [] : [/: block \d+ holds a request of -?\d+ bytes in class \d+$/]),
        ],
      };
    }),

    ...regionKinds(
      "requestedSizes",
      "requested sizes",
      "requested-size",
      requestedSizes,
      table.sizeClass,
    ),
    ...regionKinds("bitmaps", "pool bits", "free-bit", bitmaps, table.sizeClass),

    nudgedKind("classes.pools", classes.pools, range(C), () => /^class \d+: pools = /),
    nudgedKind("classes.blocks", classes.blocks, range(C), () => /^class \d+: blocks = /),

    // A member added where it does not belong is named by the set's own check and, for a pool of
    // the set's class (a full one) or a mapped pool (a used one), by that pool's check too; a
    // member taken away (a partly used or an empty pool) only by the pool's check.
    ...range(C).map((c) =>
      lowestKind(`classes.partly[${c}]`, `partly-used set of class ${c}`, classes.partly, c),
    ),
    ...range(C).map((c) =>
      bitsetKind(
        `classes.partly[${c}]`,
        `partly-used set of class ${c}`,
        classes.partly,
        c,
        (gp, isMember) => [
          ...(table.isMapped(slotOf(gp)) && table.sizeClass[gp] === c
            ? [new RegExp(` live but partly-used membership ${isMember}$`)]
            : []),
          ...(isMember ? [new RegExp(`^partly-used set of class ${c} holds pool ${gp} `)] : []),
        ],
      ),
    ),
    ...levelBitsetKinds("emptyPools", "empty-pool set", a.emptyPools, (gp, isMember) => [
      ...(table.isMapped(slotOf(gp))
        ? [new RegExp(` live but empty-pool membership ${isMember}$`)]
        : gp < pools
          ? [/\(unmapped\) is in the empty-pool set$/]
          : []),
      ...(isMember ? [new RegExp(`^empty-pool set holds pool ${gp}, `)] : []),
    ]),
    ...buckets.buckets.flatMap((set, e) =>
      set === undefined
        ? []
        : levelBitsetKinds(`buckets.bucket[${e}]`, `bucket ${e}`, set, (slot) => [
            new RegExp(`^bucket ${e} has \\d+ arenas but its size says`),
            ...(inBucket(slot) && table.emptyPools[slot] === e
              ? [new RegExp(`^arena ${slot} with ${e} empty pools is not in bucket ${e}$`)]
              : table.isMapped(slot)
                ? [new RegExp(`^bucket ${e} holds arena slot ${slot}, which has \\d+ empty pools$`)]
                : [new RegExp(`^bucket ${e} holds arena slot ${slot}, which is not mapped$`)]),
          ]),
    ),
    kind("buckets.bucket0", 1, () => {
      const zero = new LevelBitset(1);
      zero.add(0);
      buckets.buckets[0] = zero;
      return {
        what: "a bucket for arenas with 0 empty pools created",
        expect: [/^bucket 0 exists/],
      };
    }),
    ...levelBitsetKinds("buckets.counts", "counts", buckets.counts, (count) => [
      count === 0
        ? /^counts holds 0$/
        : new RegExp(`^counts has ${count} = (true|false) but bucket ${count} has \\d+ arenas$`),
    ]),
    // The size of the bucket of wholly empty arenas is also their count.
    nudgedKind("buckets.sizes", buckets.sizes, range(ppa + 1), (e) => [
      new RegExp(`^bucket ${e} has \\d+ arenas but its size says \\d+$`),
      ...(e === ppa
        ? [new RegExp(`^bucket ${e} holds \\d+ arenas but \\d+ are wholly empty$`)]
        : []),
    ]),

    kind("emptyArenaCount", 1, (_, v) => {
      const old = internals.emptyArenaCount;
      internals.emptyArenaCount = nudge(old, v);
      return {
        what: `emptyArenaCount: ${old} → ${internals.emptyArenaCount}`,
        expect: [/^whollyEmptyArenas = \d+ but \d+ arenas are wholly empty$/],
      };
    }),
    kind("requested.current", 1, (_, v) => {
      const old = a.requested.current;
      a.requested.current = nudge(old, v);
      return {
        what: `requested.current: ${old} → ${a.requested.current}`,
        expect: [/^requested\.current = -?\d+ but live blocks asked for \d+$/],
      };
    }),
    kind("arenaBytes", arenaSlots.length, (s) => {
      if (!table.isMapped(s)) {
        internals.arenaBytes[s] = new Uint8Array(g.arenaSize);
        return {
          what: `arenaBytes[${s}] of an unmapped slot: a view cached`,
          expect: [new RegExp(`^arena ${s}: cached arena view but not mapped$`)],
        };
      }
      // A mapped arena's view is made on first use (a missing one is no corruption: inertCells).
      internals.arenaBytes[s] = new Uint8Array(g.arenaSize);
      return {
        what: `arenaBytes[${s}]: a view of other memory`,
        expect: [new RegExp(`^arena ${s}: cached arena view is not the mapped memory$`)],
      };
    }),
  ];
}

/** A change to a cell that means nothing in the current state: check() must still pass. */
export interface InertChange {
  readonly what: string;
  apply(): void;
}

/**
 * Cells the allocator rewrites before it reads them, each changed (see the header): an unmapped
 * slot's empty-pool count and its pools' addresses (mapArena sets both), the requested size
 * of a free block of a used pool (malloc sets it), and a mapped arena's cached view, dropped
 * (arenaView makes it again on first use).
 */
export function inertCells(a: BitmapAllocator): InertChange[] {
  const g = a.geometry;
  const ppa = g.poolsPerArena;
  const { table, bitmaps, requestedSizes } = a;
  const unmapped = range(table.capacity).filter((s) => !table.isMapped(s));
  const mapped = range(table.capacity).filter((s) => table.isMapped(s));
  const freeBlocks = range(table.capacity * ppa)
    .filter((gp) => table.isMapped(Math.floor(gp / ppa)) && table.sizeClass[gp]! >= 0)
    .flatMap((gp) =>
      range(g.blocksPerPool[table.sizeClass[gp]!]!)
        .filter((k) => bitmaps.isFree(gp, k))
        .map((k) => [gp, k] as const),
    );
  return [
    ...unmapped.map((s) => ({
      what: `table.emptyPools[${s}] of an unmapped slot`,
      apply: () => void (table.emptyPools[s] = 1 + (s % ppa)),
    })),
    ...unmapped.flatMap((s) =>
      range(ppa).map((index) => ({
        what: `table.address of arena ${s} pool ${index} (unmapped)`,
        apply: () => void (table.address[s * ppa + index] = 8 * (1 + index)),
      })),
    ),
    ...mapped.map((s) => ({
      what: `arenaBytes[${s}] of a mapped arena: dropped`,
      apply: () => void ((a as unknown as AllocatorInternals).arenaBytes[s] = undefined),
    })),
    ...freeBlocks.map(([gp, k]) => ({
      what: `the requested size of free block ${k} of pool ${gp}`,
      apply: () => requestedSizes.set(gp, k, (requestedSizes.get(gp, k) + 1) % 2),
    })),
  ];
}
