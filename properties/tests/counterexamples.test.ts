/**
 * Counterexamples of any allocator: an outside allocator (the hand-written free list of
 * support/free-list-allocator.ts with its seeded bug, invariant 10) fails, its counterexample file
 * is written under hostile names without leaving its folder, and it replays through the API
 * (replayCounterexample) and the CLI (allocheck replay --adapter), in process and as a real
 * child process. Everything is written in the system temp directory and removed.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import fc from "fast-check";
import { afterAll, afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { main } from "../../src/cli/main.ts";
import { TINY_GEOMETRIES } from "../generators/geometry.ts";
import { DEFAULT_CONTRACT, resolveContract } from "../model/contract.ts";
import { UNEXPECTED_ERROR } from "../model/violation.ts";
import { PROFILES } from "../profiles.ts";
import { propertyById } from "../properties.ts";
import {
  counterexampleFileName,
  CounterexampleError,
  fileNamePart,
  geometryOptionsOf,
  readCounterexample,
  recordContract,
  regressionFileOf,
  writeCounterexample,
  type Counterexample,
} from "../run/counterexample.ts";
import { describeResult, failedRule } from "../run/describe-result.ts";
import { replayCounterexample, ReplayError } from "../run/replay.ts";
import { runProperty } from "../run/run-property.ts";
import { FreeListAllocator, RefusesLargeRequests } from "./support/free-list-allocator.ts";
import { throwsOnMallocOfZero } from "./support/contract-subjects.ts";
import { runExhaustive } from "../exhaustive/bounded.ts";

const ADAPTERS = resolve("properties/tests/support/adapters");
const BUGGY_ADAPTER = join(ADAPTERS, "free-list-refusing.ts");
const CORRECT_ADAPTER = join(ADAPTERS, "free-list.ts");
/** The seed of the outside allocator's run (fixed, printed in the test names). */
const SEED = 14;

const scratch = mkdtempSync(join(tmpdir(), "allocheck-counterexamples-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The buggy free list through invariant 10, its counterexample written under `dir`. */
function outsideFailure(dir: string, implementation = "mine-buggy") {
  const result = runProperty(propertyById("I10"), () => new RefusesLargeRequests(), {
    implementation,
    profile: PROFILES.quick,
    family: "tiny",
    seed: SEED,
    counterexampleDir: dir,
  });
  expect(result.failure?.invariant).toBe(10);
  return result.failure!;
}

/** A hand-made counterexample (one step) for the tests that need no fast-check run. */
function handMade(overrides: Partial<Counterexample> = {}): Counterexample {
  return {
    allocheck: "counterexample",
    version: 1,
    property: "I10-no-spurious-oom",
    invariant: 10,
    implementation: "mine-buggy",
    geometry: geometryOptionsOf(TINY_GEOMETRIES[0]!),
    operations: [{ op: "malloc", n: 2000 }],
    failingStep: 0,
    message: "step 0 malloc(2000): invariant 10: null although 2000 bytes fit",
    seed: SEED,
    path: "",
    profile: "quick",
    replay: "",
    created: "2026-12-04T00:00:00.000Z",
    ...overrides,
  };
}

describe("file names from hostile allocator and property names", () => {
  test.each([
    ["mine (buggy)", "mine-buggy"],
    ["/../../../../ESCAPED", "ESCAPED"],
    ["a\\b/c", "a-b-c"],
    ["..", "unnamed"],
    ["", "unnamed"],
    ["line\nbreak\u2028sep", "line-break-sep"],
    ["I06-arena-release", "I06-arena-release"],
    ["free-list v1.2", "free-list-v1.2"],
  ])("%j gives %j", (name, part) => {
    expect(fileNamePart(name)).toBe(part);
  });

  test("any name gives a short part with no separator, no '..', no control character (seed 16)", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 200 }), (name) => {
        const part = fileNamePart(name);
        expect(part).toMatch(/^[\p{L}\p{N}._+-]{1,60}$/u);
        expect(part).not.toMatch(/\.\.|^[.-]/);
      }),
      { seed: 16, numRuns: 500 },
    );
  });

  test("'/../../../../ESCAPED' and a newline write both files directly in a folder made for them", () => {
    const base = mkdtempSync(join(scratch, "hostile-"));
    const dir = join(base, "missing", "folder");
    const hostile = handMade({
      implementation: "/../../../../ESCAPED",
      property: "I10\n}); evil(); //",
      message: "first line\u2028}); evil();\nsecond line",
    });
    const file = writeCounterexample(dir, hostile);
    expect(readdirSync(dir).sort()).toEqual(
      ["I10-evil--ESCAPED--14.json", "I10-evil--ESCAPED--14.regression.ts"].sort(),
    );
    expect(readdirSync(base)).toEqual(["missing"]);
    expect(file).toBe(join(dir, counterexampleFileName(hostile)));
    // The names survive, exactly, inside the file: replay needs them.
    expect(JSON.parse(readFileSync(file, "utf8")).implementation).toBe("/../../../../ESCAPED");
    // Every line of the regression test's header is one comment line.
    const text = readFileSync(regressionFileOf(file), "utf8");
    const header = text.split("\n").slice(
      0,
      text.split("\n").findIndex((l) => l.startsWith("import")),
    );
    expect(header.length).toBeGreaterThan(2);
    for (const line of header) expect(line).toMatch(/^\/\/ /);
    expect(text).not.toMatch(/[\u2028\u2029]/);
    expect(text).toContain(`"property": "I10\\n}); evil(); //"`);
  });

  test("a folder that cannot be made: a CounterexampleError with code unwritable", () => {
    const blocker = join(scratch, "a-file");
    writeFileSync(blocker, "");
    expect(() => writeCounterexample(join(blocker, "sub"), handMade())).toThrow(
      expect.objectContaining({ name: "CounterexampleError", code: "unwritable" }),
    );
  });
});

