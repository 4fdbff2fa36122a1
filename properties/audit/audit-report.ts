/**
 * reports/audit.md from the audit's figures (audit-main.ts): the headline first, a person reads
 * it in a minute; then the details behind each number (spec/audit.md says what each measures).
 */
import { GEOMETRY_FAMILIES, type GeometryFamily } from "../generators/geometry.ts";
import { formatOp } from "../model/ops.ts";
import { PROPERTIES } from "../properties.ts";
import type { VerifyReport } from "../verify-allocator.ts";
import type { CoverageSection } from "./coverage-summary.ts";
import { median, propertyOrder, type BugResult, type KillCell } from "./kill-matrix.ts";
import type { MutationSection } from "./mutation-report.ts";
import type { OutsideAudit } from "./outside-allocator.ts";
import type { RealAllocatorsAudit } from "./real-allocators.ts";
import { realAllocatorsRow, realAllocatorsSection } from "./real-allocators-report.ts";
import type { SeededBug } from "./seeded-bugs/catalogue.ts";

type Failed = { readonly error: string };

export interface AuditData {
  readonly generated: string;
  readonly machine: string;
  readonly profile: string;
  readonly baseSeed: number;
  readonly seconds: number;
  readonly coverage: CoverageSection | Failed;
  readonly killMatrix: {
    readonly mode: "gate" | "full";
    readonly bugs: readonly Omit<SeededBug, "make">[];
    readonly results: readonly BugResult[];
    readonly errors?: readonly string[];
  };
  readonly mutation: MutationSection | Failed;
  readonly reachability: VerifyReport | Failed;
  readonly outside: OutsideAudit | Failed;
  /** The production allocators (real-allocators-report.ts renders them). */
  readonly realAllocators?: RealAllocatorsAudit | Failed;
}

const pct = (x: number) => `${x.toFixed(1)}%`;
const ms = (seconds: number) =>
  seconds < 1 ? `${(seconds * 1000).toFixed(0)} ms` : `${seconds.toFixed(1)} s`;
const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");
const code = (text: string) => `\`${text.replace(/`/g, "'").replace(/\|/g, "\\|")}\``;
const failed = (x: object): x is Failed => "error" in x;
const FAMILY_LETTER: Record<GeometryFamily, string> = { tiny: "t", presets: "p", wide: "w" };

/** What the mutation report does not cover of the current code, or "" when it is current. */
function staleness(m: MutationSection): string {
  const parts = [
    ...(m.changedSince.length > 0 ? [`changed since the run: ${m.changedSince.join(", ")}`] : []),
    ...(m.missing.length > 0 ? [`not in the report: ${m.missing.join(", ")}`] : []),
  ];
  return parts.join("; ");
}

/** The first kill in the gate's order: the bug's families (tiny, wide, presets), its suspects first. */
export function firstKill(bug: Omit<SeededBug, "make">, result: BugResult): KillCell | undefined {
  const order = propertyOrder(bug as SeededBug).map((p) => p.id);
  const families: GeometryFamily[] = (["tiny", "wide", "presets"] as const).filter((f) =>
    bug.families.includes(f),
  );
  for (const family of families) {
    for (const property of order) {
      const c = result.cells.find((x) => x.family === family && x.property === property);
      if (c?.killed) return c;
    }
  }
  return result.cells.find((c) => c.killed);
}

interface KillFigures {
  readonly bugs: number;
  readonly killed: number;
  readonly byAllocator: string;
  readonly firsts: readonly KillCell[];
  readonly medianRuns: number;
  readonly medianSeconds: number;
  readonly medianShrunk: number;
  readonly cells: number;
  readonly killingCells: number;
  readonly allMedianSeconds: number;
  readonly allMedianShrunk: number;
}

