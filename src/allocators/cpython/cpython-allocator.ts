/**
 * The CPython-faithful allocator: pymalloc's own choices (spec/cpython-model.md), behind the same
 * interface as the reference and bitmap allocators (spec/model.md §5). The small-object paths are
 * in pymalloc.ts, one method per C function; this file adds what is around them in CPython
 * (`_PyObject_Malloc`, `_PyObject_Free`, `_PyObject_Realloc`: the raw fallback and realloc's rule)
 * and what allocheck asks of every allocator (misuse detection, stats, snapshot, check).
 *
 *   malloc(n)   n = 0 or n > T → raw region;  else pymalloc_alloc (null at the arena limit)
 *   free(p)     raw → unmap;  else pymalloc_free
 *   realloc     in place when n ≤ size and 4n > 3·size, else malloc + copy + free (policy.md §4)
 */
import type { AddressSpace } from "../../core/address-space.ts";
import type { Allocator, HeapSnapshot, PoolSnapshot, Stats } from "../../core/allocator.ts";
import { reallocStaysInPlace, sizeClassOf, type Geometry } from "../../core/geometry.ts";
import {
  classifyBadPointer,
  isAddressShaped,
  validateSize,
  type HeapQuery,
  type PointerUse,
} from "../../core/misuse.ts";
import { RequestedBytes, statsFromPools } from "../../core/stats.ts";
import { checkCPythonHeap } from "./cpython-check.ts";
import { describePymalloc, type PymallocInternals } from "./internals.ts";
import { Pymalloc, type SmallBlock } from "./pymalloc.ts";

/** Where a live block lives: a small block's pool, or a raw block. */
type Live =
  | (SmallBlock & { readonly raw: false })
  | {
      readonly raw: true;
      readonly address: number;
      readonly size: number;
      readonly requested: number;
    };

export class CPythonAllocator implements Allocator {
  readonly kind = "cpython";
  readonly geometry: Geometry;
  readonly addressSpace: AddressSpace;
  /** The pymalloc state: usedpools, usable_arenas, nfp2lasta, the arenas vector. */
  readonly pymalloc: Pymalloc;
  private readonly requested = new RequestedBytes();

  constructor(geometry: Geometry, space: AddressSpace) {
    this.geometry = geometry;
    this.addressSpace = space;
    this.pymalloc = new Pymalloc(geometry, space);
  }

  /** Objects/obmalloc.c: _PyObject_Malloc() [3.8]–[3.13]. */
  malloc(n: number): number | null {
    validateSize(this.geometry, n);
    const address = this.allocate(n);
    if (address !== null) this.requested.change(n);
    return address;
  }

  /** Objects/obmalloc.c: _PyObject_Free() [3.8]–[3.13]: free(NULL) does nothing. */
  free(p: number | null): void {
    if (p === null) return;
    const live = this.findLive(p, "free");
    const requested = this.requestedOf(live);
    this.release(live);
    this.requested.change(-requested);
  }

