/**
 * Coverage of src/ by the property suites alone (spec/coverage.md §1), for the audit: runs the
 * command coverage.md fixes and reads istanbul's json-summary (reports/coverage/coverage-summary.json)
 * into per-file and per-glob figures (the globs of coverage.md §2).
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { relative, resolve } from "node:path";

export const COVERAGE_COMMAND =
  "ALLOCHECK_PROFILE=quick npx vitest run --coverage properties/tests/invariants properties/tests/exhaustive.test.ts";
export const COVERAGE_SUMMARY = "reports/coverage/coverage-summary.json";

/** The globs of spec/coverage.md §2 (each glob's files counted together), then everything else. */
export const COVERAGE_GLOBS = [
  {
    glob: "src/allocators/reference/**",
    test: (f: string) => f.startsWith("src/allocators/reference/"),
  },
  { glob: "src/allocators/bitmap/**", test: (f: string) => f.startsWith("src/allocators/bitmap/") },
  { glob: "src/core/bits/**", test: (f: string) => f.startsWith("src/core/bits/") },
  {
    glob: "src/core/misuse.ts, src/core/address-space.ts, src/core/stats.ts, src/core/integrity.ts, src/core/typed-growth.ts",
    test: (f: string) =>
      [
        "src/core/misuse.ts",
        "src/core/address-space.ts",
        "src/core/stats.ts",
        "src/core/integrity.ts",
        "src/core/typed-growth.ts",
      ].includes(f),
  },
  { glob: "the rest of src/ (cpython/, geometry, …)", test: (_: string) => true },
] as const;

export const METRICS = ["branches", "functions", "lines", "statements"] as const;
export type Metric = (typeof METRICS)[number];

export interface Counts {
  readonly covered: number;
  readonly total: number;
  readonly pct: number;
}

export type Figures = Record<Metric, Counts>;

export interface CoverageSection {
  readonly command: string;
  readonly date: string;
  /** The run's exit code (non-zero when a threshold of vitest.config.ts is missed). */
  readonly exitCode: number | null;
  readonly seconds: number;
  readonly total: Figures;
  readonly globs: readonly {
    readonly glob: string;
    readonly files: number;
    readonly figures: Figures;
  }[];
  readonly files: readonly { readonly file: string; readonly figures: Figures }[];
}

/** Runs the properties-only coverage command, then reads its summary. */
export function measureCoverage(root: string): CoverageSection | { readonly error: string } {
  const started = performance.now();
  const run = spawnSync(
    "npx",
    [
      "vitest",
      "run",
      "--coverage",
      "properties/tests/invariants",
      "properties/tests/exhaustive.test.ts",
    ],
    {
      cwd: root,
      env: { ...process.env, ALLOCHECK_PROFILE: "quick" },
      encoding: "utf8",
      maxBuffer: 1 << 28,
    },
  );
  const seconds = (performance.now() - started) / 1000;
  const section = readCoverage(root, run.status, seconds);
  if ("error" in section)
    return {
      error: `${section.error}\n${(run.stderr || run.stdout).split("\n").slice(-8).join("\n")}`,
    };
  return section;
}

export function readCoverage(
  root: string,
  exitCode: number | null,
  seconds: number,
): CoverageSection | { readonly error: string } {
  const path = resolve(root, COVERAGE_SUMMARY);
  if (!existsSync(path))
    return { error: `${COVERAGE_SUMMARY} is missing; run: ${COVERAGE_COMMAND}` };
  const raw = JSON.parse(readFileSync(path, "utf8")) as Record<
    string,
    Record<Metric, { covered: number; total: number; pct: number }>
  >;
  const files = Object.entries(raw)
    .filter(([key]) => key !== "total")
    .map(([key, value]) => ({ file: relative(root, key), figures: figuresOf([value]) }))
    .sort((a, b) => a.file.localeCompare(b.file));
  const claimed = new Set<string>();
  const globs = COVERAGE_GLOBS.map(({ glob, test }) => {
    const mine = files.filter((f) => !claimed.has(f.file) && test(f.file));
    for (const f of mine) claimed.add(f.file);
    return { glob, files: mine.length, figures: figuresOf(mine.map((f) => toRaw(f.figures))) };
  });
  return {
    command: COVERAGE_COMMAND,
    date: statSync(path).mtime.toISOString(),
    exitCode,
    seconds,
    total: figuresOf([raw.total!]),
    globs,
    files,
  };
}

function toRaw(f: Figures): Record<Metric, { covered: number; total: number }> {
  return f;
}

function figuresOf(parts: readonly Record<Metric, { covered: number; total: number }>[]): Figures {
  const out = {} as Record<Metric, Counts>;
  for (const metric of METRICS) {
    const covered = parts.reduce((s, p) => s + p[metric].covered, 0);
    const total = parts.reduce((s, p) => s + p[metric].total, 0);
    out[metric] = { covered, total, pct: total === 0 ? 100 : (100 * covered) / total };
  }
  return out;
}
