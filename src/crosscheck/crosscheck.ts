/**
 * The cross-check (spec/cpython-model.md §7): each workload runs on this machine's CPython
 * (pymalloc_probe.py) and on the model (predict.ts); after every phase the model's prediction is
 * compared with what `sys._debugmallocstats()` reported, as a change from the canonical starting
 * snapshot:
 *
 *   per class the workload uses:  pools, blocks in use, avail blocks
 *   arenas:                       allocated (total), reclaimed, current
 *   pools:                        unused pools (Σ nfreepools: cached empty and never-carved pools)
 *   the OS:                       arenas that are not pool-aligned (each loses a pool)
 *
 * Before comparing, the run's preconditions are checked on the observed snapshots: the canonical
 * start has no unused pool and no avail block in the workload's classes, and the noise snapshot
 * equals it. A run whose preconditions fail, or whose arenas the OS placed otherwise than the probe
 * found, says nothing about the model: it is retried in a fresh interpreter (at most `retries`
 * times) and reported as inconclusive if it never comes out clean.
 */
import type { Stats } from "../core/allocator.ts";
import { sizeClassOf, type Geometry } from "../core/geometry.ts";
import { CPYTHON_MODEL, observedGeometry, predict, type ModelFactory } from "./predict.ts";
import {
  probeEnvironment,
  runProbe,
  type ObservedStats,
  type ProbeEnvironment,
  type ProbeRun,
} from "./probe.ts";
import { WORKLOADS, workloadSizes, type Workload } from "./workloads.ts";

export interface ComparisonRow {
  readonly quantity: string;
  readonly predicted: number;
  readonly observed: number;
  readonly ok: boolean;
  /** Rows about the OS's choices (arena alignment) rather than the model's. */
  readonly os?: boolean;
}

export interface PhaseComparison {
  readonly phase: string;
  readonly rows: readonly ComparisonRow[];
}

export interface WorkloadResult {
  readonly workload: Workload;
  readonly geometry: string;
  /** "pass": every row matched; "fail": a model row did not; "inconclusive": preconditions or the OS. */
  readonly verdict: "pass" | "fail" | "inconclusive";
  readonly attempts: number;
  /** Precondition problems of the last attempt (empty when it was clean). */
  readonly preconditions: readonly string[];
  readonly phases: readonly PhaseComparison[];
  /** The last attempt's probe output (snapshots, setup, OS arena placement). */
  readonly probe: ProbeRun;
}

export type CrosscheckReport =
  | { readonly status: "skipped"; readonly reason: string }
  | {
      readonly status: "ran";
      readonly python: string;
      readonly environment: ProbeEnvironment;
      readonly results: readonly WorkloadResult[];
      readonly ok: boolean;
      readonly seconds: number;
    };

export interface CrosscheckOptions {
  /** The interpreter: default $ALLOCHECK_PYTHON, else python3. */
  readonly python?: string;
  /** Workload names; default all. */
  readonly workloads?: readonly string[];
  /** Fresh-interpreter retries of a run whose preconditions fail. Default 2. */
  readonly retries?: number;
  readonly onWorkload?: (result: WorkloadResult) => void;
}

const classRow = (stats: ObservedStats, c: number) =>
  stats.classes[String(c)] ?? { pools: 0, blocks: 0, avail: 0 };

/** What must hold of the observed run for its numbers to be comparable with the model's. */
export function preconditions(run: ProbeRun, classes: readonly number[]): string[] {
  const problems: string[] = [];
  const [, canonical, noise] = run.snapshots;
  if (canonical === undefined || noise === undefined)
    return ["the probe took no canonical and noise snapshots"];
  if (canonical.stats.unusedPools !== 0)
    problems.push(
      `canonical start: ${canonical.stats.unusedPools} unused pools (arenas with a free pool), expected 0`,
    );
  for (const c of classes) {
    const avail = classRow(canonical.stats, c).avail;
    if (avail !== 0)
      problems.push(
        `canonical start: class ${c} has ${avail} avail blocks (a partly used pool), expected 0`,
      );
  }
  if (JSON.stringify(noise.stats) !== JSON.stringify(canonical.stats))
    problems.push(
      "the interpreter's own allocations changed pymalloc's state between two snapshots (noise ≠ canonical)",
    );
  if (run.osArena === null)
    problems.push("the OS's arena placement could not be pinned (mmap probe unavailable)");
  return problems;
}

