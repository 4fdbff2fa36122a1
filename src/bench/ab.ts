/**
 * `npm run bench:ab -- <before> <after> [live …]`: the bitmap allocator's churn (churn.ts) in two
 * checkouts, side by side on one machine, the way reports/bench.md's before/after tables are
 * measured. Make the other checkout with `git worktree add /tmp/before <commit>` (it needs no
 * node_modules: ab-child.ts, of this checkout, imports only its allocator).
 *
 * For each live-set size (default 10^3, 10^5, 10^6): ROUNDS rounds (6, or --rounds N), each one
 * process per side in alternating order (before first in odd rounds), SAMPLES samples of STEPS
 * churn steps per process after the warm-up of timing.ts, CPU time. Per side: the median of all
 * samples and the fastest and slowest; the ratio after ÷ before of the medians. Alternating processes spread a noisy
 * neighbour over both sides instead of one. Prints a table; writes reports/bench-ab.json.
 *
 * `--mixed`: each process also churns a heap whose requests are 10% raw (the bench's mixed cells),
 * interleaved with the small churn; per side the mixed medians and the median of the per-process
 * ratios mixed ÷ small, against issue 19's target (at most 2×), printed met or missed.
 *
 * `--paired`: each round is one process holding both sides (ab-paired-child.ts), PAIRED_SAMPLES
 * samples per side alternating; the ratio after ÷ before is the median of the per-pair ratios, so
 * a neighbour that slows a whole process (this host's processes are bimodal) cancels out. For a
 * change of a few per cent, which the alternating processes cannot tell from that noise.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { machineDescription } from "../report/machine.ts";
import { runJsonChild } from "./json-child.ts";
import { summarize, type Summary } from "./timing.ts";

const SAMPLES = 5;
const STEPS = 300_000;
/** Samples per side in a --paired process: more pairs per process, as one process is one round. */
const PAIRED_SAMPLES = 10;

const args = process.argv.slice(2);
const roundsAt = args.indexOf("--rounds");
const ROUNDS = roundsAt === -1 ? 6 : Number(args.splice(roundsAt, 2)[1]);
const mixedAt = args.indexOf("--mixed");
const MIXED = mixedAt !== -1;
if (MIXED) args.splice(mixedAt, 1);
const pairedAt = args.indexOf("--paired");
const PAIRED = pairedAt !== -1;
if (PAIRED) args.splice(pairedAt, 1);
/** Issue 19's target: mixed churn at most this many times small churn. */
const MIXED_TARGET = 2;
const [before, after, ...sizes] = args;
if (
  before === undefined ||
  after === undefined ||
  !(Number.isInteger(ROUNDS) && ROUNDS > 0) ||
  (PAIRED && MIXED)
) {
  console.error(
    "usage: npm run bench:ab -- <before checkout> <after checkout> [live …] [--rounds N (6)] [--mixed | --paired]",
  );
  process.exit(2);
}
const lives = sizes.length > 0 ? sizes.map(Number) : [1e3, 1e5, 1e6];
const child = fileURLToPath(new URL("./ab-child.ts", import.meta.url));
const pairedChild = fileURLToPath(new URL("./ab-paired-child.ts", import.meta.url));

interface SideSamples {
  nsPerCall: number[];
  mixedNsPerCall?: number[];
}

function side(checkout: string, live: number): SideSamples {
  return runJsonChild<SideSamples>(child, [
    path.resolve(checkout),
    String(live),
    String(SAMPLES),
    String(STEPS),
    ...(MIXED ? ["mixed"] : []),
  ]);
}

/** One --paired round: both sides in one process, PAIRED_SAMPLES samples each, alternating. */
function pair(live: number, round: number): { before: number[]; after: number[] } {
  // Which side the process loads (and so lays out in memory) first alternates with the round.
  const sides = [`before=${path.resolve(before!)}`, `after=${path.resolve(after!)}`];
  return runJsonChild(pairedChild, [
    ...(round % 2 === 0 ? sides : sides.reverse()),
    String(live),
    String(PAIRED_SAMPLES),
    String(STEPS),
  ]);
}

/** A side's mixed churn: its ns per call and the per-process ratios mixed ÷ small. */
interface MixedSide {
  mixed: Summary;
  ratio: Summary;
  target: "met" | "missed";
}

interface Row {
  live: number;
  before: Summary;
  after: Summary;
  /** --paired: after ÷ before of each pair of samples (one process, one sample each). */
  pairRatios?: Summary;
  mixed?: { before: MixedSide; after: MixedSide };
}

