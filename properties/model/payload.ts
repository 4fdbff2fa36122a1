/**
 * Fill patterns (invariant 8): every live block's usable bytes hold a pattern derived from the
 * block's own seed, so any write by another operation, or a realloc that loses its prefix, shows
 * up as a mismatch at a known offset.
 *
 * Byte i of seed s is the top byte of s·SEED_MIX + (i + 1)·STEP (mod 2^32). The loops keep that
 * sum in a running 32-bit value and add STEP per byte (one addition, not two multiplications).
 * When the block starts on a 4-byte boundary of its buffer (every block of a pymalloc-style heap
 * does: 16-byte alignment) and the host is little-endian, four bytes at a time are written and
 * compared as one 32-bit word through an Int32Array over the buffer (the word's four sums are
 * the running sum and its next three steps); the other bytes go one at a time. The bytes are the same either way, so a
 * counterexample replays byte for byte whatever path wrote it. Why it matters: the payload checks
 * took about a fifth of the oracle's CPU time byte by byte (reports/bench.md §The oracle).
 */

const SEED_MIX = 0x9e3779b1;
const STEP = 0x85ebca6b;
/** Four bytes' worth of STEP: what each byte's running sum gains from one word to the next. */
const WORD_STEP = Math.imul(4, STEP);

/** Whether an Int32Array stores its least significant byte first on this host. */
const LITTLE_ENDIAN = new Uint8Array(Int32Array.of(1).buffer)[0] === 1;

/** The 32-bit sum whose top byte is byte `i` of the pattern of `seed`. */
function patternSum(seed: number, i: number): number {
  return (Math.imul(seed, SEED_MIX) + Math.imul(i + 1, STEP)) | 0;
}

/** The four pattern bytes whose sums start at `sum`, as the little-endian word they make. */
function patternWord(sum: number): number {
  const s1 = (sum + STEP) | 0;
  const s2 = (sum + 2 * STEP) | 0;
  const s3 = (sum + 3 * STEP) | 0;
  return (sum >>> 24) | ((s1 >>> 16) & 0xff00) | ((s2 >>> 8) & 0xff0000) | (s3 & 0xff000000);
}

/**
 * The last buffer words were read through, and its words: blocks of one arena follow each other,
 * so one remembered view saves making a new one per block (the oracle writes and checks a pattern
 * on nearly every call).
 */
let lastBuffer: ArrayBufferLike | undefined;
let lastWords: Int32Array<ArrayBufferLike> = new Int32Array(0);

/**
 * The 32-bit words of `view`'s buffer, when its byte 0 starts one and the host is little-endian
 * (so that word k of the pattern is bytes 4k … 4k + 3 of the view); else undefined.
 */
function wordsUnder(view: Uint8Array): Int32Array<ArrayBufferLike> | undefined {
  if (!LITTLE_ENDIAN || (view.byteOffset & 3) !== 0) return undefined;
  const buffer = view.buffer;
  if (buffer !== lastBuffer || lastWords.byteLength < view.byteOffset + view.length) {
    lastBuffer = buffer;
    lastWords = new Int32Array(buffer, 0, buffer.byteLength >>> 2);
  }
  return lastWords;
}

/** Writes the pattern of `seed` into `view` from byte `from` to its end. */
export function writePattern(view: Uint8Array, seed: number, from = 0): void {
  const end = view.length;
  let i = from;
  let sum = patternSum(seed, from);
  const words = wordsUnder(view);
  if (words !== undefined) {
    // The bytes before the first whole word, then whole words.
    for (; (i & 3) !== 0 && i < end; i++) {
      view[i] = sum >>> 24;
      sum = (sum + STEP) | 0;
    }
    const at = (view.byteOffset + i) >>> 2;
    const count = (end - i) >>> 2;
    for (let k = 0; k < count; k++) {
      words[at + k] = patternWord(sum);
      sum = (sum + WORD_STEP) | 0;
    }
    i += count << 2;
  }
  for (; i < end; i++) {
    view[i] = sum >>> 24;
    sum = (sum + STEP) | 0;
  }
}

/** The first offset below `length` where `view` does not hold the pattern of `seed`, or -1. */
export function patternMismatch(view: Uint8Array, seed: number, length = view.length): number {
  let i = 0;
  let sum = patternSum(seed, 0);
  const words = wordsUnder(view);
  if (words !== undefined) {
    // Whole words while they match; the bytes from the first that differs (or the tail) below.
    const at = view.byteOffset >>> 2;
    const count = length >>> 2;
    let k = 0;
    while (k < count && words[at + k] === patternWord(sum)) {
      k++;
      sum = (sum + WORD_STEP) | 0;
    }
    i = k << 2;
  }
  for (; i < length; i++) {
    if (view[i] !== sum >>> 24) return i;
    sum = (sum + STEP) | 0;
  }
  return -1;
}