function killFigures(k: AuditData["killMatrix"]): KillFigures {
  const firsts: KillCell[] = [];
  let killed = 0;
  const per = new Map<string, [number, number]>();
  for (const bug of k.bugs) {
    const result = k.results.find((r) => r.bug === bug.id);
    const [a, b] = per.get(bug.allocator) ?? [0, 0];
    const first = result ? firstKill(bug, result) : undefined;
    if (first) {
      killed++;
      firsts.push(first);
    }
    per.set(bug.allocator, [a + Number(first !== undefined), b + 1]);
  }
  const all = k.results.flatMap((r) => r.cells);
  const kills = all.filter((c) => c.killed);
  const shrunk = (cells: readonly KillCell[]) =>
    cells.flatMap((c) => (c.shrunkLength !== undefined ? [c.shrunkLength] : []));
  return {
    bugs: k.bugs.length,
    killed,
    byAllocator: [...per].map(([name, [a, b]]) => `${a}/${b} ${name}`).join(", "),
    firsts,
    medianRuns: median(firsts.map((c) => c.runs)),
    medianSeconds: median(firsts.map((c) => c.secondsToFailure!)),
    medianShrunk: median(shrunk(firsts)),
    cells: all.length,
    killingCells: kills.length,
    allMedianSeconds: median(kills.map((c) => c.secondsToFailure!)),
    allMedianShrunk: median(shrunk(kills)),
  };
}

function coverageLine(c: CoverageSection): string {
  return c.globs
    .filter((g) => g.files > 0)
    .map(
      (g) =>
        `${g.glob}: branches ${pct(g.figures.branches.pct)}, lines ${pct(g.figures.lines.pct)}`,
    )
    .join("; ");
}

function reachFigures(v: VerifyReport) {
  const rows = v.results.flatMap((r) =>
    r.reach
      .filter((x) => x.target !== undefined)
      .map((x) => ({ r, x, margin: x.fraction - x.target! })),
  );
  const tightest = [...rows].sort((a, b) => a.margin - b.margin)[0];
  return {
    results: v.results.length,
    passed: v.results.filter((r) => r.verdict === "pass").length,
    targets: rows.length,
    met: rows.filter((x) => x.margin >= 0).length,
    tightest,
  };
}

/**
 * reports/audit.md: the title, the headline (one row per measure), a section per measure, and how
 * to reproduce it. Each part returns its lines; a section ends with its blank line.
 */
export function renderAudit(d: AuditData): string {
  return [
    ...titleLines(d),
    ...headlineSection(d),
    ...coverageSection(d.coverage),
    ...killMatrixSection(d.killMatrix),
    ...mutationSection(d.mutation),
    ...reachabilitySection(d.reachability),
    ...outsideSection(d.outside),
    ...(d.realAllocators !== undefined ? realAllocatorsSection(d.realAllocators) : []),
    ...reproduceSection(),
  ].join("\n");
}

function titleLines(d: AuditData): string[] {
  return [
    "# allocheck audit",
    "",
    `Generated ${d.generated} by \`npm run audit\` in ${d.seconds.toFixed(0)} s on ${d.machine}; profile ${d.profile}, ALLOCHECK_SEED=${d.baseSeed}. What each number measures: [spec/audit.md](../spec/audit.md).`,
    "",
  ];
}

// ── Headline: one row per measure ─────────────────────────────────────────────────────────

function headlineSection(d: AuditData): string[] {
  return [
    "## Headline",
    "",
    "| Measure | Result |",
    "|---|---|",
    coverageRow(d.coverage),
    ...killRows(d.killMatrix),
    mutationRow(d.mutation),
    reachabilityRow(d.reachability),
    outsideRow(d.outside),
    ...(d.realAllocators !== undefined ? [realAllocatorsRow(d.realAllocators)] : []),
    "",
  ];
}

function coverageRow(c: AuditData["coverage"]): string {
  return `| Coverage of \`src/\` by the property suites alone (quick profile) | ${failed(c) ? cell(c.error) : cell(coverageLine(c))} |`;
}

