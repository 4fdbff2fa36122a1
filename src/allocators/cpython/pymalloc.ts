/**
 * pymalloc's small-object paths, one method per C function of Objects/obmalloc.c, with the same
 * decisions in the same order (spec/cpython-facts.md §4–§5). [3.9]–[3.13] name these functions; [3.8] has
 * the same logic inline in `pymalloc_alloc()` / `pymalloc_free()` (labels `init_pool:`, `success:`)
 * and differs only in the empty-arena rule (`keepEmptyArena`).
 *
 *   pymalloc_alloc(n)        front pool of usedpools[c] → pop its free list (LIFO) → extend
 *     pymalloc_pool_extend   carve the next virgin block onto the free list, or unlink a full pool
 *     allocate_from_new_pool head of usable_arenas (new_arena() if none) → its freepools (LIFO), else
 *                            carve at pool_address → front of usedpools[c] → szidx fast path or init
 *     new_arena              an unused arena object (LIFO) and memory from the OS
 *   pymalloc_free(p)         push p on its pool's free list (LIFO) → full pool: insert_to_usedpool
 *                            (front); empty pool: insert_to_freepool
 *     insert_to_freepool     push the pool on the arena's freepools, re-sort usable_arenas, maybe
 *                            release the arena (3.8: always when wholly free; 3.9+: unless it is last)
 *
 * The OS is the simulated AddressSpace: `mapArena()` plays mmap (its address choice, the lowest free
 * slot, is the OS's, not CPython's) and `unmapArena()` plays munmap.
 */
import type { AddressSpace } from "../../core/address-space.ts";
import type { Geometry } from "../../core/geometry.ts";
import { ArenaObjects, type ArenaObject } from "./arena-object.ts";
import { DUMMY_SIZE_IDX, NULL_BLOCK, PoolHeader } from "./pool-header.ts";
import { UsableArenas } from "./usable-arenas.ts";
import { UsedPools } from "./usedpools.ts";

/** A small block found by its address: its pool and block number. */
export interface SmallBlock {
  readonly pool: PoolHeader;
  readonly block: number;
}

export class Pymalloc {
  readonly geometry: Geometry;
  readonly space: AddressSpace;
  /** `MAX_POOLS_IN_ARENA` = ARENA_SIZE / POOL_SIZE. */
  readonly maxPoolsInArena: number;
  readonly usedpools: UsedPools;
  readonly usable: UsableArenas;
  readonly arenas = new ArenaObjects();
  /** The arena object mapped in each address-space slot: CPython's `address_in_range()` lookup. */
  readonly arenaBySlot = new Map<number, ArenaObject>();
  /** `narenas_currently_allocated`, `ntimes_arena_allocated`, `narenas_highwater`. */
  narenasCurrentlyAllocated = 0;
  ntimesArenaAllocated = 0;
  narenasHighwater = 0;

  constructor(geometry: Geometry, space: AddressSpace) {
    this.geometry = geometry;
    this.space = space;
    this.maxPoolsInArena = geometry.arenaSize / geometry.poolSize;
    this.usedpools = new UsedPools(geometry.sizeClasses);
    this.usable = new UsableArenas(this.maxPoolsInArena);
  }

  blockAddress(pool: PoolHeader, block: number): number {
    return (
      pool.address + this.geometry.poolOverhead + block * this.geometry.classSizes[pool.szidx]!
    );
  }

  // ── allocation ──────────────────────────────────────────────────────────────────────────

  /**
   * Objects/obmalloc.c: pymalloc_alloc() [3.8]–[3.13]. The block for a request of 1 … T bytes, or
   * null when no arena can be had. (`nbytes == 0` and `nbytes > T` never get here: the caller
   * takes the raw path.) The first pool of usedpools[c] serves the most recently freed block.
   */
  pymallocAlloc(sizeClass: number): SmallBlock | null {
    const pool = this.usedpools.first(sizeClass);
    if (pool !== null) {
      ++pool.count;
      const bp = pool.freeblock;
      pool.freeblock = pool.link[bp]!;
      if (pool.freeblock === NULL_BLOCK) this.pymallocPoolExtend(pool, sizeClass);
      return { pool, block: bp };
    }
    return this.allocateFromNewPool(sizeClass);
  }

