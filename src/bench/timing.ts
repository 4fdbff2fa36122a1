/**
 * Clocks, warm-up and statistics for the benchmarks (`npm run bench` and `bench:quick`).
 *
 * The clock is the process's CPU time (user + system, `process.cpuUsage`), with the wall clock
 * kept beside it: on this shared 2-core VM the wall clock also counts the time another tenant
 * held the core (samples 2–3 × the CPU time are common), while CPU time counts what the process
 * did, its GC and compiler threads included. Two consequences:
 * - the warm-up must leave nothing to compile, so it calls the timed function many times: one
 *   long call gets on-stack replacement, and the next call then runs unoptimized code while the
 *   regular optimized code is compiled (measured: the first 300k-step sample after a single
 *   2M-step warm-up call cost 1.3–2.5 × the later ones);
 * - background GC work must be counted where it was caused: `timed` waits for the helper
 *   threads to settle after the body, and callers `settle()` before it.
 */

export interface Elapsed {
  /** CPU time of the process, user + system, until its background threads settled. */
  readonly cpuNs: number;
  readonly wallNs: number;
}

export function nowNs(): number {
  return performance.now() * 1e6;
}

export function cpuNow(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) * 1000;
}

/** How long the main thread sleeps for the process's background threads (GC, compiler) to finish. */
const SETTLE_MS = 20;
const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** Blocks the main thread (which then uses no CPU) while the GC's helper threads finish. */
export function settle(): void {
  Atomics.wait(sleeper, 0, 0, SETTLE_MS);
}

/**
 * Times `body`: the wall clock around it, and CPU time from its start until the background
 * threads have settled after it, so GC work it left to helper threads (sweeping) counts.
 */
export function timed(body: () => void): Elapsed {
  const cpu = cpuNow();
  const wall = nowNs();
  body();
  const wallNs = nowNs() - wall;
  settle();
  return { cpuNs: cpuNow() - cpu, wallNs };
}

/** Warm-up: at least WARM_UP_MS and max(2 · live, WARM_UP_STEPS) steps, unless that takes WARM_UP_LIMIT_MS. */
const WARM_UP_MS = 600;
const WARM_UP_STEPS = 2_000_000;
const WARM_UP_LIMIT_MS = 5000;

/**
 * Warms a steady-state loop up (`steps(count)` runs count steps) in calls of growing length,
 * up to ~25 ms each; returns the CPU nanoseconds per step of the last call (for calibration).
 */
export function warmUp(live: number, steps: (count: number) => void): number {
  const started = cpuNow();
  let done = 0;
  let chunk = 256;
  for (;;) {
    const t0 = cpuNow();
    steps(chunk);
    const t1 = cpuNow();
    done += chunk;
    const nsPerStep = Math.max(1, t1 - t0) / chunk;
    const elapsedMs = (t1 - started) / 1e6;
    if (
      (done >= Math.max(2 * live, WARM_UP_STEPS) && elapsedMs >= WARM_UP_MS) ||
      elapsedMs >= WARM_UP_LIMIT_MS
    )
      return nsPerStep;
    chunk = Math.min(chunk * 2, Math.max(256, Math.ceil((25 * 1e6) / nsPerStep)));
  }
}

/** The q-quantile (0 … 1) of the samples, linearly interpolated. */
export function quantile(xs: readonly number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  const at = (s.length - 1) * q;
  const lo = Math.floor(at);
  return lo + 1 < s.length ? s[lo]! + (s[lo + 1]! - s[lo]!) * (at - lo) : s[lo]!;
}

export function median(xs: readonly number[]): number {
  return quantile(xs, 0.5);
}

export interface Summary {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  /** First and third quartiles. */
  readonly q1: number;
  readonly q3: number;
  readonly samples: readonly number[];
}

export function summarize(samples: readonly number[]): Summary {
  return {
    median: median(samples),
    min: Math.min(...samples),
    max: Math.max(...samples),
    q1: quantile(samples, 0.25),
    q3: quantile(samples, 0.75),
    samples,
  };
}

/** Runs `body` `repetitions` times (settled before each); returns the median CPU ns per op. */
export function medianNsPerOp(repetitions: number, ops: number, body: () => void): number {
  const samples: number[] = [];
  for (let r = 0; r < repetitions; r++) {
    settle();
    samples.push(timed(body).cpuNs / ops);
  }
  return median(samples);
}
