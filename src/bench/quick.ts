/**
 * `npm run bench:quick`: the bitmap allocator's cost per operation on cpython-3.12 at 10^3 … 10^6
 * live blocks, and its ratio to the reference allocator at 10^4 live (spec/bitmap.md §4).
 *
 * Workload (src/bench/churn.ts): a steady live set of L blocks with sizes uniform over 1 … 512,
 * so every size class is used; each step frees a random live block and mallocs a new one. After a
 * warm-up (timing.ts), each figure is the median over REPETITIONS timed runs, CPU time:
 *   churn       (free + malloc) / 2
 *   malloc      runs of K mallocs into slots just freed by a run of K frees (K = min(256, L/4));
 *               wall clock: a run of K calls is too short for the CPU clock
 *   free        those runs of K frees of live blocks (wall clock, likewise)
 *   realloc     a random live block to a random small size (in place or moved)
 *   usableSize  of a random live block
 *   stats       one stats() call
 * A control row keeps 10^6 blocks live but touches only 10^3 of them: equal to the 10^3 row, it
 * shows that no operation does more work on a bigger heap (what grows elsewhere is memory latency).
 * The bitmap is measured first, at every size, so its call sites see only the bitmap allocator;
 * the reference runs last (churn at 10^3, 10^4, 10^5; the ratio at 10^4). Results go to stdout
 * and reports/bench-quick.json. `npm run bench` (bench.ts) is the full comparison with the other
 * contenders, each in its own process; both use the same loops (churn.ts) and clocks (timing.ts).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { BitmapAllocator } from "../allocators/bitmap/bitmap-allocator.ts";
import { createAllocator, type AllocatorKind } from "../allocators/create-allocator.ts";
import { geometries } from "../core/geometry.ts";
import { Churn } from "./churn.ts";
import { bitmapMetadataBytes } from "./metadata-bytes.ts";
import { randomStreams } from "./random-streams.ts";
import { medianNsPerOp, nowNs, median, warmUp } from "./timing.ts";

const GEOMETRY = "cpython-3.12" as const;
const LIVE_SIZES = [1e3, 1e4, 1e5, 1e6];
const REPETITIONS = 9;
const SEED = 0xbe7c4;

interface BitmapRow {
  live: number;
  /** Slots of the live set the timed loops touch (= live, except in the control row). */
  hot: number;
  arenas: number;
  /** Typed-array metadata of the bitmap allocator: the working set that outgrows the caches. */
  metadataMiB: number;
  nsPerOp: {
    churn: number;
    malloc: number;
    free: number;
    realloc: number;
    usableSize: number;
    stats: number;
  };
  seconds: number;
}

function setUp(kind: AllocatorKind, live: number, hot = live): Churn {
  const allocator = createAllocator(kind, GEOMETRY);
  const churn = new Churn(
    allocator,
    live,
    randomStreams(SEED + live, geometries[GEOMETRY].smallThreshold, hot),
  );
  churn.fill();
  return churn;
}

function measureBitmap(live: number, hot = live): BitmapRow {
  const started = nowNs();
  const churn = setUp("bitmap", live, hot);
  warmUp(live, (count) => churn.steps(count)); // the JIT, and the live set reaches steady state
  const steps = 250_000;
  const churnNs = medianNsPerOp(REPETITIONS, 2 * steps, () => churn.steps(steps));

  const k = Math.min(256, hot >> 2);
  const rounds = Math.ceil(100_000 / k);
  const mallocSamples: number[] = [];
  const freeSamples: number[] = [];
  for (let r = 0; r < REPETITIONS; r++) {
    let freeNs = 0;
    let mallocNs = 0;
    for (let i = 0; i < rounds; i++) {
      const start = churn.randomSlot();
      const t0 = nowNs();
      churn.freeRun(start, k);
      const t1 = nowNs();
      churn.mallocRun(start, k);
      const t2 = nowNs();
      freeNs += t1 - t0;
      mallocNs += t2 - t1;
    }
    freeSamples.push(freeNs / (rounds * k));
    mallocSamples.push(mallocNs / (rounds * k));
  }

  const reallocs = 200_000;
  warmUp(0, (count) => churn.reallocs(count));
  const reallocNs = medianNsPerOp(REPETITIONS, reallocs, () => churn.reallocs(reallocs));
  const queries = 500_000;
  let checksum = 0;
  warmUp(0, (count) => {
    checksum += churn.usableSizes(count);
  });
  const usableNs = medianNsPerOp(REPETITIONS, queries, () => {
    checksum += churn.usableSizes(queries);
  });
  if (checksum === 0) throw new Error("unreachable");
  const statsCalls = 20_000;
  const a = churn.allocator;
  const statsNs = medianNsPerOp(REPETITIONS, statsCalls, () => {
    for (let i = 0; i < statsCalls; i++) a.stats();
  });
  a.check(); // the run left a consistent heap
  return {
    live,
    hot,
    arenas: a.stats().arenas.current,
    metadataMiB: a instanceof BitmapAllocator ? bitmapMetadataBytes(a) / 2 ** 20 : NaN,
    nsPerOp: {
      churn: churnNs,
      malloc: median(mallocSamples),
      free: median(freeSamples),
      realloc: reallocNs,
      usableSize: usableNs,
      stats: statsNs,
    },
    seconds: (nowNs() - started) / 1e9,
  };
}

function measureChurn(
  kind: AllocatorKind,
  live: number,
  steps: number,
  repetitions: number,
): number {
  const churn = setUp(kind, live);
  warmUp(live, (count) => churn.steps(count));
  return medianNsPerOp(repetitions, 2 * steps, () => churn.steps(steps));
}

