/**
 * Why each mutant that survives `npm run mutation` survives (spec/audit.md §3), one of:
 *
 *   equivalent     no call through the API can tell it from the original (on any state the
 *                  allocator can reach), and the argument says why;
 *   same verdict   a mutant of check(): on every corrupted state too, check() throws exactly when
 *                  the original throws; only the messages of a failing check() differ (a second
 *                  check reports the same corruption, or the mutant is in a message's text);
 *   killed by hand Stryker reports it survived, but the named test fails against it when run
 *                  directly (npx vitest run <file> with the mutant applied by hand);
 *   not killed     a test could tell it from the original and none does yet.
 *
 * Matched on file, mutator, the mutated code and the line it is on. The audit lists every
 * survivor; one without an entry here is shown as "unexplained".
 */

export interface SurvivorExplanation {
  readonly verdict: "equivalent" | "same verdict" | "killed by hand" | "not killed";
  readonly why: string;
}

export interface SurvivorKey {
  readonly file: string;
  readonly mutator: string;
  readonly original: string;
  readonly replacement: string;
  readonly lineText: string;
}

interface Entry extends SurvivorExplanation {
  readonly file: string;
  readonly mutator?: string;
  /** A substring of the line the mutant is on. */
  readonly line: string;
  /** The mutated code exactly, when the line alone is ambiguous. */
  readonly original?: string;
  readonly replacement?: string;
}

const BM = "src/allocators/bitmap/bitmap-allocator.ts";
const CHECK = "src/allocators/bitmap/bitmap-check.ts";
const POOLS = "src/allocators/bitmap/pool-bitmaps.ts";
const SIZES = "src/allocators/bitmap/requested-sizes.ts";
const REGIONS = "src/allocators/bitmap/class-regions.ts";
const BITS = "src/core/bits/level-bitset.ts";
const GROWTH = "src/core/typed-growth.ts";
const NAN_LEVEL =
  "one level past the last: offsets[level] and words[level] are undefined, so the index is NaN; a typed array reads undefined there and ignores the write, and the loop ends (undefined !== 0 returns, undefined & x is 0, NaN bounds end the inner loop), so every result is the original's";

