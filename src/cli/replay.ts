/**
 * `allocheck replay <counterexample.json> [--adapter MODULE] [--step K] [--all-invariants]`:
 * re-runs a counterexample on the allocator it names (one of allocheck's), or on the one the
 * adapter module's factory makes (any allocator), prints every step (operation, calls and
 * results), what failed, and the heap at the failing step (or at step K) when the allocator can
 * show it.
 */
import { existsSync } from "node:fs";
import { basename } from "node:path";
import { GeometryError } from "../core/geometry.ts";
import { formatDebugMallocStats } from "../core/debug-malloc-stats.ts";
import {
  CounterexampleError,
  readCounterexample,
  type Counterexample,
} from "../../properties/run/counterexample.ts";
import { isBuiltInAllocator } from "../../properties/run/built-in-allocators.ts";
import { failedRule } from "../../properties/run/describe-result.ts";
import {
  replayCounterexample,
  ReplayError,
  type CounterexampleReplay,
} from "../../properties/run/replay.ts";
import { integerFlag, parseArgs, UsageError, type ParsedArgs } from "./args.ts";
import { loadAdapter, type Adapter } from "./load-adapter.ts";
import { readRandomCounterexample } from "../crosscheck/random-counterexample.ts";
import { replayRandom } from "./crosscheck-random.ts";
import { formatHeapText } from "../report/heap-text.ts";
import { probeWritableFile, REPORTS_DIR, reportPath, writeReportFile } from "./report-file.ts";
import { heapMapSvg } from "../report/svg/heap-map.ts";
import {
  WASM_FLAGS,
  WASM_IMPLEMENTATION_PREFIX,
  WASM_SWITCHES,
  wasmTarget,
} from "./wasm-target.ts";

export const REPLAY_HELP = `allocheck replay <counterexample.json> [--adapter MODULE] [--step K] [--all-invariants] [--svg FILE]

Re-runs a counterexample written under reports/counterexamples/ and prints every step with its
calls and results, what failed, and the heap (debugmallocstats and a map of arenas and pools) at
the failing step. Draws that heap as an SVG heap map.

  --adapter MODULE   replay on the allocator MODULE's default export makes: the factory,
                     (geometry) => allocator, given to verifyAllocator (a .js or .mjs module; a
                     .ts one where tsx is loaded). Needed for any allocator but allocheck's own.
  --step K           stop after step K (0-based) and show the heap there
  --all-invariants   check every invariant, not only the property's
  --wasm FILE, …     replay on a WebAssembly module, with verify --wasm's flags (a counterexample
                     of verify --wasm names its module: replay finds it without --wasm)
  --svg FILE         where to write the heap map (default reports/heap-<counterexample name>.svg)
Exit code: 0 the counterexample no longer fails, 1 it fails, 2 bad arguments, file or adapter.`;

/** A promise only when it must import the adapter module. */
export function runReplay(argv: readonly string[]): number | Promise<number> {
  const args = parseArgs(
    argv,
    {
      values: { step: undefined, svg: undefined, adapter: undefined, ...WASM_FLAGS },
      switches: ["all-invariants", ...WASM_SWITCHES],
      positional: 1,
    },
    "replay",
  );
  const [file] = args.positional;
  if (file === undefined)
    throw new UsageError(
      "replay: give a counterexample file, e.g. allocheck replay reports/counterexamples/I06-arena-release--bitmap--123.json",
    );
  if (!existsSync(file))
    throw new UsageError(
      `replay: ${file} does not exist; counterexamples are written to reports/counterexamples/ by npm test and allocheck verify`,
    );
  const random = usage(() => readRandomCounterexample(file));
  if (random !== undefined) return replayRandom(file, random, undefined);
  const c = usage(() => readCounterexample(file));
  if (args.flags.svg !== undefined) probeWritableFile(args.flags.svg, "replay");
  const module = args.flags.adapter;
  // A counterexample of `verify --wasm` names its module: wasm:<file> (wasm-target.ts).
  const recorded = c.implementation.startsWith(WASM_IMPLEMENTATION_PREFIX)
    ? c.implementation.slice(WASM_IMPLEMENTATION_PREFIX.length)
    : undefined;
  const wasm = module === undefined ? wasmTarget(args, "replay", recorded) : undefined;
  if (wasm !== undefined) return replay(file, c, args, wasm);
  if (module === undefined) {
    if (!isBuiltInAllocator(c.implementation))
      throw new UsageError(
        `replay: ${file} is a counterexample of "${c.implementation}", not one of allocheck's allocators: pass --adapter MODULE, the module whose default export is its factory`,
      );
    return replay(file, c, args, undefined);
  }
  return loadAdapter(module, "replay").then((adapter) => replay(file, c, args, adapter));
}

