/**
 * `allocheck verify`: the main job. Runs the property suite (every property, both geometry
 * families, the bounded-exhaustive mode) over the chosen allocators with fixed, printed seeds,
 * shows a live progress line, prints a summary table, and writes reports/summary.md and
 * reports/summary.json (a run narrowed to one allocator: summary-<allocator>.md and .json, so the
 * full run's summary stays). Exit code 1 when anything fails.
 */
import { basename, join } from "node:path";
import {
  ADDRESS_ORDERED_KINDS,
  ALLOCATOR_KINDS,
  createAllocator,
  type AllocatorKind,
} from "../allocators/create-allocator.ts";
import type { Geometry } from "../core/geometry.ts";
import type { SubjectFactory } from "../../properties/model/subject.ts";
import { COUNTEREXAMPLE_FOLDER } from "../../properties/run/paths.ts";
import { describeDeadline } from "../../properties/model/deadline.ts";
import { describeResult } from "../../properties/run/describe-result.ts";
import type { PropertyResult } from "../../properties/run/run-property.ts";
import {
  baseSeedFromEnv,
  PROFILES,
  profileFromEnv,
  type Profile,
  type ProfileName,
} from "../../properties/profiles.ts";
import {
  verifyAllocator,
  type VerifyOptions,
  type VerifyProgress,
  type VerifyReport,
} from "../../properties/verify-allocator.ts";
import { integerFlag, parseArgs, UsageError } from "./args.ts";
import { loadAdapter } from "./load-adapter.ts";
import { probeWritableDir, REPORTS_DIR, reportPath, writeReportFile } from "./report-file.ts";
import { machineDescription } from "../report/machine.ts";
import {
  describeWasmTarget,
  WASM_FLAGS,
  WASM_HELP,
  WASM_SWITCHES,
  wasmTarget,
} from "./wasm-target.ts";

export const VERIFY_HELP = `allocheck verify [--profile quick|ci|deep] [--allocator reference|bitmap|cpython|all] [--seed N]
                 [--adapter MODULE [--name NAME]] [--reports DIR] [--deadline SECONDS]
allocheck verify --wasm FILE.wasm [--malloc NAME] [--free NAME] [--realloc NAME] [--usable-size NAME] [--misuse undetected|throws] [--coalesces yes|no] [--stub-imports]

Runs every property (one per invariant of spec/invariants.md) over both geometry families and the
bounded-exhaustive mode, against the chosen allocators, and writes reports/summary.md and
reports/summary.json. A run narrowed to one allocator writes reports/summary-<allocator>.md and
.json instead (e.g. summary-bitmap.md), leaving the full run's summary as it was.
Counterexamples go to reports/counterexamples/.

  --profile    quick (seconds), ci (the gate, default), deep (long); or ALLOCHECK_PROFILE
  --allocator  reference, bitmap, cpython or all (default all)
  --seed       base seed (default ALLOCHECK_SEED, else 20261125); each property mixes in its name
  --adapter    verify the allocator MODULE's default export makes instead (the factory,
               (geometry) => allocator; it may export contract and misuseCode): each property
               runs in a child process, so a call that never returns is a reported hang
  --name       the adapter's allocator's name in reports (default the module's file name)
  --reports    the folder for the summary and counterexamples (default reports), made when
               missing and probed before the run
  --deadline   seconds each run may take (default 30 at quick and ci, 600 at deep)
${WASM_HELP}
Exit code: 0 all passed, 1 a property failed, 2 bad arguments or an unwritable folder.`;

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
        `[${label}] bounded-exhaustive: ${e.sequences.toLocaleString("en-US")} sequences of up to ${e.length} steps, ${e.failure ? `FAILED: ${e.failure.violation.message}` : e.deadline ? `FAILED: ${describeDeadline(e.deadline)}` : e.crashed ? `FAILED: the child process died: ${e.crashed}` : "pass"}\n`,
      );
    }
  };
}

const pct = (x: number) => `${Math.round(x * 100)}%`;

/** What a failed row of the summary says: the counterexample file, the deadline, the crash or the reach. */
function failureNote(r: PropertyResult): string {
  if (r.failure?.file) return `: \`${r.failure.file}\``;
  if (r.deadline) return `: ${describeDeadline(r.deadline)}`;
  if (r.crashed) return `: the child process died`;
  return r.unreached.length ? `: ${r.unreached.join("; ")}` : "";
}

/**
 * Where the summary goes, without extension: reports/summary for every allocator, and a name
 * that names the allocator for a narrowed run (reports/summary-bitmap), so that it does not
 * overwrite the full one.
 */
export function summaryPath(
  kinds: readonly AllocatorKind[],
  reportsDir = REPORTS_DIR,
  all = ALLOCATOR_KINDS.every((k) => kinds.includes(k)),
): string {
  return all
    ? join(reportsDir, "summary")
    : reportPath(reportsDir, "summary-", kinds.join("-"), "");
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
      const verdict = r.verdict === "pass" ? "pass" : `**fail**${failureNote(r)}`;
      lines.push(
        `| ${r.property} | ${r.family} | ${r.seed} | ${r.runs} | ${r.operations.toLocaleString("en-US")} | ${reached} | ${verdict} |`,
      );
    }
    const e = report.exhaustive;
    if (e !== undefined) {
      lines.push(
        "",
        `Bounded-exhaustive: ${e.sequences.toLocaleString("en-US")} sequences of up to ${e.length} steps on ${e.geometries} tiny geometries, ${e.operations.toLocaleString("en-US")} operations: ${e.failure ? `**fail** (${e.failure.violation.message})` : e.deadline ? `**fail** (${describeDeadline(e.deadline)})` : e.crashed ? "**fail** (the child process died)" : "pass"}.`,
      );
    }
    for (const s of report.skipped) lines.push("", `Not applicable: ${s.property} (${s.reason}).`);
    lines.push("");
  }
  return lines.join("\n");
}