/** The rows of one phase: model prediction against the observed change from the canonical start. */
export function comparePhase(
  predicted: Stats,
  observed: ObservedStats,
  canonical: ObservedStats,
  classes: readonly number[],
  geometry: Geometry,
  baseline?: Stats,
): ComparisonRow[] {
  if (baseline !== undefined) predicted = statsSince(predicted, baseline);
  const rows: ComparisonRow[] = [];
  const row = (quantity: string, p: number, o: number, os?: boolean) =>
    rows.push({ quantity, predicted: p, observed: o, ok: p === o, ...(os ? { os } : {}) });
  for (const c of classes) {
    const model = predicted.classes.find((k) => k.index === c) ?? {
      pools: 0,
      blocksInUse: 0,
      availBlocks: 0,
    };
    const now = classRow(observed, c);
    const before = classRow(canonical, c);
    const label = `class ${c} (${geometry.classSizes[c]} B)`;
    row(`${label} pools`, model.pools, now.pools - before.pools);
    row(`${label} blocks in use`, model.blocksInUse, now.blocks - before.blocks);
    row(`${label} avail blocks`, model.availBlocks, now.avail - before.avail);
  }
  const total = observed.arenasAllocatedTotal - canonical.arenasAllocatedTotal;
  const current = observed.arenasCurrent - canonical.arenasCurrent;
  row("arenas allocated", predicted.arenas.allocatedTotal, total);
  row("arenas reclaimed", predicted.arenas.reclaimed, total - current);
  row("arenas current", predicted.arenas.current, current);
  row(
    "unused pools",
    predicted.bytes.unusedPools / geometry.poolSize,
    observed.unusedPools - canonical.unusedPools,
  );
  const misaligned =
    (observed.bytesLostToArenaAlignment - canonical.bytesLostToArenaAlignment) / observed.poolSize;
  row(
    "arenas not pool-aligned (OS)",
    predicted.bytes.arenaAlignment / geometry.poolSize,
    misaligned,
    true,
  );
  return rows;
}

/**
 * The model's change since `baseline`, in the quantities comparePhase reads: for a model that
 * did not start from an empty heap (the random cross-check's, §7.6).
 */
function statsSince(now: Stats, baseline: Stats): Stats {
  const before = (c: number) => baseline.classes.find((k) => k.index === c);
  const indices = [...new Set([...now.classes, ...baseline.classes].map((k) => k.index))];
  return {
    ...now,
    classes: indices.map((index) => {
      const a = now.classes.find((k) => k.index === index);
      const b = before(index);
      return {
        index,
        size: (a ?? b)!.size,
        pools: (a?.pools ?? 0) - (b?.pools ?? 0),
        blocksInUse: (a?.blocksInUse ?? 0) - (b?.blocksInUse ?? 0),
        availBlocks: (a?.availBlocks ?? 0) - (b?.availBlocks ?? 0),
      };
    }),
    arenas: {
      current: now.arenas.current - baseline.arenas.current,
      allocatedTotal: now.arenas.allocatedTotal - baseline.arenas.allocatedTotal,
      reclaimed: now.arenas.reclaimed - baseline.arenas.reclaimed,
      highwater: now.arenas.highwater,
    },
    bytes: {
      ...now.bytes,
      unusedPools: now.bytes.unusedPools - baseline.bytes.unusedPools,
      arenaAlignment: now.bytes.arenaAlignment - baseline.bytes.arenaAlignment,
    },
  };
}

/** The size classes a workload's requests fall in (small requests only). */
export function workloadClasses(workload: Workload, geometry: Geometry): number[] {
  return [
    ...new Set(
      workloadSizes(workload)
        .map((n) => sizeClassOf(geometry, n))
        .filter((c) => c !== -1),
    ),
  ].sort((a, b) => a - b);
}

/**
 * Compares one observed run with the model's prediction for it. `model` is the CPython model; the
 * tests pass other allocators to show that the comparison tells policies apart.
 */
export function compareRun(
  probe: ProbeRun,
  workload: Workload,
  model: ModelFactory = CPYTHON_MODEL,
): Omit<WorkloadResult, "attempts"> {
  const canonical = probe.snapshots[1]!.stats;
  const geometry = observedGeometry(probe.environment, canonical, probe.osArena?.poolAligned);
  return compareRunOn(probe, workload, geometry, model);
}

export function compareRunOn(
  probe: ProbeRun,
  workload: Workload,
  geometry: Geometry,
  model: ModelFactory = CPYTHON_MODEL,
): Omit<WorkloadResult, "attempts"> {
  const canonical = probe.snapshots[1]!.stats;
  const classes = workloadClasses(workload, geometry);
  const problems = preconditions(probe, classes);
  const prediction = predict(workload, geometry, model);
  const phases = workload.phases.map((phase, i) => ({
    phase: phase.name,
    rows: comparePhase(
      prediction.phases[i]!.stats,
      probe.snapshots[3 + i]!.stats,
      canonical,
      classes,
      geometry,
    ),
  }));
  const osMismatch = phases.some((p) => p.rows.some((r) => r.os === true && !r.ok));
  const modelMismatch = phases.some((p) => p.rows.some((r) => !r.ok));
  const verdict =
    problems.length > 0 || osMismatch ? "inconclusive" : modelMismatch ? "fail" : "pass";
  return {
    workload,
    geometry: geometry.name,
    verdict,
    preconditions: osMismatch
      ? [...problems, "the OS mapped an arena with another alignment than the probe found"]
      : problems,
    phases,
    probe,
  };
}

