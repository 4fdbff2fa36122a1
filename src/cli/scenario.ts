/**
 * `allocheck scenario <name> [--geometry PRESET] [--allocator KIND] [--scale F] [--seed N]`:
 * runs one of the seed's examples as an allocation trace and prints mapped bytes before and after,
 * tracemalloc's current and peak, the scenario's own figures and the `sys._debugmallocstats()`
 * table of the end state; writes a heap map and a memory timeline under reports/.
 */
import { formatDebugMallocStats } from "../core/debug-malloc-stats.ts";
import type { Geometry } from "../core/geometry.ts";
import { parseArgs } from "./args.ts";
import { bytesWithHuman, count, humanBytes } from "../core/format.ts";
import { REPORTS_DIR, writeReportFile } from "./report-file.ts";
import {
  runChosenScenario,
  SCENARIO_FLAGS,
  SCENARIO_OPTIONS_HELP,
  scenarioChoice,
} from "./scenario-options.ts";
import { endOf, SCENARIOS, type ScenarioResult } from "../scenarios/index.ts";
import { heapMapSvg } from "../report/svg/heap-map.ts";
import { memoryTimelineSvg } from "../report/svg/memory-timeline.ts";

const width = Math.max(...SCENARIOS.map((s) => s.name.length));

export const SCENARIO_HELP = `allocheck scenario <name> [--geometry PRESET] [--allocator KIND] [--scale F] [--seed N]

Runs one of the seed article's examples as the allocation trace CPython makes for it, and prints
the mapped bytes (the model RSS) before and after, tracemalloc's current and peak, and the
sys._debugmallocstats() table at the end. Writes reports/scenario-<name>-heap.svg (one row per
arena, one cell per pool) and reports/scenario-<name>-memory.svg (mapped and live bytes over time).

scenarios:
${SCENARIOS.map((s) => `  ${s.name.padEnd(width)}  ${s.summary}`).join("\n")}

${SCENARIO_OPTIONS_HELP}
Exit code: 0 done, 2 bad arguments.`;

/** "16 KiB pools, 63 per 1 MiB arena, keeps one empty arena (3.9+)". */
export function describeGeometry(g: Geometry): string {
  return `${humanBytes(g.poolSize)} pools, ${g.poolsPerArena} per ${humanBytes(g.arenaSize)} arena, ${g.keepEmptyArena ? "keeps one empty arena (3.9+ rule)" : "releases every empty arena (3.8 rule)"}`;
}

export function scenarioFiles(name: string): { heap: string; memory: string } {
  return {
    heap: `${REPORTS_DIR}/scenario-${name}-heap.svg`,
    memory: `${REPORTS_DIR}/scenario-${name}-memory.svg`,
  };
}

/** The printout of a scenario run (without the file lines). */
export function formatScenario(result: ScenarioResult, kind: string): string {
  const { scenario, geometry, phases } = result;
  const lines: string[] = [];
  lines.push(`scenario ${scenario.name}: ${scenario.summary}`);
  lines.push(
    `geometry ${geometry.name} (${describeGeometry(geometry)}), allocator ${kind}${result.scale === 1 ? "" : `, scale ${result.scale}`}`,
  );
  lines.push("", ...scenario.python.split("\n").map((l) => `    ${l}`), "");

  const labelWidth = Math.max(5, ...phases.map((p) => p.label.length));
  const header = `${"step".padStart(11)}  ${"phase".padEnd(labelWidth)}  ${"mapped bytes".padStart(14)}  ${"arenas".padStart(6)}  ${"traced current".padStart(14)}  ${"traced peak".padStart(14)}`;
  lines.push(header);
  for (const p of phases) {
    lines.push(
      `${count(p.step).padStart(11)}  ${p.label.padEnd(labelWidth)}  ${count(p.mappedBytes).padStart(14)}  ${count(p.arenas).padStart(6)}  ${count(p.requested.current).padStart(14)}  ${count(p.requested.peak).padStart(14)}`,
    );
  }
  const start = phases[0]!;
  const end = endOf(result);
  const stats = result.allocator.stats();
  lines.push("");
  lines.push(
    `mapped bytes: before ${bytesWithHuman(start.mappedBytes)}, after ${bytesWithHuman(end.mappedBytes)}; highest ${bytesWithHuman(stats.mappedBytes.peak)}`,
  );
  lines.push(
    `tracemalloc.get_traced_memory() = (${count(end.requested.current)}, ${count(end.requested.peak)})   # (current, peak) bytes`,
  );
  lines.push(...result.lines);
  lines.push(
    "",
    "sys._debugmallocstats() at the end:",
    "",
    formatDebugMallocStats(stats).trimEnd(),
  );
  return lines.join("\n");
}

/** Writes the two pictures of a scenario run; returns their paths. */
export function writeScenarioPictures(
  result: ScenarioResult,
  kind: string,
): { heap: string; memory: string } {
  const files = scenarioFiles(result.scenario.name);
  const what = `scenario ${result.scenario.name} on ${result.geometry.name}, ${kind}${result.scale === 1 ? "" : `, scale ${result.scale}`}`;
  writeReportFile(
    files.heap,
    heapMapSvg(result.allocator.snapshot(), result.geometry, {
      title: `Heap at the end of ${what}`,
    }),
    "scenario",
  );
  writeReportFile(
    files.memory,
    memoryTimelineSvg(result.series, {
      title: `Mapped and live bytes: ${what}`,
      subtitle: `${count(result.steps)} allocator calls; each point is the highest value in its ${count(result.bucket)} calls (exact at the marked phases)`,
      phases: result.phases,
    }),
    "scenario",
  );
  return files;
}

export function runScenarioCommand(argv: readonly string[]): number {
  const args = parseArgs(argv, { values: SCENARIO_FLAGS, switches: [], positional: 1 }, "scenario");
  const choice = scenarioChoice(args, args.positional[0], "scenario");
  const result = runChosenScenario(choice, "scenario");
  console.log(formatScenario(result, choice.kind));
  const files = writeScenarioPictures(result, choice.kind);
  console.log(
    `\nwrote ${files.heap} (the heap at the end) and ${files.memory} (mapped and live bytes over time)`,
  );
  return 0;
}
