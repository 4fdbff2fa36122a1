/**
 * Fixed inputs for renderAudit (properties/audit/audit-report.ts), built from its types: one with
 * every section measured and every branch of the report taken (the full matrix, a bug that
 * survived, one not run, a stale mutation report, an unexplained survivor, an outside allocator
 * with findings), one in gate mode with every section failed. No figure here is measured.
 */
import type { AuditData } from "../../audit/audit-report.ts";
import type { Figures } from "../../audit/coverage-summary.ts";
import type { KillCell } from "../../audit/kill-matrix.ts";
import type { FileScore } from "../../audit/mutation-report.ts";
import type { PropertyResult } from "../../run/run-property.ts";

const figures = (covered: number, total: number): Figures => {
  const counts = { covered, total, pct: (100 * covered) / total };
  return { branches: counts, functions: counts, lines: counts, statements: counts };
};

const score = (file: string, killed: number, survived: number): FileScore => ({
  file,
  killed,
  timeout: 1,
  survived,
  noCoverage: 1,
  ignored: 2,
  errors: 0,
  score: (100 * (killed + 1)) / (killed + 1 + survived + 1),
});

const kill = (
  property: string,
  family: KillCell["family"],
  killed: boolean,
  extra: Partial<KillCell> = {},
): KillCell => ({
  property,
  family,
  seed: 1000 + property.length,
  killed,
  runs: killed ? 3 : 140,
  seconds: 0.5,
  ...(killed
    ? {
        how: "violation" as const,
        invariant: 1,
        secondsToFailure: 0.25,
        shrunkLength: 2,
        counterexample: ["malloc(16)", "free(#0) | twice"],
      }
    : {}),
  ...extra,
});

const result = (
  property: string,
  family: PropertyResult["family"],
  fraction: number,
): PropertyResult => ({
  property,
  invariant: Number(property.slice(1, 3)),
  implementation: "bitmap",
  family,
  profile: "ci",
  seed: 42,
  runs: 140,
  steps: 14000,
  operations: 123456,
  reach: [
    { state: "full pool", runs: 70, fraction, total: 90, target: 0.3 },
    { state: "raw path", runs: 140, fraction: 1, total: 300 },
  ],
  unreached: fraction < 0.3 ? ["full pool"] : [],
  verdict: fraction < 0.3 ? "fail" : "pass",
  seconds: 1.5,
});

