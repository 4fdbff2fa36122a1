/**
 * The shadow heap: the test's own record of the heap, and the oracle of every invariant.
 *
 * It is built only from what `malloc`/`realloc` returned, what `free` was given, the geometry the
 * allocator claims to follow, and the simulated OS's map/unmap log. It never asks the allocator
 * how it sees itself (spec/invariants.md: a buggy allocator can describe itself consistently).
 *
 * From addresses alone it derives the pymalloc picture the invariants talk about: a small block's
 * pool is its address rounded down to P, the pool's arena is the mapped arena containing it, a
 * pool is used while it holds a live block, an arena is wholly empty when none of its pools is.
 */
import { RAW_STARTS_REMEMBERED, type AddressSpaceEvent } from "../../src/core/address-space.ts";
import { AddressTable } from "../../src/core/address-table.ts";
import type { Geometry } from "../../src/core/geometry.ts";

export interface ShadowBlock {
  readonly address: number;
  /** The size asked for (changed by an in-place realloc). */
  n: number;
  /**
   * Bytes the caller may use: the class size, or max(n, 1) raw (spec/model.md §5); for a general
   * allocator max(n, 1), so an in-place realloc changes it.
   */
  usable: number;
  readonly raw: boolean;
  /** Size class, or -1 for a raw block. */
  readonly sizeClass: number;
  /** Pool address (address rounded down to P), or -1 for a raw block. */
  readonly pool: number;
  /** Seed of the block's fill pattern (payload.ts). */
  fill: number;
  /** Position in `live` (kept by swap-removal). */
  slot: number;
}

export interface ShadowPool {
  readonly address: number;
  readonly sizeClass: number;
  /** Blocks of the pool: the geometry's blocksPerPool of its class. */
  readonly capacity: number;
  live: number;
  /** Start of the mapped arena containing the pool, or -1 when none does (invariant 2). */
  readonly arena: number;
}

export interface ShadowArena {
  readonly start: number;
  /** Pools holding a live block. */
  usedPools: number;
}

/** Pre-call facts some checks compare against (reuse before growth, no spurious OOM). */
export interface ShadowFacts {
  /** A pool of the request's class had a free block. */
  readonly partlyUsedPool: boolean;
  /** Some mapped arena had an empty pool. */
  readonly arenaWithEmptyPool: boolean;
  readonly arenasMapped: number;
  readonly rawLiveBytes: number;
}

const FREED_MEMORY = 64;
/**
 * Buckets of the filter in front of `freed` (`freedFilter`): with at most FREED_MEMORY addresses
 * in it, about one lookup in sixteen finds a bucket in use when the address is not in `freed`. A
 * new block's address almost never is (1.1% of the ci profile's blocks were), so `forget` reads
 * one counter where it searched the list.
 */
const FREED_FILTER_BUCKETS = 1024;

/** The filter bucket of an address: bits above the 16-byte alignment of every block start. */
function freedBucket(address: number): number {
  return (address >>> 4) & (FREED_FILTER_BUCKETS - 1);
}

export class ShadowHeap {
  readonly geometry: Geometry | undefined;
  /** Live blocks, in a stable order that `pick` indexes (swap-removal keeps it deterministic). */
  readonly live: ShadowBlock[] = [];
  /**
   * Live block address → its slot in `live`. A typed-array table, not a Map: addresses lie above
   * 2^31, so a Map would box each key and allocate per entry; the oracle looks a block up on
   * every call (the fast path of the shadow, measured in reports/bench.md §The oracle). It does
   * not shrink: a run fills and drains the heap over and over.
   */
  private readonly slotOf = new AddressTable({ shrink: false });
  /**
   * Recently freed addresses that are not live again, oldest first from `freedOldest` on (the
   * entries before it are dropped a batch at a time, as rawStartsOrder's): targets for
   * double-free misuse, read through `freedAt`.
   */
  private readonly freedList: number[] = [];
  private freedOldest = 0;
  /** Per bucket (freedBucket), how many addresses of `freed` fall in it: 0 ⇒ not in `freed`. */
  private readonly freedFilter = new Uint16Array(FREED_FILTER_BUCKETS);
  /**
   * The starts of the last RAW_STARTS_REMEMBERED raw blocks made (raw addresses are never
   * reused; the space remembers that many, spec/model.md §2 "Freed raw blocks").
   */
  private readonly rawStarts = new Set<number>();
  /** rawStarts' addresses oldest first, from `rawStartsOldest` on. */
  private readonly rawStartsOrder: number[] = [];
  private rawStartsOldest = 0;
  /** Starts of arenas that were unmapped and are not mapped now: targets for released-arena misuse. */
  readonly releasedArenas: number[] = [];

