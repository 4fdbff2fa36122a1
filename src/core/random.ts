/**
 * mulberry32: the one small seeded PRNG of allocheck (32-bit state, uniform in [0, 1)). Every
 * workload, macro step, benchmark stream and deterministic test that needs many random numbers
 * draws them from it, so a seed names the same sequence everywhere.
 */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
