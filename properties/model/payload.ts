/**
 * Fill patterns (invariant 8): every live block's usable bytes hold a pattern derived from the
 * block's own seed, so any write by another operation, or a realloc that loses its prefix, shows
 * up as a mismatch at a known offset.
 */

function patternByte(seed: number, i: number): number {
  return (Math.imul(seed, 0x9e3779b1) + Math.imul(i + 1, 0x85ebca6b)) >>> 24;
}

export function writePattern(view: Uint8Array, seed: number, from = 0): void {
  for (let i = from; i < view.length; i++) view[i] = patternByte(seed, i);
}

/** The first offset below `length` where `view` does not hold the pattern of `seed`, or -1. */
export function patternMismatch(view: Uint8Array, seed: number, length = view.length): number {
  for (let i = 0; i < length; i++) if (view[i] !== patternByte(seed, i)) return i;
  return -1;
}
