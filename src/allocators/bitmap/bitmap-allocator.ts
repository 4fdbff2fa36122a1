/**
 * The bitmap allocator: the address-ordered policy of spec/policy.md, decision for decision the
 * same as the reference allocator (src/allocators/reference/), so the two give the same addresses,
 * nulls, errors, stats, snapshots and address-space events (invariant 11). Only the way it finds
 * things differs: typed arrays, one bit per block, summary words, per-class sets and buckets of
 * arenas. No operation scans the heap. spec/bitmap.md describes each structure (§1), maps each
 * policy step to one (§3) and gives the cost of each operation (§4). malloc, free and realloc are
 * strung from small named steps, protected rather than private (a compile-time difference only),
 * so that a seeded-bug variant (properties/audit/seeded-bugs/) overrides exactly one.
 *
 * ── Layout ──────────────────────────────────────────────────────────────────────────────────────
 *
 *   the simulated address space (AddressSpace): arena slots in address order, s = 0, 1, 2, …
 *
 *     slot 0                                           slot 1
 *     ┌──────────┬──────────┬─────┬──────────┬───────┐┌──────────┬──────────┬─────┐
 *     │  pool 0  │  pool 1  │ ... │ pool n-1 │ guard ││  pool 0  │  pool 1  │ ... │  n = poolsPerArena
 *     └──────────┴──────────┴─────┴──────────┴───────┘└──────────┴──────────┴─────┘
 *      gp = 0     gp = 1           gp = n-1            gp = n     gp = n+1          gp = s·n + i
 *
 *   A pool is named by its global pool index gp = s·n + i, so gp order is address order. A pointer
 *   finds its slot, pool and block by arithmetic (CPython's POOL_ADDR: shifts and masks while
 *   p − base is an int32, see poolOf), then tests one bit.
 *
 *   per pool gp (PoolTable)                       per arena slot s (PoolTable)
 *     sizeClass  Int16Array    class, −1 = empty    emptyPools  Int32Array  empty pools in s
 *     live       Int32Array    live blocks          mapped      Uint8Array  1 while mapped
 *     address    Float64Array  first byte of gp
 *
 *   bitmaps.words (PoolBitmaps): one Uint32Array; a used pool of class c has the words of
 *   bitLayout(blocksPerPool[c]) at bitmaps.start[gp] (class-sized regions, as the requested sizes):
 *
 *     region gp ┌──────────────────────────────────────────────┬──────────────────────┬───┐
 *               │ level 0: bit k = 1 ⇔ block k is free         │ level 1: bit w = 1 ⇔ │top│
 *               │ word 0  │ word 1  │ ...... │ word m−1        │ level-0 word w ≠ 0   │...│
 *               │ 0 … 31  │ 32 … 63 │        │ (partial: zero  │                      │   │
 *               │         │         │        │  past the last) │                      │   │
 *               └──────────────────────────────────────────────┴──────────────────────┴───┘
 *
 *   requestedSizes (RequestedSizes): what each live block asked for, in class-sized regions
 *     slack  Uint8Array  │ region of gp (class 3) │ region (class 0) … │ …   one entry per block
 *                        ▲ start[gp]   slack[start[gp] + k] = classSize − requested
 *     start  Int32Array  per pool: its region, −1 without a class. A pool taking class c gets a
 *                        region of blocksPerPool[c] entries (reused from class c's stack of
 *                        given-back regions, or cut from the end); it gives it back on emptying.
 *                        (ClassRegions, the same for the bits: their own start and stacks.)
 *
 *   classes (ClassPools), per size class c:
 *     partly[c]  set c of a LevelBitsets over gp (every class's set in one array): member ⇔
 *                a class-c pool with 0 < live < blocksPerPool[c]
 *                ┌───────────────────────────┐
 *                │ . . 1 . . 1 . . . 1 . . … │   lowest[c] = its first member, the set's own cache
 *                └───────────────────────────┘   (−1 if none): CPython's usedpools[c] head, by address
 *     pools[c], blocks[c]  Int32Array  used pools and live blocks, for stats()
 *
 *   emptyPools  LevelBitset over gp: member ⇔ a pool of a mapped arena with no live block;
 *               next(s·n) is the lowest empty pool of arena s
 *
 *   buckets (ArenaBuckets): the mapped arenas with at least one empty pool, by that count e
 *     counts     [ . 1 . . 1 . . … 1 ]   LevelBitset over e = 1 … n: member ⇔ bucket[e] ≠ ∅
 *                  e=1     e=4      e=n
 *     bucket[1] = {5}                    LevelBitset over slots
 *     bucket[4] = {0, 2}                 best() = bucket[counts.first()].first() = slot 5
 *     bucket[n] = {3}                    the wholly empty arenas; whollyEmptyArenas counts them
 *
 * ── Costs ──────────────────────────────────────────────────────────────────────────────────────
 *   spec/bitmap.md §4, for every operation.
 */