  /**
   * Objects/obmalloc.c: pymalloc_pool_extend() [3.9]–[3.13] (inline [3.8]). The free list has just
   * run out: carve the next virgin block onto it, so one pre-carved block is always there, or, when
   * the pool has no virgin block left, the pool is full and leaves usedpools.
   */
  private pymallocPoolExtend(pool: PoolHeader, sizeClass: number): void {
    const size = this.geometry.classSizes[sizeClass]!;
    if (pool.nextoffset <= pool.maxnextoffset) {
      // There is room for another block.
      pool.freeblock = this.offsetToBlock(pool, pool.nextoffset);
      pool.link[pool.freeblock] = NULL_BLOCK;
      pool.nextoffset += size;
      return;
    }
    // Pool is full, unlink from used pools.
    this.usedpools.unlink(pool);
  }

  /**
   * Objects/obmalloc.c: allocate_from_new_pool() [3.9]–[3.13] (inline [3.8]). Class c has no
   * partly used pool: take a pool from the head of usable_arenas (mapping an arena when the list
   * is empty): the arena's most recently emptied pool (freepools, LIFO), else carve one at
   * pool_address. It becomes the only pool of usedpools[c]. A pool that last held class c keeps its
   * free list and nextoffset (the szidx fast path); any other is initialised: block 0 is returned
   * and block 1 is the free list.
   */
  private allocateFromNewPool(sizeClass: number): SmallBlock | null {
    if (this.usable.head === null) {
      // No arena has a free pool: allocate a new arena.
      const ao = this.newArena();
      if (ao === null) return null;
      this.usable.adopt(ao);
    }
    const ao = this.usable.takePoolFromHead();
    let pool: PoolHeader;
    if (ao.freepools !== null) {
      // Unlink from cached pools.
      pool = ao.freepools;
      ao.freepools = pool.nextFreePool;
      pool.nextFreePool = null;
    } else {
      // Carve off a new pool.
      const index = ao.pools.length;
      pool = new PoolHeader(ao, index, ao.poolAddress);
      pool.szidx = DUMMY_SIZE_IDX;
      ao.pools.push(pool);
      ao.poolAddress += this.geometry.poolSize;
    }

    // Frontlink to used pools.
    this.usedpools.pushFront(sizeClass, pool);
    pool.count = 1;
    if (pool.szidx === sizeClass) {
      // "Luckily, this pool last contained blocks of the same size class, so its header and free
      // list are already initialized."
      const bp = pool.freeblock;
      pool.freeblock = pool.link[bp]!;
      // C does not check here: an initialised pool has carved at least two blocks, so one is still
      // free. Only a one-block pool (never in CPython) runs out, and it is then full.
      if (pool.freeblock === NULL_BLOCK) this.usedpools.unlink(pool);
      return { pool, block: bp };
    }
    // Initialize the pool header, set up the free list to contain just the second block, and
    // return the first block.
    const size = this.geometry.classSizes[sizeClass]!;
    const capacity = this.geometry.blocksPerPool[sizeClass]!;
    pool.szidx = sizeClass;
    pool.resetBlocks(capacity);
    pool.nextoffset = this.geometry.poolOverhead + 2 * size;
    pool.maxnextoffset = this.geometry.poolSize - size;
    if (capacity >= 2) {
      pool.freeblock = 1;
      pool.link[1] = NULL_BLOCK;
    } else {
      // A one-block class (never in CPython, whose pools hold at least 7 blocks): there is no
      // second block, so the pool is full at once and leaves usedpools as pymalloc_pool_extend()
      // would unlink it (spec/cpython-model.md §6).
      pool.freeblock = NULL_BLOCK;
      this.usedpools.unlink(pool);
    }
    return { pool, block: 0 };
  }

  /**
   * Objects/obmalloc.c: new_arena() [3.8]–[3.13]. An unused arena object (the most recently
   * released one first; the vector doubles when none is left) and ARENA_SIZE bytes from the OS;
   * null, with the object put back, when the OS refuses. A misaligned arena loses one pool (the
   * "excess" rule).
   */
  private newArena(): ArenaObject | null {
    const ao = this.arenas.takeUnused();
    const slot = this.space.mapArena();
    if (slot === -1) {
      // "The allocation failed: return NULL after putting the arenaobj back."
      this.arenas.pushUnused(ao);
      return null;
    }
    ao.address = this.space.arenaStart(slot);
    ao.slot = slot;
    this.arenaBySlot.set(slot, ao);
    ++this.narenasCurrentlyAllocated;
    ++this.ntimesArenaAllocated;
    if (this.narenasCurrentlyAllocated > this.narenasHighwater)
      this.narenasHighwater = this.narenasCurrentlyAllocated;
    ao.freepools = null;
    ao.pools = [];
    // pool_address <- first pool-aligned address in the arena; nfreepools <- number of whole
    // pools that fit after alignment.
    const P = this.geometry.poolSize;
    ao.poolAddress = ao.address;
    ao.nfreepools = this.maxPoolsInArena;
    const excess = ao.address % P;
    if (excess !== 0) {
      --ao.nfreepools;
      ao.poolAddress += P - excess;
    }
    ao.ntotalpools = ao.nfreepools;
    return ao;
  }

