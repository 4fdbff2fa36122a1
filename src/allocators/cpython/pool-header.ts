/**
 * `struct pool_header` (Objects/obmalloc.c [3.8]–[3.11]; Include/internal/pycore_obmalloc.h
 * [3.12][3.13]), one object per carved pool. In C the header is the first POOL_OVERHEAD bytes of
 * the pool and a free block's first word is the link to the next free block; here both live in
 * this object, outside the simulated memory (spec/model.md §4), with the same fields and meanings:
 *
 *   C field           here                      meaning
 *   ref.count         count                     allocated blocks
 *   freeblock         freeblock (block number)  head of the LIFO free list; NULL = -1
 *   *(block **)bp     link[k]                   the next free block after block k; NULL = -1
 *   nextpool/prevpool nextpool/prevpool         usedpools[] links
 *   nextpool          nextFreePool              the arena's freepools link (C reuses nextpool for it)
 *   arenaindex        arena                     the arena_object the pool belongs to
 *   szidx             szidx                     size class; DUMMY_SIZE_IDX until first initialised
 *   nextoffset        nextoffset                byte offset of the next never-used ("virgin") block
 *   maxnextoffset     maxnextoffset             POOL_SIZE - size: the last offset a block can start at
 *
 * Not in C: `requested[k]` (the n a live block was asked for, -1 when block k is not live), which
 * stats, snapshots and misuse detection need and CPython does not keep.
 */
import type { ArenaObject } from "./arena-object.ts";

/** `DUMMY_SIZE_IDX`: the szidx of a freshly carved pool, which matches no class. */
export const DUMMY_SIZE_IDX = 0xffff;

/** NULL, for block numbers. */
export const NULL_BLOCK = -1;

/** What `usedpools[]` links: pool headers and the per-class list heads ("Major obscurity"). */
export interface PoolLinks {
  nextpool: PoolLinks;
  prevpool: PoolLinks;
}

export class PoolHeader implements PoolLinks {
  /** `arenaindex`: the arena object this pool was carved from. */
  readonly arena: ArenaObject;
  /** The usable-pool index within the arena (C derives it from the address). */
  readonly index: number;
  /** The pool's first byte: `POOL_ADDR` of every block in it. */
  readonly address: number;

  count = 0;
  freeblock = NULL_BLOCK;
  szidx = DUMMY_SIZE_IDX;
  nextoffset = 0;
  maxnextoffset = 0;
  nextpool: PoolLinks = this;
  prevpool: PoolLinks = this;
  nextFreePool: PoolHeader | null = null;

  /** link[k]: the free block after block k on the free list (`*(block **)bp`). */
  link: Int32Array = new Int32Array(0);
  /** requested[k]: the n live block k was asked for, or -1 (not in C). */
  requested: Int32Array = new Int32Array(0);

  constructor(arena: ArenaObject, index: number, address: number) {
    this.arena = arena;
    this.index = index;
    this.address = address;
  }

  /** Sizes the per-block side tables for `capacity` blocks (when the pool takes a new class). */
  resetBlocks(capacity: number): void {
    this.link = new Int32Array(capacity).fill(NULL_BLOCK);
    this.requested = new Int32Array(capacity).fill(-1);
  }
}
