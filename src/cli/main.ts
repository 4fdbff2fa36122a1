/**
 * The allocheck command line. `allocheck <command> --help` explains each command. Bad arguments
 * and unreadable files print one line and exit with code 2, never a stack trace. A command
 * returns its exit code, or a promise of it when it must import a module (replay --adapter).
 */
import { VerifyOptionsError } from "../../properties/verify/verify-options-error.ts";
import { CounterexampleError } from "../../properties/run/counterexample-error.ts";
import { UsageError } from "./args.ts";
import { CROSSCHECK_HELP, runCrosscheck } from "./crosscheck.ts";
import { REPLAY_HELP, runReplay } from "./replay.ts";
import { runScenarioCommand, SCENARIO_HELP } from "./scenario.ts";
import { runStats, STATS_HELP } from "./stats.ts";
import { runVerify, VERIFY_HELP } from "./verify.ts";

const COMMANDS: Record<
  string,
  {
    readonly help: string;
    readonly run: (argv: readonly string[]) => number | Promise<number>;
  }
> = {
  verify: { help: VERIFY_HELP, run: runVerify },
  replay: { help: REPLAY_HELP, run: runReplay },
  scenario: { help: SCENARIO_HELP, run: runScenarioCommand },
  stats: { help: STATS_HELP, run: runStats },
  crosscheck: { help: CROSSCHECK_HELP, run: runCrosscheck },
};

const USAGE = `allocheck: property-based verification of pymalloc-style allocators

usage: allocheck <command> [options]   (allocheck <command> --help for each)

commands:
  verify      run the property suite over the allocators and write reports/summary.md
  replay      re-run a counterexample step by step and show the heap where it fails
  scenario    run one of the seed article's examples as an allocation trace and draw the heap
  stats       print sys._debugmallocstats() for a scenario's end state
  crosscheck  compare the CPython-faithful model with this machine's python3, workload by workload`;

export function main(argv: readonly string[]): number | Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === "--help" || command === "-h" || command === "help") {
    console.log(USAGE);
    return command === undefined ? 2 : 0;
  }
  const entry = COMMANDS[command];
  try {
    if (entry === undefined)
      throw new UsageError(
        `unknown command "${command}"; commands: ${Object.keys(COMMANDS).join(", ")} (allocheck --help)`,
      );
    if (rest.includes("--help") || rest.includes("-h")) {
      console.log(entry.help);
      return 0;
    }
    const code = entry.run(rest);
    return typeof code === "number" ? code : code.catch(usageFailure);
  } catch (error) {
    return usageFailure(error);
  }
}

/**
 * A UsageError as one line and exit code 2, and so is a bad ALLOCHECK_PROFILE or ALLOCHECK_SEED
 * (VerifyOptionsError) and a counterexample that cannot be written during a run
 * (CounterexampleError); anything else is a bug and keeps its stack.
 */
function usageFailure(error: unknown): number {
  if (
    error instanceof UsageError ||
    error instanceof VerifyOptionsError ||
    error instanceof CounterexampleError
  ) {
    console.error(`allocheck: ${error.message}`);
    return 2;
  }
  throw error;
}