/** What one verify run puts through the properties: a built-in kind, or an adapter module. */
interface Verified {
  readonly name: string;
  readonly factory: SubjectFactory;
  readonly options: Partial<VerifyOptions>;
}

export function runVerify(argv: readonly string[]): number | Promise<number> {
  const args = parseArgs(
    argv,
    {
      values: {
        profile: ["quick", "ci", "deep"],
        allocator: [...ALLOCATOR_KINDS, "all"],
        seed: undefined,
        adapter: undefined,
        name: undefined,
        reports: undefined,
        deadline: undefined,
        ...WASM_FLAGS,
      },
      switches: [...WASM_SWITCHES],
      positional: 0,
    },
    "verify",
  );
  const module = args.flags.adapter;
  if (module !== undefined && args.flags.allocator !== undefined)
    throw new UsageError("verify: give --allocator or --adapter, not both");
  if (module === undefined && args.flags.name !== undefined)
    throw new UsageError("verify: --name names an --adapter's allocator; give --adapter MODULE");
  // Every check of the arguments, the environment and the folders before the long run.
  const profile =
    args.flags.profile !== undefined
      ? PROFILES[args.flags.profile as ProfileName]
      : profileFromEnv();
  const baseSeed = integerFlag(args, "seed", "verify") ?? baseSeedFromEnv();
  const deadline = deadlineFlag(args.flags.deadline);
  const reportsDir = args.flags.reports ?? REPORTS_DIR;
  probeWritableDir(reportsDir, "verify");
  const common = { profile, baseSeed, reportsDir, ...(deadline ? { deadline } : {}) };
  // --wasm (wasm-target.ts): the module's allocator instead of allocheck's own.
  const wasm = wasmTarget(args, "verify");
  if (wasm !== undefined) {
    if (args.flags.allocator !== undefined)
      throw new UsageError("verify: --allocator and --wasm exclude each other");
    if (module !== undefined)
      throw new UsageError("verify: --adapter and --wasm exclude each other");
    process.stderr.write(`${describeWasmTarget(wasm)}\n`);
    const verified: Verified = {
      name: wasm.name,
      factory: wasm.factory,
      options: { contract: wasm.contract },
    };
    return verifyAll([verified], {
      ...common,
      summary: reportPath(reportsDir, "summary-", "wasm", ""),
    });
  }
  if (module === undefined) {
    const kinds: AllocatorKind[] =
      args.flags.allocator === undefined || args.flags.allocator === "all"
        ? [...ALLOCATOR_KINDS]
        : [args.flags.allocator as AllocatorKind];
    const verified = kinds.map((kind) => ({
      name: kind,
      factory: (g: Geometry) => createAllocator(kind, g),
      options: { addressOrdered: ADDRESS_ORDERED_KINDS.includes(kind) },
    }));
    const all = ALLOCATOR_KINDS.every((k) => kinds.includes(k));
    return verifyAll(verified, { ...common, summary: summaryPath(kinds, reportsDir, all) });
  }
  return loadAdapter(module, "verify").then((adapter) => {
    const name = args.flags.name ?? basename(module).replace(/\.[cm]?[jt]s$/, "");
    const verified: Verified = {
      name,
      factory: adapter.factory,
      options: {
        adapterModule: module,
        ...(adapter.contract ? { contract: adapter.contract } : {}),
        ...(adapter.misuseCode ? { misuseCode: adapter.misuseCode } : {}),
      },
    };
    return verifyAll([verified], {
      ...common,
      summary: reportPath(reportsDir, "summary-", name, ""),
    });
  });
}

/** `--deadline SECONDS` as milliseconds. */
function deadlineFlag(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const seconds = Number(raw);
  if (!(Number.isFinite(seconds) && seconds > 0))
    throw new UsageError(`verify: --deadline ${raw}: use a positive number of seconds`);
  return seconds * 1000;
}

function verifyAll(
  verified: readonly Verified[],
  run: {
    readonly profile: Profile;
    readonly baseSeed: number;
    readonly reportsDir: string;
    readonly deadline?: number;
    readonly summary: string;
  },
): number {
  const { profile, baseSeed, summary } = run;
  const started = performance.now();
  process.stderr.write(
    `allocheck verify: ${verified.map((v) => v.name).join(", ")}; profile ${profile.name}; base seed ${baseSeed}\n`,
  );
  const reports = verified.map((v) =>
    verifyAllocator(v.factory, {
      name: v.name,
      profile,
      seed: baseSeed,
      counterexampleDir: join(run.reportsDir, COUNTEREXAMPLE_FOLDER),
      ...(run.deadline !== undefined ? { deadline: run.deadline } : {}),
      ...v.options,
      onProgress: progressPrinter(v.name),
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
  writeReportFile(
    `${summary}.json`,
    JSON.stringify(
      { ...meta, allocators: reports },
      (_, v: unknown) => (typeof v === "number" && !Number.isFinite(v) ? String(v) : v),
      2,
    ) + "\n",
    "verify",
  );
  writeReportFile(`${summary}.md`, markdown(reports, meta), "verify");

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
