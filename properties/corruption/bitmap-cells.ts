/**
 * Every piece of the bitmap allocator's metadata that `check()` guards (invariant 12), as cells
 * a test can corrupt one at a time. A cell is one entry of a typed array (or one counter) whose
 * value means something in the current state of the heap; changing exactly one such cell leaves
 * the structures disagreeing with each other or with the address space, and `check()` must say
 * so (properties/tests/bitmap-corruption.test.ts). The cells and why each change is visible:
 *
 *   table.mapped[s]          s < capacity            mapped slots ≠ the address space's
 *   table.sizeClass[gp]      every pool              class vs live count, per-class pool counts
 *   table.live[gp]           every pool              class vs live count, per-class block counts
 *   table.address[gp]        pools of mapped arenas  the pool's address
 *   table.emptyPools[s]      mapped arenas           the recount of empty pools
 *   bitmaps.words            a used pool's layout    one bit: the free-bit count or a summary bit
 *   requestedSizes.slack     a live block's entry    the sum of requested bytes
 *   requestedSizes.start[gp] every pool              a region without a class, or overlapping
 *   classes.lowest/pools/blocks[c]                   the recount and the set's first member
 *   classes.partly[c], emptyPools, the buckets and their counts: LevelBitsets, one bit
 *   buckets.sizes[e]         every bucket            its member count
 *   emptyArenaCount, requested.current               the recounts
 *
 * Cells whose value means nothing in the current state (the bits of an empty pool's region,
 * the requested size of a free block, the address of a pool of an unmapped arena, words past a
 * class's layout) are left out: a change there is no corruption. Bits flip one at a time, since
 * swapping two bits of a word can keep its count.
 *
 * The internals are reached through casts: the allocator exposes its structures read-only for
 * check() and the tests, and keeps the buckets' and bitsets' arrays private.
 */
import type { BitmapAllocator } from "../../src/bitmap/bitmap-allocator.ts";
import type { LevelBitset } from "../../src/bits/level-bitset.ts";

type Numbers = { [index: number]: number; readonly length: number };

/** One kind of cell: how many there are in this heap, and a change to the i-th. */
export interface CellKind {
  readonly name: string;
  readonly count: number;
  /** Changes cell i (0 ≤ i < count) to another value picked by `variant`; says what it did. */
  corrupt(i: number, variant: number): string;
}

interface BitsetInternals {
  readonly bits: Uint32Array;
}
interface BucketInternals {
  readonly buckets: (LevelBitset | undefined)[];
  readonly sizes: Int32Array;
  readonly counts: LevelBitset;
}
interface AllocatorInternals {
  emptyArenaCount: number;
}

/** Sets a cell of a typed array to a value other than its own, in the array's range; says what it did. */
function otherValue(array: Numbers, at: number, variant: number, range: readonly [number, number]): string {
  const [lo, hi] = range;
  const span = hi - lo + 1;
  const old = array[at]!;
  // One of the span − 1 other values in [lo, hi]; small changes (±1) first, as variant grows.
  const step = 1 + (variant % (span - 1));
  const value = lo + ((((old - lo + step) % span) + span) % span);
  array[at] = value;
  return `${old} → ${value}`;
}

function arrayCells(name: string, array: Numbers, indices: readonly number[], range: readonly [number, number]): CellKind {
  return {
    name,
    count: indices.length,
    corrupt: (i, variant) => `${name}[${indices[i]}]: ${otherValue(array, indices[i]!, variant, range)}`,
  };
}

/** One bit of a set's words (level 0 or a summary): every bit of every word of the set. */
function bitsetCells(name: string, set: LevelBitset): CellKind {
  const bits = (set as unknown as BitsetInternals).bits;
  return {
    name,
    count: bits.length * 32,
    corrupt: (i) => {
      bits[i >>> 5] = bits[i >>> 5]! ^ (1 << (i & 31));
      return `${name}: word ${i >>> 5} bit ${i & 31} flipped`;
    },
  };
}

function counterCell(name: string, read: () => number, write: (value: number) => void): CellKind {
  return {
    name,
    count: 1,
    corrupt: (_, variant) => {
      const old = read();
      const value = old + (variant % 2 === 0 ? 1 : -1) * (1 + (variant >> 1));
      write(value);
      return `${name}: ${old} → ${value}`;
    },
  };
}

