/**
 * `npx tsx src/bench/oracle-ab.ts <before> <after> [--rounds N] [--profile quick|ci] [--paired]`:
 * the oracle's throughput (oracle.ts: `verifyAllocator` on the bitmap allocator, whole profile) in
 * two checkouts side by side on one machine. Each checkout runs its own src/bench/oracle.ts, so
 * each needs node_modules (a symlink to this checkout's will do: `ln -s $PWD/node_modules
 * /tmp/before/`). ROUNDS rounds (3, or --rounds N), each one process per side in alternating
 * order (before first in odd rounds); per side the median, fastest and slowest of the checked
 * operations per CPU second, and the ratio after ÷ before of the medians. Both sides must check
 * the same number of operations (the same sequences): a difference is printed as a warning.
 *
 * `--paired`: each round is one process holding both checkouts' property suites, their runs
 * alternating property by property (oracle-ab-paired-child.ts; the bounded-exhaustive mode left
 * out), and the result is the median over rounds of each round's ratio. On this host two processes
 * of the same code measured 772,873–1,155,174 operations per CPU second within ten minutes, and
 * the same checkout against itself, paired, 0.98 and 1.05 per round (2026-12-06): use --paired
 * with several rounds to tell a change of a few percent.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { runJsonChild } from "./json-child.ts";
import type { OracleRow } from "./oracle.ts";
import { summarize, type Summary } from "./timing.ts";

const args = process.argv.slice(2);
const option = (name: string, fallback: string): string => {
  const at = args.indexOf(name);
  return at === -1 ? fallback : args.splice(at, 2)[1]!;
};
const PAIRED = args.includes("--paired");
if (PAIRED) args.splice(args.indexOf("--paired"), 1);
const ROUNDS = Number(option("--rounds", "3"));
const PROFILE = option("--profile", "ci");
const [before, after] = args;
if (before === undefined || after === undefined || !(Number.isInteger(ROUNDS) && ROUNDS > 0)) {
  console.error(
    "usage: npx tsx src/bench/oracle-ab.ts <before checkout> <after checkout> [--rounds N (3)] [--profile ci] [--paired]",
  );
  process.exit(2);
}

interface PairedSide {
  readonly operations: number;
  readonly cpuSeconds: number;
}

/** --paired: the per-round ratios of one process per round holding both checkouts. */
function paired(): void {
  const speed = (s: PairedSide): number => s.operations / s.cpuSeconds;
  const ratios: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const sides = [`before=${path.resolve(before!)}`, `after=${path.resolve(after!)}`];
    if (round % 2 === 1) sides.reverse();
    const child = fileURLToPath(new URL("./oracle-ab-paired-child.ts", import.meta.url));
    const r = runJsonChild<{ before: PairedSide; after: PairedSide }>(child, [...sides, PROFILE]);
    if (r.before.operations !== r.after.operations)
      console.log(
        `warning: the sides checked ${r.before.operations} and ${r.after.operations} operations`,
      );
    ratios.push(speed(r.after) / speed(r.before));
    const n = (x: number) => Math.round(x).toLocaleString("en-US");
    console.log(
      `round ${round + 1}: before ${n(speed(r.before))}, after ${n(speed(r.after))} ops per CPU s (${r.before.cpuSeconds.toFixed(1)} / ${r.after.cpuSeconds.toFixed(1)} CPU s); after ÷ before ${ratios.at(-1)!.toFixed(3)}`,
    );
  }
  const s = summarize(ratios);
  console.log(
    `oracle, ${PROFILE} profile, paired: after ÷ before, checked operations per CPU second, median of ${ROUNDS} rounds ${s.median.toFixed(3)} (${s.min.toFixed(3)}–${s.max.toFixed(3)})`,
  );
}

function side(checkout: string): OracleRow {
  const dir = path.resolve(checkout);
  return runJsonChild<OracleRow>(path.join(dir, "src/bench/oracle.ts"), [PROFILE], [], dir);
}

/** Without --paired: one process per side and round, the medians of each side's rounds. */
function alternating(): void {
  const rows = { before: [] as OracleRow[], after: [] as OracleRow[] };
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? (["before", "after"] as const) : (["after", "before"] as const);
    for (const which of order) {
      const row = side(which === "before" ? before : after);
      rows[which].push(row);
      console.log(
        `round ${round + 1} ${which}: ${Math.round(row.operationsPerCpuSecond).toLocaleString("en-US")} ops per CPU s (${row.operations.toLocaleString("en-US")} ops, ${row.cpuSeconds.toFixed(1)} CPU s, ${row.verdict})`,
      );
    }
  }
  const rate = (which: "before" | "after"): Summary =>
    summarize(rows[which].map((r) => r.operationsPerCpuSecond));
  const f = (s: Summary): string =>
    `${Math.round(s.median).toLocaleString("en-US")} (${Math.round(s.min).toLocaleString("en-US")}–${Math.round(s.max).toLocaleString("en-US")})`;
  const b = rate("before");
  const a = rate("after");
  const ops = new Set([...rows.before, ...rows.after].map((r) => r.operations));
  if (ops.size > 1)
    console.log(`warning: the sides checked different operation counts: ${[...ops]}`);
  console.log(
    `oracle, ${PROFILE} profile, checked operations per CPU second, median (min–max) of ${ROUNDS} processes per side: before ${f(b)}  after ${f(a)}  after ÷ before ${(a.median / b.median).toFixed(2)}`,
  );
}

if (PAIRED) paired();
else alternating();
