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
}

const pct = (x: number) => `${x.toFixed(1)}%`;
const ms = (seconds: number) =>
  seconds < 1 ? `${(seconds * 1000).toFixed(0)} ms` : `${seconds.toFixed(1)} s`;
const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");
const code = (text: string) => `\`${text.replace(/`/g, "'").replace(/\|/g, "\\|")}\``;
const failed = (x: object): x is Failed => "error" in x;
const FAMILY_LETTER: Record<GeometryFamily, string> = { tiny: "t", presets: "p", wide: "w" };

/** The first kill in the gate's order: the bug's families (tiny, wide, presets), its suspects first. */
/** What the mutation report does not cover of the current code, or "" when it is current. */
function staleness(m: MutationSection): string {
  const parts = [
    ...(m.changedSince.length > 0 ? [`changed since the run: ${m.changedSince.join(", ")}`] : []),
    ...(m.missing.length > 0 ? [`not in the report: ${m.missing.join(", ")}`] : []),
  ];
  return parts.join("; ");
}

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

export function renderAudit(d: AuditData): string {
  const out: string[] = [];
  const line = (s = "") => out.push(s);
  const k = killFigures(d.killMatrix);

  line("# allocheck audit");
  line();
  line(
    `Generated ${d.generated} by \`npm run audit\` in ${d.seconds.toFixed(0)} s on ${d.machine}; profile ${d.profile}, ALLOCHECK_SEED=${d.baseSeed}. What each number measures: [spec/audit.md](../spec/audit.md).`,
  );
  line();
  line("## Headline");
  line();
  line("| Measure | Result |");
  line("|---|---|");
  line(
    `| Coverage of \`src/\` by the property suites alone (quick profile) | ${failed(d.coverage) ? cell(d.coverage.error) : cell(coverageLine(d.coverage))} |`,
  );
  line(
    `| Seeded bugs killed by the ci profile | **${k.killed}/${k.bugs}** (${k.byAllocator}); first kill per bug: median **${k.medianRuns} run(s)** and **${ms(k.medianSeconds)}** to the first failure, shrunk to a median of **${k.medianShrunk} step(s)** |`,
  );
  if (d.killMatrix.mode === "full") {
    line(
      `| Full kill matrix (property × family × bug) | ${k.killingCells} of ${k.cells} cells kill; over every killing cell: median ${ms(k.allMedianSeconds)} to the first failure, shrunk to ${k.allMedianShrunk} step(s) |`,
    );
  }
  if (failed(d.mutation))
    line(`| Mutation score, bitmap allocator | not measured: ${cell(d.mutation.error)} |`);
  else {
    const m = d.mutation;
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
    line(
      `| Mutation score (Stryker, ${m.date.slice(0, 10)}) | **${pct(t.score)}** over ${m.files.length} files (${detected} of ${valid} mutants detected; src/allocators/bitmap/ alone ${pct(bm.v === 0 ? 100 : (100 * bm.d) / bm.v)}); ${m.survivors.length} survivors: ${counted.join(", ")}${unexplained > 0 ? `, **${unexplained} unexplained**` : ""} (what each verdict means: §3); ` +
        `${m.markedEquivalent.length} more marked equivalent in the source and left out of the score (counted as survivors: ${pct((100 * detected) / (valid + m.markedEquivalent.length))}) (§3)${staleness(m) === "" ? "" : `; **${staleness(m)}**`} |`,
    );
  }
  if (failed(d.reachability))
    line(`| Reachability (bitmap, ci) | not measured: ${cell(d.reachability.error)} |`);
  else {
    const r = reachFigures(d.reachability);
    const t = r.tightest;
    line(
      `| Reachability (bitmap, verifyAllocator, ci) | ${r.passed}/${r.results} property × family runs pass; ${r.met}/${r.targets} state targets met${t ? `; tightest: ${t.r.property} ${t.r.family}, "${t.x.state}" in ${pct(100 * t.x.fraction)} of runs (target ${pct(100 * t.x.target!)})` : ""}${d.reachability.exhaustive ? `; bounded-exhaustive: ${d.reachability.exhaustive.sequences.toLocaleString("en-US")} sequences` : ""} |`,
    );
  }
  if (failed(d.outside)) line(`| Outside allocator | not run: ${cell(d.outside.error)} |`);
  else {
    const parts = d.outside.rounds.map((r) => {
      const bad = r.findings.filter((f) => f.verdict !== "pass");
      return `${r.round.name}: ${bad.length === 0 ? "all pass" : bad.map((f) => `${f.property.slice(0, 3)} ${f.verdict}`).join(", ")}`;
    });
    line(`| Outside allocator (${d.outside.allocator}) | ${parts.join("; ")} (§5) |`);
  }
  line();

  // ── 1 coverage ───────────────────────────────────────────────────────────────────────
  line("## 1. Coverage of src/ by the properties alone");
  line();
  if (failed(d.coverage)) line(d.coverage.error);
  else {
    const c = d.coverage;
    line(
      `\`${c.command}\` (${c.date}${c.seconds > 0 ? `, ${c.seconds.toFixed(0)} s` : ", last summary read"}${c.exitCode !== null && c.exitCode !== 0 ? `, exit ${c.exitCode}: a threshold of vitest.config.ts was missed` : ""}). Unreachable code is excluded with reasons (spec/coverage.md §3).`,
    );
    line();
    line("| Glob / file | Branches | Functions | Lines | Statements |");
    line("|---|---:|---:|---:|---:|");
    const f = (x: { covered: number; total: number; pct: number }) =>
      `${x.covered}/${x.total} (${pct(x.pct)})`;
    for (const g of c.globs.filter((g) => g.files > 0))
      line(
        `| **${g.glob}** | ${f(g.figures.branches)} | ${f(g.figures.functions)} | ${f(g.figures.lines)} | ${f(g.figures.statements)} |`,
      );
    for (const file of c.files)
      line(
        `| ${file.file} | ${f(file.figures.branches)} | ${f(file.figures.functions)} | ${f(file.figures.lines)} | ${f(file.figures.statements)} |`,
      );
  }
  line();

  // ── 2 kill matrix ────────────────────────────────────────────────────────────────────
  line("## 2. Seeded bugs and the kill matrix");
  line();
  line(
    "Each seeded bug (properties/audit/seeded-bugs/) is the shipped allocator with one method overridden by a copy that has exactly one mistake, marked `BUG:`. " +
      "\"First kill\" is the first killing property in the gate's order (properties/tests/kill-matrix.test.ts): the bug's geometry families tiny, wide, presets; its suspect properties first, then the rest. " +
      "Runs and time are to the first failing run (before shrinking); the counterexample is fast-check's shrunk one.",
  );
  line();
  line("| Bug | Class | First kill | Runs | Time | Shrunk | Counterexample | Imitates |");
  line("|---|---|---|---:|---:|---:|---|---|");
  for (const bug of d.killMatrix.bugs) {
    const result = d.killMatrix.results.find((r) => r.bug === bug.id);
    const first = result ? firstKill(bug, result) : undefined;
    const kill = first
      ? `${first.property} (${first.family}, seed ${first.seed})${first.how === "violation" ? `: invariant ${first.invariant}` : ": target states too rare"}`
      : result
        ? "**SURVIVED**"
        : "not run";
    line(
      `| ${code(bug.id)}: ${cell(bug.mistake)} | ${bug.bugClass} | ${kill} | ${first?.runs ?? ""} | ${first ? ms(first.secondsToFailure!) : ""} | ${first?.shrunkLength ?? ""} | ${first?.counterexample ? cell(first.counterexample.join(", ")) : ""} | ${cell(bug.imitates)} |`,
    );
  }
  line();
  if (d.killMatrix.mode === "full") {
    line(
      `The full matrix: which families (t tiny, w wide, p presets) each property kills each bug in; · none. Every cell is the ci profile (${PROPERTIES.length} properties × ${GEOMETRY_FAMILIES.length} families × ${d.killMatrix.bugs.length} bugs).`,
    );
    line();
    line(`| Bug | ${PROPERTIES.map((p) => p.id.slice(0, 3)).join(" | ")} |`);
    line(`|---|${PROPERTIES.map(() => ":-:").join("|")}|`);
    for (const bug of d.killMatrix.bugs) {
      const result = d.killMatrix.results.find((r) => r.bug === bug.id);
      const row = PROPERTIES.map((p) => {
        const letters = GEOMETRY_FAMILIES.filter((f) =>
          result?.cells.some((c) => c.property === p.id && c.family === f && c.killed),
        ).map((f) => FAMILY_LETTER[f]);
        return letters.length > 0 ? letters.sort().join("") : "·";
      });
      line(`| ${code(bug.id)} | ${row.join(" | ")} |`);
    }
    line();
  } else
    line(
      "(Gate mode: only the first killing property per family ran; `npm run audit` without `--matrix gate` runs every cell.)",
    );
  for (const e of d.killMatrix.errors ?? []) line(`Error: ${e}`);
  line();

  // ── 3 mutation ───────────────────────────────────────────────────────────────────────
  line("## 3. Mutation testing (StrykerJS)");
  line();
  if (failed(d.mutation)) line(d.mutation.error);
  else {
    const m = d.mutation;
    line(
      `\`npm run mutation\` (stryker.config.json, vitest.mutation.config.ts), last report ${m.report} of ${m.date}. Score = (killed + timed out) / (killed + timed out + survived + no coverage).`,
    );
    line();
    if (staleness(m) !== "") {
      line(
        `**The report is older than the code: ${staleness(m)}.** Its figures for those files are of the code it ran on; \`npm run mutation\` brings them up to date.`,
      );
      line();
    }
    line("| File | Killed | Timeout | Survived | No coverage | Ignored | Errors | Score |");
    line("|---|---:|---:|---:|---:|---:|---:|---:|");
    for (const f of [...m.files, m.total])
      line(
        `| ${f.file === "total" ? "**total**" : f.file} | ${f.killed} | ${f.timeout} | ${f.survived} | ${f.noCoverage} | ${f.ignored} | ${f.errors} | ${pct(f.score)} |`,
      );
    line();
    if (m.markedEquivalent.length > 0) {
      line(
        `Marked equivalent in the source (${m.markedEquivalent.length}): each is a \`// Stryker disable next-line <mutator>: equivalent: <reason>\` comment on a line where every mutant of that mutator behaves as the original through the API (a fast path whose slow path gives the same answer, an idempotent update, a guard the next test repeats). Stryker reports them "Ignored" and leaves them out of the score; the headline also gives the score with them counted as survivors.`,
      );
      line();
      line("| Where | Mutator | Original → mutant | Why it is equivalent |");
      line("|---|---|---|---|");
      for (const e of m.markedEquivalent)
        line(
          `| ${e.file}:${e.line} | ${e.mutator} | ${code(e.original.slice(0, 100))} → ${code(e.replacement.slice(0, 100))} | ${cell(e.reason)} |`,
        );
      line();
    }
    if (m.survivors.length > 0) {
      line(
        "Every survivor: the original code, the mutant, and why it survives (properties/audit/mutation-survivors.ts). **equivalent**: no call through the API tells it from the original; **same verdict**: a mutant of check() that throws exactly when the original does, on corrupted heaps too, and changes only the messages; **killed by hand**: the named test fails against it when the mutant is applied by hand, though Stryker reported it survived; **not killed**: a test could tell it apart and none does yet.",
      );
      line();
      line("| Where | Mutator | Original → mutant | Verdict: why |");
      line("|---|---|---|---|");
      for (const s of m.survivors) {
        const why = s.explanation
          ? `${s.explanation.verdict}: ${s.explanation.why}`
          : "**unexplained**";
        line(
          `| ${s.file}:${s.line}${s.status === "NoCoverage" ? " (no coverage)" : ""} | ${s.mutator} | ${code(s.original.slice(0, 100))} → ${code(s.replacement.slice(0, 100))} | ${cell(why)} |`,
        );
      }
      line();
    }
  }

  // ── 4 reachability ───────────────────────────────────────────────────────────────────
  line("## 4. Reachability (the bitmap allocator, verifyAllocator, ci profile)");
  line();
  if (failed(d.reachability)) line(d.reachability.error);
  else {
    const v = d.reachability;
    line(
      `Share of runs that reached each state (target in brackets; a property fails below its target). ${v.results.length} property × family runs, ${v.operations.toLocaleString("en-US")} operations checked in ${v.seconds.toFixed(0)} s.`,
    );
    line();
    line("| Property | Family | Runs | Verdict | States reached (share of runs [target]) |");
    line("|---|---|---:|---|---|");
    for (const r of v.results) {
      const states = r.reach
        .map(
          (x) =>
            `${x.state} ${(100 * x.fraction).toFixed(0)}%${x.target !== undefined ? ` [${(100 * x.target).toFixed(0)}%]` : ""}`,
        )
        .join(", ");
      line(`| ${r.property} | ${r.family} | ${r.runs} | ${r.verdict} | ${cell(states)} |`);
    }
    if (v.exhaustive)
      line(
        `\nBounded-exhaustive: ${v.exhaustive.sequences.toLocaleString("en-US")} sequences of up to ${v.exhaustive.length} operations on ${v.exhaustive.geometries} tiny geometries, ${v.exhaustive.failure ? "FAILED" : "every invariant held"}.`,
      );
  }
  line();

  // ── 5 outside ────────────────────────────────────────────────────────────────────────
  line("## 5. An outside allocator");
  line();
  if (failed(d.outside)) line(d.outside.error);
  else {
    const o = d.outside;
    line(
      `${o.allocator} (${JSON.stringify(o.options)}) through the properties that apply to a general allocator, each in a child process with a deadline (a hang is a finding), ci profile, tiny family. Rounds narrow the generators to look past the previous round's findings (properties/audit/outside-allocator.ts).`,
    );
    line();
    for (const { round, findings } of o.rounds) {
      line(`**Round "${round.name}"**: ${round.description}.`);
      line();
      line("| Property | Verdict | Runs | Shrunk counterexample | Finding |");
      line("|---|---|---:|---|---|");
      for (const f of findings) {
        line(
          `| ${f.property} | ${f.verdict} | ${f.runs ?? ""} | ${f.operations ? cell(f.operations.map(formatOp).join(", ")) : ""} | ${f.message ? cell(f.message.slice(0, 400)) : ""} |`,
        );
      }
      line();
    }
    line(
      "What the findings mean (MemPool's source, node_modules/@thi.ng/malloc/pool.js, version 6.1.150): block sizes live in a Uint32Array (`setBlockSize`, `this.u32[…] = size`), so sizes of 2^31 and above wrap and `malloc(2^40)` returns a block that lies outside the pool (invariants 2, 8) and an invalid size is accepted (9); " +
        "`reallocBlock` frees the old block of a moved realloc with `this.free(block)`, its header address, and `free` subtracts the header again (`__blockSelfAddress`), finds no such used block and returns false, so the old block is never freed: its pointer can be freed a second time (9) and memory runs out early (10); " +
        "once a bad size has corrupted the heap, calls hand out live blocks (1) or loop forever (the hangs).",
    );
  }
  line();
  line("## Reproduce");
  line();
  line("```sh");
  line(
    "npm run audit                                  # this report (reads the last mutation report)",
  );
  line(
    "npx vitest run properties/tests/kill-matrix.test.ts   # the kill-matrix gate (part of npm test)",
  );
  line(
    "npm run mutation                               # Stryker, incremental: reports/mutation/mutation.json",
  );
  line("```");
  line();
  return out.join("\n");
}
