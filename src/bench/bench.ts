/**
 * `npm run bench`: every workload with every contender in one run, on cpython-3.12.
 *
 *   contenders  bitmap, reference, @thi.ng/malloc MemPool, plain `new Uint8Array(n)`, slot loop,
 *               and three C allocators compiled to wasm (wasm-heaps.ts): SQLite's dlmalloc,
 *               Pyodide's mimalloc and dlmalloc
 *   cells       churn at 10^3 … 10^6 live blocks (+ a control), mixed (10% > 512 B), the seed's
 *               patterns (10^5 and 10^6 blocks allocated then all / all but every 1000th freed),
 *               a list grown to 10^6 items by realloc, 10^4 lists grown side by side
 *
 * Each contender runs in its own child process (runner.ts, child.ts), so the timed loops are
 * monomorphic; the repetitions of a cell interleave across the contenders. Then the oracle's
 * throughput per profile (oracle.ts) and a CPU profile of the bitmap allocator's churn
 * (cpu-profile.ts). Writes reports/bench.json, reports/bench.md and reports/bench-churn.svg.
 *
 *   npm run bench -- --only churn-1e3,churn-1e5 --repetitions 5 --skip-oracle --skip-profile
 *   npm run bench -- --render     # bench.md and the chart again from reports/bench.json
 */
