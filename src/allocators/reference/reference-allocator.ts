/**
 * The reference allocator: the address-ordered policy of spec/policy.md written to be read.
 * Every decision is one function of policy.ts, called by a method of the same name; this file
 * only strings them together and keeps the books. Linear scans everywhere; speed does not matter.
 * The steps are small and protected so that a seeded-bug variant (the audit's catalogue, the
 * tests' injected bugs) overrides exactly one. Each step has one name in the reference, the
 * bitmap allocator and the CPython model: spec/policy.md §5.
 *
 *   malloc(n)  ── n = 0 or n > T ─────────────────────────────► raw region (§1)
 *      │ class c = (n − 1) >> log2(A)
 *      ├─ lowest partly used pool of c? ── yes ─► its lowest free block (§2.1, §2.2)
 *      └─ no ─► arena with the fewest empty pools (§2.3), else map one (§2.5), else null
 *                └─► its lowest empty pool, now of class c, block 0 (§2.4)
 *   free(p)    block becomes free; pool with no live block forgets its class; a wholly empty
 *              arena is unmapped unless the empty-arena rule keeps it (§3)
 *   realloc    in place when n ≤ size and 4n > 3·size, else malloc + copy + free (§4)
 */
import type { AddressSpace } from "../../core/address-space.ts";
import type { Allocator, HeapSnapshot, Stats } from "../../core/allocator.ts";
import {
  blockOffset,
  reallocStaysInPlace,
  sizeClassOf,
  type Geometry,
} from "../../core/geometry.ts";
import { Hex, Problems, sameNumbers } from "../../core/integrity.ts";
import {
  classifyBadPointer,
  isAddressShaped,
  validateSize,
  type HeapQuery,
  type PointerUse,
} from "../../core/misuse.ts";
import { RequestedBytes, statsFromPools } from "../../core/stats.ts";
import { isArenaEmpty, newArena, type Arena, type Block, type Pool } from "./heap.ts";
import * as policy from "./policy.ts";

/** Where a live block lives: a small block's pool and arena, or a raw block. */
export type Live =
  | {
      readonly raw: false;
      readonly arena: Arena;
      readonly pool: Pool;
      readonly index: number;
      readonly block: Block;
    }
  | {
      readonly raw: true;
      readonly address: number;
      readonly size: number;
      readonly requested: number;
    };

export class ReferenceAllocator implements Allocator {
  readonly kind = "reference";
  readonly geometry: Geometry;
  readonly addressSpace: AddressSpace;
  /** Mapped arenas in address order. */
  protected readonly arenas: Arena[] = [];
  protected readonly requested = new RequestedBytes();

  constructor(geometry: Geometry, space: AddressSpace) {
    this.geometry = geometry;
    this.addressSpace = space;
  }

  malloc(n: number): number | null {
    validateSize(this.geometry, n);
    const address = this.allocate(n);
    if (address !== null) this.requested.change(n);
    return address;
  }

  free(p: number | null): void {
    if (p === null) return;
    const live = this.findLive(p, "free");
    this.release(live);
    this.requested.change(-(live.raw ? live.requested : live.block.requested));
  }

  realloc(p: number | null, n: number): number | null {
    validateSize(this.geometry, n);
    if (p === null) return this.malloc(n);
    const live = this.findLive(p, "realloc");
    if (!live.raw && reallocStaysInPlace(this.geometry.classSizes[live.pool.sizeClass]!, n)) {
      this.resizeInPlace(live.block, n);
      return p;
    }
    return this.reallocMoving(p, live, n);
  }

  /** §4 (2): the block stays; only its requested size changes. */
  protected resizeInPlace(block: Block, n: number): void {
    this.requested.change(n - block.requested);
    block.requested = n;
  }

  /** §4 (3–4): allocate first (on failure the old block is untouched), copy, free the old. */
  protected reallocMoving(p: number, live: Live, n: number): number | null {
    const oldRequested = live.raw ? live.requested : live.block.requested;
    const q = live.raw ? this.allocateRaw(n) : this.allocate(n);
    if (q === null) return null;
    const copied = Math.min(this.usable(live), n);
    this.addressSpace.copy(p, q, copied);
    this.release(live);
    this.requested.change(n - oldRequested);
    return q;
  }

  usableSize(p: number): number {
    return this.usable(this.findLive(p, "usableSize"));
  }

  bytes(p: number): Uint8Array {
    return this.addressSpace.view(p, this.usable(this.findLive(p, "bytes")));
  }

  protected usable(live: Live): number {
    return live.raw ? live.size : this.geometry.classSizes[live.pool.sizeClass]!;
  }

  // ── allocation ──────────────────────────────────────────────────────────────────────────

