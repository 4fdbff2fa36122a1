/**
 * Reads Stryker's incremental file (stryker.config.json's `incrementalFile`, committed, so a fresh
 * clone has it; every `npm run mutation` rewrites it; spec/audit.md §3): the mutation score per
 * file and in total, every surviving mutant with the
 * original code, the replacement and, from mutation-survivors.ts, why it survives (an equivalent
 * mutant) or that it is not killed yet, and every mutant the source marks equivalent (a
 * `// Stryker disable next-line <mutator>: equivalent: spec/audit.md §3.1 #k` comment: Stryker
 * reports it "Ignored" and leaves it out of the score; the reason is row k of that table). The
 * audit never runs Stryker itself.
 */
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { basename, dirname, join, relative, resolve } from "node:path";
import { INPUTS_FILE, changedHelpers } from "./mutation/inputs.ts";
import { explainSurvivor, type SurvivorExplanation } from "./mutation-survivors.ts";

/** Where Stryker keeps its results between runs: stryker.config.json's `incrementalFile`. */
export function mutationReportPath(root: string): string {
  const { incrementalFile } = JSON.parse(
    readFileSync(resolve(root, "stryker.config.json"), "utf8"),
  ) as { incrementalFile: string };
  return incrementalFile;
}

interface Position {
  readonly line: number;
  readonly column: number;
}

interface StrykerMutant {
  readonly id: string;
  readonly mutatorName: string;
  readonly replacement?: string;
  readonly location: { readonly start: Position; readonly end: Position };
  readonly status: string;
  readonly statusReason?: string;
}

interface StrykerReport {
  readonly files: Record<
    string,
    { readonly source: string; readonly mutants: readonly StrykerMutant[] }
  >;
  /** The test files the run used, with their source (paths relative to the project). */
  readonly testFiles?: Record<string, { readonly source?: string }>;
}

export interface FileScore {
  readonly file: string;
  readonly killed: number;
  readonly timeout: number;
  readonly survived: number;
  readonly noCoverage: number;
  readonly ignored: number;
  readonly errors: number;
  /** (killed + timeout) / (killed + timeout + survived + no coverage), in percent. */
  readonly score: number;
}

export interface Survivor {
  readonly id: string;
  readonly file: string;
  readonly line: number;
  readonly status: "Survived" | "NoCoverage";
  readonly mutator: string;
  readonly original: string;
  readonly replacement: string;
  readonly explanation?: SurvivorExplanation;
}

/** A mutant the source marks equivalent, with the reason its comment gives. */
export interface MarkedEquivalent {
  readonly file: string;
  readonly line: number;
  readonly mutator: string;
  readonly original: string;
  readonly replacement: string;
  readonly reason: string;
}

export interface MutationSection {
  readonly report: string;
  readonly date: string;
  readonly files: readonly FileScore[];
  readonly total: FileScore;
  readonly survivors: readonly Survivor[];
  readonly markedEquivalent: readonly MarkedEquivalent[];
  /**
   * Where the report is older than the code: files (mutated sources and test files) whose text
   * differs from the text the run recorded, and helpers the test set imports whose hash differs
   * from the one recorded with it (mutation/inputs.ts) (the figures are of the old code: the audit
   * prints "stale" instead of a score), and files Stryker mutates now that the report lacks.
   */
  readonly changedSince: readonly string[];
  readonly missing: readonly string[];
}

/** The files stryker.config.json mutates: its `mutate` entries, a `dir/**\/*.ts` one walked. */
function mutatedFiles(root: string): string[] {
  const { mutate } = JSON.parse(readFileSync(resolve(root, "stryker.config.json"), "utf8")) as {
    mutate: string[];
  };
  return mutate.flatMap((pattern) => {
    const glob = pattern.match(/^(.*)\/\*\*\/\*\.ts$/);
    if (glob === null) return [pattern];
    const dir = resolve(root, glob[1]!);
    return (readdirSync(dir, { recursive: true }) as string[])
      .filter((f) => f.endsWith(".ts"))
      .map((f) => relative(root, join(dir, f)));
  });
}

const sum = (scores: readonly FileScore[], file: string): FileScore => {
  const add = (k: keyof Omit<FileScore, "file" | "score">) => scores.reduce((s, f) => s + f[k], 0);
  const killed = add("killed");
  const timeout = add("timeout");
  const survived = add("survived");
  const noCoverage = add("noCoverage");
  const valid = killed + timeout + survived + noCoverage;
  return {
    file,
    killed,
    timeout,
    survived,
    noCoverage,
    ignored: add("ignored"),
    errors: add("errors"),
    score: valid === 0 ? 100 : (100 * (killed + timeout)) / valid,
  };
};

/** Where the reasons for the source's equivalence markers are written (spec/audit.md §3.1). */
export const EQUIVALENCE_TABLE = { file: "spec/audit.md", section: "§3.1" } as const;
const MARKER = /spec\/audit\.md §3\.1 #(\d+)/;