  /**
   * Objects/obmalloc.c: _PyObject_Realloc(), pymalloc_realloc() [3.8]–[3.13]. A small block stays
   * when n ≤ its class size and 4n > 3·size ("copy on shrink only if at least 25% of size can be
   * shaved off"); otherwise the new block is allocated first (so a failure leaves p untouched),
   * the prefix copied, and p freed. A raw block stays raw whatever n is ("bug 1185883").
   */
  realloc(p: number | null, n: number): number | null {
    validateSize(this.geometry, n);
    if (p === null) return this.malloc(n);
    const live = this.findLive(p, "realloc");
    const oldRequested = this.requestedOf(live);
    if (!live.raw && reallocStaysInPlace(this.geometry.classSizes[live.pool.szidx]!, n)) {
      live.pool.requested[live.block] = n;
      this.requested.change(n - oldRequested);
      return p;
    }
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

  // ── the two paths ───────────────────────────────────────────────────────────────────────

  /**
   * `_PyObject_Malloc`: pymalloc for 1 … T bytes, the raw region for 0 and above T. CPython also
   * falls back to PyMem_RawMalloc when `new_arena()` fails; the model returns null there instead,
   * as spec/errors.md §3 says (spec/cpython-model.md §6).
   */
  private allocate(n: number): number | null {
    const sizeClass = sizeClassOf(this.geometry, n);
    if (sizeClass === -1) return this.allocateRaw(n);
    const found = this.pymalloc.pymallocAlloc(sizeClass);
    if (found === null) return null;
    found.pool.requested[found.block] = n;
    return this.pymalloc.blockAddress(found.pool, found.block);
  }

  /** `PyMem_RawMalloc(n)` (malloc(1) for n = 0): the raw region of the address space. */
  private allocateRaw(n: number): number | null {
    const address = this.addressSpace.mapRaw(n);
    return address === -1 ? null : address;
  }

  private release(live: Live): void {
    if (live.raw) {
      this.addressSpace.unmapRaw(live.address);
      return;
    }
    live.pool.requested[live.block] = -1;
    this.pymalloc.pymallocFree(live.pool, live.block);
  }

  private usable(live: Live): number {
    return live.raw ? live.size : this.geometry.classSizes[live.pool.szidx]!;
  }

  private requestedOf(live: Live): number {
    return live.raw ? live.requested : live.pool.requested[live.block]!;
  }

  /** The live block at exactly p, or the misuse error for p (spec/errors.md). */
  private findLive(p: number, use: PointerUse): Live {
    if (isAddressShaped(p)) {
      const pool = this.pymalloc.poolOf(p);
      const block = pool !== undefined ? this.pymalloc.liveBlockAt(pool, p) : -1;
      if (pool !== undefined && block !== -1) return { raw: false, pool, block };
      const size = this.addressSpace.rawSize(p);
      if (size !== -1)
        return { raw: true, address: p, size, requested: this.addressSpace.rawRequested(p) };
    }
    return classifyBadPointer(this.addressSpace, this.heapQuery, p, use);
  }

  /**
   * What misuse classification asks. A pool's class is known while it holds a live block; an
   * empty pool keeps its szidx (for the fast path) but reports -1, as spec/errors.md rows 4–5 say.
   */
  private readonly heapQuery: HeapQuery = {
    isArenaMapped: (slot) => this.pymalloc.arenaBySlot.has(slot),
    poolClass: (slot, index) => {
      const pool = this.pymalloc.arenaBySlot.get(slot)!.pools[index];
      return pool !== undefined && pool.count > 0 ? pool.szidx : -1;
    },
    isBlockLive: (slot, index, block) =>
      this.pymalloc.arenaBySlot.get(slot)!.pools[index]!.requested[block]! >= 0,
  };

  // ── reporting ───────────────────────────────────────────────────────────────────────────

  /**
   * spec/stats.md §1, counted as `_PyObject_DebugMallocStats()` counts: every carved pool of every
   * allocated arena with ref.count > 0, by class.
   */
  stats(): Stats {
    const pools = [...this.pymalloc.arenaBySlot.values()].flatMap((ao) =>
      ao.pools.map((pool) => ({ sizeClass: pool.szidx, live: pool.count })),
    );
    return statsFromPools(this.geometry, this.addressSpace, pools, this.requested);
  }

  /** spec/stats.md §2: arenas, used pools and live blocks ascending; empty pools are not listed. */
  snapshot(): HeapSnapshot {
    return {
      arenas: this.pymalloc.mappedArenas().map((ao) => ({
        slot: ao.slot,
        address: ao.address,
        pools: ao.pools
          .filter((pool) => pool.count > 0)
          .map((pool): PoolSnapshot => {
            const blocks: (readonly [number, number])[] = [];
            pool.requested.forEach((n, k) => {
              if (n >= 0) blocks.push([this.pymalloc.blockAddress(pool, k), n]);
            });
            return { index: pool.index, address: pool.address, sizeClass: pool.szidx, blocks };
          }),
      })),
      raw: this.addressSpace.rawBlocks(),
    };
  }

  /** Invariant 12: pymalloc's own structures agree (cpython-check.ts lists what is checked). */
  check(): void {
    checkCPythonHeap(this.pymalloc, this.requested.current, this.kind);
  }

  /** usedpools, usable_arenas, nfp2lasta, freepools and the arena objects, as plain data. */
  internals(): PymallocInternals {
    return describePymalloc(this.pymalloc);
  }
}