  /** §1–§2: the address for a request of n bytes, or null when out of memory. */
  protected allocate(n: number): number | null {
    const sizeClass = sizeClassOf(this.geometry, n);
    if (sizeClass === -1) return this.allocateRaw(n);
    const pool = this.lowestPartlyUsedPool(sizeClass) ?? this.takeEmptyPool(sizeClass);
    if (pool === undefined) return null;
    const index = this.lowestFreeBlock(pool);
    const block: Block = {
      address: pool.address + blockOffset(this.geometry, sizeClass, index),
      requested: n,
    };
    pool.blocks[index] = block;
    pool.live++;
    return block.address;
  }

  // The policy decisions, one method each (named as in policy.ts), so a seeded-bug variant
  // overrides exactly one.

  /** §2.1 */
  protected lowestPartlyUsedPool(sizeClass: number): Pool | undefined {
    return policy.lowestPartlyUsedPool(this.arenas, sizeClass, this.geometry);
  }

  /** §2.2 */
  protected lowestFreeBlock(pool: Pool): number {
    return policy.lowestFreeBlock(pool);
  }

  /** §2.3 */
  protected arenaForNewPool(): Arena | undefined {
    return policy.arenaForNewPool(this.arenas);
  }

  /** §2.4 */
  protected lowestEmptyPool(arena: Arena): Pool {
    return policy.lowestEmptyPool(arena)!;
  }

  /** §2.6 */
  protected shouldReleaseEmptyArena(arena: Arena): boolean {
    return policy.shouldReleaseEmptyArena(arena, this.arenas, this.geometry);
  }

  /** §1: size 0 and sizes above T are mapped in the raw region. */
  protected allocateRaw(n: number): number | null {
    const address = this.addressSpace.mapRaw(n);
    return address === -1 ? null : address;
  }

  /** §2.3–§2.5: an empty pool, now of class c, from the best arena or a newly mapped one. */
  protected takeEmptyPool(sizeClass: number): Pool | undefined {
    const arena = this.arenaForNewPool() ?? this.mapArena();
    if (arena === undefined) return undefined;
    const pool = this.lowestEmptyPool(arena);
    pool.sizeClass = sizeClass;
    pool.blocks = new Array<Block | undefined>(this.geometry.blocksPerPool[sizeClass]!).fill(
      undefined,
    );
    return pool;
  }

  /** §2.5: map an arena at the lowest free slot; undefined at the arena limit. */
  protected mapArena(): Arena | undefined {
    const slot = this.addressSpace.mapArena();
    if (slot === -1) return undefined;
    const arena = newArena(this.addressSpace, slot);
    this.arenas.push(arena);
    this.arenas.sort((a, b) => a.slot - b.slot);
    return arena;
  }

  // ── freeing ─────────────────────────────────────────────────────────────────────────────

  /** §3: the block becomes free; a pool with no live block left goes to its arena. */
  protected release(live: Live): void {
    if (live.raw) {
      this.addressSpace.unmapRaw(live.address);
      return;
    }
    const { arena, pool, index } = live;
    pool.blocks[index] = undefined;
    pool.live--;
    if (pool.live === 0) this.insertToFreepool(arena, pool);
  }

  /** §3 (2): the emptied pool forgets its class; a wholly empty arena meets the rule of §2.6. */
  protected insertToFreepool(arena: Arena, pool: Pool): void {
    pool.sizeClass = -1;
    pool.blocks = [];
    if (isArenaEmpty(arena) && this.shouldReleaseEmptyArena(arena)) this.releaseArena(arena);
  }

  /** Unmaps a wholly empty arena. */
  protected releaseArena(arena: Arena): void {
    this.arenas.splice(this.arenas.indexOf(arena), 1);
    this.addressSpace.unmapArena(arena.slot);
  }

  // ── finding blocks ──────────────────────────────────────────────────────────────────────

  /** The live block at exactly p, or the misuse error for p (spec/errors.md). */
  protected findLive(p: number, use: PointerUse): Live {
    const found = this.poolOf(p);
    if (found !== undefined) {
      const { arena, pool } = found;
      const index = this.liveBlockAt(pool, p);
      if (index !== -1) return { raw: false, arena, pool, index, block: pool.blocks[index]! };
    }
    const size = isAddressShaped(p) ? this.addressSpace.rawSize(p) : -1;
    if (size !== -1)
      return { raw: true, address: p, size, requested: this.addressSpace.rawRequested(p) };
    return classifyBadPointer(this.addressSpace, this.heapQuery, p, use);
  }

