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
const [before, after, ...sizes] = args;
if (before === undefined || after === undefined || !(Number.isInteger(ROUNDS) && ROUNDS > 0)) {
  console.error(
    "usage: npm run bench:ab -- <before checkout> <after checkout> [live …] [--rounds N (6)]",
  );
  process.exit(2);
}
const lives = sizes.length > 0 ? sizes.map(Number) : [1e3, 1e5, 1e6];
const child = fileURLToPath(new URL("./ab-child.ts", import.meta.url));

function side(checkout: string, live: number): number[] {
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
    ],
    { encoding: "utf8" },
  );
  return (JSON.parse(out.trim().split("\n").at(-1)!) as { nsPerCall: number[] }).nsPerCall;
}

interface Row {
  live: number;
  before: Summary;
  after: Summary;
}
const rows: Row[] = [];
for (const live of lives) {
  const samples = { before: [] as number[], after: [] as number[] };
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? (["before", "after"] as const) : (["after", "before"] as const);
    for (const which of order)
      samples[which].push(...side(which === "before" ? before : after, live));
  }
  const row = { live, before: summarize(samples.before), after: summarize(samples.after) };
  rows.push(row);
  const f = (s: Summary): string =>
    `${s.median.toFixed(1)} (${s.min.toFixed(1)}–${s.max.toFixed(1)})`;
  console.log(
    `live ${live}: before ${f(row.before)}  after ${f(row.after)}  after ÷ before ${(row.after.median / row.before.median).toFixed(2)}`,
  );
}
const reports = fileURLToPath(new URL("../../reports", import.meta.url));
mkdirSync(reports, { recursive: true });
const method = `${ROUNDS} rounds, each a process with the code before and one with the code after, alternating; ${SAMPLES} samples of ${STEPS.toLocaleString("en-US")} churn steps per process after the warm-up; median of the ${ROUNDS * SAMPLES} samples per side, CPU time`;
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
