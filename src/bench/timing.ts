/** Timing helpers for the benchmarks: wall-clock nanoseconds and medians. */

export function nowNs(): number {
  return performance.now() * 1e6;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Runs `body` `repetitions` times; returns the median of (elapsed ns / ops). */
export function medianNsPerOp(repetitions: number, ops: number, body: () => void): number {
  const samples: number[] = [];
  for (let r = 0; r < repetitions; r++) {
    const t0 = nowNs();
    body();
    samples.push((nowNs() - t0) / ops);
  }
  return median(samples);
}