describe(`an outside allocator's counterexample replayed through the API (seed ${SEED})`, () => {
  const dir = join(scratch, "api");
  let file: string;
  beforeEach(() => {
    file ??= outsideFailure(dir).file!;
  });

  test("the file records what replay needs, and its replay command asks for the adapter", () => {
    const c = readCounterexample(file);
    expect(c.implementation).toBe("mine-buggy");
    expect(c.property).toBe("I10-no-spurious-oom");
    expect(c.invariant).toBe(10);
    expect(c.operations.length).toBeGreaterThan(0);
    expect(c.replay).toBe(
      `npx allocheck replay ${file} --adapter <module whose default export is the factory>`,
    );
    expect(existsSync(regressionFileOf(file))).toBe(true);
  });

  test("on the buggy allocator it fails again with invariant 10, with the steps", () => {
    const replay = replayCounterexample(file, () => new RefusesLargeRequests());
    expect(replay.outcome).toBe("same-failure");
    expect(replay.violation?.invariant).toBe(10);
    expect(replay.log.at(-1)).toMatch(/✗ .*invariant 10/);
    expect(replay.log).toHaveLength(replay.steps);
  });

  test("on the correct free list it passes now, every invariant checked", () => {
    const replay = replayCounterexample(file, () => new FreeListAllocator(), {
      allInvariants: true,
    });
    expect(replay.outcome).toBe("passes");
    expect(replay.violation).toBeUndefined();
  });

  test("on an allocator that throws instead, it fails with another rule: an unexpected error", () => {
    const throwing = () => {
      const inner = new FreeListAllocator();
      return {
        kind: "throwing",
        region: inner.region,
        malloc: () => {
          throw new TypeError("boom");
        },
        free: () => {},
      };
    };
    const replay = replayCounterexample(handMade(), throwing);
    expect(replay.outcome).toBe("other-failure");
    expect(replay.violation?.invariant).toBe(UNEXPECTED_ERROR);
    expect(failedRule(replay.violation!.invariant)).toBe("an unexpected error");
    expect(replay.violation?.message).toMatch(/the allocator threw TypeError: boom/);
  });

  test("without a factory, or with one that throws: a ReplayError with a stable code", () => {
    expect(() => replayCounterexample(file)).toThrow(
      expect.objectContaining({ code: "needs-adapter" }),
    );
    expect(() =>
      replayCounterexample(file, () => {
        throw new Error("no heap");
      }),
    ).toThrow(
      expect.objectContaining({
        code: "factory-threw",
        message: expect.stringMatching(/threw Error: no heap/),
      }),
    );
    expect(() => replayCounterexample({ hello: 1 }, () => new FreeListAllocator())).toThrow(
      CounterexampleError,
    );
    expect(() =>
      replayCounterexample(handMade({ property: "I99-nonsense" }), () => new FreeListAllocator()),
    ).toThrow(
      expect.objectContaining({
        code: "unknown-property",
        message: expect.stringMatching(/unknown property "I99-nonsense"/),
      }),
    );
    expect(ReplayError.name).toBe("ReplayError");
  });

  test("the contract recorded in the file is the one replay holds the allocator to", () => {
    const recorded = recordContract(resolveContract({ outOfMemory: "throws" }));
    expect(recorded).toEqual({ ...DEFAULT_CONTRACT, outOfMemory: "throws", misuseCode: false });
    const c = handMade({ contract: recorded });
    const throwingOom = () => new RefusesLargeRequests({ outOfMemory: "throws" });
    // Held to "throws", the throw is its out-of-memory answer: invariant 10 judges it.
    expect(replayCounterexample(c, throwingOom).violation?.invariant).toBe(10);
    // Under the default contract the same throw is an unexpected error.
    const { contract: _, ...withoutContract } = c;
    expect(replayCounterexample(withoutContract, throwingOom).violation?.invariant).toBe(
      UNEXPECTED_ERROR,
    );
  });
});

