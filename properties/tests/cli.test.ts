/**
 * The CLI as a user meets it: help, bad arguments (one line, exit 2), replay of a real
 * counterexample file, and a narrowed verify writing its own summary. Commands that write under
 * reports/ run in a scratch folder: a test leaves nothing there (reports/README.md).
 */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { AddressSpace } from "../../src/core/address-space.ts";
import type { Geometry } from "../../src/core/geometry.ts";
import { main } from "../../src/cli/main.ts";
import { summaryPath } from "../../src/cli/verify.ts";
import { PROFILES } from "../profiles.ts";
import { propertyById } from "../properties.ts";
import { readCounterexample } from "../run/counterexample.ts";
import { runProperty } from "../run/run-property.ts";
import { ChoosesHighestBlock } from "./support/injected-bugs.ts";

let out: string[];
let err: string[];
beforeEach(() => {
  out = [];
  err = [];
  vi.spyOn(console, "log").mockImplementation((...a: unknown[]) => void out.push(a.join(" ")));
  vi.spyOn(console, "error").mockImplementation((...a: unknown[]) => void err.push(a.join(" ")));
});
afterEach(() => vi.restoreAllMocks());
/** Everything the tests write: removed at the end (npm test leaves nothing in the temp folder). */
const scratch = mkdtempSync(join(tmpdir(), "allocheck-cli-test-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("allocheck CLI", () => {
  test("--help on the tool and on every command", () => {
    expect(main(["--help"])).toBe(0);
    expect(out.join("\n")).toMatch(/commands:/);
    for (const command of ["verify", "replay"]) {
      out = [];
      expect(main([command, "--help"])).toBe(0);
      expect(out.join("\n")).toMatch(new RegExp(`^allocheck ${command}`));
    }
  });

  test.each([
    [["frobnicate"], /unknown command "frobnicate"/],
    [["verify", "--profile", "huge"], /--profile huge: use one of quick, ci, deep/],
    [["verify", "--seed", "abc"], /--seed abc: use an integer/],
    [["verify", "--allocator"], /--allocator needs a value/],
    [["verify", "--seed="], /--seed needs a value/],
    [["verify", "--seed", " "], /--seed needs a value/],
    [["verify", "quick", "--profile", "quick"], /verify: unexpected argument "quick"/],
    [["replay", "a.json", "b.json"], /replay: unexpected argument "b.json"/],
    [["crosscheck", "all"], /crosscheck: unexpected argument "all"/],
    [["replay"], /give a counterexample file/],
    [["replay", "no/such/file.json"], /does not exist/],
  ])("%j: one line, exit code 2", (argv, message) => {
    expect(main(argv)).toBe(2);
    expect(err).toHaveLength(1);
    expect(err[0]).toMatch(message);
  });

  test.each([
    [{ ALLOCHECK_PROFILE: "bogus" }, /ALLOCHECK_PROFILE=bogus: use quick, ci or deep/],
    [{ ALLOCHECK_SEED: "abc" }, /ALLOCHECK_SEED=abc: use an integer/],
  ])("verify with %j in the environment: one line, exit code 2", (env, message) => {
    for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
    try {
      expect(main(["verify", "--allocator", "bitmap"])).toBe(2);
    } finally {
      vi.unstubAllEnvs();
    }
    expect(err).toHaveLength(1);
    expect(err[0]).toMatch(message);
  });

  test("replay of a malformed file: one line, exit code 2", () => {
    const dir = mkdtempSync(join(scratch, "replay-"));
    writeFileSync(join(dir, "bad.json"), "{ not json");
    writeFileSync(join(dir, "other.json"), JSON.stringify({ hello: 1 }));
    expect(main(["replay", join(dir, "bad.json")])).toBe(2);
    expect(main(["replay", join(dir, "other.json")])).toBe(2);
    expect(err[1]).toMatch(/not an allocheck counterexample/);
  });

  test("replay re-runs a counterexample step by step: failing on the buggy choice, passing on the real allocators", () => {
    const dir = mkdtempSync(join(scratch, "replay-"));
    const make = (g: Geometry) => new ChoosesHighestBlock(g, new AddressSpace(g));
    const result = runProperty(propertyById("I11"), make, {
      implementation: "reference",
      profile: PROFILES.quick,
      family: "tiny",
      seed: 7,
      counterexampleDir: dir,
    });
    const file = result.failure!.file!;
    expect(readCounterexample(file).operations).toEqual(result.failure!.operations);
    expect(readFileSync(file.replace(/\.json$/, ".regression.ts"), "utf8")).toMatch(
      /createAllocator\("reference", geometry\)/,
    );
    // The file names the real reference, which does not have the bug: the replay passes. The heap
    // map goes to the scratch folder: a test leaves nothing in reports/ (reports/README.md).
    const svg = join(dir, "heap.svg");
    expect(main(["replay", file, "--svg", svg])).toBe(0);
    expect(out.join("\n")).toMatch(/no invariant fails/);
    expect(out.join("\n")).toMatch(/# arenas allocated total/);
    expect(readFileSync(svg, "utf8")).toMatch(
      /<title>I11-equivalence on reference: the heap after/,
    );
  });

  test("a verify narrowed to one allocator writes its own summary and leaves the full one", () => {
    const home = process.cwd();
    const work = mkdtempSync(join(scratch, "verify-"));
    vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    process.chdir(work);
    try {
      mkdirSync("reports");
      writeFileSync("reports/summary.md", "the full run's summary\n");
      expect(main(["verify", "--profile", "quick", "--allocator", "bitmap", "--seed", "7"])).toBe(
        0,
      );
      expect(readFileSync("reports/summary.md", "utf8")).toBe("the full run's summary\n");
      const narrowed = readFileSync("reports/summary-bitmap.md", "utf8");
      expect(narrowed).toMatch(/^## bitmap: pass$/m);
      expect(narrowed).not.toMatch(/^## reference/m);
      expect(readdirSync("reports").sort()).toEqual([
        "summary-bitmap.json",
        "summary-bitmap.md",
        "summary.md",
      ]);
      expect(out.join("\n")).toMatch(/wrote reports\/summary-bitmap\.md/);
    } finally {
      process.chdir(home);
    }
    expect(summaryPath(["reference", "bitmap", "cpython"])).toBe("reports/summary");
    expect(summaryPath(["reference"])).toBe("reports/summary-reference");
  });
});
