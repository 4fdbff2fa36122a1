/**
 * `allocheck verify`: the main job. Runs the property suite (every property, both geometry
 * families, the bounded-exhaustive mode) over the chosen allocators with fixed, printed seeds,
 * shows a live progress line, prints a summary table, and writes reports/summary.md and
 * reports/summary.json (a run narrowed to one allocator: summary-<allocator>.md and .json, so the
 * full run's summary stays). Exit code 1 when anything fails.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import {
  ADDRESS_ORDERED_KINDS,
  ALLOCATOR_KINDS,
  createAllocator,
  type AllocatorKind,
} from "../allocators/create-allocator.ts";
import { COUNTEREXAMPLE_DIR } from "../../properties/run/paths.ts";
import { describeResult } from "../../properties/run/describe-result.ts";
import {
  baseSeedFromEnv,
  PROFILES,
  profileFromEnv,
  type ProfileName,
} from "../../properties/profiles.ts";
import {
  verifyAllocator,
  type VerifyProgress,
  type VerifyReport,
} from "../../properties/verify-allocator.ts";
import { integerFlag, parseArgs, UsageError } from "./args.ts";
import { machineDescription } from "../report/machine.ts";
import {
  describeWasmTarget,
  WASM_FLAGS,
  WASM_HELP,
  WASM_SWITCHES,
  wasmTarget,
} from "./wasm-target.ts";

export const VERIFY_HELP = `allocheck verify [--profile quick|ci|deep] [--allocator reference|bitmap|cpython|all] [--seed N]
allocheck verify --wasm FILE.wasm [--malloc NAME] [--free NAME] [--realloc NAME] [--usable-size NAME] [--misuse undetected|throws] [--coalesces yes|no] [--stub-imports]

Runs every property (one per invariant of spec/invariants.md) over both geometry families and the
bounded-exhaustive mode, against the chosen allocators, and writes reports/summary.md and
reports/summary.json. A run narrowed to one allocator writes reports/summary-<allocator>.md and
.json instead (e.g. summary-bitmap.md), leaving the full run's summary as it was.
Counterexamples go to reports/counterexamples/.

  --profile    quick (seconds), ci (the gate, default), deep (long); or ALLOCHECK_PROFILE
  --allocator  reference, bitmap, cpython or all (default all)
  --seed       base seed (default ALLOCHECK_SEED, else 20261125); each property mixes in its name
${WASM_HELP}
Exit code: 0 all passed, 1 a property failed, 2 bad arguments.`;

function progressPrinter(label: string): (event: VerifyProgress) => void {
  const tty = process.stderr.isTTY === true;
  let current = "";
  return (event) => {
    if (event.kind === "property-start")
      current = `[${label} ${event.index + 1}/${event.total}] ${event.property} (${event.family})`;
    if (event.kind === "run" && tty && (event.runs % 5 === 0 || event.runs === event.of)) {
      process.stderr.write(`\r${current}: ${event.runs}/${event.of} runs   `);
    }
    if (event.kind === "property-end") {
      const r = event.result;
      const line = `${current}: ${r.verdict}, ${r.runs} runs, ${r.operations.toLocaleString("en-US")} operations, ${r.seconds.toFixed(1)} s`;
      process.stderr.write(tty ? `\r${line}\x1b[K\n` : `${line}\n`);
      if (r.verdict === "fail") process.stderr.write(describeResult(r) + "\n");
    }
    if (event.kind === "exhaustive-end") {
      const e = event.result;
      process.stderr.write(
        `[${label}] bounded-exhaustive: ${e.sequences.toLocaleString("en-US")} sequences of up to ${e.length} steps, ${e.failure ? `FAILED: ${e.failure.violation.message}` : "pass"}\n`,
      );
    }
  };
}

const pct = (x: number) => `${Math.round(x * 100)}%`;

/**
 * Where the summary goes, without extension: reports/summary for every allocator, and a name
 * that names the allocator for a narrowed run (reports/summary-bitmap), so that it does not
 * overwrite the full one.
 */
export function summaryPath(kinds: readonly AllocatorKind[]): string {
  const all = ALLOCATOR_KINDS.every((k) => kinds.includes(k));
  return all ? "reports/summary" : `reports/summary-${kinds.join("-")}`;
}