import type { AddressSpace } from "../../core/address-space.ts";
import type { Allocator, HeapSnapshot, Stats } from "../../core/allocator.ts";
import { LevelBitset, ctz32 } from "../../core/bits/level-bitset.ts";
import { reallocStaysInPlace, type Geometry } from "../../core/geometry.ts";
import { Problems } from "../../core/integrity.ts";
import { type PointerUse, classifyBadPointer, validateSize } from "../../core/misuse.ts";
import { RequestedBytes, buildStats } from "../../core/stats.ts";
import { ArenaBuckets } from "./arena-buckets.ts";
import { checkBitmapHeap } from "./bitmap-check.ts";
import type { BitmapHeap } from "./bitmap-heap.ts";
import { BitmapHeapQuery } from "./bitmap-heap-query.ts";
import { bitmapSnapshot } from "./bitmap-snapshot.ts";
import { ClassPools } from "./class-pools.ts";
import { PoolBitmaps } from "./pool-bitmaps.ts";
import { PoolTable } from "./pool-table.ts";
import { RequestedSizes } from "./requested-sizes.ts";
import { doubledCapacity } from "../../core/typed-growth.ts";

export class BitmapAllocator implements Allocator, BitmapHeap {
  readonly kind = "bitmap";
  readonly geometry: Geometry;
  readonly addressSpace: AddressSpace;
  readonly table: PoolTable;
  readonly bitmaps: PoolBitmaps;
  readonly requestedSizes: RequestedSizes;
  readonly classes: ClassPools;
  readonly buckets: ArenaBuckets;
  readonly emptyPools: LevelBitset;
  readonly requested = new RequestedBytes();
  protected emptyArenaCount = 0;
  /**
   * arenaBytes[slot]: a view of the whole mapped arena, for realloc's copy (no view per call),
   * made by the first copy that needs it (arenaView): viewing an arena makes its memory
   * (spec/model.md §2), and most arenas are never copied from or into.
   */
  protected readonly arenaBytes: (Uint8Array | undefined)[] = [];
  protected readonly query: BitmapHeapQuery;

  // Geometry numbers as plain fields, for the hot paths.
  protected readonly threshold: number;
  protected readonly alignmentShift: number;
  protected readonly poolSize: number;
  protected readonly poolOverhead: number;
  protected readonly poolsPerArena: number;
  protected readonly keepEmptyArena: boolean;
  protected readonly classSizes: Int32Array;
  protected readonly blocksPerPool: Int32Array;
  /** 1 / classSizes[c]: the block index by multiplication (checked exactly, see liveBlockAt). */
  protected readonly classInverse: Float64Array;
  protected readonly regionBase: number;
  protected readonly firstPoolOffset: number;
  /**
   * poolOf's fast path (int32 offsets from the region base): the stride and P are powers of two,
   * so slot = rel >> strideShift, the offset in the slot is rel & strideMask, the pool index is
   * that minus the first pool's offset >> poolShift. A stride of 2^32 (arenas of 2^31 bytes)
   * shifts by 31, which is exact too: every int32 offset lies in slot 0 or −1.
   */
  protected readonly strideMask: number;
  protected readonly strideShift: number;
  protected readonly poolShift: number;
  /**
   * poolSize − 1: an address's offset in its pool is (its offset in the slot − firstPoolOffset)
   * & poolMask (CPython's POOL_ADDR), which freeFast uses instead of reading address[gp].
   */
  protected readonly poolMask: number;
  /**
   * Whether malloc and free take their fast paths (mallocFast, freeFast): in this class only. A
   * subclass (a seeded bug, properties/audit/seeded-bugs/) overrides one step, and the fast paths
   * do not call the steps they write out, so its every call takes the generic path, which does.
   */
  protected readonly fastPaths: boolean;