/** The rows of spec/audit.md §3.1: number → file cell and reason. */
export function equivalenceReasons(root: string): Map<number, { file: string; why: string }> {
  const text = readFileSync(resolve(root, EQUIVALENCE_TABLE.file), "utf8");
  const from = text.indexOf(`### ${EQUIVALENCE_TABLE.section} `);
  const rows = new Map<number, { file: string; why: string }>();
  if (from === -1) return rows;
  for (const line of text.slice(from).split("\n").slice(1)) {
    if (line.startsWith("#")) break;
    const cells = line.split(/(?<!\\)\|/).map((cell) => cell.trim());
    const k = Number(cells[1]);
    if (line.startsWith("|") && Number.isInteger(k) && cells[1] !== "")
      rows.set(k, { file: cells[2]!, why: cells[5]! });
  }
  return rows;
}

/** The row number a marker's reason names (`equivalent: spec/audit.md §3.1 #k`), or undefined. */
export function markerRow(reason: string): number | undefined {
  const match = reason.match(MARKER);
  return match === null ? undefined : Number(match[1]);
}

/** A marker's reason: the row of spec/audit.md §3.1 it names, or its own text. */
function markedReason(reasons: Map<number, { why: string }>, text: string): string {
  const k = markerRow(text);
  if (k === undefined) return text;
  const row = reasons.get(k);
  const where = `spec/audit.md §3.1 #${k}`;
  return row === undefined ? `${where}: no such row` : `${row.why} (${where})`;
}

/** The text between two 1-based line / column positions (Stryker's locations). */
function textAt(source: string, start: Position, end: Position): string {
  const lines = source.split("\n");
  const offset = (p: Position) =>
    lines.slice(0, p.line - 1).reduce((s, l) => s + l.length + 1, 0) + p.column - 1;
  return source.slice(offset(start), offset(end));
}

export function readMutation(
  root: string,
  path = mutationReportPath(root),
): MutationSection | { readonly error: string } {
  const file = resolve(root, path);
  if (!existsSync(file))
    return {
      error: `${path} is missing: run \`npm run mutation\` (about 20 minutes from scratch on 2 cores; then incremental: only what changed)`,
    };
  const report = JSON.parse(readFileSync(file, "utf8")) as StrykerReport;
  const files: FileScore[] = [];
  const survivors: Survivor[] = [];
  const markedEquivalent: MarkedEquivalent[] = [];
  const reasons = equivalenceReasons(root);
  for (const [name, { source, mutants }] of Object.entries(report.files).sort(([a], [b]) =>
    a.localeCompare(b),
  )) {
    const count = (...statuses: string[]) =>
      mutants.filter((m) => statuses.includes(m.status)).length;
    files.push(
      sum(
        [
          {
            file: name,
            killed: count("Killed"),
            timeout: count("Timeout"),
            survived: count("Survived"),
            noCoverage: count("NoCoverage"),
            ignored: count("Ignored"),
            errors: count("CompileError", "RuntimeError"),
            score: 0,
          },
        ],
        name,
      ),
    );
    for (const m of mutants) {
      if (m.status === "Ignored") {
        const reason = markedReason(reasons, (m.statusReason ?? "").replace(/^equivalent:\s*/, ""));
        markedEquivalent.push({
          file: name,
          line: m.location.start.line,
          mutator: m.mutatorName,
          original: textAt(source, m.location.start, m.location.end),
          replacement: m.replacement ?? "",
          reason,
        });
      }
      if (m.status !== "Survived" && m.status !== "NoCoverage") continue;
      const original = textAt(source, m.location.start, m.location.end);
      const lineText = source.split("\n")[m.location.start.line - 1]!.trim();
      const base = {
        id: m.id,
        file: name,
        line: m.location.start.line,
        status: m.status,
        mutator: m.mutatorName,
        original,
        replacement: m.replacement ?? "",
      } as const;
      const explanation = explainSurvivor({ ...base, lineText });
      survivors.push({ ...base, ...(explanation !== undefined ? { explanation } : {}) });
    }
  }
  const recorded: [string, string | undefined][] = [
    ...Object.entries(report.files).map(([name, { source }]): [string, string] => [name, source]),
    ...Object.entries(report.testFiles ?? {}).map(
      ([name, { source }]): [string, string | undefined] => [name, source],
    ),
  ];
  const changedSince = recorded
    .filter(
      ([name, source]) =>
        source !== undefined &&
        (!existsSync(resolve(root, name)) || readFileSync(resolve(root, name), "utf8") !== source),
    )
    .map(([name]) => name)
    // The helpers the test set imports, which Stryker does not track (mutation/inputs.ts), against
    // the hashes recorded beside the results (none recorded: nothing known, nothing listed).
    .concat(changedHelpers(root, report, join(dirname(file), basename(INPUTS_FILE))) ?? [])
    .sort();
  // Stryker lists only files with mutants: a file of types alone (bitmap-heap.ts) is never in it.
  const declaresCode = (name: string) =>
    /^\s*(export\s+)?(abstract\s+)?(class|function|const|let)\b/m.test(
      readFileSync(resolve(root, name), "utf8"),
    );
  const missing = mutatedFiles(root)
    .filter((name) => !(name in report.files) && declaresCode(name))
    .sort();
  return {
    report: path,
    date: statSync(file).mtime.toISOString(),
    files,
    total: sum(files, "total"),
    survivors,
    markedEquivalent,
    changedSince,
    missing,
  };
}