function killRows(matrix: AuditData["killMatrix"]): string[] {
  const k = killFigures(matrix);
  return [
    `| Seeded bugs killed by the ci profile | **${k.killed}/${k.bugs}** (${k.byAllocator}); first kill per bug: median **${k.medianRuns} run(s)** and **${ms(k.medianSeconds)}** to the first failure, shrunk to a median of **${k.medianShrunk} step(s)** |`,
    ...(matrix.mode === "full"
      ? [
          `| Full kill matrix (property × family × bug) | ${k.killingCells} of ${k.cells} cells kill; over every killing cell: median ${ms(k.allMedianSeconds)} to the first failure, shrunk to ${k.allMedianShrunk} step(s) |`,
        ]
      : []),
  ];
}

function mutationRow(m: AuditData["mutation"]): string {
  if (failed(m)) return `| Mutation score, bitmap allocator | not measured: ${cell(m.error)} |`;
  // A score of other code is no score of this code (spec/audit.md §3): name what changed instead.
  if (staleness(m) !== "")
    return `| Mutation score (Stryker) | **stale: ${staleness(m)}** (\`npm run mutation\` measures them again, incrementally) |`;
  const bitmapOnly = m.files.filter((f) => f.file.startsWith("src/allocators/bitmap/"));
  const bm = bitmapOnly.reduce(
    (s, f) => ({
      d: s.d + f.killed + f.timeout,
      v: s.v + f.killed + f.timeout + f.survived + f.noCoverage,
    }),
    { d: 0, v: 0 },
  );
  const kinds = ["equivalent", "same verdict", "killed by hand", "not killed"] as const;
  const counted = kinds.map(
    (k) => `${m.survivors.filter((s) => s.explanation?.verdict === k).length} ${k}`,
  );
  const unexplained = m.survivors.filter((s) => s.explanation === undefined).length;
  const t = m.total;
  const detected = t.killed + t.timeout;
  const valid = detected + t.survived + t.noCoverage;
  return (
    `| Mutation score (Stryker, ${m.date.slice(0, 10)}) | **${pct(t.score)}** over ${m.files.length} files (${detected} of ${valid} mutants detected; src/allocators/bitmap/ alone ${pct(bm.v === 0 ? 100 : (100 * bm.d) / bm.v)}); ${m.survivors.length} survivors: ${counted.join(", ")}${unexplained > 0 ? `, **${unexplained} unexplained**` : ""} (what each verdict means: §3); ` +
    `${m.markedEquivalent.length} more marked equivalent in the source and left out of the score (counted as survivors: ${pct((100 * detected) / (valid + m.markedEquivalent.length))}) (§3) |`
  );
}

function reachabilityRow(v: AuditData["reachability"]): string {
  if (failed(v)) return `| Reachability (bitmap, ci) | not measured: ${cell(v.error)} |`;
  const r = reachFigures(v);
  const t = r.tightest;
  return `| Reachability (bitmap, verifyAllocator, ci) | ${r.passed}/${r.results} property × family runs pass; ${r.met}/${r.targets} state targets met${t ? `; tightest: ${t.r.property} ${t.r.family}, "${t.x.state}" in ${pct(100 * t.x.fraction)} of runs (target ${pct(100 * t.x.target!)})` : ""}${v.exhaustive ? `; bounded-exhaustive: ${v.exhaustive.sequences.toLocaleString("en-US")} sequences` : ""} |`;
}

function outsideRow(o: AuditData["outside"]): string {
  if (failed(o)) return `| Outside allocator | not run: ${cell(o.error)} |`;
  const parts = o.rounds.map((r) => {
    const bad = r.findings.filter((f) => f.verdict !== "pass");
    return `${r.round.name}: ${bad.length === 0 ? "all pass" : bad.map((f) => `${f.property.slice(0, 3)} ${f.verdict}`).join(", ")}`;
  });
  return `| Outside allocator (${o.allocator}) | ${parts.join("; ")} (§5) |`;
}

// ── 1 coverage ────────────────────────────────────────────────────────────────────────────

function coverageSection(c: AuditData["coverage"]): string[] {
  return [
    "## 1. Coverage of src/ by the properties alone",
    "",
    ...(failed(c) ? [c.error] : coverageTable(c)),
    "",
  ];
}