  constructor(geometry: Geometry, space: AddressSpace) {
    this.geometry = geometry;
    this.addressSpace = space;
    this.threshold = geometry.smallThreshold;
    this.alignmentShift = geometry.alignmentShift;
    this.poolSize = geometry.poolSize;
    this.poolOverhead = geometry.poolOverhead;
    this.poolsPerArena = geometry.poolsPerArena;
    this.keepEmptyArena = geometry.keepEmptyArena;
    this.classSizes = Int32Array.from(geometry.classSizes);
    this.blocksPerPool = Int32Array.from(geometry.blocksPerPool);
    this.classInverse = Float64Array.from(geometry.classSizes, (size) => 1 / size);
    this.regionBase = space.arenaRegionBase;
    this.firstPoolOffset = space.firstPoolOffset;
    this.strideMask = space.stride - 1; // as int32 (the & takes it so): −1 for a stride of 2^32
    this.strideShift = Math.min(31, Math.log2(space.stride));
    this.poolShift = Math.log2(geometry.poolSize);
    this.poolMask = geometry.poolSize - 1;
    this.fastPaths = new.target === BitmapAllocator;
    this.table = new PoolTable(geometry.poolsPerArena);
    this.bitmaps = new PoolBitmaps(geometry);
    this.requestedSizes = new RequestedSizes(geometry);
    this.classes = new ClassPools(geometry);
    this.buckets = new ArenaBuckets(geometry.poolsPerArena);
    this.emptyPools = new LevelBitset(geometry.poolsPerArena);
    this.query = new BitmapHeapQuery(this);
  }

  get whollyEmptyArenas(): number {
    return this.emptyArenaCount;
  }

  // ── the interface ───────────────────────────────────────────────────────────────────────

  malloc(n: number): number | null {
    // A small size (an integer 1 … T, valid since maxRequest > T) takes the fast path.
    if (this.fastPaths && typeof n === "number" && n > 0 && n <= this.threshold && (n | 0) === n)
      return this.mallocFast(n);
    validateSize(this.geometry, n); // invariant 9
    const address = this.allocate(n);
    if (address === -1) return null; // invariant 10: only at the arena limit or the raw limit
    this.requested.change(n);
    return address;
  }

  free(p: number | null): void {
    if (this.fastPaths && this.freeFast(p)) return;
    if (p === null) return;
    const gp = this.poolOf(p);
    if (gp !== -1) {
      const c = this.table.sizeClass[gp]!;
      const k = this.liveBlockAt(gp, c, p);
      /* v8 ignore next -- @preserve the shipped class frees a live small block in freeFast unless its pool lies 2 GiB or more past the region base, which no property geometry maps; a subclass (a seeded bug) frees here (spec/coverage.md) */
      if (k !== -1) {
        this.requested.change(-this.freeSmall(gp, c, k));
        return;
      }
    }
    const requested = this.addressSpace.rawRequested(p); // −1 for anything not a live raw block
    // Neither a live small block nor a live raw block: the misuse error, nothing changed (invariant 9).
    if (requested === -1) classifyBadPointer(this.addressSpace, this.query, p, "free");
    this.addressSpace.unmapRaw(p);
    this.requested.change(-requested);
  }

  /** spec/policy.md §4, as the reference: in place, or allocate first, copy, free the old block. */
  realloc(p: number | null, n: number): number | null {
    validateSize(this.geometry, n);
    if (p === null) return this.malloc(n);
    const gp = this.poolOf(p);
    if (gp !== -1) {
      const c = this.table.sizeClass[gp]!;
      const k = this.liveBlockAt(gp, c, p);
      if (k !== -1) return this.reallocSmall(p, gp, c, k, n);
    }
    return this.reallocRaw(p, n);
  }

  usableSize(p: number): number {
    return this.usable(p, "usableSize");
  }

  bytes(p: number): Uint8Array {
    return this.addressSpace.view(p, this.usable(p, "bytes"));
  }

  /** The class size of a live small block, the size of a live raw block, or the error. */
  protected usable(p: number, use: PointerUse): number {
    const gp = this.poolOf(p);
    if (gp !== -1) {
      const c = this.table.sizeClass[gp]!;
      if (this.liveBlockAt(gp, c, p) !== -1) return this.classSizes[c]!;
    }
    const size = this.addressSpace.rawSize(p);
    if (size === -1) classifyBadPointer(this.addressSpace, this.query, p, use);
    return size;
  }