  requestedCurrent = 0;
  requestedPeak = 0;
  rawLiveBytes = 0;
  rawBlocks = 0;
  smallBlocks = 0;

  /**
   * Used pools by pool number (address / P): a small integer, where the address itself lies above
   * 2^31 and a Map would box it on every lookup (the shadow looks a pool up on most calls).
   */
  readonly pools = new Map<number, ShadowPool>();
  /** The pool size P (1 without a geometry: no pools). */
  private readonly poolSize: number;
  readonly arenas = new Map<number, ShadowArena>();
  /** Mapped arena starts, ascending. */
  private readonly arenaStarts: number[] = [];
  /** Live raw mappings from the event log: address → size. */
  readonly rawMappings = new Map<number, number>();
  /** Per class: pools with 0 < live < blocksPerPool. */
  private readonly partlyUsed: Int32Array;
  arenasMappedTotal = 0;
  arenasHighwater = 0;
  mappedBytes = 0;
  mappedPeak = 0;
  private fillCounter = 0;

  constructor(geometry: Geometry | undefined) {
    this.geometry = geometry;
    this.partlyUsed = new Int32Array(geometry?.sizeClasses ?? 0);
    this.poolSize = geometry?.poolSize ?? 1;
  }

  // ── what a request should get ──────────────────────────────────────────────────────────

  /** Size class a request should get, or -1 for the raw path (spec/model.md §3). */
  classFor(n: number): number {
    const g = this.geometry;
    if (g === undefined || n === 0 || n > g.smallThreshold) return -1;
    return Math.ceil(n / g.alignment) - 1;
  }

  usableFor(n: number): number {
    const c = this.classFor(n);
    return c === -1 ? Math.max(n, 1) : this.geometry!.classSizes[c]!;
  }

  facts(n: number): ShadowFacts {
    const c = this.classFor(n);
    const ppa = this.geometry?.poolsPerArena ?? 0;
    let arenaWithEmptyPool = false;
    for (const arena of this.arenas.values()) {
      if (arena.usedPools < ppa) {
        arenaWithEmptyPool = true;
        break;
      }
    }
    return {
      partlyUsedPool: c !== -1 && this.partlyUsed[c]! > 0,
      arenaWithEmptyPool,
      arenasMapped: this.arenas.size,
      rawLiveBytes: this.rawLiveBytes,
    };
  }

  /** Adds a raw block's start, forgetting the oldest beyond RAW_STARTS_REMEMBERED. */
  private rememberRawStart(address: number): void {
    this.rawStarts.add(address);
    this.rawStartsOrder.push(address);
    if (this.rawStarts.size <= RAW_STARTS_REMEMBERED) return;
    this.rawStarts.delete(this.rawStartsOrder[this.rawStartsOldest++]!);
    if (this.rawStartsOldest === RAW_STARTS_REMEMBERED) {
      this.rawStartsOrder.splice(0, this.rawStartsOldest);
      this.rawStartsOldest = 0;
    }
  }

  /**
   * Whether `address` started a raw block that is freed and still remembered: among the last
   * RAW_STARTS_REMEMBERED raw blocks made, and not live (spec/errors.md §2 row 2).
   */
  isRememberedFreedRaw(address: number): boolean {
    return this.rawStarts.has(address) && !this.isLive(address);
  }

