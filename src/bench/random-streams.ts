/**
 * Pre-generated random numbers for the benchmarks, so the timed loops do no PRNG work: a stream
 * of request sizes spread uniformly over every size class (optionally with a share of larger
 * requests), and a stream of slots of the live set.
 * Lengths are powers of two, indexed with a mask.
 */
import { mulberry32 } from "../core/random.ts";

export interface RandomStreams {
  /** Request sizes: uniform in 1 … smallThreshold (every class equally often), except `large`. */
  readonly sizes: Int32Array;
  /** Uniform live-set slots: integers in 0 … slots − 1 (no modulo in the timed loops). */
  readonly picks: Int32Array;
  /** length − 1 of both streams (a power of two minus one). */
  readonly mask: number;
}

/** A share of requests above the small threshold: uniform in smallThreshold + 1 … max. */
export interface LargeRequests {
  readonly share: number;
  readonly max: number;
}

export function randomStreams(
  seed: number,
  smallThreshold: number,
  slots: number,
  large?: LargeRequests,
  log2Length = 20,
): RandomStreams {
  const rng = mulberry32(seed);
  const length = 1 << log2Length;
  const sizes = new Int32Array(length);
  const picks = new Int32Array(length);
  for (let i = 0; i < length; i++) {
    sizes[i] = 1 + Math.floor(rng() * smallThreshold);
    picks[i] = Math.floor(rng() * slots);
    if (large !== undefined && rng() < large.share)
      sizes[i] = smallThreshold + 1 + Math.floor(rng() * (large.max - smallThreshold));
  }
  return { sizes, picks, mask: length - 1 };
}