const ENTRIES: readonly Entry[] = [
  // bitmap-allocator.ts
  {
    file: BM,
    line: "slot < Math.max(this.arenaBytes.length, this.table.capacity)",
    mutator: "EqualityOperator",
    verdict: "equivalent",
    why: "one slot past both arrays: no cached view and not mapped (mapped[capacity] is undefined), so cached === mapped holds and nothing else runs",
  },
  {
    file: BM,
    line: "if (slot >= this.table.capacity)",
    mutator: "ConditionalExpression",
    verdict: "equivalent",
    why: "regrowing when the tables already hold the slot: doubledCapacity returns the current capacity and the ensure calls copy the arrays into arrays of the same size; only the cost changes",
  },
  {
    file: BM,
    line: "else if (live === 1) this.classes.addPartly",
    mutator: "ConditionalExpression",
    verdict: "equivalent",
    why: "addPartly for a pool that is already partly used: the set already holds it and the cached lowest is already <= it (invariant 12), so both are unchanged",
  },
  {
    file: BM,
    line: "else if (live === this.blocksPerPool[c]! - 1) this.classes.addPartly",
    mutator: "ConditionalExpression",
    verdict: "equivalent",
    why: "as for malloc: re-adding a partly used pool to its set changes neither the set nor the cached lowest",
  },
  // The fast paths (spec/bitmap.md §3.1): the same arguments as for the steps they write out.
  {
    file: BM,
    line: "else if (live === 1) classes.addPartly",
    mutator: "ConditionalExpression",
    verdict: "equivalent",
    why: "mallocFast, as poolGainedBlock: addPartly for a pool that is already partly used changes neither the set nor the cached lowest",
  },
  {
    file: BM,
    line: "else if (live === blocks - 1) classes.addPartly",
    mutator: "ConditionalExpression",
    verdict: "equivalent",
    why: "freeFast, as poolLostBlock: re-adding a partly used pool to its set changes neither the set nor the cached lowest",
  },
  {
    file: BM,
    line: "if (bitmaps.levels[c] === 2) {",
    mutator: "ConditionalExpression",
    replacement: "false",
    verdict: "equivalent",
    why: "mallocFast and freeFast without their written-out two-level layout: PoolBitmaps.takeLowest and freeBlock take the same block and set the same bits",
  },
  {
    file: BM,
    line: "if (!(c >= 0)) return false;",
    mutator: "ConditionalExpression",
    verdict: "equivalent",
    why: "freeFast going on for a pool without a class (−1) or past the table (undefined): classInverse, classSizes and blocksPerPool give undefined there, so k is NaN, k · size !== offset holds and freeFast returns false before it reads or writes anything, as the test does",
  },
  {
    file: BM,
    line: "if (gp !== -1) {",
    mutator: "ConditionalExpression",
    replacement: "true",
    verdict: "equivalent",
    why: "free, realloc and usableSize asking liveBlockAt about gp = −1 (poolOf found no used pool): sizeClass[−1] is undefined, so the offset (address[−1] undefined) and k are NaN, k · size ≠ offset, and liveBlockAt returns −1; the slow path runs as in the original (the argument of spec/audit.md §3.1 #1)",
  },
  {
    file: BM,
    line: "const gp = (rel | 0) === rel ? this.poolIndexNear(rel) : this.poolIndexFar(p);",
    mutator: "ConditionalExpression",
    replacement: "false",
    verdict: "equivalent",
    why: "every pointer takes the float path (the address space's slotOf and poolIndexIn), which gives the same pool as the integer path for every int32 offset (bitmap-structures.test.ts checks the two agree, pool edges and guards included); the integer path is only faster. The `true` mutant of the same test is killed (a fraction below an aligned arena's first pool truncated into pool 0)",
  },
  {
    file: BM,
    line: "if (toSlot === -1) {",
    mutator: "ConditionalExpression",
    verdict: "equivalent",
    why: "the raw-path copy also copies between two small blocks correctly (AddressSpace.view works for every mapped address); the small-to-small path only avoids making two views",
  },
  // bitmap-check.ts
  {
    file: CHECK,
    line: "const fits = asked >= 0 && asked <= size",
    verdict: "same verdict",
    why: "asked = size − slack with an unsigned slack, so asked <= size always holds; a slack above the size (asked < 0) also fails the class test (sizeClassOf of a negative size is negative, and 4·asked > 3·size is false) and the requested-bytes total; asked = 0 is never stored for a small block (a request of 0 takes the raw path), so > 0 and >= 0 agree. Since the report, the redundant guards are gone: check() asks classHoldsRequest (src/core/geometry.ts), shared with the CPython model's check",
  },
  {
    file: CHECK,
    line: "table.isMapped(slot) && table.sizeClass[gp] === c && live > 0 && live < g.blocksPerPool[c]!",
    verdict: "same verdict",
    why: "the survivors drop the test that the member's arena is mapped (isMapped → true) or that it has live blocks (live > 0 → true, live >= 0): a pool of an unmapped arena, and a pool with no live block, has class −1 unless a second cell is corrupted (a class without live blocks is reported as 'class c with 0 live blocks'), so the class test reports every such member with the same message. The other mutants of this test (the class test, the full-pool test, || for &&) are killed by the every-cell corruption test",
  },
  // arena-buckets.ts
  // bitmap-snapshot.ts
  {
    file: "src/allocators/bitmap/bitmap-snapshot.ts",
    line: "for (let slot = 0; slot < table.capacity; slot++)",
    mutator: "EqualityOperator",
    verdict: "equivalent",
    why: "mapped[capacity] is undefined, not 1: the extra slot is skipped",
  },
  // class-pools.ts
  {
    file: "src/allocators/bitmap/class-pools.ts",
    line: "if (lowest === -1 || gp < lowest)",
    mutator: "EqualityOperator",
    verdict: "equivalent",
    why: "gp === lowest only when the pool is already the lowest member: the assignment writes the same value",
  },
  {
    file: "src/allocators/bitmap/class-pools.ts",
    line: "if (this.lowest[sizeClass] === gp)",
    mutator: "ConditionalExpression",
    verdict: "equivalent",
    why: "recomputing the lowest after every delete: the set's first member is the cached lowest whenever gp was not it (invariant 12), so the value is the same; only the cost (one first(), O(levels)) changes",
  },
  // pool-bitmaps.ts
  {
    file: POOLS,
    line: "const valid = blocks - 32 * w >= 32",
    original: "blocks - 32 * w",
    replacement: "blocks + 32 * w",
    verdict: "equivalent",
    why: "the second blocks − 32·w, the shift count of the partial word's mask: shift counts are taken mod 32 and 32·w ≡ 0, so 1 << (blocks + 32·w) is 1 << (blocks − 32·w). (The first, the test for a whole word, is killed: a pool of a class whose last bit word is partial lists phantom blocks in snapshot(), bitmap-differential.test.ts 'snapshot() of a pool of every class …')",
  },
  {
    file: POOLS,
    line: "if (levels === 1) {",
    mutator: "ConditionalExpression",
    replacement: "false",
    verdict: "equivalent",
    why: "skipping the one-level fast path: the generic path (nextSetBit from 0 / clearBit / setBit over the class's layout) gives the same block and the same bits",
  },
  {
    file: POOLS,
    line: "if (levels === 2) {",
    mutator: "ConditionalExpression",
    replacement: "false",
    verdict: "equivalent",
    why: "skipping the two-level fast path: the generic path gives the same block and the same bits",
  },
  {
    file: POOLS,
    line: "for (let level = 1; level < layout.offsets.length; level++)",
    mutator: "EqualityOperator",
    verdict: "equivalent",
    why: NAN_LEVEL,
  },
  // requested-sizes.ts
  {
    file: SIZES,
    line: "return Math.max(geometry.alignment - 1",
    verdict: "equivalent",
    why: "a larger bound can only pick a wider entry type, which holds the same values: every stored slack, read and check is the same",
  },
  {
    file: SIZES,
    line: "limit <= 0xffff ? new Uint16Array(0)",
    mutator: "EqualityOperator",
    verdict: "equivalent",
    why: "at a bound of exactly 0xffff the mutant picks Uint32 entries instead of Uint16: wider, the same values",
  },
  {
    file: GROWTH,
    line: "return length <= array.length ? array : resized(",
    mutator: "EqualityOperator",
    verdict: "equivalent",
    why: "grows when the array would be filled exactly: a longer array, the same elements",
  },
  {
    file: REGIONS,
    line: "bad += taken[i]++",
    mutator: "UpdateOperator",
    verdict: "equivalent",
    why: "taken only distinguishes 0 (unclaimed) from not 0: a decrement makes a claimed entry 255 instead of 1, a second claim adds that non-zero value, and the lost-entry search still looks for 0",
  },
  {
    file: REGIONS,
    line: "for (let gp = 0; gp < this.start.length; gp++)",
    mutator: "EqualityOperator",
    verdict: "equivalent",
    why: "one pool past the table: its class and start are undefined, so (undefined === −1) === (undefined === −1) holds and c >= 0 is false",
  },
  {
    file: REGIONS,
    line: "for (let c = 0; c < this.spare.length; c++)",
    mutator: "EqualityOperator",
    verdict: "equivalent",
    why: "one class past the last: spareCount[c] is undefined, so the inner loop does not run",
  },
  // typed-growth.ts
  {
    file: GROWTH,
    line: "while (capacity < needed) capacity *= 2;",
    mutator: "EqualityOperator",
    verdict: "equivalent",
    why: "doubles once more when the capacity already equals what is needed (capped at the limit): a larger table, the same contents",
  },
  // level-bitset.ts
  {
    file: BITS,
    line: "expected |= Number(a[below + w] !== 0) << (w - first)",
    mutator: "ArithmeticOperator",
    verdict: "equivalent",
    why: "first = 32·v, so w + first = (w − first) + 64·v: the same shift, as a shift count is taken mod 32",
  },
  {
    file: BITS,
    line: "for (let level = 0; level < offsets.length; level++)",
    mutator: "EqualityOperator",
    verdict: "equivalent",
    why: NAN_LEVEL,
  },
  {
    file: BITS,
    line: "for (let level = 1; level < offsets.length; level++)",
    mutator: "EqualityOperator",
    verdict: "equivalent",
    why: NAN_LEVEL,
  },
  {
    file: BITS,
    line: "if (top === 0) return -1;",
    mutator: "ConditionalExpression",
    replacement: "false",
    verdict: "equivalent",
    why: "first() of an empty set without the early return: every word is zero (invariant 12), ctz32(0) is −1 and (−1 << 5) | −1 is −1, so each step of the descent stays −1 (it reads bits[o − 1], the last word of the level below, zero, and finally bits[−1], undefined, whose ctz32 is also −1) and it returns −1",
  },
  // The `true` and `>` mutants of this line are not equivalent (a deeper set's members past level
  // 2's first word would be missed, or a small set's read from the top) and level-bitset.test.ts
  // kills them: only these three are explained.
  ...(
    [
      ["ConditionalExpression", "false"],
      ["EqualityOperator", "this.limit < SHALLOW_CAPACITY"],
      ["BlockStatement", "{}"],
    ] as const
  ).map(([mutator, replacement]) => ({
    file: BITS,
    line: "if (this.limit <= SHALLOW_CAPACITY) {",
    mutator,
    replacement,
    verdict: "equivalent" as const,
    why: "first() from the top for a set of at most 32^3 members (the condition false or <, or the shortcut's block emptied): levels 3 and 4 then hold bit 0 exactly when level 2's one word is non-zero (invariant 12), so the five-level descent reads the same words below and returns the same member; the shortcut only skips two reads",
  })),
  {
    file: BITS,
    line: "if (word2 === 0) return -1;",
    mutator: "ConditionalExpression",
    replacement: "false",
    verdict: "equivalent",
    why: "the argument for `if (top === 0) return -1;`: on an empty set ctz32(0) is −1 at every step of the descent, so it returns −1",
  },
  {
    file: BITS,
    line: "for (let s = 0; s < count; s++) fillFirst(",
    mutator: "EqualityOperator",
    replacement: "s <= count",
    verdict: "equivalent",
    why: "one more fillFirst, for a region starting at count · stride, the end of the array: its fill calls start past the end (a no-op) and its single-word writes land out of bounds, which a typed array ignores",
  },
  {
    file: BITS,
    line: "if (i < this.lowest[s]! >>> 0) this.lowest[s] = i;",
    mutator: "EqualityOperator",
    replacement: "i <= this.lowest[s]! >>> 0",
    verdict: "equivalent",
    why: "adding the cached lowest member again writes the same value to lowest[s]",
  },
  {
    file: BITS,
    line: "if (this.lowest[s] === i) this.lowest[s] = this.lowestByLevels(base);",
    mutator: "ConditionalExpression",
    replacement: "true",
    verdict: "equivalent",
    why: "recomputing the lowest member after every delete, not only after deleting the lowest: lowestByLevels returns the set's lowest member whenever the summaries are right (invariant 12), which is the cached value when another member was deleted; only the cost changes",
  },
  {
    file: BITS,
    line: "if (before !== 0) return;",
    mutator: "ConditionalExpression",
    verdict: "equivalent",
    why: "climbing on although the word was already non-zero: the summary bits above are already set (invariant 12), so setting them again changes nothing; only the cost changes",
  },
];

export function explainSurvivor(key: SurvivorKey): SurvivorExplanation | undefined {
  const entry = ENTRIES.find(
    (e) =>
      e.file === key.file &&
      key.lineText.includes(e.line) &&
      (e.mutator === undefined || e.mutator === key.mutator) &&
      (e.original === undefined || e.original === key.original) &&
      (e.replacement === undefined || e.replacement === key.replacement),
  );
  return entry === undefined ? undefined : { verdict: entry.verdict, why: entry.why };
}
