/**
 * `allocheck verify --wasm` and `allocheck replay` of its counterexamples (src/cli/wasm-target.ts,
 * spec/wasm.md §4), on a module this project did not build: source-map 0.7.6's mappings.wasm
 * (Rust, its allocator dlmalloc-rs), whose allocate_mappings(n) hands out a buffer of n bytes and
 * parse_mappings(p) frees it (after parsing it). Bad files and flags: one line, exit code 2.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { main } from "../../src/cli/main.ts";
import { bumpAllocatorWasm } from "./support/bump-wasm.ts";

const MAPPINGS = resolve("node_modules/source-map/lib/mappings.wasm");
const MAPPINGS_FLAGS = [
  "--wasm",
  MAPPINGS,
  "--malloc",
  "allocate_mappings",
  "--free",
  "parse_mappings",
  "--stub-imports",
];

let out: string[];
let err: string[];
let stderr: string[];
beforeEach(() => {
  out = [];
  err = [];
  stderr = [];
  vi.spyOn(console, "log").mockImplementation((...a: unknown[]) => void out.push(a.join(" ")));
  vi.spyOn(console, "error").mockImplementation((...a: unknown[]) => void err.push(a.join(" ")));
  vi.spyOn(process.stderr, "write").mockImplementation((s) => stderr.push(String(s)) > 0);
});
afterEach(() => vi.restoreAllMocks());

describe("allocheck verify --wasm", () => {
  const scratch = mkdtempSync(join(tmpdir(), "allocheck-cli-wasm-"));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));
  const notWasm = join(scratch, "not.wasm");
  writeFileSync(notWasm, "(module)");
  const importing = join(scratch, "imports-fd-write.wasm");
  writeFileSync(importing, bumpAllocatorWasm({ importing: "fd_write" }));

  test.each([
    [["verify", "--wasm", notWasm], /--wasm .*not\.wasm: not-wasm: not a WebAssembly module/],
    [["verify", "--wasm", join(scratch, "none.wasm")], /none\.wasm does not exist/],
    [
      ["verify", "--wasm", MAPPINGS],
      /unsupported-import: the module imports env\.mapping_callback/,
    ],
    [["verify", "--wasm", importing], /unsupported-import: .*env\.fd_write/],
    [
      ["verify", ...MAPPINGS_FLAGS, "--realloc", "realloc"],
      /missing-export: the module has no function export "realloc"/,
    ],
    [["verify", "--malloc", "my_malloc"], /--malloc describes a --wasm module; give --wasm FILE/],
    [["verify", "--allocator", "bitmap", ...MAPPINGS_FLAGS], /--allocator and --wasm exclude/],
    [
      ["verify", ...MAPPINGS_FLAGS, "--misuse", "maybe"],
      /--misuse maybe: use one of undetected, throws/,
    ],
  ])("%j: one line, exit code 2", (argv, message) => {
    expect(main(argv)).toBe(2);
    expect(err).toHaveLength(1);
    expect(err[0]).toMatch(message);
  });

  test("a module the project did not build: the summary and counterexamples of verify, and replay finds the module again", () => {
    const home = process.cwd();
    const work = mkdtempSync(join(tmpdir(), "allocheck-cli-wasm-run-"));
    process.chdir(work);
    try {
      const code = main(["verify", ...MAPPINGS_FLAGS, "--profile", "quick", "--seed", "7"]);
      expect(stderr.join("")).toMatch(
        /wasm:.*mappings\.wasm: malloc, free; heap from \d+, .*stubbed env\.mapping_callback/,
      );
      // dlmalloc-rs gives allocate_mappings' buffers 8-byte alignment: C's malloc owes 16 to 16 bytes.
      expect(code).toBe(1);
      const summary = readFileSync("reports/summary-wasm.md", "utf8");
      expect(summary).toMatch(/## wasm:.*mappings\.wasm: fail/);
      expect(summary).toMatch(/\| I01-disjoint \| tiny \| .* \| pass \|/);
      expect(summary).toMatch(/\| I03-aligned \| tiny \| .*\*\*fail\*\*/);
      const files = readdirSync("reports/counterexamples").filter((f) => f.endsWith(".json"));
      expect(files.length).toBeGreaterThan(0);
      const file = join(
        "reports/counterexamples",
        files.find((f) => f.startsWith("I03"))!,
      );
      expect(JSON.parse(readFileSync(file, "utf8")).replay).toMatch(/\[the --wasm flags\]$/);
      // The recorded name finds the module; its import still needs the flag.
      err = [];
      expect(main(["replay", file])).toBe(2);
      expect(err[0]).toMatch(/--stub-imports/);
      out = [];
      expect(main(["replay", file, ...MAPPINGS_FLAGS.slice(2)])).toBe(1);
      expect(out.join("\n")).toMatch(/invariant 3 fails at step \d+, as recorded/);
    } finally {
      process.chdir(home);
      rmSync(work, { recursive: true, force: true });
    }
  }, 120_000);
});
