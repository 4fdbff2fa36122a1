// AssemblyScript's TLSF (std/assembly/rt/tlsf.ts) behind C's allocator interface, for
// allocheck's wasm adapter (spec/wasm.md §5). AssemblyScript source, not TypeScript: built by
// `npm run build:wasm` (build-tlsf.ts), never type-checked or linted as TypeScript.

/** malloc(n): a block of at least n bytes, 16-byte aligned (heap.alloc). */
export function malloc(size: usize): usize {
  return heap.alloc(size);
}

/** free(p); free(0) does nothing, as C's does. */
export function free(ptr: usize): void {
  if (ptr != 0) heap.free(ptr);
}

/** realloc(p, n); realloc(0, n) is malloc(n), as C's is. */
export function realloc(ptr: usize, size: usize): usize {
  return ptr == 0 ? heap.alloc(size) : heap.realloc(ptr, size);
}

/**
 * The block's size from its header word, the low two bits being TLSF's FREE and LEFTFREE tags.
 * It asserts what TLSF's checkUsedBlock asserts before a free or realloc (a non-null, 16-byte
 * aligned pointer whose block is not FREE), so that it detects what they detect and no more; the
 * --noAssert build drops the check, as it drops theirs.
 */
export function malloc_usable_size(ptr: usize): usize {
  const info = load<u32>(ptr - 4);
  assert(ptr != 0 && (ptr & 15) == 0 && (info & 1) == 0);
  return info & ~3;
}

/** Where the static data ends and the heap (TLSF's root, then its blocks) begins. */
export function heap_base(): usize {
  return __heap_base;
}
