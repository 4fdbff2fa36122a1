/**
 * An outside allocator: `@thi.ng/malloc`'s `MemPool`, a TypeScript allocator over one ArrayBuffer
 * (first fit over a free list, block splitting and compaction; 8-byte block headers). This adapter
 * only translates its API to allocheck's Subject; it adds no checks and hides no behaviour:
 *
 *   MemPool.malloc(n) → address, or 0      →  malloc(n) → address, or null
 *   MemPool.realloc(p, n) → address, or 0  →  realloc(p, n) → address, or null
 *   MemPool.free(p) → true, or false       →  free(p), or AllocatorError("invalid-pointer")
 *   the block header's size field          →  bytes(p): a view of the block's usable bytes
 *
 * It has no geometry, stats, snapshot or check, so the properties that apply to it are those of a
 * general allocator: no overlap (1), containment in its region (2), alignment (3), payload
 * integrity (8), misuse rejected (9) and no spurious out of memory (10).
 */
import { MemPool } from "@thi.ng/malloc";
import { AllocatorError, hex } from "../../../src/core/errors.ts";
import type { Region, Subject } from "../../model/subject.ts";

/** MemPool's block header: size and next link, two 32-bit words (pool.js SIZEOF_MEM_BLOCK). */
const HEADER = 8;

export interface MemPoolOptions {
  readonly size: number;
  readonly align: 8 | 16;
  readonly compact: boolean;
  readonly split: boolean;
}

/** MemPool's protected members, read through a cast: the block header and the first free address. */
interface MemPoolInternals {
  blockSize(block: number): number;
  readonly top: number;
  readonly end: number;
  readonly u8: Uint8Array;
}

export class MemPoolSubject implements Subject {
  readonly kind = "thi.ng-mempool";
  readonly region: Region;
  private readonly pool: MemPool;
  private readonly internals: MemPoolInternals;

  constructor(options: MemPoolOptions) {
    this.pool = new MemPool({
      size: options.size,
      align: options.align,
      compact: options.compact,
      split: options.split,
    });
    this.internals = this.pool as unknown as MemPoolInternals;
    this.region = {
      start: this.internals.top,
      end: this.internals.end,
      alignment: options.align,
      blockOverhead: HEADER,
    };
  }

  malloc(n: number): number | null {
    const p = this.pool.malloc(n);
    return p === 0 ? null : p;
  }

  free(p: number | null): void {
    if (p === null) return;
    if (!this.pool.free(p))
      throw new AllocatorError("invalid-pointer", `MemPool.free(${hex(p)}) returned false`);
  }

  realloc(p: number | null, n: number): number | null {
    if (p === null) return this.malloc(n);
    const q = this.pool.realloc(p, n);
    return q === 0 ? null : q;
  }

  bytes(p: number): Uint8Array {
    const usable = this.internals.blockSize(p - HEADER) - HEADER;
    return this.internals.u8.subarray(p, p + usable);
  }
}

/** A factory for verifyAllocator: the generated geometry is ignored (MemPool has none). */
export const memPoolFactory = (options: MemPoolOptions) => (): Subject =>
  new MemPoolSubject(options);