  /** O(C): the counters are kept on every pool transition (invariant 7). */
  stats(): Stats {
    return buildStats(this.geometry, this.addressSpace, {
      poolsPerClass: this.classes.pools,
      blocksPerClass: this.classes.blocks,
      requestedCurrent: this.requested.current,
      requestedPeak: this.requested.peak,
    });
  }

  snapshot(): HeapSnapshot {
    return bitmapSnapshot(this);
  }

  /** Invariant 12: bits, counters, sets and buckets agree with each other and the address space. */
  check(): void {
    const problems = new Problems();
    checkBitmapHeap(this, problems);
    for (let slot = 0; slot < Math.max(this.arenaBytes.length, this.table.capacity); slot++) {
      const bytes = this.arenaBytes[slot];
      const cached = bytes !== undefined;
      const mapped = this.table.isMapped(slot);
      problems.expect(!cached || mapped)`arena ${slot}: cached arena view but not mapped`;
      // Both ways on a correct heap: mapped arenas never copied from or into, slots below the
      // capacity that are not (or no longer) mapped.
      if (cached && mapped) {
        problems.expect(
          bytes.buffer === this.addressSpace.view(this.addressSpace.arenaStart(slot), 1).buffer,
        )`arena ${slot}: cached arena view is not the mapped memory`;
      }
    }
    problems.throwIfAny(this.kind);
  }

  // ── allocation (spec/policy.md §1–§2) ───────────────────────────────────────────────────
  //
  // As obmalloc's pymalloc_alloc (spec/cpython-facts.md §4), in cases labelled in the code:
  //   case 1  n = 0 or n > T: the raw path (§1)                               allocate
  //   case 2  class c has a partly used pool: the lowest (§2.1)               allocateSmall
  //   case 3  none has: an empty pool, of the arena with the fewest (§2.3) or
  //           of a newly mapped one (§2.5), its lowest (§2.4), now of class c takeEmptyPool
  //   then    the pool's lowest free block (§2.2), marked used, the counts    takeLowestFreeBlock

  /** The address for a request of n bytes, or −1 when out of memory (invariant 10). */
  protected allocate(n: number): number {
    // case 1, else cases 2–3
    return this.takesRawPath(n) ? this.addressSpace.mapRaw(n) : this.allocateSmall(n);
  }

  /** §1: size 0 and sizes above T take the raw path. */
  protected takesRawPath(n: number): boolean {
    return n === 0 || n > this.threshold;
  }

  /** A block of class c = (n−1) >> log2 A, or −1 at the arena limit. */
  protected allocateSmall(n: number): number {
    const c = this.sizeClassOf(n);
    let gp = this.lowestPartlyUsedPool(c); // case 2 (invariant 5: reuse before growth)
    if (gp === -1) {
      gp = this.takeEmptyPool(c); // case 3
      if (gp === -1) return -1;
    }
    return this.blockAddress(gp, c, this.takeLowestFreeBlock(gp, c, n));
  }

  /** §2.1: class c's lowest-address partly used pool, or −1: the first member of partly[c]. */
  protected lowestPartlyUsedPool(c: number): number {
    return this.classes.lowest[c]!;
  }

  /** The size class of a small request: (n − 1) >> log2 A. */
  protected sizeClassOf(n: number): number {
    return (n - 1) >> this.alignmentShift;
  }

  /** Invariants 2–4: block k of pool gp (of class c) starts H + k·size into the pool. */
  protected blockAddress(gp: number, c: number, k: number): number {
    return this.table.address[gp]! + this.poolOverhead + k * this.classSizes[c]!;
  }

  /** §2.2: marks the pool's lowest free block used for a request of n bytes; returns its index. */
  protected takeLowestFreeBlock(gp: number, c: number, n: number): number {
    const k = this.bitmaps.takeLowest(gp, c);
    this.requestedSizes.set(gp, k, this.classSizes[c]! - n);
    this.poolGainedBlock(gp, c);
    return k;
  }

  /** The pool's live count and its membership of partly[c] after one more live block. */
  protected poolGainedBlock(gp: number, c: number): void {
    const live = this.table.live[gp]! + 1;
    this.table.live[gp] = live;
    if (live === this.blocksPerPool[c])
      this.classes.removePartly(c, gp); // now full
    else if (live === 1) this.classes.addPartly(c, gp); // a fresh pool with room left
    this.classes.blocks[c]!++;
  }