/** Runs the cross-check; "skipped" when there is no python3 running pymalloc to check against. */
export function crosscheck(options: CrosscheckOptions = {}): CrosscheckReport {
  const started = performance.now();
  const python = options.python ?? process.env.ALLOCHECK_PYTHON ?? "python3";
  const environment = probeEnvironment(python);
  if ("missing" in environment) return { status: "skipped", reason: environment.missing };
  if (environment.skip !== null)
    return {
      status: "skipped",
      reason: `${python} (Python ${environment.version}): ${environment.skip}`,
    };
  const chosen =
    options.workloads === undefined
      ? WORKLOADS
      : options.workloads.map((name) => {
          const w = WORKLOADS.find((x) => x.name === name);
          if (w === undefined)
            throw new RangeError(
              `unknown workload "${name}"; workloads: ${WORKLOADS.map((x) => x.name).join(", ")}`,
            );
          return w;
        });
  const results: WorkloadResult[] = [];
  for (const workload of chosen) {
    let attempts = 0;
    let result: Omit<WorkloadResult, "attempts">;
    do {
      attempts++;
      result = compareRun(runProbe(python, workload), workload);
    } while (result.verdict === "inconclusive" && attempts <= (options.retries ?? 2));
    const done = { ...result, attempts };
    results.push(done);
    options.onWorkload?.(done);
  }
  return {
    status: "ran",
    python,
    environment,
    results,
    ok: results.every((r) => r.verdict === "pass"),
    seconds: (performance.now() - started) / 1000,
  };
}

// ── the printout ──────────────────────────────────────────────────────────────────────────

const fmt = (n: number) => n.toLocaleString("en-US");

/** One workload's table: phase, quantity, predicted, observed, ✓/✗. */
export function formatWorkload(result: WorkloadResult): string {
  const w = result.workload;
  const lines: string[] = [];
  const osArena = result.probe.osArena;
  const placement =
    osArena === null
      ? "arena placement not pinned"
      : osArena.poolAligned
        ? "arenas pool-aligned by the OS"
        : "arenas not pool-aligned (as mmap places them)";
  const attempts = result.attempts > 1 ? `, ${result.attempts} attempts` : "";
  lines.push(`${w.name}: ${w.description}`);
  lines.push(`  model geometry ${result.geometry}; ${placement}; ${result.verdict}${attempts}`);
  for (const problem of result.preconditions) lines.push(`  precondition: ${problem}`);
  const width = Math.max(...w.phases.map((p) => p.name.length), 5);
  const qWidth = Math.max(...result.phases.flatMap((p) => p.rows.map((r) => r.quantity.length)), 8);
  lines.push(
    `  ${"phase".padEnd(width)}  ${"quantity".padEnd(qWidth)}  ${"predicted".padStart(10)}  ${"observed".padStart(10)}`,
  );
  for (const phase of result.phases) {
    phase.rows.forEach((r, i) => {
      lines.push(
        `  ${(i === 0 ? phase.phase : "").padEnd(width)}  ${r.quantity.padEnd(qWidth)}  ${fmt(r.predicted).padStart(10)}  ${fmt(r.observed).padStart(10)}  ${r.ok ? "✓" : "✗"}`,
      );
    });
  }
  return lines.join("\n");
}

export function formatReport(report: CrosscheckReport): string {
  if (report.status === "skipped") return `allocheck crosscheck: skipped: ${report.reason}`;
  const env = report.environment;
  const rows = report.results.reduce(
    (n, r) => n + r.phases.reduce((m, p) => m + p.rows.length, 0),
    0,
  );
  const bad = report.results.filter((r) => r.verdict !== "pass");
  const head = `allocheck crosscheck: the CPython model against ${report.python} (CPython ${env.version}, ${env.pointerBits}-bit, pymalloc)`;
  const n = report.results.length;
  const tail =
    bad.length === 0
      ? `${n === 1 ? "the workload matches" : `all ${n} workloads match`}: ${fmt(rows)} quantities predicted exactly (${report.seconds.toFixed(1)} s)`
      : `${bad.length} of ${report.results.length} workloads do not match: ${bad.map((r) => `${r.workload.name} (${r.verdict})`).join(", ")} (${report.seconds.toFixed(1)} s)`;
  return [head, "", ...report.results.map(formatWorkload).flatMap((t) => [t, ""]), tail].join("\n");
}
