/**
 * The equivalence markers of the mutated source (spec/audit.md §3): every
 * `// Stryker disable next-line <mutator>: equivalent: spec/audit.md §3.1 #k` names a row of that
 * table whose file is the marker's own, every row is named by a marker, and the audit's reader of
 * Stryker's report gives an ignored mutant the row's reason; and that reader calls the results
 * stale when a file they record (mutated or test) differs from the file on disk.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { INPUTS_FILE, inputHashes } from "../audit/mutation/inputs.ts";
import { equivalenceReasons, markerRow, readMutation } from "../audit/mutation-report.ts";

const ROOT = normalize(join(dirname(fileURLToPath(import.meta.url)), "..", ".."));
/**
 * The folders and files Stryker mutates (stryker.config.json): the bitmap allocator, the bitset
 * and typed-growth.
 */
const MARKED_DIRS = ["src/allocators", "src/core/bits"];
const MARKED_FILES = ["src/core/typed-growth.ts"];

/** Every `Stryker disable` comment in the mutated folders and files: file, line and its reason. */
function markers(): { file: string; line: number; reason: string }[] {
  const files = MARKED_DIRS.flatMap((dir) =>
    (readdirSync(join(ROOT, dir), { recursive: true }) as string[])
      .filter((f) => f.endsWith(".ts"))
      .map((f) => `${dir}/${f}`),
  ).concat(MARKED_FILES);
  return files.flatMap((file) =>
    readFileSync(join(ROOT, file), "utf8")
      .split("\n")
      .flatMap((text, i) => {
        const m = text.match(/\/\/ Stryker disable next-line [\w,]+: (.*)$/);
        return m === null ? [] : [{ file, line: i + 1, reason: m[1]! }];
      }),
  );
}

describe("equivalence markers (spec/audit.md §3.1)", () => {
  const rows = equivalenceReasons(ROOT);
  const found = markers();

  test("the table has rows and the source has markers", () => {
    expect(rows.size).toBeGreaterThan(0);
    expect(found.length).toBeGreaterThan(0);
  });

  test("every marker names a row of its own file, in one line", () => {
    for (const { file, line, reason } of found) {
      const k = markerRow(reason);
      expect(k, `${file}:${line}: ${reason}`).toBeDefined();
      expect(rows.get(k!)?.file, `${file}:${line} names row ${k}`).toContain(file);
      expect(reason, `${file}:${line}`).toBe(`equivalent: spec/audit.md §3.1 #${k}`);
    }
  });

  test("every row is named by a marker", () => {
    const named = new Set(found.map(({ reason }) => markerRow(reason)));
    expect([...rows.keys()].filter((k) => !named.has(k))).toEqual([]);
  });

  test("the audit gives an ignored mutant the row's reason", () => {
    const dir = mkdtempSync(join(tmpdir(), "allocheck-markers-"));
    try {
      const [first] = found;
      const source = readFileSync(join(ROOT, first!.file), "utf8");
      const report = {
        files: {
          [first!.file]: {
            source,
            mutants: [
              {
                id: "1",
                mutatorName: "BlockStatement",
                location: {
                  start: { line: first!.line + 1, column: 1 },
                  end: { line: first!.line + 1, column: 2 },
                },
                status: "Ignored",
                statusReason: first!.reason,
              },
            ],
          },
        },
      };
      const path = join(dir, "mutation.json");
      writeFileSync(path, JSON.stringify(report));
      const section = readMutation(ROOT, path);
      expect("error" in section).toBe(false);
      if ("error" in section) return;
      const k = markerRow(first!.reason)!;
      expect(section.markedEquivalent.map((m) => m.reason)).toEqual([
        `${rows.get(k)!.why} (spec/audit.md §3.1 #${k})`,
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("the audit's reading of Stryker's results (spec/audit.md §3)", () => {
  test("a mutated file, a test file or a helper that differs from the recorded one is stale", () => {
    const dir = mkdtempSync(join(tmpdir(), "allocheck-stale-"));
    try {
      const file = "src/core/bits/level-bitset.ts";
      const testFile = "properties/tests/level-bitset.test.ts";
      const source = readFileSync(join(ROOT, file), "utf8");
      const testSource = readFileSync(join(ROOT, testFile), "utf8");
      const path = join(dir, "incremental.json");
      const read = (recordedTest: string) => {
        const report = {
          files: { [file]: { source, mutants: [] } },
          testFiles: { [testFile]: { source: recordedTest, tests: [] } },
        };
        writeFileSync(path, JSON.stringify(report));
        const section = readMutation(ROOT, path);
        if ("error" in section) throw new Error(section.error);
        return section.changedSince;
      };
      expect(read(testSource)).toEqual([]);
      expect(read(`${testSource}\n`)).toEqual([testFile]);
      // A helper the test set imports, which Stryker does not track: its recorded hash, beside
      // the results, differs from the file's (mutation/inputs.ts).
      const helper = "properties/corruption/bitmap-cells.ts";
      const hashes = inputHashes(ROOT);
      expect(Object.keys(hashes)).toContain(helper);
      writeFileSync(join(dir, basename(INPUTS_FILE)), JSON.stringify(hashes));
      expect(read(testSource)).toEqual([]);
      writeFileSync(
        join(dir, basename(INPUTS_FILE)),
        JSON.stringify({ ...hashes, [helper]: "0".repeat(40) }),
      );
      expect(read(testSource)).toEqual([helper]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