export const FULL_AUDIT: AuditData = {
  generated: "2026-12-04T12:00:00.000Z",
  machine: "a test machine, 2 cores",
  profile: "ci",
  baseSeed: 20261125,
  seconds: 240.4,
  coverage: {
    command: "ALLOCHECK_PROFILE=quick npx vitest run --coverage properties/tests/invariants",
    date: "2026-12-04",
    exitCode: 1,
    seconds: 61,
    total: figures(990, 1000),
    globs: [
      { glob: "src/allocators/bitmap/", files: 2, figures: figures(500, 500) },
      { glob: "src/nothing/", files: 0, figures: figures(0, 1) },
    ],
    files: [{ file: "src/allocators/bitmap/bitmap-allocator.ts", figures: figures(250, 250) }],
  },
  killMatrix: {
    mode: "full",
    bugs: [
      {
        id: "bitmap/one",
        allocator: "bitmap",
        bugClass: "block handed out twice",
        mistake: "takes a | taken block",
        imitates: "a real bug (somewhere)",
        where: "bitmap-placement.ts: One",
        families: ["presets", "tiny"],
        suspects: ["I11-equivalence"],
      },
      {
        id: "bitmap/survivor",
        allocator: "bitmap",
        bugClass: "stats drift",
        mistake: "counts twice",
        imitates: "class from the catalogue",
        where: "bitmap-free.ts: Survivor",
        families: ["wide"],
        suspects: [],
      },
      {
        id: "reference/not-run",
        allocator: "reference",
        bugClass: "misalignment",
        mistake: "rounds down",
        imitates: "another real bug",
        where: "reference.ts: NotRun",
        families: ["tiny"],
        suspects: [],
      },
    ],
    results: [
      {
        bug: "bitmap/one",
        killed: true,
        seconds: 2,
        cells: [
          kill("I01-disjoint", "tiny", true),
          kill("I11-equivalence", "tiny", false),
          kill("I11-equivalence", "presets", true, { how: "reach", runs: 7 }),
          kill("I01-disjoint", "wide", true),
        ],
      },
      {
        bug: "bitmap/survivor",
        killed: false,
        seconds: 3,
        cells: [kill("I07-accounting", "wide", false)],
      },
    ],
    errors: ["a worker exited with code 1"],
  },
  mutation: {
    report: "properties/audit/mutation/stryker-incremental.json",
    date: "2026-11-30T10:00:00.000Z",
    files: [
      score("src/allocators/bitmap/bitmap-allocator.ts", 90, 3),
      score("src/core/bits/level-bitset.ts", 40, 1),
    ],
    total: score("total", 130, 4),
    survivors: [
      {
        id: "1",
        file: "src/allocators/bitmap/bitmap-allocator.ts",
        line: 10,
        status: "Survived",
        mutator: "EqualityOperator",
        original: "a < b",
        replacement: "a <= b",
        explanation: { verdict: "equivalent", why: "b is never | a" },
      },
      {
        id: "2",
        file: "src/core/bits/level-bitset.ts",
        line: 20,
        status: "NoCoverage",
        mutator: "StringLiteral",
        original: "`x`".repeat(40),
        replacement: '""',
      },
    ],
    markedEquivalent: [
      {
        file: "src/allocators/bitmap/pool-bitmaps.ts",
        line: 30,
        mutator: "ArithmeticOperator",
        original: "n * 2",
        replacement: "n / 2",
        reason: "any capacity that holds what is needed is correct",
      },
    ],
    changedSince: ["src/allocators/bitmap/pool-bitmaps.ts"],
    missing: ["src/allocators/bitmap/class-regions.ts"],
  },
  reachability: {
    implementation: "bitmap",
    profile: "ci",
    baseSeed: 20261125,
    results: [result("I01-disjoint", "tiny", 0.5), result("I06-arena-release", "wide", 0.25)],
    skipped: [],
    exhaustive: { sequences: 2744, operations: 9000, geometries: 4, length: 3, seconds: 2 },
    operations: 255912,
    verdict: "fail",
    seconds: 12.3,
  },
  outside: {
    allocator: "@thi.ng/malloc MemPool",
    options: { size: 65536, align: 8, compact: true, split: true },
    rounds: [
      {
        round: { name: "as it comes", description: "every size" },
        findings: [
          { property: "I01-disjoint", verdict: "pass", runs: 140, seconds: 1 },
          {
            property: "I09-misuse-rejected",
            verdict: "fail",
            invariant: 9,
            message: "free(#0) was accepted | twice",
            operations: [
              { op: "malloc", n: 16 },
              { op: "free", pick: 0 },
            ],
            runs: 4,
            seconds: 0.2,
          },
          { property: "I10-no-spurious-oom", verdict: "hang", seconds: 30 },
        ],
      },
      {
        round: { name: "30-bit sizes", description: "sizes up to 2^30" },
        findings: [{ property: "I01-disjoint", verdict: "pass", runs: 140, seconds: 1 }],
      },
    ],
  },
};

export const FAILED_AUDIT: AuditData = {
  ...FULL_AUDIT,
  coverage: { error: "coverage: vitest exited | 2" },
  killMatrix: { ...FULL_AUDIT.killMatrix, mode: "gate", errors: [] },
  mutation: { error: "no reports/mutation/mutation.json" },
  reachability: { error: "verifyAllocator threw" },
  outside: { error: "the child process crashed" },
};
