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
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { machineDescription } from "../report/machine.ts";
import { summarize, type Summary } from "./timing.ts";

const SAMPLES = 5;
const STEPS = 300_000;

const args = process.argv.slice(2);
const roundsAt = args.indexOf("--rounds");
const ROUNDS = roundsAt === -1 ? 6 : Number(args.splice(roundsAt, 2)[1]);
const mixedAt = args.indexOf("--mixed");
const MIXED = mixedAt !== -1;
if (MIXED) args.splice(mixedAt, 1);
/** Issue 19's target: mixed churn at most this many times small churn. */
const MIXED_TARGET = 2;
const [before, after, ...sizes] = args;
if (before === undefined || after === undefined || !(Number.isInteger(ROUNDS) && ROUNDS > 0)) {
  console.error(
    "usage: npm run bench:ab -- <before checkout> <after checkout> [live …] [--rounds N (6)] [--mixed]",
  );
  process.exit(2);
}
const lives = sizes.length > 0 ? sizes.map(Number) : [1e3, 1e5, 1e6];
const child = fileURLToPath(new URL("./ab-child.ts", import.meta.url));

interface SideSamples {
  nsPerCall: number[];
  mixedNsPerCall?: number[];
}

function side(checkout: string, live: number): SideSamples {
  const out = execFileSync(
    process.execPath,
    [
      "--import",
      "tsx",
      child,
      path.resolve(checkout),
      String(live),
      String(SAMPLES),
      String(STEPS),
      ...(MIXED ? ["mixed"] : []),
    ],
    { encoding: "utf8" },
  );
  return JSON.parse(out.trim().split("\n").at(-1)!) as SideSamples;
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
  mixed?: { before: MixedSide; after: MixedSide };
}

const rows: Row[] = [];
const f = (s: Summary): string =>
  `${s.median.toFixed(1)} (${s.min.toFixed(1)}–${s.max.toFixed(1)})`;
for (const live of lives) {
  const samples = { before: [] as number[], after: [] as number[] };
  const mixed = { before: [] as number[], after: [] as number[] };
  const ratios = { before: [] as number[], after: [] as number[] };
  for (let round = 0; round < ROUNDS; round++) {
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
    ...(MIXED ? { mixed: { before: mixedSide("before"), after: mixedSide("after") } } : {}),
  };
  rows.push(row);
  console.log(
    `live ${live}: before ${f(row.before)}  after ${f(row.after)}  after ÷ before ${(row.after.median / row.before.median).toFixed(2)}`,
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
const method = `${ROUNDS} rounds, each a process with the code before and one with the code after, alternating; ${SAMPLES} samples of ${STEPS.toLocaleString("en-US")} churn steps per process after the warm-up; median of the ${ROUNDS * SAMPLES} samples per side, CPU time${MIXED ? `; mixed: the same process churns a second heap with 10% of requests raw, samples interleaved; the ratio mixed ÷ small is per process (median of its samples), then the median over the ${ROUNDS} processes; target ≤ ${MIXED_TARGET}×` : ""}`;
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