  /** §2.3–§2.5: the lowest empty pool of the best arena (or of a new one), now of class c. */
  protected takeEmptyPool(c: number): number {
    let slot = this.arenaForNewPool();
    if (slot === -1) {
      slot = this.mapArena();
      if (slot === -1) return -1;
    }
    const gp = this.lowestEmptyPool(slot);
    this.removeEmptyPool(gp, slot);
    this.assignClass(gp, c);
    return gp;
  }

  /** §2.3: the arena with the fewest empty pools, ties to the lowest address; −1 if none has one. */
  protected arenaForNewPool(): number {
    return this.buckets.best();
  }

  /** §2.4: the lowest empty pool of arena `slot`. */
  protected lowestEmptyPool(slot: number): number {
    return this.emptyPools.next(slot * this.poolsPerArena);
  }

  /** Pool gp of arena `slot` leaves the empty pools: the set, the arena's count, its bucket. */
  protected removeEmptyPool(gp: number, slot: number): void {
    this.emptyPools.delete(gp);
    const empty = this.table.emptyPools[slot]!;
    this.table.emptyPools[slot] = empty - 1;
    this.buckets.move(slot, empty, empty - 1);
    if (empty === this.poolsPerArena) this.emptyArenaCount--; // it was wholly empty
  }

  /** An empty pool takes class c: its bits (all blocks free) and requested-size region. */
  protected assignClass(gp: number, c: number): void {
    this.table.sizeClass[gp] = c;
    this.bitmaps.assign(gp, c);
    this.requestedSizes.assign(gp, c);
    this.classes.pools[c]!++;
  }

  /** §2.5: map an arena at the lowest free slot; −1 at the arena limit. */
  protected mapArena(): number {
    const slot = this.addressSpace.mapArena();
    if (slot === -1) return -1;
    if (slot >= this.table.capacity) this.growTables(slot);
    this.addPools(slot);
    this.table.mapped[slot] = 1;
    this.table.emptyPools[slot] = this.poolsPerArena;
    this.buckets.add(slot, this.poolsPerArena);
    this.emptyArenaCount++;
    return slot;
  }

  /** Tables that hold `slot` (spec/bitmap.md §1.7: doubling, capped at maxArenas). */
  protected growTables(slot: number): void {
    const capacity = doubledCapacity(this.table.capacity, slot + 1, this.geometry.maxArenas);
    this.table.ensureArenas(capacity);
    this.bitmaps.ensurePools(capacity * this.poolsPerArena);
    this.requestedSizes.ensurePools(capacity * this.poolsPerArena);
  }

  /** The n pools of a newly mapped arena: all empty, at the address space's pool addresses. */
  protected addPools(slot: number): void {
    const ppa = this.poolsPerArena;
    for (let i = 0; i < ppa; i++) {
      this.emptyPools.add(slot * ppa + i);
      this.table.address[slot * ppa + i] = this.addressSpace.poolAddress(slot, i);
    }
  }

  // ── freeing (spec/policy.md §3) ──────────────────────────────────────────────────────────
  //
  // As obmalloc's pymalloc_free (spec/cpython-facts.md §5.2–§5.3): the block's bit is set (freeSmall);
  //   case 1  the pool was full: it is partly used again (insert_to_usedpool) poolLostBlock
  //   case 2  the pool is now empty: it forgets its class and joins its
  //           arena's empty pools (insert_to_freepool)                        insertToFreepool
  //   case 3  its arena is now wholly empty: the empty-arena rule (§2.6)      arenaEmptied

  /** Frees block k of pool gp (of class c); returns the bytes it had been asked for. */
  protected freeSmall(gp: number, c: number, k: number): number {
    const requested = this.classSizes[c]! - this.requestedSizes.get(gp, k);
    this.bitmaps.freeBlock(gp, c, k);
    this.poolLostBlock(gp, c);
    return requested;
  }

  /** The pool's live count and its membership of partly[c] after one live block fewer. */
  protected poolLostBlock(gp: number, c: number): void {
    const live = this.table.live[gp]! - 1;
    this.table.live[gp] = live;
    this.classes.blocks[c]!--;
    if (live === 0)
      this.insertToFreepool(gp, c); // case 2
    else if (live === this.blocksPerPool[c]! - 1) this.classes.addPartly(c, gp); // case 1: was full
  }

  /** Case 2: the pool forgets its class and becomes an empty pool of its arena. */
  protected insertToFreepool(gp: number, c: number): void {
    this.classes.removePartly(c, gp); // a pool of one block was never in the set: no change then
    this.table.sizeClass[gp] = -1;
    this.requestedSizes.release(gp, c);
    this.bitmaps.release(gp, c);
    this.classes.pools[c]!--;
    this.addEmptyPool(gp);
  }