/**
 * Every cell kind of this heap, in its current state. Kinds without cells have count 0. Cheap to
 * call: the bit and requested-size cells are found from per-pool prefix sums, not listed.
 */
export function bitmapCells(a: BitmapAllocator): CellKind[] {
  const g = a.geometry;
  const ppa = g.poolsPerArena;
  const { table, bitmaps, requestedSizes, classes } = a;
  const pools = table.capacity * ppa;
  const allPools = Array.from({ length: pools }, (_, gp) => gp);
  const mappedPools = allPools.filter((gp) => table.isMapped(Math.floor(gp / ppa)));
  const mappedSlots = Array.from({ length: table.capacity }, (_, s) => s).filter((s) => table.isMapped(s));
  const usedPools = mappedPools.filter((gp) => table.sizeClass[gp]! >= 0);
  const classRange = [-1, g.sizeClasses - 1] as const;

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
  /** The entry of `requestedSizes.slack` of the live block numbered i. */
  const liveEntry = (i: number): number => {
    const [gp, nth] = locate(liveBefore, i);
    let k = -1;
    for (let seen = -1; seen < nth; ) if (!bitmaps.isFree(gp, ++k)) seen++;
    return requestedSizes.start[gp]! + k;
  };
  const slack = requestedSizes.slack;
  const slackMax = 2 ** (8 * slack.BYTES_PER_ELEMENT) - 1;

  const buckets = a.buckets as unknown as BucketInternals;
  const internals = a as unknown as AllocatorInternals;
  const allClasses = Array.from({ length: g.sizeClasses }, (_, c) => c);
  const mostBlocks = Math.max(...g.blocksPerPool);

  return [
    arrayCells("table.mapped", table.mapped, Array.from({ length: table.capacity }, (_, s) => s), [0, 1]),
    arrayCells("table.sizeClass", table.sizeClass, allPools, classRange),
    arrayCells("table.live", table.live, allPools, [0, mostBlocks]),
    arrayCells("table.address", table.address, mappedPools, [0, 2 ** 40]),
    arrayCells("table.emptyPools", table.emptyPools, mappedSlots, [0, ppa]),
    {
      name: "bitmaps.words",
      count: bitsBefore.at(-1)!,
      corrupt: (i) => {
        const [gp, bit] = locate(bitsBefore, i);
        const at = gp * bitmaps.regionWords + (bit >>> 5);
        bitmaps.words[at] = bitmaps.words[at]! ^ (1 << (bit & 31));
        return `bitmaps.words[${at}] (pool ${gp}, word ${bit >>> 5}) bit ${bit & 31} flipped`;
      },
    },
    {
      name: "requestedSizes.slack",
      count: liveBefore.at(-1)!,
      corrupt: (i, variant) => {
        const at = liveEntry(i);
        return `requestedSizes.slack[${at}]: ${otherValue(slack, at, variant, [0, slackMax])}`;
      },
    },
    arrayCells("requestedSizes.start", requestedSizes.start, allPools, [-1, Math.max(slack.length, 1)]),
    arrayCells("classes.lowest", classes.lowest, allClasses, [-1, pools]),
    arrayCells("classes.pools", classes.pools, allClasses, [0, g.maxArenas * ppa]),
    arrayCells("classes.blocks", classes.blocks, allClasses, [0, g.maxArenas * ppa * mostBlocks]),
    ...classes.partly.map((set, c) => bitsetCells(`classes.partly[${c}]`, set)),
    bitsetCells("emptyPools", a.emptyPools),
    ...buckets.buckets.flatMap((set, e) => (set === undefined ? [] : [bitsetCells(`buckets.bucket[${e}]`, set)])),
    bitsetCells("buckets.counts", buckets.counts),
    arrayCells("buckets.sizes", buckets.sizes, Array.from({ length: ppa + 1 }, (_, e) => e), [0, g.maxArenas]),
    counterCell("emptyArenaCount", () => internals.emptyArenaCount, (v) => (internals.emptyArenaCount = v)),
    counterCell("requested.current", () => a.requested.current, (v) => (a.requested.current = v)),
  ];
}
