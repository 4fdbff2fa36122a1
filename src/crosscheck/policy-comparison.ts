/**
 * The address-ordered policy (spec/policy.md, run by the bitmap allocator) against CPython's own
 * policy (spec/cpython-model.md) on the seed's scenarios (src/scenarios: a million ints then
 * del, ten thousand strings, pin every 1000th, churn, and the arena-boundary thrash loop) and one
 * of its own (generations-scenario.ts: old objects dying at random while young ones arrive). Both
 * allocators make exactly the same calls; what differs is where blocks go, and so how much stays
 * mapped:
 *
 *   mapped bytes over time   the model RSS after every call, sampled (the highest value per bucket)
 *   arenas                   at the peak (highwater) and kept at the end
 *   fragmentation            1 − live / mapped at the peak of mapped bytes and at the end, and
 *                            1 − bytes in allocated blocks / mapped arena bytes at the end
 *   pools                    used pools per class at the end against the fewest that could hold
 *                            the live blocks (⌈blocks / blocksPerPool⌉)
 *
 * `runPolicyComparison()` computes it; `writePolicyComparison()` writes
 * reports/policy-comparison.md and .json.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Stats } from "../core/allocator.ts";
import { createAllocator, type AllocatorKind } from "../allocators/create-allocator.ts";
import { resolveGeometry, type Geometry, type GeometryInput } from "../core/geometry.ts";
import {
  SCENARIOS as SEED_SCENARIOS,
  runScenario,
  type Scenario,
  type SeriesPoint,
} from "../scenarios/index.ts";
import { generations } from "../scenarios/generations-scenario.ts";

/** The seed's scenarios, and one of the comparison's own where the reuse order matters. */
const SCENARIOS: readonly Scenario[] = [...SEED_SCENARIOS, generations];

export const POLICIES = [
  { policy: "address-ordered", kind: "bitmap" },
  { policy: "cpython", kind: "cpython" },
] as const satisfies readonly { policy: string; kind: AllocatorKind }[];

export type PolicyName = (typeof POLICIES)[number]["policy"];

export interface ClassPools {
  readonly index: number;
  readonly size: number;
  readonly pools: number;
  /** ⌈blocksInUse / blocksPerPool⌉: the fewest pools that hold the class's live blocks. */
  readonly minimal: number;
}

export interface PolicyRun {
  readonly policy: PolicyName;
  readonly kind: AllocatorKind;
  readonly steps: number;
  readonly seconds: number;
  /** Mapped bytes and live requested bytes over the run (Recorder series: bucket maxima). */
  readonly series: readonly SeriesPoint[];
  readonly phases: readonly {
    readonly label: string;
    readonly step: number;
    readonly mappedBytes: number;
    readonly arenas: number;
  }[];
  readonly peak: {
    readonly mappedBytes: number;
    readonly arenas: number;
    /** 1 − live requested / mapped at the series point with the most mapped bytes. */
    readonly fragmentation: number;
  };
  readonly end: {
    readonly mappedBytes: number;
    readonly arenas: number;
    readonly liveRequested: number;
    /** 1 − live requested / mapped. */
    readonly fragmentation: number;
    /** 1 − bytes in allocated blocks / mapped arena bytes (0 with no arena). */
    readonly arenaFragmentation: number;
    readonly arenaEvents: { readonly mapped: number; readonly unmapped: number };
  };
  readonly pools: {
    readonly used: number;
    readonly minimal: number;
    readonly byClass: readonly ClassPools[];
  };
}

export interface ScenarioComparison {
  readonly scenario: string;
  readonly python: string;
  readonly runs: readonly PolicyRun[];
}

export interface PolicyComparison {
  readonly geometry: string;
  readonly scale: number;
  readonly seed: number;
  readonly scenarios: readonly ScenarioComparison[];
}

export interface PolicyComparisonOptions {
  /** Default cpython-3.11. */
  readonly geometry?: GeometryInput;
  /** Multiplies the scenarios' sizes; 1 (default) is the seed's numbers. */
  readonly scale?: number;
  readonly seed?: number;
  /** Scenario names; default all. */
  readonly scenarios?: readonly string[];
}

const ratio = (part: number, whole: number) => (whole === 0 ? 0 : 1 - part / whole);

function poolsAtEnd(stats: Stats, g: Geometry): PolicyRun["pools"] {
  const byClass = stats.classes.map((c) => ({
    index: c.index,
    size: c.size,
    pools: c.pools,
    minimal: Math.ceil(c.blocksInUse / g.blocksPerPool[c.index]!),
  }));
  return {
    used: byClass.reduce((n, c) => n + c.pools, 0),
    minimal: byClass.reduce((n, c) => n + c.minimal, 0),
    byClass,
  };
}