  /** Pool gp joins its arena's empty pools: the set, the arena's count, its bucket. */
  protected addEmptyPool(gp: number): void {
    this.emptyPools.add(gp);
    const slot = Math.floor(gp / this.poolsPerArena);
    const empty = this.table.emptyPools[slot]! + 1;
    this.table.emptyPools[slot] = empty;
    this.buckets.move(slot, empty - 1, empty);
    if (empty === this.poolsPerArena) this.arenaEmptied(slot); // case 3
  }

  /** Case 3: one more wholly empty arena; §2.6 decides whether it goes. */
  protected arenaEmptied(slot: number): void {
    this.emptyArenaCount++;
    if (this.shouldReleaseEmptyArena()) this.releaseArena(slot);
  }

  /**
   * §2.6 (invariant 6), asked when an arena has just become wholly empty (the count includes it):
   * release it unless the geometry keeps one and no other is empty.
   */
  protected shouldReleaseEmptyArena(): boolean {
    return !this.keepEmptyArena || this.emptyArenaCount > 1;
  }

  /** Unmaps a wholly empty arena. */
  protected releaseArena(slot: number): void {
    const ppa = this.poolsPerArena;
    this.buckets.remove(slot, ppa);
    this.emptyArenaCount--;
    for (let gp = slot * ppa; gp < (slot + 1) * ppa; gp++) this.emptyPools.delete(gp);
    this.table.mapped[slot] = 0;
    this.table.emptyPools[slot] = 0;
    this.arenaBytes[slot] = undefined; // let the memory go with the mapping
    this.addressSpace.unmapArena(slot);
  }

  // ── realloc (spec/policy.md §4) ──────────────────────────────────────────────────────────

  protected reallocSmall(p: number, gp: number, c: number, k: number, n: number): number | null {
    const size = this.classSizes[c]!;
    if (reallocStaysInPlace(size, n)) {
      this.resizeInPlace(gp, k, size, n);
      return p;
    }
    return this.reallocMoving(p, gp, c, k, n);
  }

  /** §4 (2): block k of pool gp (class size `size`) stays; only its requested size changes. */
  protected resizeInPlace(gp: number, k: number, size: number, n: number): void {
    const oldRequested = size - this.requestedSizes.get(gp, k);
    this.requestedSizes.set(gp, k, size - n);
    this.requested.change(n - oldRequested);
  }

  /** §4 (3–4): allocate before freeing: on failure the old block is untouched (invariant 10). */
  protected reallocMoving(p: number, gp: number, c: number, k: number, n: number): number | null {
    const q = this.allocate(n);
    if (q === -1) return null;
    this.copy(p, q, Math.min(this.classSizes[c]!, n)); // invariant 8
    const oldRequested = this.freeSmall(gp, c, k); // gp, c and k still name the old block
    this.requested.change(n - oldRequested);
    return q;
  }

  /** §4 (3): a raw block stays raw whatever n is; or the misuse error for p. */
  protected reallocRaw(p: number, n: number): number | null {
    const space = this.addressSpace;
    const size = space.rawSize(p);
    if (size === -1) classifyBadPointer(space, this.query, p, "realloc");
    const oldRequested = space.rawRequested(p);
    const q = space.mapRaw(n);
    if (q === -1) return null;
    this.copy(p, q, Math.min(size, n));
    space.unmapRaw(p);
    this.requested.change(n - oldRequested);
    return q;
  }

  /**
   * Copies `length` bytes between two live blocks (invariant 8). A raw block stays raw
   * (spec/policy.md §4), so a raw source always has a raw target: the target alone tells the two
   * cases apart.
   */
  protected copy(from: number, to: number, length: number): void {
    const space = this.addressSpace;
    const toSlot = space.slotOf(to);
    if (toSlot === -1) {
      space.copy(from, to, length); // to a raw block
      return;
    }
    const fromSlot = space.slotOf(from);
    this.copyBetweenArenas(
      fromSlot,
      from - space.arenaStart(fromSlot),
      toSlot,
      to - space.arenaStart(toSlot),
      length,
    );
  }