function coverageTable(c: CoverageSection): string[] {
  const f = (x: { covered: number; total: number; pct: number }) =>
    `${x.covered}/${x.total} (${pct(x.pct)})`;
  const row = (name: string, figures: CoverageSection["total"]) =>
    `| ${name} | ${f(figures.branches)} | ${f(figures.functions)} | ${f(figures.lines)} | ${f(figures.statements)} |`;
  return [
    `\`${c.command}\` (${c.date}${c.seconds > 0 ? `, ${c.seconds.toFixed(0)} s` : ", last summary read"}${c.exitCode !== null && c.exitCode !== 0 ? `, exit ${c.exitCode}: a threshold of vitest.config.ts was missed` : ""}). Unreachable code is excluded with reasons (spec/coverage.md §3).`,
    "",
    "| Glob / file | Branches | Functions | Lines | Statements |",
    "|---|---:|---:|---:|---:|",
    ...c.globs.filter((g) => g.files > 0).map((g) => row(`**${g.glob}**`, g.figures)),
    ...c.files.map((file) => row(file.file, file.figures)),
  ];
}

// ── 2 kill matrix ─────────────────────────────────────────────────────────────────────────

function killMatrixSection(k: AuditData["killMatrix"]): string[] {
  return [
    "## 2. Seeded bugs and the kill matrix",
    "",
    "Each seeded bug (properties/audit/seeded-bugs/) is the shipped allocator with one method overridden by a copy that has exactly one mistake, marked `BUG:`. " +
      "\"First kill\" is the first killing property in the gate's order (properties/tests/kill-matrix.test.ts): the bug's geometry families tiny, wide, presets; its suspect properties first, then the rest. " +
      "Runs and time are to the first failing run (before shrinking); the counterexample is fast-check's shrunk one.",
    "",
    ...firstKillTable(k),
    "",
    ...(k.mode === "full"
      ? fullMatrixGrid(k)
      : [
          "(Gate mode: only the first killing property per family ran; `npm run audit` without `--matrix gate` runs every cell.)",
        ]),
    ...(k.errors ?? []).map((e) => `Error: ${e}`),
    "",
  ];
}

/** Per bug: its first kill in the gate's order, with the figures a CI failure would show. */
function firstKillTable(k: AuditData["killMatrix"]): string[] {
  const rows = k.bugs.map((bug) => {
    const result = k.results.find((r) => r.bug === bug.id);
    const first = result ? firstKill(bug, result) : undefined;
    const kill = first
      ? `${first.property} (${first.family}, seed ${first.seed})${first.how === "violation" ? `: invariant ${first.invariant}` : ": target states too rare"}`
      : result
        ? "**SURVIVED**"
        : "not run";
    return `| ${code(bug.id)}: ${cell(bug.mistake)} | ${bug.bugClass} | ${kill} | ${first?.runs ?? ""} | ${first ? ms(first.secondsToFailure!) : ""} | ${first?.shrunkLength ?? ""} | ${first?.counterexample ? cell(first.counterexample.join(", ")) : ""} | ${cell(bug.imitates)} |`;
  });
  return [
    "| Bug | Class | First kill | Runs | Time | Shrunk | Counterexample | Imitates |",
    "|---|---|---|---:|---:|---:|---|---|",
    ...rows,
  ];
}

/** The full matrix: per bug and property, the families (t, w, p) in which the property kills. */
function fullMatrixGrid(k: AuditData["killMatrix"]): string[] {
  const rows = k.bugs.map((bug) => {
    const result = k.results.find((r) => r.bug === bug.id);
    const row = PROPERTIES.map((p) => {
      const letters = GEOMETRY_FAMILIES.filter((f) =>
        result?.cells.some((c) => c.property === p.id && c.family === f && c.killed),
      ).map((f) => FAMILY_LETTER[f]);
      return letters.length > 0 ? letters.sort().join("") : "·";
    });
    return `| ${code(bug.id)} | ${row.join(" | ")} |`;
  });
  return [
    `The full matrix: which families (t tiny, w wide, p presets) each property kills each bug in; · none. Every cell is the ci profile (${PROPERTIES.length} properties × ${GEOMETRY_FAMILIES.length} families × ${k.bugs.length} bugs).`,
    "",
    `| Bug | ${PROPERTIES.map((p) => p.id.slice(0, 3)).join(" | ")} |`,
    `|---|${PROPERTIES.map(() => ":-:").join("|")}|`,
    ...rows,
    "",
  ];
}

