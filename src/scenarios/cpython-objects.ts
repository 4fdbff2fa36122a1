/**
 * What the seed's Python snippets ask of the object allocator: object sizes and the list's
 * growth rule, by CPython version. The scenarios feed these sizes to `malloc`, so a scenario is
 * the allocation trace CPython would make (64-bit CPython; on the `cpython-32bit` geometry the
 * 64-bit object sizes are kept and only the allocator's geometry changes).
 *
 * Left out on purpose, everywhere: the `PyListObject` header itself. `[... for ...]` takes it from
 * the list free list (`Objects/listobject.c: PyList_New()`, `_Py_FREELIST_POP` / `free_list`
 * [3.8]–[3.13]) and `del` puts it back there (`list_dealloc()`), so in a running interpreter it
 * is neither a new pymalloc block nor a freed one.
 */
import type { Geometry } from "../core/geometry.ts";

/**
 * `sys.getsizeof(i)` for 0 < |i| < 2^30: `PyLongObject` with one 30-bit digit,
 * ob_refcnt 8 + ob_type 8 + ob_size (3.12+: lv_tag) 8 + digit 4 = 28 bytes, so the 32-byte class
 * (`Include/cpython/longintrepr.h` [3.11], `Include/cpython/longintrepr.h` [3.12]).
 */
export const INT_OBJECT_SIZE = 28;

/**
 * CPython preallocates the small ints −5 … 256 and `PyLong_FromLong` returns those
 * (`_PY_NSMALLPOSINTS` = 257, `_PY_NSMALLNEGINTS` = 5 in
 * `Include/internal/pycore_global_objects.h` [3.11]; `NSMALLPOSINTS` in `Objects/longobject.c`
 * [3.8]–[3.10]), so `range(n)` allocates an int object only for i ≥ 257.
 */
export const SMALL_INT_LIMIT = 257;

export function allocatesInt(i: number): boolean {
  return i >= SMALL_INT_LIMIT || i < -5;
}

/** Pointer size in `PyListObject.ob_item` (64-bit). */
export const POINTER_SIZE = 8;

/** The CPython version a preset geometry models, as [major, minor]; custom geometries: 3.11. */
export function cpythonVersionOf(g: Geometry): readonly [number, number] {
  const match = /^cpython-3\.(\d+)$/.exec(g.name);
  return match ? [3, Number(match[1])] : [3, 11];
}

/**
 * `sys.getsizeof(s)` of a compact ASCII `str` of `length` characters: the `PyASCIIObject`
 * header, the characters and a NUL. The header is 48 bytes through 3.11 and 40 from 3.12, which
 * dropped the cached `wchar_t*` (PEP 623; `Include/cpython/unicodeobject.h: PyASCIIObject`
 * [3.11], [3.12]): `sys.getsizeof("")` is 49 in 3.11 and 41 in 3.12. `str(i)` always makes a new
 * string (`Objects/longobject.c: long_to_decimal_string_internal()`, "Returns a new non-shared
 * string" [3.8]–[3.13]).
 */
export function asciiStrSize(g: Geometry, length: number): number {
  const [, minor] = cpythonVersionOf(g);
  return (minor >= 12 ? 41 : 49) + length;
}

/**
 * `list_resize(self, newsize)`'s new capacity when the list must grow (`Objects/listobject.c`):
 * - 3.9+ (bpo-38373, python/cpython#18952; the same in 3.11–3.13):
 *   `new_allocated = (newsize + (newsize >> 3) + 6) & ~3`, and if
 *   `newsize - Py_SIZE(self) > new_allocated - newsize` then `new_allocated = (newsize + 3) & ~3`;
 *   "The growth pattern is: 0, 4, 8, 16, 24, 32, 40, 52, 64, 76, ...".
 * - 3.8: `new_allocated = newsize + (newsize >> 3) + (newsize < 9 ? 3 : 6)`
 *   (0, 4, 8, 16, 25, 35, 46, 58, 72, 88, ...).
 * `newsize == 0` gives 0 in both.
 */
export function listCapacityAfterResize(g: Geometry, oldSize: number, newSize: number): number {
  if (newSize === 0) return 0;
  const [, minor] = cpythonVersionOf(g);
  if (minor <= 8) return newSize + (newSize >> 3) + (newSize < 9 ? 3 : 6);
  let allocated = (newSize + (newSize >> 3) + 6) & ~3;
  if (newSize - oldSize > allocated - newSize) allocated = (newSize + 3) & ~3;
  return allocated;
}

/**
 * `list_resize` skips the reallocation while `allocated >= newsize && newsize >= allocated >> 1`
 * ([3.8]–[3.13]); appends reallocate only when the list is full.
 */
export function listNeedsResize(allocated: number, newSize: number): boolean {
  return !(allocated >= newSize && newSize >= allocated >> 1);
}
