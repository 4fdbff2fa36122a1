/**
 * A CPython list's pointer array as the allocator sees it: `append` grows it through
 * `list_resize()` (`Objects/listobject.c`), which calls `PyMem_Realloc(ob_item, allocated * 8)`
 * with CPython's over-allocation (cpython-objects.ts); `PyMem_Realloc` is pymalloc's realloc
 * (since 3.6), so the array lives in a pool while it is at most 512 bytes and goes raw above.
 * `clear` is `list_dealloc()`: the items are released last to first ("Do it backwards"), then the
 * array is freed [3.8]–[3.13].
 */
import { listCapacityAfterResize, listNeedsResize, POINTER_SIZE } from "./cpython-objects.ts";
import type { Recorder } from "./recorder.ts";

export class PyListArray {
  /** `ob_item`, or null for an empty list. */
  array: number | null = null;
  /** `allocated`: capacity in pointers. */
  allocated = 0;
  /** `Py_SIZE`: items. */
  size = 0;
  /** Reallocations of the array (each a realloc call). */
  resizes = 0;

  constructor(private readonly heap: Recorder) {}

  get bytes(): number {
    return this.allocated * POINTER_SIZE;
  }

  /** One append: `_PyList_AppendTakeRef` → `list_resize(self, n + 1)` when full. */
  append(): void {
    const newSize = this.size + 1;
    if (listNeedsResize(this.allocated, newSize)) {
      const allocated = listCapacityAfterResize(this.heap.allocator.geometry, this.size, newSize);
      this.array = this.heap.realloc(this.array, this.bytes, allocated * POINTER_SIZE);
      this.allocated = allocated;
      this.resizes++;
    }
    this.size = newSize;
  }

  /** Frees the array (after the caller released the items). */
  free(): void {
    if (this.array !== null) this.heap.free(this.array, this.bytes);
    this.array = null;
    this.allocated = 0;
    this.size = 0;
  }
}