import { readFileSync, mkdirSync, writeFileSync, readdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import type { ProfileName } from "../../properties/profiles.ts";
import { churnChart, type ChartSeries } from "./chart.ts";
import { profileChurn } from "./cpu-profile.ts";
import { measureOracle, type OracleRow } from "./oracle.ts";
import { measureOracleSplit, type OracleSplitRow } from "./oracle-split.ts";
import {
  benchMarkdown,
  evaluateTargets,
  mediansTable,
  pairRatios,
  type BenchReport,
  type CellResult,
  type ChurnProfileRow,
  type ContenderResult,
  type Machine,
  type ProfileHistory,
} from "./report.ts";
import { ContenderProcess, measureCell } from "./runner.ts";
import { nowNs, summarize } from "./timing.ts";
import { geometries } from "../core/geometry.ts";
import { listArraySizes } from "./patterns.ts";
import {
  benchCells,
  CONTENDER_LABELS,
  CONTENDERS,
  GEOMETRY,
  SMALL_LIST_ITEMS,
  type ContenderName,
} from "./workloads.ts";

const REPETITIONS = 9;
const ORACLE_PROFILES: readonly ProfileName[] = ["quick", "ci", "deep"];
const PROFILED_LIVE = [1e5, 1e6];
const HISTORY = new URL("./profile-history.json", import.meta.url);

function caches(): string {
  try {
    const dir = "/sys/devices/system/cpu/cpu0/cache";
    const parts = readdirSync(dir)
      .filter((d) => d.startsWith("index"))
      .map((d) => {
        const read = (f: string): string => readFileSync(path.join(dir, d, f), "utf8").trim();
        return { level: read("level"), type: read("type"), size: read("size") };
      })
      .filter((c) => c.type !== "Instruction");
    const size = (text: string): string => {
      const kib = Number.parseInt(text, 10);
      return kib >= 1024 && kib % 1024 === 0 ? `${kib / 1024} MiB` : `${kib} KiB`;
    };
    return parts
      .map((c) => `L${c.level}${c.type === "Data" ? "d" : ""} ${size(c.size)}`)
      .join(", ");
  } catch {
    return "caches unknown";
  }
}

function machine(loadStart: number): Machine {
  return {
    cpu: `${os.cpus()[0]?.model ?? "unknown"}`,
    cores: os.cpus().length,
    caches: caches(),
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    platform: `${os.platform()} ${os.release()}`,
    node: process.version,
    loadStart,
    loadEnd: os.loadavg()[0]!,
  };
}

async function measureCells(
  only: readonly string[] | undefined,
  repetitions: number,
): Promise<CellResult[]> {
  const cells = benchCells().filter((cell) => only === undefined || only.includes(cell.id));
  const processes = new Map(CONTENDERS.map((c) => [c, new ContenderProcess(c)] as const));
  const results: CellResult[] = [];
  try {
    for (const cell of cells) {
      const started = nowNs();
      const samples = await measureCell(cell, processes, repetitions);
      const perContender: Partial<Record<ContenderName, ContenderResult>> = {};
      for (const c of cell.contenders) {
        perContender[c] = {
          cpu: summarize(samples.cpuNsPerOp[c]!),
          wall: summarize(samples.wallNsPerOp[c]!),
          opsPerRun: samples.opsPerRun[c]!,
        };
      }
      const { contenders: _c, slotSize: _s, memPoolBytes: _m, ...rest } = cell;
      results.push({
        ...rest,
        results: perContender,
        ratios: pairRatios(perContender),
        ...(samples.heap !== undefined ? { bitmapHeap: samples.heap } : {}),
      });
      const line = cell.contenders
        .map((c) => `${CONTENDER_LABELS[c]} ${perContender[c]!.cpu.median.toFixed(1)}`)
        .join(", ");
      console.log(
        `${cell.title.padEnd(58)} ${((nowNs() - started) / 1e9).toFixed(1).padStart(5)} s   ns/op: ${line}`,
      );
    }
  } finally {
    for (const p of processes.values()) p.close();
  }
  return results;
}

function chartSeries(cells: readonly CellResult[]): ChartSeries[] {
  const churn = cells.filter((c) => c.kind === "churn" && c.hot === c.n).sort((a, b) => a.n - b.n);
  return CONTENDERS.map((contender) => ({
    contender,
    points: churn.flatMap((cell) => {
      const r = cell.results[contender];
      return r === undefined
        ? []
        : [{ live: cell.n, median: r.cpu.median, min: r.cpu.min, max: r.cpu.max }];
    }),
  })).filter((s) => s.points.length > 0);
}

/** bench.json (when `withJson`), bench.md and bench-churn.svg in reports/. */
function writeReports(report: BenchReport, withJson = false): void {
  mkdirSync("reports", { recursive: true });
  if (withJson)
    writeFileSync(path.join("reports", "bench.json"), JSON.stringify(report, null, 2) + "\n");
  writeFileSync(path.join("reports", "bench.md"), benchMarkdown(report));
  const series = chartSeries(report.cells);
  if (series.length === 0) return;
  const m = report.machine;
  const subtitle = `${report.geometry}, sizes 1…512 B, median of ${report.method["repetitions"]} runs (CPU time); ${m.cpu}, ${m.cores} cores, Node ${m.node}`;
  writeFileSync(path.join("reports", "bench-churn.svg"), churnChart(series, subtitle));
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      only: { type: "string" },
      repetitions: { type: "string" },
      "skip-oracle": { type: "boolean" },
      "skip-profile": { type: "boolean" },
      render: { type: "boolean" },
    },
  });
  if (values.render) {
    // Only re-render bench.md and the chart from reports/bench.json (the targets judged again, the current profile history).
    const saved = JSON.parse(
      readFileSync(path.join("reports", "bench.json"), "utf8"),
    ) as BenchReport;
    const history = JSON.parse(readFileSync(HISTORY, "utf8")) as ProfileHistory;
    writeReports({
      ...saved,
      targets: evaluateTargets(saved.cells, saved.oracle),
      profile: { ...saved.profile, history },
    });
    console.log("re-rendered reports/bench.md and reports/bench-churn.svg from reports/bench.json");
    return;
  }
  const started = nowNs();
  const loadStart = os.loadavg()[0]!;
  const repetitions = values.repetitions !== undefined ? Number(values.repetitions) : REPETITIONS;
  console.log(
    `npm run bench — ${GEOMETRY}; ${os.cpus()[0]?.model}, ${os.cpus().length} cores; Node ${process.version}; load average ${loadStart.toFixed(2)}`,
  );
  console.log(
    `each contender in its own process, ${repetitions} interleaved repetitions per cell, ns per allocator call (CPU time, median)\n`,
  );

  const cells = await measureCells(values.only?.split(","), repetitions);

  let oracle: OracleRow[] = [];
  let oracleSplit: OracleSplitRow[] = [];
  if (!values["skip-oracle"]) {
    console.log(
      `\nthe oracle's throughput (verifyAllocator on the bitmap allocator): ${ORACLE_PROFILES.join(", ")} (deep sampled)`,
    );
    oracle = measureOracle(ORACLE_PROFILES);
    for (const row of oracle)
      console.log(
        `  ${row.profile.padEnd(5)} ${row.operations.toLocaleString("en-US").padStart(12)} operations in ${row.wallSeconds.toFixed(1)} s: ${Math.round(row.operationsPerSecond).toLocaleString("en-US")} per second (${row.verdict})`,
      );
    console.log(
      "the oracle's CPU time per invariant (ci, each property with and without its check)",
    );
    oracleSplit = measureOracleSplit();
    for (const row of oracleSplit)
      console.log(
        `  ${row.property.padEnd(24)} ${row.cpuWithCheck.toFixed(2)} CPU s, ${(row.cpuWithCheck - row.cpuWithoutCheck).toFixed(2)} of them the check`,
      );
  }

  const now: ChurnProfileRow[] = [];
  if (!values["skip-profile"]) {
    console.log(
      `\nprofiling the bitmap allocator's churn (node --cpu-prof) at ${PROFILED_LIVE.join(", ")} live blocks`,
    );
    for (const live of PROFILED_LIVE)
      for (const inlining of [true, false]) now.push(profileChurn(live, inlining));
  }

  const report: BenchReport = {
    benchmark: "npm run bench",
    date: new Date().toISOString(),
    seconds: 0,
    geometry: GEOMETRY,
    machine: machine(loadStart),
    method: {
      processes:
        "one child process per contender (src/bench/child.ts): every timed call site sees one heap class",
      repetitions,
      interleaving:
        "repetition r runs each contender once, in an order rotated by r; ratios are of the medians",
      clock:
        "CPU time of the contender's process (user + system): on this shared 2-core VM the wall clock also counts the time another tenant held the core; wall-clock figures are in bench.json",
      unit: "nanoseconds per allocator call; churn: (free + malloc) / 2",
      churn:
        "a steady live set; each step frees a random live block and mallocs one of a size uniform in 1…512 (every class) in its place; warm-up ≥ max(2·live, 2·10^6) steps and 0.6 s in calls of growing length, then runs of ~100 ms",
      mixed:
        "churn where 10% of the requests are uniform in 513…4096 bytes (the raw path of bitmap and reference); the slot loop's slots are 4096 bytes",
      seedPatterns: `every run on a fresh heap: n 28-byte blocks (a Python int), then all freed last to first (list_dealloc's order), or all but every 1000th freed first to last; plain Uint8Array runs end with a full gc() (the reclaiming, timed); list: one array of 8-byte pointers grown by realloc through CPython 3.12's list over-allocation to 10^6 items (malloc + ${listArraySizes(geometries[GEOMETRY], 1e6).length - 1} reallocs + free, up to 8 MB: the raw path); lists: 10^4 arrays grown side by side to ${SMALL_LIST_ITEMS} items (malloc + ${listArraySizes(geometries[GEOMETRY], SMALL_LIST_ITEMS).length - 1} reallocs + free each, ≤ 512 bytes: pools)`,
      contenders:
        "bitmap and reference: createAllocator(kind, 'cpython-3.12'); MemPool: new MemPool({ size: 256 MiB }) (align 8, compact, split); plain: new Uint8Array(n), freeing = dropping the reference; slot loop: src/bench/slot-allocator.ts, one class, a four-level bitmap, ctz per level",
      harness:
        "own harness, not tinybench: tinybench times each call of a task function (its timer and bookkeeping around every call cost more than a 30 ns allocator call: the research note measured 111 ns per op through it against ~45 ns in a plain loop) and runs every task in one process through one call site; here a run is one tight loop of N calls timed once, in a process of its own",
    },
    contenders: CONTENDER_LABELS,
    cells,
    targets: evaluateTargets(cells, oracle),
    oracle,
    oracleSplit,
    profile: { history: JSON.parse(readFileSync(HISTORY, "utf8")) as ProfileHistory, now },
  };
  const finished: BenchReport = {
    ...report,
    seconds: (nowNs() - started) / 1e9,
    machine: machine(loadStart),
  };

  writeReports(finished, true);
  console.log(`\n${mediansTable(cells, false).join("\n")}\n`);
  for (const t of finished.targets)
    console.log(
      `${
        {
          met: "met         ",
          missed: "MISSED      ",
          "not measured": "not measured",
          figure: "figure      ",
        }[t.status]
      }  ${t.target}: ${t.measured}`,
    );
  console.log(
    `\nwrote reports/bench.json, reports/bench.md, reports/bench-churn.svg in ${finished.seconds.toFixed(0)} s`,
  );
}

await main();