function markdown(
  reports: readonly VerifyReport[],
  meta: {
    verdict: string;
    date: string;
    machine: string;
    profile: string;
    baseSeed: number;
    seconds: number;
    operations: number;
  },
): string {
  const lines = [
    `# allocheck verify: ${meta.verdict}`,
    "",
    `${meta.date}; ${meta.machine}.`,
    `Profile **${meta.profile}**, base seed ${meta.baseSeed} (ALLOCHECK_SEED); ${meta.operations.toLocaleString("en-US")} allocator operations checked in ${meta.seconds.toFixed(0)} s.`,
    "",
    "Each property checks one invariant of `spec/invariants.md` against the test's own shadow heap. *Reached* gives, for the states the property is about, the share of runs that reached them (target in brackets); a property whose runs reach its states too rarely fails.",
    "",
  ];
  for (const report of reports) {
    lines.push(`## ${report.implementation}: ${report.verdict}`, "");
    lines.push(
      "| property | geometries | seed | runs | operations | reached | verdict |",
      "|---|---|---|---|---|---|---|",
    );
    for (const r of report.results) {
      const reached = r.reach
        .filter((x) => x.target !== undefined)
        .map((x) => `${x.state} ${pct(x.fraction)} (≥${pct(x.target!)})`)
        .join(", ");
      const verdict =
        r.verdict === "pass"
          ? "pass"
          : `**fail**${r.failure?.file ? `: \`${r.failure.file}\`` : r.unreached.length ? `: ${r.unreached.join("; ")}` : ""}`;
      lines.push(
        `| ${r.property} | ${r.family} | ${r.seed} | ${r.runs} | ${r.operations.toLocaleString("en-US")} | ${reached} | ${verdict} |`,
      );
    }
    const e = report.exhaustive;
    if (e !== undefined) {
      lines.push(
        "",
        `Bounded-exhaustive: ${e.sequences.toLocaleString("en-US")} sequences of up to ${e.length} steps on ${e.geometries} tiny geometries, ${e.operations.toLocaleString("en-US")} operations: ${e.failure ? `**fail** (${e.failure.violation.message})` : "pass"}.`,
      );
    }
    for (const s of report.skipped) lines.push("", `Not applicable: ${s.property} (${s.reason}).`);
    lines.push("");
  }
  return lines.join("\n");
}

export function runVerify(argv: readonly string[]): number {
  const args = parseArgs(
    argv,
    {
      values: {
        profile: ["quick", "ci", "deep"],
        allocator: [...ALLOCATOR_KINDS, "all"],
        seed: undefined,
        ...WASM_FLAGS,
      },
      switches: [...WASM_SWITCHES],
      positional: 0,
    },
    "verify",
  );
  const profile =
    args.flags.profile !== undefined
      ? PROFILES[args.flags.profile as ProfileName]
      : profileFromEnv();
  const baseSeed = integerFlag(args, "seed", "verify") ?? baseSeedFromEnv();
  const kinds: AllocatorKind[] =
    args.flags.allocator === undefined || args.flags.allocator === "all"
      ? [...ALLOCATOR_KINDS]
      : [args.flags.allocator as AllocatorKind];
  // --wasm (wasm-target.ts): the module's allocator instead of allocheck's own.
  const wasm = wasmTarget(args, "verify");
  if (wasm !== undefined && args.flags.allocator !== undefined)
    throw new UsageError("verify: --allocator and --wasm exclude each other");
  if (wasm !== undefined) process.stderr.write(`${describeWasmTarget(wasm)}\n`);
  const started = performance.now();
  process.stderr.write(
    `allocheck verify: ${wasm?.name ?? kinds.join(", ")}; profile ${profile.name}; base seed ${baseSeed}\n`,
  );

  const reports =
    wasm !== undefined
      ? [
          verifyAllocator(wasm.factory, {
            name: wasm.name,
            profile,
            seed: baseSeed,
            contract: wasm.contract,
            counterexampleDir: COUNTEREXAMPLE_DIR,
            onProgress: progressPrinter(wasm.name),
          }),
        ]
      : kinds.map((kind) =>
          verifyAllocator((g) => createAllocator(kind, g), {
            name: kind,
            profile,
            seed: baseSeed,
            addressOrdered: ADDRESS_ORDERED_KINDS.includes(kind),
            counterexampleDir: COUNTEREXAMPLE_DIR,
            onProgress: progressPrinter(kind),
          }),
        );
  const operations = reports.reduce((sum, r) => sum + r.operations, 0);
  const meta = {
    verdict: reports.every((r) => r.verdict === "pass") ? "pass" : "fail",
    date: new Date().toISOString(),
    machine: machineDescription(),
    profile: profile.name,
    baseSeed,
    seconds: (performance.now() - started) / 1000,
    operations,
  };
  const summary = wasm !== undefined ? "reports/summary-wasm" : summaryPath(kinds);
  mkdirSync("reports", { recursive: true });
  writeFileSync(
    `${summary}.json`,
    JSON.stringify(
      { ...meta, allocators: reports },
      (_, v: unknown) => (typeof v === "number" && !Number.isFinite(v) ? String(v) : v),
      2,
    ) + "\n",
  );
  writeFileSync(`${summary}.md`, markdown(reports, meta));

  console.log(
    `\n${"allocator".padEnd(10)} ${"verdict".padEnd(8)} ${"properties".padStart(10)} ${"operations".padStart(14)} ${"seconds".padStart(8)}`,
  );
  for (const r of reports) {
    const passed = r.results.filter((x) => x.verdict === "pass").length;
    console.log(
      `${r.implementation.padEnd(10)} ${r.verdict.padEnd(8)} ${`${passed}/${r.results.length}`.padStart(10)} ${r.operations.toLocaleString("en-US").padStart(14)} ${r.seconds.toFixed(1).padStart(8)}`,
    );
  }
  console.log(
    `\nverify: ${meta.verdict}; ${operations.toLocaleString("en-US")} operations checked in ${meta.seconds.toFixed(0)} s; wrote ${summary}.md and ${summary}.json`,
  );
  return meta.verdict === "pass" ? 0 : 1;
}
