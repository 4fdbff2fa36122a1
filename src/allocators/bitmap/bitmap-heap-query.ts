/**
 * The three questions `classifyBadPointer` (src/core/misuse.ts) asks, answered from the bitmap
 * allocator's arrays. Only the error path uses it (invariant 9).
 */
import type { HeapQuery } from "../../core/misuse.ts";
import type { BitmapHeap } from "./bitmap-heap.ts";

export class BitmapHeapQuery implements HeapQuery {
  private readonly heap: BitmapHeap;

  constructor(heap: BitmapHeap) {
    this.heap = heap;
  }

  isArenaMapped(slot: number): boolean {
    return this.heap.table.isMapped(slot);
  }

  poolClass(slot: number, pool: number): number {
    return this.heap.table.sizeClass[slot * this.heap.geometry.poolsPerArena + pool]!;
  }

  // Stryker disable next-line BlockStatement: equivalent: spec/audit.md §3.1 #5
  isBlockLive(slot: number, pool: number, block: number): boolean {
    return !this.heap.bitmaps.isFree(slot * this.heap.geometry.poolsPerArena + pool, block);
  }
}
