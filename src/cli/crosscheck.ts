/**
 * `allocheck crosscheck`: the CPython model against this machine's python3 (spec/cpython-model.md
 * §7), and with `--compare` the policy comparison written to reports/ (§8).
 */
import { crosscheck, formatReport, formatWorkload } from "../crosscheck/crosscheck.ts";
import { WORKLOADS } from "../crosscheck/workloads.ts";
import { runPolicyComparison, writePolicyComparison } from "../crosscheck/policy-comparison.ts";
import { ProbeError } from "../crosscheck/probe.ts";
import { parseArgs, UsageError } from "./args.ts";
import {
  probeWritableDir,
  probeWritableFile,
  REPORTS_DIR,
  writeReportFile,
} from "./report-file.ts";
import { runRandomCrosscheck } from "./crosscheck-random.ts";

export const CROSSCHECK_HELP = `allocheck crosscheck: the CPython model against the real pymalloc of this machine's python3

usage: allocheck crosscheck [--workload name[,name…]] [--python path] [--json file] [--verbose]
       allocheck crosscheck --random [--runs N] [--seed S] [--python path]
       allocheck crosscheck --compare [--scale x] [--seed n] [--out dir]

Each workload runs in a fresh python3 (src/crosscheck/pymalloc_probe.py), which calls
PyObject_Malloc / PyObject_Free / PyObject_Realloc through ctypes and reads
sys._debugmallocstats() before and after each phase. The model (createAllocator("cpython", …))
runs the same workload; after every phase the table shows, per size class the workload uses,
pools, blocks in use and avail blocks, then arenas allocated, reclaimed and current, unused pools
and arenas that are not pool-aligned: predicted, observed (the change since the canonical start),
✓ or ✗. Exit 1 on any mismatch; exit 0 with "skipped: …" when python3 is missing or does not run
pymalloc (PYTHONMALLOC, debug or free-threaded builds).

workloads: ${WORKLOADS.map((w) => w.name).join(", ")}

options:
  --workload names   only these workloads (comma-separated)
  --python path      the interpreter (default $ALLOCHECK_PYTHON, else python3)
  --json file        also write the full results (rows, probe output, snapshots) as JSON
  --verbose          print CPython's own sys._debugmallocstats() text after each phase
  --random           instead: the property "the model is the real pymalloc": random sequences
                     of malloc, free, realloc and macro steps on one live python3, every address
                     compared after normalisation, sys._debugmallocstats() every 10 steps and at
                     the end; a divergence shrinks and is written to reports/counterexamples/
  --runs N           --random: sequences (default 100)
  --compare          instead: the address-ordered policy against CPython's on the seed's
                     scenarios, written to reports/policy-comparison.md and .json
  --scale x          --compare: scenario size factor (default 1: the seed's numbers)
  --seed n           --random: the fast-check seed (default 20261125); --compare: the seed of
                     the random scenarios (default 1)
  --out dir          --compare: where to write (default reports)`;

export function runCrosscheck(argv: readonly string[]): number {
  const args = parseArgs(
    argv,
    {
      values: {
        workload: undefined,
        python: undefined,
        json: undefined,
        scale: undefined,
        seed: undefined,
        out: undefined,
        runs: undefined,
      },
      switches: ["verbose", "compare", "random"],
      positional: 0,
    },
    "crosscheck",
  );
  if (args.switches.has("compare")) return compare(args.flags);
  if (args.switches.has("random")) return runRandomCrosscheck(args);
  if (args.flags.runs !== undefined)
    throw new UsageError("crosscheck: --runs goes with --random (allocheck crosscheck --help)");

  const names = args.flags.workload
    ?.split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  for (const name of names ?? []) {
    if (!WORKLOADS.some((w) => w.name === name))
      throw new UsageError(
        `crosscheck: unknown workload "${name}"; workloads: ${WORKLOADS.map((w) => w.name).join(", ")}`,
      );
  }
  const verbose = args.switches.has("verbose");
  if (args.flags.json !== undefined) probeWritableFile(args.flags.json, "crosscheck");
  let printed = false;
  const report = probed(() =>
    crosscheck({
      ...(args.flags.python !== undefined ? { python: args.flags.python } : {}),
      ...(names !== undefined ? { workloads: names } : {}),
      onWorkload: (result) => {
        if (!printed) {
          const env = result.probe.environment;
          console.log(
            `allocheck crosscheck: CPython ${env.version} (${env.pointerBits}-bit, pymalloc)\n`,
          );
          printed = true;
        }
        console.log(formatWorkload(result));
        if (verbose) {
          for (const s of result.probe.snapshots)
            console.log(
              `\n  -- sys._debugmallocstats() at "${s.label}" --\n${s.text.replace(/^/gm, "  ")}`,
            );
        }
        console.log("");
      },
    }),
  );
  if (args.flags.json !== undefined)
    writeReportFile(
      args.flags.json,
      `${JSON.stringify(report, (key, value) => (key === "workload" && typeof value === "object" && value !== null ? { name: value.name, description: value.description } : value), 1)}\n`,
      "crosscheck",
    );
  if (report.status === "skipped") {
    console.log(formatReport(report));
    return 0;
  }
  console.log(formatReport(report).split("\n").pop());
  return report.ok ? 0 : 1;
}

/** The interpreter could not run the probe (`--python /bin/false`): one line, exit code 2. */
function probed<T>(work: () => T): T {
  try {
    return work();
  } catch (error) {
    if (!(error instanceof ProbeError)) throw error;
    throw new UsageError(
      `crosscheck: ${error.message.split("\n")[0]!.replace(/:?\s*$/, "")}; give --python a python3 that runs pymalloc`,
    );
  }
}

function compare(flags: Record<string, string>): number {
  const scale = flags.scale === undefined ? 1 : Number(flags.scale);
  if (!(scale > 0 && scale <= 10))
    throw new UsageError(`crosscheck: --scale ${flags.scale}: use a number in (0, 10]`);
  const seed = flags.seed === undefined ? 1 : Number(flags.seed);
  if (!Number.isSafeInteger(seed))
    throw new UsageError(`crosscheck: --seed ${flags.seed}: use an integer`);
  probeWritableDir(flags.out ?? REPORTS_DIR, "crosscheck");
  const comparison = runPolicyComparison({ scale, seed });
  const paths = writePolicyComparison(comparison, flags.out ?? REPORTS_DIR);
  for (const s of comparison.scenarios) {
    for (const r of s.runs) {
      console.log(
        `${s.scenario.padEnd(13)} ${r.policy.padEnd(16)} peak ${(r.peak.mappedBytes / 2 ** 20).toFixed(1).padStart(6)} MiB in ${String(r.peak.arenas).padStart(3)} arenas; ` +
          `end ${(r.end.mappedBytes / 2 ** 20).toFixed(1).padStart(6)} MiB in ${String(r.end.arenas).padStart(3)} arenas; pools ${r.pools.used} / ${r.pools.minimal} minimal`,
      );
    }
  }
  console.log(`wrote ${paths.markdown} and ${paths.json}`);
  return 0;
}