  // ── the event log ──────────────────────────────────────────────────────────────────────

  applyEvent(event: AddressSpaceEvent): void {
    switch (event.kind) {
      case "map-arena": {
        if (!this.arenas.has(event.address))
          this.arenaStarts.splice(this.arenaIndex(event.address), 0, event.address);
        this.arenas.set(event.address, { start: event.address, usedPools: 0 });
        const released = this.releasedArenas.indexOf(event.address);
        if (released !== -1) this.releasedArenas.splice(released, 1);
        this.arenasMappedTotal++;
        this.arenasHighwater = Math.max(this.arenasHighwater, this.arenas.size);
        break;
      }
      case "unmap-arena":
        if (this.arenas.delete(event.address))
          this.arenaStarts.splice(this.arenaIndex(event.address), 1);
        this.releasedArenas.push(event.address);
        if (this.releasedArenas.length > FREED_MEMORY) this.releasedArenas.shift();
        break;
      case "map-raw":
        this.rawMappings.set(event.address, event.size);
        break;
      case "unmap-raw":
        this.rawMappings.delete(event.address);
        break;
    }
    const sign = event.kind.startsWith("map") ? 1 : -1;
    this.mappedBytes += sign * event.size;
    this.mappedPeak = Math.max(this.mappedPeak, this.mappedBytes);
  }