const fmt = (ns: number): string => (ns >= 100 ? ns.toFixed(0) : ns.toFixed(1)).padStart(9);

function main(): void {
  const cpu = os.cpus()[0]?.model ?? "unknown";
  const machine = {
    cpu,
    cores: os.cpus().length,
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
  };
  console.log(
    `bench:quick — ${GEOMETRY}, churn of a steady live set, sizes uniform over 1…${geometries[GEOMETRY].smallThreshold}`,
  );
  console.log(
    `machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB; Node ${machine.node}; ${machine.platform}`,
  );
  console.log(
    `figures: median of ${REPETITIONS} runs after a warm-up, nanoseconds per operation (CPU time; malloc and free: wall clock)\n`,
  );
  console.log(
    `bitmap                 live   arenas  meta MiB     churn    malloc      free   realloc usableSize    stats`,
  );

  const rows: BitmapRow[] = [];
  const print = (row: BitmapRow, label: string): void => {
    const n = row.nsPerOp;
    console.log(
      `${label.padStart(27)} ${String(row.arenas).padStart(8)} ${row.metadataMiB.toFixed(2).padStart(9)} ${fmt(n.churn)} ${fmt(n.malloc)} ${fmt(n.free)} ${fmt(n.realloc)} ${fmt(n.usableSize)} ${fmt(n.stats)}   (${row.seconds.toFixed(1)} s)`,
    );
  };
  for (const live of LIVE_SIZES) {
    const row = measureBitmap(live);
    rows.push(row);
    print(row, String(live));
  }
  // Control: the largest heap, but the timed loops touch only 10^3 of its blocks. If this row
  // matches the 10^3 row, an operation's work does not depend on the heap's size; the rest of the
  // growth above is memory latency.
  const control = measureBitmap(LIVE_SIZES[LIVE_SIZES.length - 1]!, LIVE_SIZES[0]!);
  print(control, `${control.live} (hot ${control.hot})`);

  // Growth from the smallest to the largest live set, per operation.
  const ops = Object.keys(rows[0]!.nsPerOp) as (keyof BitmapRow["nsPerOp"])[];
  const growth = Object.fromEntries(
    ops.map((op) => [op, rows[rows.length - 1]!.nsPerOp[op] / rows[0]!.nsPerOp[op]]),
  );
  const worst = Math.max(...Object.values(growth));
  console.log(
    `\ncost at 10^6 live ÷ cost at 10^3 live: ${ops.map((op) => `${op} ${growth[op]!.toFixed(2)}×`).join(", ")}`,
  );
  const controlGrowth = Object.fromEntries(
    ops.map((op) => [op, control.nsPerOp[op] / rows[0]!.nsPerOp[op]]),
  );
  console.log(
    `control (10^6 live, 10^3 touched) ÷ 10^3 live: ${ops.map((op) => `${op} ${controlGrowth[op]!.toFixed(2)}×`).join(", ")}`,
  );
  console.log(
    `(No operation does more work on a bigger heap: with ${control.arenas} arenas mapped but a small working set, costs are those of a\n` +
      ` 1-arena heap. What grows in the uniform rows is the cost of each memory access, as the metadata (${rows[0]!.metadataMiB.toFixed(2)} → ` +
      `${rows[rows.length - 1]!.metadataMiB.toFixed(1)} MiB),\n the caller's array of live pointers and, for realloc, the copied payloads leave the CPU caches.)`,
  );

  // The reference last, so the bitmap's call sites were monomorphic while it was measured. Its
  // per-operation cost is O(pools): shown at three sizes, compared at 10^4.
  const refLive = 1e4;
  console.log(`\nreference              live   churn ns/op   bitmap/reference`);
  const reference: { live: number; churnNsPerOp: number; bitmapOverReference: number }[] = [];
  for (const live of [1e3, 1e4, 1e5]) {
    const steps = live >= 1e5 ? 2_000 : 10_000;
    const ns = measureChurn("reference", live, steps, REPETITIONS);
    const bitmapNs = rows.find((r) => r.live === live)!.nsPerOp.churn;
    reference.push({ live, churnNsPerOp: ns, bitmapOverReference: bitmapNs / ns });
    console.log(
      `${String(live).padStart(27)} ${fmt(ns).padStart(13)}   ${(bitmapNs / ns).toFixed(4).padStart(16)}`,
    );
  }
  const ratio = reference.find((r) => r.live === refLive)!.bitmapOverReference;
  console.log(
    `\nat ${refLive} live: bitmap/reference = ${ratio.toFixed(4)} (the bitmap is ${(1 / ratio).toFixed(1)}× faster)`,
  );

  const report = {
    benchmark: "bench:quick",
    date: new Date().toISOString(),
    geometry: GEOMETRY,
    machine,
    method: {
      workload: "churn: free a random live block, malloc a new one; sizes uniform 1..T",
      repetitions: REPETITIONS,
      statistic: "median",
      unit: "ns per operation",
    },
    bitmap: rows,
    control,
    growthLargestOverSmallest: growth,
    growthControlOverSmallest: controlGrowth,
    worstGrowth: worst,
    reference,
    ratioBitmapOverReferenceAt1e4: ratio,
  };
  const out = path.join("reports", "bench-quick.json");
  mkdirSync("reports", { recursive: true });
  writeFileSync(out, JSON.stringify(report, null, 2) + "\n");
  console.log(`\nwrote ${out}`);
}

main();
