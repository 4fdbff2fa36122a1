/**
 * C's rule for the alignment of what malloc returns (C17 7.22.3 as amended by DR 445): suitable
 * for any object of fundamental alignment that fits in the n bytes asked for. An object smaller
 * than max_align_t cannot need more than the largest power of two not above its size, so
 *
 *   n >= fundamental:  a multiple of the fundamental alignment (max_align_t's)
 *   0 < n < it:        a multiple of the largest power of two <= n
 *   n = 0:             any address (no object fits)
 *
 * spec/wasm.md §2; invariant 3 asks it through Region.alignmentFor.
 */

/** _Alignof(max_align_t) of clang for wasm32 (long double is 16 bytes there). */
export const WASM32_FUNDAMENTAL_ALIGNMENT = 16;

/** The alignment C's malloc owes a request of n bytes, given the fundamental alignment. */
export function cMallocAlignment(
  n: number,
  fundamental: number = WASM32_FUNDAMENTAL_ALIGNMENT,
): number {
  if (n >= fundamental) return fundamental;
  if (n <= 0) return 1;
  return 2 ** Math.floor(Math.log2(n));
}