/** Runs `work`; the errors a bad file, geometry or adapter gives become one line (UsageError). */
function usage<T>(work: () => T): T {
  try {
    return work();
  } catch (error) {
    if (
      error instanceof CounterexampleError ||
      error instanceof ReplayError ||
      error instanceof GeometryError
    )
      throw new UsageError(`replay: ${error.message.split("\n")[0]}`);
    throw error;
  }
}

function replay(
  file: string,
  c: Counterexample,
  args: ParsedArgs,
  adapter: Adapter | undefined,
): number {
  const step = integerFlag(args, "step", "replay");
  const on =
    adapter && args.flags.adapter !== undefined
      ? `${c.implementation} (through --adapter ${args.flags.adapter})`
      : c.implementation;
  console.log(`${c.property} on ${on}, geometry ${c.geometry.name}, seed ${c.seed}`);
  console.log(`recorded failure (${failedRule(c.invariant)}): ${c.message.split("\n")[0]}\n`);
  const result = usage(() =>
    replayCounterexample(c, adapter?.factory, {
      allInvariants: args.switches.has("all-invariants"),
      ...(step !== undefined ? { step } : {}),
      ...(adapter?.contract ? { contract: adapter.contract } : {}),
      ...(adapter?.misuseCode ? { misuseCode: adapter.misuseCode } : {}),
      onStep: (s, summary) => console.log(`  ${String(s.index).padStart(3)}  ${summary}`),
    }),
  );
  const v = result.violation;
  if (v !== undefined) console.log(`  ${String(v.step).padStart(3)}  ✗ ${v.message}`);
  showHeap(file, c, args, result);
  console.log(verdictLine(result));
  return v ? 1 : 0;
}

function verdictLine({ violation: v, outcome, counterexample: c }: CounterexampleReplay): string {
  if (v === undefined) return "no invariant fails: the counterexample passes now";
  const what = `${failedRule(v.invariant)} fails at step ${v.step}`;
  return outcome === "same-failure"
    ? `${what}, as recorded`
    : `${what}; recorded: ${failedRule(c.invariant)}`;
}

/** The heap where it stopped, as text, debugmallocstats and an SVG map, when the allocator shows it. */
function showHeap(file: string, c: Counterexample, args: ParsedArgs, result: CounterexampleReplay) {
  const { subject, geometry, violation: v } = result;
  if (subject.snapshot === undefined && subject.stats === undefined) return;
  console.log(`\nheap ${v ? "at the failing step" : `after step ${result.steps - 1}`}:`);
  if (subject.snapshot !== undefined) console.log(formatHeapText(subject.snapshot(), geometry));
  if (subject.stats !== undefined) console.log("\n" + formatDebugMallocStats(subject.stats()));
  if (subject.snapshot !== undefined) {
    const svg =
      args.flags.svg ??
      reportPath(REPORTS_DIR, "heap-", basename(file).replace(/\.json$/, ""), ".svg");
    const where = v
      ? `at step ${v.step}, where ${failedRule(v.invariant)} fails`
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
}