function runOne(
  scenario: Scenario,
  kind: AllocatorKind,
  policy: PolicyName,
  g: Geometry,
  scale: number,
  seed: number,
): PolicyRun {
  const started = performance.now();
  const result = runScenario(scenario, createAllocator(kind, g), {
    scale,
    seed,
    create: (other) => createAllocator(kind, other),
  });
  const stats = result.allocator.stats();
  const peakPoint = result.series.reduce(
    (best, p) => (p.mapped > best.mapped ? p : best),
    result.series[0]!,
  );
  const events = result.allocator.addressSpace.events();
  const arenaBytes = stats.arenas.current * g.arenaSize;
  return {
    policy,
    kind,
    steps: result.steps,
    seconds: (performance.now() - started) / 1000,
    series: result.series,
    phases: result.phases.map((p) => ({
      label: p.label,
      step: p.step,
      mappedBytes: p.mappedBytes,
      arenas: p.arenas,
    })),
    peak: {
      mappedBytes: stats.mappedBytes.peak,
      arenas: stats.arenas.highwater,
      fragmentation: ratio(peakPoint.live, peakPoint.mapped),
    },
    end: {
      mappedBytes: stats.mappedBytes.current,
      arenas: stats.arenas.current,
      liveRequested: stats.requested.current,
      fragmentation: ratio(stats.requested.current, stats.mappedBytes.current),
      arenaFragmentation: ratio(stats.bytes.inAllocatedBlocks, arenaBytes),
      arenaEvents: {
        mapped: events.filter((e) => e.kind === "map-arena").length,
        unmapped: events.filter((e) => e.kind === "unmap-arena").length,
      },
    },
    pools: poolsAtEnd(stats, g),
  };
}

export function runPolicyComparison(options: PolicyComparisonOptions = {}): PolicyComparison {
  const g = resolveGeometry(options.geometry ?? "cpython-3.11");
  const scale = options.scale ?? 1;
  const seed = options.seed ?? 1;
  const chosen =
    options.scenarios === undefined
      ? SCENARIOS
      : options.scenarios.map((name) => {
          const s = SCENARIOS.find((x) => x.name === name);
          if (s === undefined)
            throw new RangeError(
              `unknown scenario "${name}"; scenarios: ${SCENARIOS.map((x) => x.name).join(", ")}`,
            );
          return s;
        });
  return {
    geometry: g.name,
    scale,
    seed,
    scenarios: chosen.map((scenario) => ({
      scenario: scenario.name,
      python: scenario.python,
      runs: POLICIES.map(({ policy, kind }) => runOne(scenario, kind, policy, g, scale, seed)),
    })),
  };
}

// ── the report ────────────────────────────────────────────────────────────────────────────

const MiB = 1 << 20;
const mib = (bytes: number) => `${(bytes / MiB).toFixed(bytes < 10 * MiB ? 2 : 1)} MiB`;
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const BARS = "▁▂▃▄▅▆▇█";

/** Mapped bytes at `points` evenly spaced steps (the bucket maximum at or after each). */
function sample(series: readonly SeriesPoint[], steps: number, points: number): number[] {
  return Array.from({ length: points }, (_, i) => {
    const at = Math.round(((i + 1) * steps) / points);
    return (series.find((p) => p.step >= at) ?? series[series.length - 1]!).mapped;
  });
}

function sparkline(values: readonly number[], max: number): string {
  return values
    .map((v) =>
      max === 0
        ? BARS[0]
        : BARS[Math.min(BARS.length - 1, Math.floor((v / max) * (BARS.length - 1) + 0.5))],
    )
    .join("");
}