describe(`allocheck replay --adapter (seed ${SEED})`, () => {
  const dir = join(scratch, "cli");
  let file: string;
  let out: string[];
  let err: string[];
  beforeEach(() => {
    file ??= outsideFailure(dir).file!;
    out = [];
    err = [];
    vi.spyOn(console, "log").mockImplementation((...a: unknown[]) => void out.push(a.join(" ")));
    vi.spyOn(console, "error").mockImplementation((...a: unknown[]) => void err.push(a.join(" ")));
  });
  afterEach(() => vi.restoreAllMocks());

  test("with the buggy allocator's adapter: every step, invariant 10 as recorded, exit 1", async () => {
    expect(await main(["replay", file, "--adapter", BUGGY_ADAPTER])).toBe(1);
    expect(err).toEqual([]);
    const text = out.join("\n");
    expect(text).toMatch(/^I10-no-spurious-oom on mine-buggy \(through --adapter /);
    expect(text).toMatch(/recorded failure \(invariant 10\)/);
    expect(text).toMatch(/invariant 10 fails at step \d+, as recorded$/);
  });

  test("with the correct allocator's adapter: passes now, exit 0", async () => {
    expect(await main(["replay", file, "--adapter", CORRECT_ADAPTER])).toBe(0);
    expect(out.at(-1)).toBe("no invariant fails: the counterexample passes now");
  });

  const bad = (name: string, source: string) => {
    const path = join(scratch, name);
    writeFileSync(path, source);
    return path;
  };
  test.each([
    [
      "no --adapter",
      () => [],
      /is a counterexample of "mine-buggy", not one of allocheck's allocators: pass --adapter MODULE/,
    ],
    [
      "a missing module",
      () => ["--adapter", join(scratch, "nowhere.mjs")],
      /--adapter .*nowhere\.mjs does not exist/,
    ],
    [
      "no default export",
      () => ["--adapter", bad("named.mjs", "export const factory = () => ({});\n")],
      /has no default export that is a function/,
    ],
    [
      "a module that throws",
      () => ["--adapter", bad("broken.mjs", "throw new Error('broken');\n")],
      /could not be loaded: Error: broken/,
    ],
    [
      "a factory that throws",
      () => [
        "--adapter",
        bad("throws.mjs", "export default () => { throw new Error('no heap'); };\n"),
      ],
      /the factory threw Error: no heap/,
    ],
  ])("%s: one line, exit 2", async (_, extra, message) => {
    expect(await main(["replay", file, ...extra()])).toBe(2);
    expect(err).toHaveLength(1);
    expect(err[0]).toMatch(message);
    expect(err[0]).not.toMatch(/\n|at .*\.ts:\d+/);
  });
});

describe("allocheck replay of a file it cannot replay: one line, exit 2", () => {
  let err: string[];
  beforeEach(() => {
    err = [];
    vi.spyOn(console, "log").mockImplementation(() => {});
    vi.spyOn(console, "error").mockImplementation((...a: unknown[]) => void err.push(a.join(" ")));
  });
  afterEach(() => vi.restoreAllMocks());

  test.each([
    ["null", "null", /not an allocheck counterexample/],
    [
      "an absurd geometry",
      JSON.stringify({
        ...handMade(),
        implementation: "bitmap",
        geometry: { name: "x", poolSize: 3 },
      }),
      /invalid geometry: /,
    ],
    [
      "an unknown property",
      JSON.stringify({ ...handMade(), implementation: "bitmap", property: "I99" }),
      /unknown property "I99"/,
    ],
  ])("%s", (name, content, message) => {
    const file = join(scratch, `${fileNamePart(name)}.json`);
    writeFileSync(file, content);
    expect(main(["replay", file])).toBe(2);
    expect(err).toHaveLength(1);
    expect(err[0]).toMatch(message);
  });
});

describe("the allocheck command in a child process", () => {
  const dir = join(scratch, "child");
  // The CLI from its sources under tsx, as `npm run replay` runs it (the built bin is exercised by
  // package-consumer.test.ts, whose npm pack rebuilds dist/ while this file may run).
  const cli = (...args: string[]) =>
    spawnSync(process.execPath, ["--import", "tsx", "src/cli/allocheck.ts", "replay", ...args], {
      encoding: "utf8",
      timeout: 60_000,
    });

  test(`an outside allocator's file: with --adapter it replays (exit 1), without it one line and exit 2 (seed ${SEED})`, () => {
    const file = outsideFailure(dir).file!;
    const replayed = cli(file, "--adapter", BUGGY_ADAPTER);
    expect(replayed.stderr).toBe("");
    expect(replayed.stdout).toMatch(/invariant 10 fails at step \d+, as recorded\n$/);
    expect(replayed.status).toBe(1);
    const without = cli(file);
    expect(without.stdout).toBe("");
    expect(without.stderr.trim().split("\n")).toHaveLength(1);
    expect(without.stderr).toMatch(/pass --adapter MODULE/);
    expect(without.status).toBe(2);
  });

  test("a plain JavaScript .mjs adapter: its factory's allocator is replayed step by step", () => {
    const file = writeCounterexample(join(dir, "mjs"), handMade());
    // A bump allocator in plain JavaScript: it never reuses memory, and 2000 bytes fit its region.
    const adapter = join(scratch, "bump.mjs");
    writeFileSync(
      adapter,
      [
        "export default () => {",
        "  let next = 4096 + 8;",
        "  const region = { start: 4096, end: 4096 + 16384, alignment: 8, blockOverhead: 8 };",
        "  return {",
        '    kind: "bump",',
        "    region,",
        "    malloc(n) {",
        "      const p = next;",
        "      const end = p + Math.ceil(Math.max(n, 1) / 8) * 8;",
        "      if (end > region.end) return null;",
        "      next = end + 8;",
        "      return p;",
        "    },",
        "    free() {},",
        "  };",
        "};",
        "",
      ].join("\n"),
    );
    const replayed = cli(file, "--adapter", adapter);
    expect(replayed.stderr).toBe("");
    expect(replayed.stdout).toMatch(/^ {4}0 {2}malloc\(2000\): malloc\(2000\) → 0x1008$/m);
    expect(replayed.stdout).toMatch(/no invariant fails: the counterexample passes now\n$/);
    expect(replayed.status).toBe(0);
  });
});

describe("the JSON report", () => {
  test("a bounded-exhaustive failure keeps its message, name and invariant in JSON", () => {
    const result = runExhaustive(
      () => throwsOnMallocOfZero(new FreeListAllocator()),
      TINY_GEOMETRIES.slice(0, 1),
      1,
      () => [propertyById("I01").invariant.check],
    );
    const json = JSON.parse(JSON.stringify(result)) as typeof result;
    expect(json.failure?.violation).toEqual({
      name: "InvariantViolation",
      message: expect.stringMatching(/^step 0 malloc\(0\): the allocator threw TypeError: /),
      invariant: UNEXPECTED_ERROR,
      step: 0,
    });
  });
});

describe("a failure's description", () => {
  test(`an error thrown where none is expected is named so, never "invariant 0"; the replay asks for the adapter (seed ${SEED})`, () => {
    const result = runProperty(
      propertyById("I01"),
      () => throwsOnMallocOfZero(new FreeListAllocator()),
      {
        implementation: "mine-throwing",
        profile: PROFILES.quick,
        family: "tiny",
        seed: SEED,
        counterexampleDir: join(scratch, "described"),
      },
    );
    const text = describeResult(result);
    expect(text).toMatch(
      /^ {2}an unexpected error on .*: step \d+ malloc\(0\): the allocator threw/m,
    );
    expect(text).not.toMatch(/invariant 0/);
    expect(text).toMatch(
      /^ {2}replay: npx allocheck replay \S+--mine-throwing--14\.json --adapter /m,
    );
  });
});