  // ── freeing ─────────────────────────────────────────────────────────────────────────────

  /**
   * Objects/obmalloc.c: pymalloc_free() [3.8]–[3.13], for a live block: push it on the front of
   * its pool's free list (LIFO). A pool that was full goes to the front of usedpools
   * (insert_to_usedpool); a pool that is now empty goes to its arena (insert_to_freepool).
   */
  pymallocFree(pool: PoolHeader, block: number): void {
    const lastfree = pool.freeblock;
    pool.link[block] = lastfree;
    pool.freeblock = block;
    pool.count--;
    if (lastfree === NULL_BLOCK) {
      // Pool was full, so doesn't currently live in any list.
      if (pool.count > 0) {
        this.usedpools.pushFront(pool.szidx, pool); // insert_to_usedpool()
        return;
      }
      // A one-block pool, full and now empty (never in CPython): it was on no list.
      this.insertToFreepool(pool, false);
      return;
    }
    // freeblock wasn't NULL, so the pool wasn't full, and the pool is in a usedpools[] list.
    if (pool.count !== 0) return;
    this.insertToFreepool(pool, true);
  }

  /**
   * Objects/obmalloc.c: insert_to_freepool() [3.9]–[3.13] (inline [3.8]). The pool is empty:
   * unlink it from usedpools and push it on the front of its arena's freepools ("previously freed
   * pools will be allocated later"); it keeps its szidx, free list and nextoffset. Then the arena
   * gets one more free pool: usable_arenas is re-sorted, or the arena is released.
   */
  private insertToFreepool(pool: PoolHeader, inUsedpools: boolean): void {
    if (inUsedpools) this.usedpools.unlink(pool);
    const ao = pool.arena;
    pool.nextFreePool = ao.freepools;
    ao.freepools = pool;
    if (this.usable.returnPool(ao, this.geometry.keepEmptyArena)) this.releaseArena(ao);
  }

  /**
   * The release steps of insert_to_freepool() (Case 1): the arena object goes to the front of
   * unused_arena_objects, the memory back to the OS, `address = 0`.
   */
  private releaseArena(ao: ArenaObject): void {
    this.arenas.pushUnused(ao);
    this.space.unmapArena(ao.slot);
    this.arenaBySlot.delete(ao.slot);
    ao.address = 0;
    ao.slot = -1;
    ao.freepools = null;
    ao.pools = [];
    --this.narenasCurrentlyAllocated;
  }

  // ── finding ─────────────────────────────────────────────────────────────────────────────

  /**
   * The used pool `address` points into, or undefined: CPython's POOL_ADDR plus
   * address_in_range(), as arithmetic on the simulated address space.
   */
  poolOf(address: number): PoolHeader | undefined {
    const slot = this.space.slotOf(address);
    const ao = slot === -1 ? undefined : this.arenaBySlot.get(slot);
    if (ao === undefined) return undefined;
    const pool = ao.pools[this.space.poolIndexIn(slot, address)];
    return pool === undefined || pool.count === 0 ? undefined : pool;
  }

  /** The live block of `pool` starting exactly at `address` (its own record says so), or −1. */
  liveBlockAt(pool: PoolHeader, address: number): number {
    const offset = address - pool.address - this.geometry.poolOverhead;
    const size = this.geometry.classSizes[pool.szidx]!;
    if (offset < 0 || offset % size !== 0) return -1;
    const block = offset / size;
    return block < pool.requested.length && pool.requested[block]! >= 0 ? block : -1;
  }

  /** Block number at byte offset `offset` of the pool. */
  private offsetToBlock(pool: PoolHeader, offset: number): number {
    return (offset - this.geometry.poolOverhead) / this.geometry.classSizes[pool.szidx]!;
  }

  /** Mapped arena objects, in slot (address) order. */
  mappedArenas(): ArenaObject[] {
    return [...this.arenaBySlot.values()].sort((a, b) => a.slot - b.slot);
  }
}