  /**
   * The arena and pool that p points into, if p lies in a pool of a mapped arena: by address
   * arithmetic, as CPython's POOL_ADDR.
   */
  protected poolOf(p: number): { readonly arena: Arena; readonly pool: Pool } | undefined {
    const slot = isAddressShaped(p) ? this.addressSpace.slotOf(p) : -1;
    const arena = this.arenas.find((a) => a.slot === slot);
    if (arena === undefined) return undefined;
    return { arena, pool: arena.pools[this.addressSpace.poolIndexIn(arena.slot, p)]! };
  }

  /** The index of the live block of `pool` that starts exactly at p, or −1. */
  protected liveBlockAt(pool: Pool, p: number): number {
    return pool.blocks.findIndex((block) => block?.address === p);
  }

  protected readonly heapQuery: HeapQuery = {
    isArenaMapped: (slot) => this.arenas.some((arena) => arena.slot === slot),
    poolClass: (slot, pool) =>
      this.arenas.find((arena) => arena.slot === slot)!.pools[pool]!.sizeClass,
    isBlockLive: (slot, pool, block) =>
      this.arenas.find((arena) => arena.slot === slot)!.pools[pool]!.blocks[block] !== undefined,
  };

  // ── reporting ───────────────────────────────────────────────────────────────────────────

  stats(): Stats {
    return statsFromPools(
      this.geometry,
      this.addressSpace,
      this.arenas.flatMap((arena) => arena.pools),
      this.requested,
    );
  }

  snapshot(): HeapSnapshot {
    return {
      arenas: this.arenas.map((arena) => ({
        slot: arena.slot,
        address: arena.address,
        pools: arena.pools
          .filter((pool) => pool.live > 0)
          .map((pool) => ({
            index: pool.index,
            address: pool.address,
            sizeClass: pool.sizeClass,
            blocks: pool.blocks
              .filter((b): b is Block => b !== undefined)
              .map((b) => [b.address, b.requested] as const),
          })),
      })),
      raw: this.addressSpace.rawBlocks(),
    };
  }

  /** Invariant 12: the heap objects agree with each other and with the address space. */
  check(): void {
    const g = this.geometry;
    const problems = new Problems();
    const mapped = [...this.addressSpace.mappedSlots()];
    const slots = this.arenas.map((arena) => arena.slot);
    problems.expect(
      sameNumbers(slots, mapped),
    )`arenas [${slots}] differ from mapped slots [${mapped}]`;
    problems.expect(
      !slots.some((slot, i) => i > 0 && slot <= slots[i - 1]!),
    )`arenas are not in address order: [${slots}]`;
    let requested = 0;
    for (const arena of this.arenas) {
      problems.expect(
        arena.pools.length === g.poolsPerArena,
      )`arena ${arena.slot} has ${arena.pools.length} pools`;
      for (const pool of arena.pools) {
        const live = pool.blocks.filter((b) => b !== undefined).length;
        problems.expect(
          live === pool.live,
        )`arena ${arena.slot} pool ${pool.index}: live = ${pool.live} but ${live} blocks are live`;
        problems.expect(
          (pool.sizeClass === -1) === (pool.live === 0),
        )`arena ${arena.slot} pool ${pool.index}: class ${pool.sizeClass} with ${pool.live} live blocks`;
        if (pool.sizeClass === -1) continue;
        const size = g.classSizes[pool.sizeClass]!;
        problems.expect(
          pool.blocks.length === g.blocksPerPool[pool.sizeClass],
        )`arena ${arena.slot} pool ${pool.index}: ${pool.blocks.length} block slots for class ${pool.sizeClass}`;
        pool.blocks.forEach((block, k) => {
          if (block === undefined) return;
          requested += block.requested;
          problems.expect(
            block.address === pool.address + blockOffset(g, pool.sizeClass, k),
          )`arena ${arena.slot} pool ${pool.index}: block ${k} at ${new Hex(block.address)}`;
          // Both alternatives happen on a correct heap: a malloc'd block is in its own class, one
          // kept in place by a shrinking realloc may be in a smaller one (invariant 4).
          const fits =
            block.requested <= size &&
            (sizeClassOf(g, block.requested) === pool.sizeClass || 4 * block.requested > 3 * size);
          problems.expect(
            fits,
          )`arena ${arena.slot} pool ${pool.index}: block ${k} holds a request of ${block.requested} bytes in class ${pool.sizeClass}`;
        });
      }
    }
    const emptyArenas = this.arenas.filter(isArenaEmpty).length;
    problems.expect(
      emptyArenas <= Number(g.keepEmptyArena),
    )`${emptyArenas} wholly empty arenas are mapped`;
    for (const raw of this.addressSpace.rawBlocks()) requested += raw.requested;
    problems.expect(
      requested === this.requested.current,
    )`requested.current = ${this.requested.current} but live blocks asked for ${requested}`;
    problems.throwIfAny(this.kind);
  }
}
