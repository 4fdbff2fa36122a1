/**
 * `allocheck stats [--scenario NAME] [--geometry PRESET] [--allocator KIND] [--scale F] [--seed N]`:
 * the `sys._debugmallocstats()` layout (spec/stats.md §3) for a scenario's end state.
 */
import { formatDebugMallocStats } from "../core/debug-malloc-stats.ts";
import { parseArgs } from "./args.ts";
import {
  runChosenScenario,
  SCENARIO_FLAGS,
  SCENARIO_OPTIONS_HELP,
  scenarioChoice,
} from "./scenario-options.ts";
import { SCENARIO_NAMES } from "../scenarios/index.ts";
import { describeGeometry } from "./scenario.ts";

const DEFAULT_SCENARIO = "pinned";

export const STATS_HELP = `allocheck stats [--scenario NAME] [--geometry PRESET] [--allocator KIND] [--scale F] [--seed N]

Runs a scenario and prints what CPython 3.11's sys._debugmallocstats() prints for pymalloc at its
end state: the size-class table, the arena counts and the byte accounting.

  --scenario NAME    ${SCENARIO_NAMES.join(", ")} (default ${DEFAULT_SCENARIO})
${SCENARIO_OPTIONS_HELP}
Exit code: 0 done, 2 bad arguments.`;

export function runStats(argv: readonly string[]): number {
  const args = parseArgs(
    argv,
    { values: { ...SCENARIO_FLAGS, scenario: undefined }, switches: [], positional: 0 },
    "stats",
  );
  const choice = scenarioChoice(args, args.flags.scenario ?? DEFAULT_SCENARIO, "stats");
  const result = runChosenScenario(choice, "stats");
  const g = result.geometry;
  console.log(
    `sys._debugmallocstats() after scenario ${choice.scenario.name}${choice.scale === 1 ? "" : ` (scale ${choice.scale})`}, geometry ${g.name} (${describeGeometry(g)}), allocator ${choice.kind}:\n`,
  );
  console.log(formatDebugMallocStats(result.allocator.stats()));
  return 0;
}