  /** Small to small through the cached arena views, without a new view once both are made. */
  protected copyBetweenArenas(
    fromSlot: number,
    fromOffset: number,
    toSlot: number,
    toOffset: number,
    length: number,
  ): void {
    // Two live blocks never overlap, even in one arena (invariant 1): a plain copy.
    this.arenaView(toSlot).set(
      this.arenaView(fromSlot).subarray(fromOffset, fromOffset + length),
      toOffset,
    );
  }

  /** The cached view of the whole mapped arena in `slot`, made on its first use. */
  protected arenaView(slot: number): Uint8Array {
    return (this.arenaBytes[slot] ??= this.addressSpace.view(
      this.addressSpace.arenaStart(slot),
      this.geometry.arenaSize,
    ));
  }

  // ── the fast paths (spec/bitmap.md §3.1) ──────────────────────────────────────────────────
  //
  // malloc of a small size and free of a live small block, each the chain of steps above written
  // out in one function, the same decisions in the same order (as mimalloc's _mi_page_malloc
  // beside _mi_malloc_generic); every other call takes the generic path. Why: V8 inlines at most
  // 920 bytes of bytecode into one optimised function and decides at its first optimisation, from
  // the call counts so far. The steps of malloc and free add up to about 2,000 bytes, so which of
  // them stayed calls depended on the moment (a pool filling up is rare while a heap is first
  // filled, and removePartly stayed a call for good), and the same churn took 45 to 75 ns/op from
  // one process to the next. Written out, each fast path is too large to be inlined into its
  // caller, so it is compiled alone, and on its common path it calls only the partly used sets
  // (once per pool that fills or stops being full). Measured: bench:ab at 10^5 live, 10 rounds,
  // 0.91 by medians. properties/tests/bitmap-fast-paths.test.ts checks which path each call took;
  // bitmap-differential.test.ts holds both paths to the reference allocator, call for call.

  /** malloc(n) for an integer 1 ≤ n ≤ T: allocateSmall, takeLowestFreeBlock, poolGainedBlock. */
  protected mallocFast(n: number): number | null {
    const c = (n - 1) >> this.alignmentShift; // sizeClassOf
    const classes = this.classes;
    let gp = classes.lowest[c]!; // case 2: lowestPartlyUsedPool
    if (gp === -1) {
      gp = this.takeEmptyPool(c); // case 3
      if (gp === -1) return null; // invariant 10
    }
    // takeLowest, its two-level layout (every CPython preset) written out.
    const bitmaps = this.bitmaps;
    let k: number;
    if (bitmaps.levels[c] === 2) {
      const words = bitmaps.words;
      const base = bitmaps.start[gp]!;
      const at = base + bitmaps.summaryOffset[c]!;
      const summary = words[at]!;
      const w = ctz32(summary);
      const word = words[base + w]!;
      const rest = word & (word - 1);
      words[base + w] = rest;
      if (rest === 0) words[at] = summary & (summary - 1); // that word is full now
      k = (w << 5) | ctz32(word);
    } else {
      k = bitmaps.takeLowest(gp, c);
    }
    const size = this.classSizes[c]!;
    this.requestedSizes.set(gp, k, size - n);
    // poolGainedBlock
    const table = this.table;
    const live = table.live[gp]! + 1;
    table.live[gp] = live;
    if (live === this.blocksPerPool[c]) classes.removePartly(c, gp);
    else if (live === 1) classes.addPartly(c, gp);
    classes.blocks[c]!++;
    this.requested.change(n);
    return table.address[gp]! + this.poolOverhead + k * size; // blockAddress
  }