  /** The index of the first mapped arena start >= `start` in arenaStarts. */
  private arenaIndex(start: number): number {
    const starts = this.arenaStarts;
    let lo = 0;
    let hi = starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (starts[mid]! < start) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * The mapped arena whose R bytes contain [address, address + length), or -1: the last arena
   * start <= `address` (the one at `address` itself when an arena starts there; none below the
   * first arena), if its R bytes reach `address + length`.
   */
  arenaContaining(address: number, length: number): number {
    const R = this.geometry?.arenaSize ?? 0;
    const starts = this.arenaStarts;
    const next = this.arenaIndex(address);
    const at = starts[next] === address ? next : next - 1;
    if (at < 0) return -1;
    const start = starts[at]!;
    return address + length <= start + R ? start : -1;
  }

  // ── blocks ─────────────────────────────────────────────────────────────────────────────

  /**
   * Records a block `malloc`/`realloc` returned. `stayRaw`: a raw block reallocated stays raw
   * whatever its new size (spec/policy.md §4).
   */
  add(address: number, n: number, stayRaw = false): ShadowBlock {
    const sizeClass = stayRaw ? -1 : this.classFor(n);
    const raw = sizeClass === -1;
    const P = this.poolSize;
    const block: ShadowBlock = {
      address,
      n,
      usable: raw ? Math.max(n, 1) : this.usableFor(n),
      raw,
      sizeClass,
      pool: raw ? -1 : Math.floor(address / P) * P,
      fill: ++this.fillCounter,
      slot: this.live.length,
    };
    this.live.push(block);
    this.slotOf.set(address, block.slot);
    this.forget(address);
    this.requestedCurrent += n;
    if (raw) {
      this.rawLiveBytes += block.usable;
      this.rawBlocks++;
      if (!this.rawStarts.has(address)) this.rememberRawStart(address);
    } else {
      this.smallBlocks++;
      this.enterPool(block);
    }
    return block;
  }

  /** Records that a block was freed (or moved away by realloc). */
  remove(block: ShadowBlock): void {
    const last = this.live.pop()!;
    if (last !== block) {
      this.live[block.slot] = last;
      last.slot = block.slot;
      this.slotOf.set(last.address, last.slot);
    }
    this.slotOf.delete(block.address);
    this.rememberFreed(block.address);
    this.requestedCurrent -= block.n;
    if (block.raw) {
      this.rawLiveBytes -= block.usable;
      this.rawBlocks--;
    } else {
      this.smallBlocks--;
      this.leavePool(block);
    }
  }

  /**
   * An in-place realloc: the requested size changes; the usable size too for a general
   * allocator (a pymalloc block keeps its class size, and a raw block always moves).
   */
  resize(block: ShadowBlock, n: number): void {
    this.requestedCurrent += n - block.n;
    block.n = n;
    if (this.geometry === undefined) block.usable = Math.max(n, 1);
  }

  /** Called after each completed operation: tracemalloc's peak. */
  settle(): void {
    if (this.requestedCurrent > this.requestedPeak) this.requestedPeak = this.requestedCurrent;
  }

  /** The live block at `address`, or undefined. */
  blockAt(address: number): ShadowBlock | undefined {
    const slot = address > 0 ? this.slotOf.get(address) : -1;
    return slot === -1 ? undefined : this.live[slot];
  }

  /** Whether a live block starts at `address`. */
  isLive(address: number): boolean {
    return address > 0 && this.slotOf.get(address) !== -1;
  }

  pick(index: number): ShadowBlock | undefined {
    return this.live.length === 0 ? undefined : this.live[index % this.live.length];
  }

  /** The used pool at `address` (a pool address: a multiple of P), or undefined. */
  pool(address: number): ShadowPool | undefined {
    return this.pools.get(address / this.poolSize);
  }

  /** The recently freed addresses that are not live again, oldest first (at most FREED_MEMORY). */
  get freed(): readonly number[] {
    return this.freedList.slice(this.freedOldest);
  }

  /** Entry `pick` modulo their number of the recently freed addresses, or undefined when none. */
  freedAt(pick: number): number | undefined {
    const count = this.freedList.length - this.freedOldest;
    return count === 0 ? undefined : this.freedList[this.freedOldest + (pick % count)];
  }

  /** Mapped arenas holding no live block. */
  whollyEmptyArenas(): ShadowArena[] {
    return [...this.arenas.values()].filter((arena) => arena.usedPools === 0);
  }

  private enterPool(block: ShadowBlock): void {
    const g = this.geometry!;
    const key = block.pool / this.poolSize;
    let pool = this.pools.get(key);
    if (pool === undefined) {
      const arena = this.arenaContaining(block.pool, g.poolSize);
      const capacity = g.blocksPerPool[block.sizeClass]!;
      pool = { address: block.pool, sizeClass: block.sizeClass, capacity, live: 0, arena };
      this.pools.set(key, pool);
      const owner = this.arenas.get(arena);
      if (owner !== undefined) owner.usedPools++;
    }
    this.countPartlyUsed(pool, -1);
    pool.live++;
    this.countPartlyUsed(pool, +1);
  }

  private leavePool(block: ShadowBlock): void {
    const key = block.pool / this.poolSize;
    const pool = this.pools.get(key);
    if (pool === undefined) return;
    this.countPartlyUsed(pool, -1);
    pool.live--;
    this.countPartlyUsed(pool, +1);
    if (pool.live === 0) {
      this.pools.delete(key);
      const owner = this.arenas.get(pool.arena);
      if (owner !== undefined) owner.usedPools--;
    }
  }

  private countPartlyUsed(pool: ShadowPool, delta: number): void {
    if (pool.live > 0 && pool.live < pool.capacity) this.partlyUsed[pool.sizeClass]! += delta;
  }

  /** Adds a freed address, dropping the oldest beyond FREED_MEMORY. */
  private rememberFreed(address: number): void {
    this.freedList.push(address);
    this.freedFilter[freedBucket(address)]!++;
    if (this.freedList.length - this.freedOldest <= FREED_MEMORY) return;
    this.freedFilter[freedBucket(this.freedList[this.freedOldest++]!)]!--;
    if (this.freedOldest === FREED_MEMORY) {
      this.freedList.splice(0, this.freedOldest);
      this.freedOldest = 0;
    }
  }

  /** Takes `address` out of the recently freed (a block made there is live again). */
  private forget(address: number): void {
    const bucket = freedBucket(address);
    if (this.freedFilter[bucket] === 0) return;
    const at = this.freedList.indexOf(address, this.freedOldest);
    if (at === -1) return;
    this.freedList.splice(at, 1);
    this.freedFilter[bucket]!--;
  }
}
