/**
 * The seed article's allocation patterns as timed loops over a heap whose blocks are numbers
 * (src/bench/plain-arrays.ts has the same loops for `new Uint8Array(n)`). Each function is one
 * timed run on a fresh heap and returns the allocator calls it made; inputs are prepared outside.
 *
 *   allocateThenFreeAll  n blocks of one size, then all freed, last first (CPython's list_dealloc
 *                        releases a list's items from the end)
 *   allocateThenPin      n blocks, then all but every k-th freed, first to last: every arena keeps
 *                        a live block, so none is released
 *   growList             one array of 8-byte pointers grown by realloc through the byte sizes of
 *                        CPython's list over-allocation, then freed
 *   growLists            many such arrays grown side by side (round-robin), then freed
 */
import {
  listCapacityAfterResize,
  listNeedsResize,
  POINTER_SIZE,
} from "../scenarios/cpython-objects.ts";
import type { Geometry } from "../core/geometry.ts";
import type { NumericHeap } from "./churn.ts";

export function allocateThenFreeAll(heap: NumericHeap, blocks: Float64Array, size: number): number {
  const n = blocks.length;
  for (let i = 0; i < n; i++) blocks[i] = heap.malloc(size)!;
  for (let i = n - 1; i >= 0; i--) heap.free(blocks[i]!);
  return 2 * n;
}

export function allocateThenPin(
  heap: NumericHeap,
  blocks: Float64Array,
  size: number,
  keepEvery: number,
): number {
  const n = blocks.length;
  for (let i = 0; i < n; i++) blocks[i] = heap.malloc(size)!;
  let calls = n;
  for (let i = 0, k = 0; i < n; i++, k = k + 1 === keepEvery ? 0 : k + 1) {
    if (k !== 0) {
      heap.free(blocks[i]!);
      calls++;
    }
  }
  return calls;
}

/**
 * The byte sizes a CPython list's pointer array takes while `items` are appended one by one
 * (`list_resize`'s over-allocation for the geometry's version; src/scenarios/cpython-objects.ts):
 * the first is a malloc, the rest are reallocs.
 */
export function listArraySizes(geometry: Geometry, items: number): Int32Array {
  const sizes: number[] = [];
  let allocated = 0;
  for (let size = 1; size <= items; size++) {
    if (listNeedsResize(allocated, size)) {
      allocated = listCapacityAfterResize(geometry, size - 1, size);
      sizes.push(allocated * POINTER_SIZE);
    }
  }
  return Int32Array.from(sizes);
}

export function growList(heap: NumericHeap, sizes: Int32Array): number {
  let p = heap.malloc(sizes[0]!)!;
  for (let i = 1; i < sizes.length; i++) p = heap.realloc(p, sizes[i]!)!;
  heap.free(p);
  return sizes.length + 1;
}

export function growLists(heap: NumericHeap, arrays: Float64Array, sizes: Int32Array): number {
  const n = arrays.length;
  for (let j = 0; j < n; j++) arrays[j] = heap.malloc(sizes[0]!)!;
  for (let i = 1; i < sizes.length; i++) {
    const size = sizes[i]!;
    for (let j = 0; j < n; j++) arrays[j] = heap.realloc(arrays[j]!, size)!;
  }
  for (let j = 0; j < n; j++) heap.free(arrays[j]!);
  return n * (sizes.length + 1);
}