export function formatPolicyComparison(c: PolicyComparison): string {
  const lines: string[] = [];
  lines.push("# Policy comparison: address-ordered against CPython's pymalloc");
  lines.push("");
  lines.push(
    `Generated by \`runPolicyComparison()\` (src/crosscheck/policy-comparison.ts) on ${c.geometry}, scale ${c.scale}, seed ${c.seed}. ` +
      "Both allocators make the same calls (the seed's scenarios of src/scenarios, and generations, src/scenarios/generations-scenario.ts); the address-ordered policy " +
      "(spec/policy.md, the bitmap allocator) takes the lowest free block, pool and arena, CPython's (spec/cpython-model.md) " +
      "the most recently freed block, the front of usedpools and the head of usable_arenas. Mapped bytes are the model RSS " +
      "(arenas plus live raw blocks); live bytes are tracemalloc's traced memory.",
  );
  lines.push("");
  lines.push(
    "| scenario | policy | peak mapped | arenas at peak | end mapped | arenas kept | fragmentation at peak | at end | arena fragmentation at end | pools used / minimal at end | arena map / unmap |",
  );
  lines.push("|---|---|---|---|---|---|---|---|---|---|---|");
  for (const s of c.scenarios) {
    for (const r of s.runs) {
      lines.push(
        `| ${s.scenario} | ${r.policy} | ${mib(r.peak.mappedBytes)} | ${r.peak.arenas} | ${mib(r.end.mappedBytes)} | ${r.end.arenas} | ${pct(r.peak.fragmentation)} | ${pct(r.end.fragmentation)} | ${pct(r.end.arenaFragmentation)} | ${r.pools.used} / ${r.pools.minimal} | ${r.end.arenaEvents.mapped} / ${r.end.arenaEvents.unmapped} |`,
      );
    }
  }
  lines.push("");
  lines.push(
    "Fragmentation at peak and at end: 1 − live requested bytes / mapped bytes. Arena fragmentation: 1 − bytes in allocated blocks / mapped arena bytes. Pools: used pools of all classes against Σ ⌈blocks in use / blocks per pool⌉.",
  );
  for (const s of c.scenarios) {
    lines.push("");
    lines.push(`## ${s.scenario}`);
    lines.push("");
    lines.push("```python");
    lines.push(s.python);
    lines.push("```");
    lines.push("");
    const steps = s.runs[0]!.steps;
    const samples = s.runs.map((r) => sample(r.series, r.steps, 40));
    const max = Math.max(...samples.flat());
    lines.push(
      `Mapped bytes over ${steps.toLocaleString("en-US")} calls (40 samples, the same scale for both, full height ${mib(max)}):`,
    );
    lines.push("");
    lines.push("```");
    s.runs.forEach((r, i) => lines.push(`${r.policy.padEnd(16)} ${sparkline(samples[i]!, max)}`));
    lines.push("```");
    lines.push("");
    const points = s.runs.map((r) => sample(r.series, r.steps, 8));
    lines.push(`| calls | ${s.runs.map((r) => r.policy).join(" | ")} |`);
    lines.push(`|---|${s.runs.map(() => "---").join("|")}|`);
    for (let i = 0; i < 8; i++)
      lines.push(
        `| ${Math.round(((i + 1) * steps) / 8).toLocaleString("en-US")} | ${points.map((p) => mib(p[i]!)).join(" | ")} |`,
      );
    lines.push("");
    lines.push("| phase | " + s.runs.map((r) => `${r.policy}: mapped, arenas`).join(" | ") + " |");
    lines.push(`|---|${s.runs.map(() => "---").join("|")}|`);
    s.runs[0]!.phases.forEach((p, i) =>
      lines.push(
        `| ${p.label} | ${s.runs.map((r) => `${mib(r.phases[i]?.mappedBytes ?? 0)}, ${r.phases[i]?.arenas ?? 0}`).join(" | ")} |`,
      ),
    );
    const wasted = s.runs.map((r) =>
      r.pools.byClass
        .filter((k) => k.pools > k.minimal)
        .sort((a, b) => b.pools - b.minimal - (a.pools - a.minimal))
        .slice(0, 4),
    );
    if (wasted.some((w) => w.length > 0)) {
      lines.push("");
      lines.push(
        "Classes with more used pools than their live blocks need, at the end (pools / minimal):",
      );
      lines.push("");
      s.runs.forEach((r, i) =>
        lines.push(
          `- ${r.policy}: ${wasted[i]!.length === 0 ? "none" : wasted[i]!.map((k) => `${k.size} B ${k.pools} / ${k.minimal}`).join(", ")}`,
        ),
      );
    }
  }
  lines.push("");
  return lines.join("\n");
}

/** Writes `policy-comparison.md` and `.json` into `dir` (default reports/); returns their paths. */
export function writePolicyComparison(
  c: PolicyComparison,
  dir = "reports",
): { readonly markdown: string; readonly json: string } {
  mkdirSync(dir, { recursive: true });
  const markdown = join(dir, "policy-comparison.md");
  const json = join(dir, "policy-comparison.json");
  writeFileSync(markdown, formatPolicyComparison(c));
  writeFileSync(json, `${JSON.stringify(c, null, 1)}\n`);
  return { markdown, json };
}