  /**
   * free(p) when p is a live small block at an int32 offset from the region base (poolOf's near
   * path, liveBlockAt, freeSmall, poolLostBlock); false, with nothing changed, for anything else.
   */
  protected freeFast(p: number | null): boolean {
    if (typeof p !== "number") return false; // (arithmetic would run an object's valueOf)
    const rel = p - this.regionBase;
    if ((rel | 0) !== rel) return false; // a fraction, NaN, ±Infinity, 2 GiB and beyond
    // poolIndexNear, and the offset in the pool by the same arithmetic (CPython's POOL_ADDR): no
    // read of the pool's address. Below a slot's first pool or in the guard after its last, no pool.
    const inSlot = (rel & this.strideMask) - this.firstPoolOffset;
    const index = inSlot >> this.poolShift;
    if (index >>> 0 >= this.poolsPerArena) return false;
    const gp = (rel >> this.strideShift) * this.poolsPerArena + index;
    const table = this.table;
    const c = table.sizeClass[gp]!; // undefined below the table or past it: not ≥ 0
    if (!(c >= 0)) return false;
    const offset = (inSlot & this.poolMask) - this.poolOverhead;
    const k = Math.round(offset * this.classInverse[c]!);
    const size = this.classSizes[c]!;
    const blocks = this.blocksPerPool[c]!;
    if (k >>> 0 >= blocks || k * size !== offset) return false;
    // The block's bit: set means free, a double free, left to the generic path's error.
    const bitmaps = this.bitmaps;
    const words = bitmaps.words;
    const base = bitmaps.start[gp]!;
    const w = k >>> 5;
    const word = words[base + w]!;
    const bit = 1 << (k & 31);
    if ((word & bit) !== 0) return false;
    const requested = size - this.requestedSizes.get(gp, k);
    // freeBlock, its two-level layout written out.
    if (bitmaps.levels[c] === 2) {
      words[base + w] = word | bit;
      words[base + bitmaps.summaryOffset[c]!] |= 1 << w; // already set unless the word was full
    } else {
      bitmaps.freeBlock(gp, c, k);
    }
    // poolLostBlock
    const live = table.live[gp]! - 1;
    table.live[gp] = live;
    const classes = this.classes;
    classes.blocks[c]!--;
    if (live === 0) this.insertToFreepool(gp, c);
    else if (live === blocks - 1) classes.addPartly(c, gp);
    this.requested.change(-requested);
    return true;
  }

  // ── finding blocks ──────────────────────────────────────────────────────────────────────
  //
  // A live small block at p: poolOf(p) (CPython's POOL_ADDR, arithmetic), then
  // liveBlockAt(gp, c, p) (one multiplication and one bit test). Everything else (raw blocks,
  // misuse: header, interior, tail, freed, released, unknown pointers) is the caller's slow
  // path, ending in classifyBadPointer (invariant 9).

  /**
   * The used pool p points into (a pool with a class), or −1: slot and pool by arithmetic. Two
   * paths split by the offset from the region base: an int32 (the first 2 GiB of arena slots:
   * every heap of the benchmarks and of the properties) takes integer masks and shifts
   * (`poolIndexNear`), anything else (fractions, NaN, offsets of 2^31 and beyond) the address
   * space's float arithmetic (`poolIndexFar`). The two agree on every int32 offset (tested).
   */
  protected poolOf(p: number): number {
    if (typeof p !== "number") return -1;
    const rel = p - this.regionBase;
    const gp = (rel | 0) === rel ? this.poolIndexNear(rel) : this.poolIndexFar(p);
    // undefined for −1, a slot below 0 or past the table, −1 for a pool without a class (every
    // pool of an unmapped slot has none): no live block there.
    // Stryker disable next-line ConditionalExpression: equivalent: spec/audit.md §3.1 #1
    return this.table.sizeClass[gp]! >= 0 ? gp : -1;
  }

  /**
   * The pool index at int32 offset rel from the region base, or −1 outside a slot's pools; below
   * the region (a slot below 0) a negative index, which no pool has either.
   */
  protected poolIndexNear(rel: number): number {
    // Below the first pool (negative: huge as unsigned) or in the guard after the last: −1.
    const index = ((rel & this.strideMask) - this.firstPoolOffset) >> this.poolShift;
    return index >>> 0 < this.poolsPerArena
      ? (rel >> this.strideShift) * this.poolsPerArena + index
      : -1;
  }

  /** The pool index of any other number p, or −1 outside every slot's pools (NaN included). */
  protected poolIndexFar(p: number): number {
    const slot = this.addressSpace.slotOf(p);
    return slot === -1 ? -1 : slot * this.poolsPerArena + this.addressSpace.poolIndexIn(slot, p);
  }

  /** The index of the live block of used pool gp (class c) starting exactly at p, or −1. */
  protected liveBlockAt(gp: number, c: number, p: number): number {
    const offset = p - this.table.address[gp]! - this.poolOverhead;
    // offset · (1/size) is within 2^-30 of k when offset = k·size (offset < 2^24), so rounding
    // finds k, and the exact product k·size confirms it; a non-integer p never passes. A header
    // pointer (offset < 0) gives k < 0, which is huge as unsigned.
    const k = Math.round(offset * this.classInverse[c]!);
    if (k >>> 0 >= this.blocksPerPool[c]! || k * this.classSizes[c]! !== offset) return -1;
    return this.bitmaps.isFree(gp, k) ? -1 : k;
  }
}
