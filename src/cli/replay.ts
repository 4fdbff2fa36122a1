/**
 * `allocheck replay <counterexample.json> [--step K] [--all-invariants]`: re-runs a counterexample
 * on the allocator it names, prints every step (operation, calls and results), the invariant that
 * failed, and the heap at the failing step (or at step K).
 */
import { existsSync } from "node:fs";
import { basename } from "node:path";
import { defineGeometry } from "../core/geometry.ts";
import { formatDebugMallocStats } from "../core/debug-malloc-stats.ts";
import { readCounterexample } from "../../properties/run/counterexample.ts";
import { replayOperations } from "../../properties/run/replay.ts";
import { integerFlag, parseArgs, UsageError } from "./args.ts";
import { formatHeapText } from "../report/heap-text.ts";
import { REPORTS_DIR, writeReportFile } from "./report-file.ts";
import { heapMapSvg } from "../report/svg/heap-map.ts";

export const REPLAY_HELP = `allocheck replay <counterexample.json> [--step K] [--all-invariants] [--svg FILE]

Re-runs a counterexample written under reports/counterexamples/ and prints every step with its
calls and results, the invariant that failed, and the heap (debugmallocstats and a map of arenas
and pools) at the failing step. Draws that heap as an SVG heap map.

  --step K           stop after step K (0-based) and show the heap there
  --all-invariants   check every invariant, not only the property's
  --svg FILE         where to write the heap map (default reports/heap-<counterexample name>.svg)
Exit code: 0 the counterexample no longer fails, 1 it fails, 2 bad arguments or file.`;

export function runReplay(argv: readonly string[]): number {
  const args = parseArgs(
    argv,
    { values: { step: undefined, svg: undefined }, switches: ["all-invariants"] },
    "replay",
  );
  const file = args.positional[0];
  if (file === undefined)
    throw new UsageError(
      "replay: give a counterexample file, e.g. allocheck replay reports/counterexamples/I06-arena-release--bitmap--123.json",
    );
  if (!existsSync(file))
    throw new UsageError(
      `replay: ${file} does not exist; counterexamples are written to reports/counterexamples/ by npm test and allocheck verify`,
    );
  let c;
  try {
    c = readCounterexample(file);
  } catch (error) {
    throw new UsageError(`replay: ${error instanceof Error ? error.message : String(error)}`);
  }
  const stop = integerFlag(args, "step", "replay");
  const { name, ...options } = c.geometry;
  const geometry = defineGeometry(options, name);
  const operations = stop === undefined ? c.operations : c.operations.slice(0, stop + 1);
  console.log(`${c.property} on ${c.implementation}, geometry ${geometry.name}, seed ${c.seed}`);
  console.log(`recorded failure: ${c.message.split("\n")[0]}\n`);
  const result = replayOperations(c.implementation, geometry, c.property, operations, {
    allInvariants: args.switches.has("all-invariants"),
    onStep: (step, summary) => console.log(`  ${String(step.index).padStart(3)}  ${summary}`),
  });
  if (result.violation !== undefined) {
    console.log(`  ${String(result.violation.step).padStart(3)}  ✗ ${result.violation.message}`);
  }
  console.log(
    `\nheap ${result.violation ? "at the failing step" : `after step ${result.steps - 1}`}:`,
  );
  const subject = result.subject;
  if (subject.snapshot !== undefined) console.log(formatHeapText(subject.snapshot(), geometry));
  if (subject.stats !== undefined) console.log("\n" + formatDebugMallocStats(subject.stats()));
  if (subject.snapshot !== undefined) {
    const svg =
      args.flags.svg ?? `${REPORTS_DIR}/heap-${basename(file).replace(/\.json$/, "")}.svg`;
    const where = result.violation
      ? `at step ${result.violation.step}, where invariant ${result.violation.invariant} fails`
      : `after step ${result.steps - 1}`;
    writeReportFile(
      svg,
      heapMapSvg(subject.snapshot(), geometry, {
        title: `${c.property} on ${c.implementation}: the heap ${where}`,
        subtitle: `seed ${c.seed}`,
      }),
      "replay",
    );
    console.log(`wrote ${svg} (the heap map)`);
  }
  console.log(
    result.violation
      ? `invariant ${result.violation.invariant} fails at step ${result.violation.step}`
      : "no invariant fails: the counterexample passes now",
  );
  return result.violation ? 1 : 0;
}