// ── 3 mutation ────────────────────────────────────────────────────────────────────────────

function mutationSection(m: AuditData["mutation"]): string[] {
  if (failed(m)) return ["## 3. Mutation testing (StrykerJS)", "", m.error, ""];
  return [
    "## 3. Mutation testing (StrykerJS)",
    "",
    `\`npm run mutation\` (stryker.config.json, properties/audit/mutation/), results ${m.report} of ${m.date}. Score = (killed + timed out) / (killed + timed out + survived + no coverage).`,
    "",
    ...(staleness(m) !== ""
      ? [
          `**stale: ${staleness(m)}.** The figures below are of the code Stryker ran on, not of the code as it is; \`npm run mutation\` brings them up to date.`,
          "",
        ]
      : []),
    ...mutationScoreTable(m),
    ...markedEquivalentTable(m),
    ...survivorTable(m),
  ];
}

function mutationScoreTable(m: MutationSection): string[] {
  return [
    "| File | Killed | Timeout | Survived | No coverage | Ignored | Errors | Score |",
    "|---|---:|---:|---:|---:|---:|---:|---:|",
    ...[...m.files, m.total].map(
      (f) =>
        `| ${f.file === "total" ? "**total**" : f.file} | ${f.killed} | ${f.timeout} | ${f.survived} | ${f.noCoverage} | ${f.ignored} | ${f.errors} | ${pct(f.score)} |`,
    ),
    "",
  ];
}

function markedEquivalentTable(m: MutationSection): string[] {
  if (m.markedEquivalent.length === 0) return [];
  return [
    `Marked equivalent in the source (${m.markedEquivalent.length}): each is a \`// Stryker disable next-line <mutator>: equivalent: <reason>\` comment on a line where every mutant of that mutator behaves as the original through the API (a fast path whose slow path gives the same answer, an idempotent update, a guard the next test repeats). Stryker reports them "Ignored" and leaves them out of the score; the headline also gives the score with them counted as survivors.`,
    "",
    "| Where | Mutator | Original → mutant | Why it is equivalent |",
    "|---|---|---|---|",
    ...m.markedEquivalent.map(
      (e) =>
        `| ${e.file}:${e.line} | ${e.mutator} | ${code(e.original.slice(0, 100))} → ${code(e.replacement.slice(0, 100))} | ${cell(e.reason)} |`,
    ),
    "",
  ];
}

function survivorTable(m: MutationSection): string[] {
  if (m.survivors.length === 0) return [];
  return [
    "Every survivor: the original code, the mutant, and why it survives (properties/audit/mutation-survivors.ts). **equivalent**: no call through the API tells it from the original; **same verdict**: a mutant of check() that throws exactly when the original does, on corrupted heaps too, and changes only the messages; **killed by hand**: the named test fails against it when the mutant is applied by hand, though Stryker reported it survived; **not killed**: a test could tell it apart and none does yet.",
    "",
    "| Where | Mutator | Original → mutant | Verdict: why |",
    "|---|---|---|---|",
    ...m.survivors.map((s) => {
      const why = s.explanation
        ? `${s.explanation.verdict}: ${s.explanation.why}`
        : "**unexplained**";
      return `| ${s.file}:${s.line}${s.status === "NoCoverage" ? " (no coverage)" : ""} | ${s.mutator} | ${code(s.original.slice(0, 100))} → ${code(s.replacement.slice(0, 100))} | ${cell(why)} |`;
    }),
    "",
  ];
}