const rows: Row[] = [];
const f = (s: Summary): string =>
  `${s.median.toFixed(1)} (${s.min.toFixed(1)}–${s.max.toFixed(1)})`;
for (const live of lives) {
  const samples = { before: [] as number[], after: [] as number[] };
  const mixed = { before: [] as number[], after: [] as number[] };
  const ratios = { before: [] as number[], after: [] as number[] };
  const pairRatios: number[] = [];
  for (let round = 0; round < ROUNDS && PAIRED; round++) {
    const got = pair(live, round);
    samples.before.push(...got.before);
    samples.after.push(...got.after);
    got.after.forEach((ns, i) => pairRatios.push(ns / got.before[i]!));
  }
  for (let round = 0; round < ROUNDS && !PAIRED; round++) {
    const order = round % 2 === 0 ? (["before", "after"] as const) : (["after", "before"] as const);
    for (const which of order) {
      const got = side(which === "before" ? before : after, live);
      samples[which].push(...got.nsPerCall);
      if (got.mixedNsPerCall === undefined) continue;
      mixed[which].push(...got.mixedNsPerCall);
      ratios[which].push(summarize(got.mixedNsPerCall).median / summarize(got.nsPerCall).median);
    }
  }
  const mixedSide = (which: "before" | "after"): MixedSide => {
    const ratio = summarize(ratios[which]);
    return {
      mixed: summarize(mixed[which]),
      ratio,
      target: ratio.median <= MIXED_TARGET ? "met" : "missed",
    };
  };
  const row: Row = {
    live,
    before: summarize(samples.before),
    after: summarize(samples.after),
    ...(PAIRED ? { pairRatios: summarize(pairRatios) } : {}),
    ...(MIXED ? { mixed: { before: mixedSide("before"), after: mixedSide("after") } } : {}),
  };
  rows.push(row);
  const paired = row.pairRatios;
  console.log(
    `live ${live}: before ${f(row.before)}  after ${f(row.after)}  after ÷ before ${(row.after.median / row.before.median).toFixed(2)}` +
      (paired === undefined
        ? ""
        : `; median of the ${pairRatios.length} pair ratios ${paired.median.toFixed(3)} (quartiles ${paired.q1.toFixed(3)}–${paired.q3.toFixed(3)})`),
  );
  if (row.mixed !== undefined) {
    const m = row.mixed;
    const r = (s: MixedSide): string =>
      `${s.ratio.median.toFixed(2)}× (${s.ratio.min.toFixed(2)}–${s.ratio.max.toFixed(2)})`;
    console.log(
      `live ${live} mixed (10% raw): before ${f(m.before.mixed)}  after ${f(m.after.mixed)}  after ÷ before ${(m.after.mixed.median / m.before.mixed.median).toFixed(2)}; ` +
        `mixed ÷ small per process: before ${r(m.before)}, after ${r(m.after)}: target ≤ ${MIXED_TARGET}× ${m.after.target}`,
    );
  }
}
const reports = fileURLToPath(new URL("../../reports", import.meta.url));
mkdirSync(reports, { recursive: true });
const method = PAIRED
  ? `${ROUNDS} rounds, each one process holding the code before and the code after, each under its own copy of the churn loop; ${PAIRED_SAMPLES} samples of ${STEPS.toLocaleString("en-US")} churn steps per side per process after the warm-up, alternating; ratio: the median of the ${ROUNDS * PAIRED_SAMPLES} per-pair ratios after ÷ before, CPU time`
  : `${ROUNDS} rounds, each a process with the code before and one with the code after, alternating; ${SAMPLES} samples of ${STEPS.toLocaleString("en-US")} churn steps per process after the warm-up; median of the ${ROUNDS * SAMPLES} samples per side, CPU time${MIXED ? `; mixed: the same process churns a second heap with 10% of requests raw, samples interleaved; the ratio mixed ÷ small is per process (median of its samples), then the median over the ${ROUNDS} processes; target ≤ ${MIXED_TARGET}×` : ""}`;
writeFileSync(
  path.join(reports, "bench-ab.json"),
  JSON.stringify(
    {
      benchmark: "npm run bench:ab",
      date: new Date().toISOString(),
      machine: machineDescription(),
      before: path.resolve(before),
      after: path.resolve(after),
      method,
      rows,
    },
    null,
    1,
  ) + "\n",
);
console.log(`wrote reports/bench-ab.json (${method})`);
