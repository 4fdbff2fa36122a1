/**
 * Fill patterns (invariant 8): every live block's usable bytes hold a pattern derived from the
 * block's own seed, so any write by another operation, or a realloc that loses its prefix, shows
 * up as a mismatch at a known offset.
 *
 * Byte i of seed s is the top byte of s·SEED_MIX + (i + 1)·STEP (mod 2^32). The loops keep that
 * sum in a running 32-bit value and add STEP per byte (one addition, not two multiplications).
 */

const SEED_MIX = 0x9e3779b1;
const STEP = 0x85ebca6b;

/** The 32-bit sum whose top byte is byte `i` of the pattern of `seed`. */
function patternSum(seed: number, i: number): number {
  return (Math.imul(seed, SEED_MIX) + Math.imul(i + 1, STEP)) | 0;
}

export function writePattern(view: Uint8Array, seed: number, from = 0): void {
  let sum = patternSum(seed, from);
  for (let i = from; i < view.length; i++) {
    view[i] = sum >>> 24;
    sum = (sum + STEP) | 0;
  }
}

/** The first offset below `length` where `view` does not hold the pattern of `seed`, or -1. */
export function patternMismatch(view: Uint8Array, seed: number, length = view.length): number {
  let sum = patternSum(seed, 0);
  for (let i = 0; i < length; i++) {
    if (view[i] !== sum >>> 24) return i;
    sum = (sum + STEP) | 0;
  }
  return -1;
}