// ── 4 reachability ────────────────────────────────────────────────────────────────────────

function reachabilitySection(v: AuditData["reachability"]): string[] {
  return [
    "## 4. Reachability (the bitmap allocator, verifyAllocator, ci profile)",
    "",
    ...(failed(v) ? [v.error] : reachabilityTable(v)),
    "",
  ];
}

function reachabilityTable(v: VerifyReport): string[] {
  const rows = v.results.map((r) => {
    const states = r.reach
      .map(
        (x) =>
          `${x.state} ${(100 * x.fraction).toFixed(0)}%${x.target !== undefined ? ` [${(100 * x.target).toFixed(0)}%]` : ""}`,
      )
      .join(", ");
    return `| ${r.property} | ${r.family} | ${r.runs} | ${r.verdict} | ${cell(states)} |`;
  });
  return [
    `Share of runs that reached each state (target in brackets; a property fails below its target). ${v.results.length} property × family runs, ${v.operations.toLocaleString("en-US")} operations checked in ${v.seconds.toFixed(0)} s.`,
    "",
    "| Property | Family | Runs | Verdict | States reached (share of runs [target]) |",
    "|---|---|---:|---|---|",
    ...rows,
    ...(v.exhaustive
      ? [
          `\nBounded-exhaustive: ${v.exhaustive.sequences.toLocaleString("en-US")} sequences of up to ${v.exhaustive.length} operations on ${v.exhaustive.geometries} tiny geometries, ${v.exhaustive.failure ? "FAILED" : "every invariant held"}.`,
        ]
      : []),
  ];
}

// ── 5 outside ─────────────────────────────────────────────────────────────────────────────

function outsideSection(o: AuditData["outside"]): string[] {
  return ["## 5. An outside allocator", "", ...(failed(o) ? [o.error] : outsideRounds(o)), ""];
}

function outsideRounds(o: OutsideAudit): string[] {
  return [
    `${o.allocator} (${JSON.stringify(o.options)}) through the properties that apply to a general allocator, each in a child process with a deadline (a hang is a finding), ci profile, tiny family. Rounds narrow the generators to look past the previous round's findings (properties/audit/outside-allocator.ts).`,
    "",
    ...o.rounds.flatMap(({ round, findings }) => [
      `**Round "${round.name}"**: ${round.description}.`,
      "",
      "| Property | Verdict | Runs | Shrunk counterexample | Finding |",
      "|---|---|---:|---|---|",
      ...findings.map(
        (f) =>
          `| ${f.property} | ${f.verdict} | ${f.runs ?? ""} | ${f.operations ? cell(f.operations.map(formatOp).join(", ")) : ""} | ${f.message ? cell(f.message.slice(0, 400)) : ""} |`,
      ),
      "",
    ]),
    "What the findings mean (MemPool's source, node_modules/@thi.ng/malloc/pool.js, version 6.1.150): block sizes live in a Uint32Array (`setBlockSize`, `this.u32[…] = size`), so sizes of 2^31 and above wrap and `malloc(2^40)` returns a block that lies outside the pool (invariants 2, 8) and an invalid size is accepted (9); " +
      "`reallocBlock` frees the old block of a moved realloc with `this.free(block)`, its header address, and `free` subtracts the header again (`__blockSelfAddress`), finds no such used block and returns false, so the old block is never freed: its pointer can be freed a second time (9) and memory runs out early (10); " +
      "once a bad size has corrupted the heap, calls hand out live blocks (1) or loop forever (the hangs).",
  ];
}

function reproduceSection(): string[] {
  return [
    "## Reproduce",
    "",
    "```sh",
    "npm run audit                                  # this report (reads the last mutation report)",
    "npx vitest run properties/tests/kill-matrix.test.ts   # the kill-matrix gate (part of npm test)",
    "npm run mutation                               # Stryker, incremental (its results: stryker.config.json incrementalFile)",
    "```",
    "",
  ];
}
