/**
 * Issue 16: one test per class of bad input (files, arguments, environment, sizes, options,
 * hostile subjects). Every CLI case asserts exit code 2, exactly one line, and that nothing was
 * written outside reports/: the CLI runs with its working directory in a scratch folder whose
 * tree (reports/ aside) is compared before and after. Most cases run in process through `main`,
 * batched; two run as real child processes to show no stack trace reaches the user.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { createRequire } from "node:module";
import { join, relative, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test, vi } from "vitest";
import { ALLOCATOR_KINDS, createAllocator } from "../../src/allocators/create-allocator.ts";
import { AllocatorError } from "../../src/core/errors.ts";
import { CodedError } from "../../src/core/coded-error.ts";
import { main } from "../../src/cli/main.ts";
import { TINY_GEOMETRIES } from "../generators/geometry.ts";
import { geometryOptionsOf } from "../run/counterexample.ts";
import { verifyAllocator, type VerifyOptions } from "../verify-allocator.ts";
import { FreeListAllocator } from "./support/free-list-allocator.ts";

const ROOT = resolve(".");
const RUN = join(ROOT, "src/cli/run.ts");
/** tsx's loader by its full path: the CLI runs with its working directory in a scratch folder. */
const TSX = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
const HANGING_ADAPTER = join(ROOT, "properties/tests/support/adapters/free-list-hangs.ts");
const CORRECT_ADAPTER = join(ROOT, "properties/tests/support/adapters/free-list.ts");

let scratch: string;
let work: string;
let err: string[];
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), "allocheck-bad-input-"));
  work = join(scratch, "work");
});
afterAll(() => {
  process.chdir(ROOT);
  rmSync(scratch, { recursive: true, force: true });
});
beforeEach(() => {
  err = [];
  vi.spyOn(console, "error").mockImplementation((...a: unknown[]) => void err.push(a.join(" ")));
  vi.spyOn(console, "log").mockImplementation(() => {});
  vi.spyOn(process.stderr, "write").mockImplementation(() => true);
});
afterEach(() => {
  vi.restoreAllMocks();
  process.chdir(ROOT);
});

/** Every file and folder under `dir` but reports/, as relative paths. */
function treeOutsideReports(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .filter((p) => p !== "reports" && !p.startsWith("reports/"))
    .sort();
}

/**
 * Runs each argv through the CLI in a fresh working folder and expects exit code 2, one line
 * matching its pattern, and nothing written outside reports/.
 */
async function expectOneLineExit2(cases: readonly (readonly [readonly string[], RegExp])[]) {
  const dir = mkdtempSync(join(scratch, "cwd-"));
  writeFileSync(join(dir, "kept.txt"), "the user's file\n");
  const before = treeOutsideReports(dir);
  process.chdir(dir);
  try {
    for (const [argv, message] of cases) {
      err = [];
      expect(await main(argv), argv.join(" ")).toBe(2);
      expect(err, argv.join(" ")).toHaveLength(1);
      expect(err[0]).toMatch(message);
      expect(err[0]).not.toMatch(/\n/);
    }
  } finally {
    process.chdir(ROOT);
  }
  expect(treeOutsideReports(dir)).toEqual(before);
}

/** A valid counterexample of the bitmap allocator, to spoil one field at a time. */
const valid = {
  allocheck: "counterexample",
  version: 1,
  property: "I01-disjoint",
  invariant: 1,
  implementation: "bitmap",
  geometry: geometryOptionsOf(TINY_GEOMETRIES[0]!),
  operations: [{ op: "fill-pool", n: 16 }],
  failingStep: 0,
  message: "step 0 fill-pool(16): invariant 1: …",
  seed: 7,
};
const withOp = (op: unknown) => ({ ...valid, operations: [{ op: "malloc", n: 16 }, op] });
const withGeometry = (geometry: unknown) => ({ ...valid, geometry });

describe("files: allocheck replay of every bad counterexample of issue 16", () => {
  const files: [string, unknown, RegExp][] = [
    ["null", null, /not an allocheck counterexample.*got null/],
    ["empty object", {}, /not an allocheck counterexample/],
    ["poolSize 3", withGeometry({ ...valid.geometry, poolSize: 3 }), /geometry: .*poolSize/],
    ["arenaSize 0", withGeometry({ ...valid.geometry, arenaSize: 0 }), /geometry: .*arenaSize/],
    ["geometry {}", withGeometry({}), /geometry\.name: use a non-empty string/],
    ["geometry null", withGeometry(null), /geometry: use an object/],
    ["poolSize '128'", withGeometry({ ...valid.geometry, poolSize: "128" }), /poolSize is an/],
    ["unknown implementation", { ...valid, implementation: "mine" }, /pass --adapter MODULE/],
    ["unknown property", { ...valid, property: "I99" }, /property: unknown property "I99"/],
    ["no message", { ...valid, message: undefined }, /message: use a string; got nothing/],
    ["size -1", withOp({ op: "malloc", n: -1 }), /operations\[1\]\.n: use a size.*got -1/],
    ["size 'abc'", withOp({ op: "malloc", n: "abc" }), /operations\[1\]\.n: .*got "abc"/],
    ["size 1e300", withOp({ op: "malloc", n: 1e300 }), /operations\[1\]\.n: .*got 1e\+300/],
    ["size missing", withOp({ op: "malloc" }), /operations\[1\]\.n: .*got nothing/],
    ["unknown op", withOp({ op: "frobnicate" }), /operations\[1\]\.op: use one of malloc/],
    ["fill-pool 'abc'", withOp({ op: "fill-pool", n: "abc" }), /operations\[1\]\.n/],
    ["free-every 0", withOp({ op: "free-every", k: 0, keep: false }), /\[1\]\.k: .* from 1/],
    ["churn 10^12", withOp({ op: "churn", steps: 1e12, seed: 1 }), /\[1\]\.steps: .*16384/],
    ["extra op field", withOp({ op: "free-all", n: 1 }), /operations\[1\]\.n: no such field/],
    ["failingStep 9", { ...valid, failingStep: 9 }, /failingStep: use an integer from -1 to 1/],
  ];

  test("each: one line naming the field and what is allowed, exit code 2, nothing run", async () => {
    const dir = mkdtempSync(join(scratch, "files-"));
    const cases = files.map(([name, content, message]) => {
      const file = join(dir, `${name.replace(/\W+/g, "-")}.json`);
      writeFileSync(file, JSON.stringify(content));
      return [["replay", file], message] as const;
    });
    await expectOneLineExit2(cases);
  });

  test("as a real process: one line on stderr, exit code 2, no stack trace", () => {
    const file = join(scratch, "null.json");
    writeFileSync(file, "null");
    const child = spawnSync(process.execPath, ["--import", TSX, RUN, "replay", file], {
      cwd: mkdtempSync(join(scratch, "spawn-")),
      encoding: "utf8",
    });
    expect(child.status).toBe(2);
    expect(child.stderr.trim().split("\n")).toHaveLength(1);
    expect(child.stderr).toMatch(/^allocheck: replay: .*not an allocheck counterexample/);
  });
});

describe("arguments and output paths: refused before any run starts", () => {
  test("each: one line, exit code 2, nothing written outside reports/", async () => {
    const file = join(scratch, "a-file");
    writeFileSync(file, "");
    const ok = join(scratch, "ok.json");
    writeFileSync(ok, JSON.stringify(valid));
    await expectOneLineExit2([
      [["verify", "--deadline", "0"], /--deadline 0: use a positive number of seconds/],
      [["verify", "--adapter", "x.mjs", "--allocator", "bitmap"], /--allocator or --adapter/],
      [["verify", "--name", "x"], /--name names an --adapter's allocator/],
      [["verify", "--adapter", "missing.mjs"], /--adapter missing.mjs does not exist/],
      [["verify", "--reports", join(file, "reports")], /verify: cannot write in .*a-file/],
      [["crosscheck", "--json", "/etc/passwd/x.json"], /cannot write \/etc\/passwd\/x\.json/],
      [["crosscheck", "--python", "/bin/false"], /\/bin\/false .*exited with 1; give --python/],
      [["replay", ok, "--svg", "/etc/passwd/heap.svg"], /cannot write \/etc\/passwd\/heap\.svg/],
      [["replay", ok, "--step", "x"], /--step x: use an integer/],
    ]);
    expect(existsSync("/etc/passwd/x.json")).toBe(false);
  });
});

describe("environment: a bad ALLOCHECK_SEED or ALLOCHECK_PROFILE", () => {
  test("as a real process: one line on stderr, exit code 2, no stack trace", () => {
    const cwd = mkdtempSync(join(scratch, "env-"));
    const child = spawnSync(process.execPath, ["--import", TSX, RUN, "verify"], {
      cwd,
      env: { ...process.env, ALLOCHECK_SEED: "abc" },
      encoding: "utf8",
    });
    expect(child.status).toBe(2);
    expect(child.stderr.trim().split("\n")).toHaveLength(1);
    expect(child.stderr).toMatch(/ALLOCHECK_SEED=abc/);
    expect(readdirSync(cwd)).toEqual([]);
  });
});

describe("sizes: 2^31, 2^32 served or null, 2^32 + 1 and 2^53 − 1 null, never a RangeError (spec/model.md §2)", () => {
  for (const kind of ALLOCATOR_KINDS) {
    test(`${kind}, cpython-3.11`, () => {
      const heap = createAllocator(kind, "cpython-3.11");
      for (const n of [2 ** 31, 2 ** 32, 2 ** 32 + 1, Number.MAX_SAFE_INTEGER]) {
        for (const p of [heap.malloc(n), heap.realloc(null, n)]) {
          if (n > 2 ** 32) expect(p, `${n}`).toBeNull();
          if (p !== null) {
            expect(heap.usableSize(p)).toBeGreaterThanOrEqual(n);
            heap.free(p);
          }
        }
      }
      heap.check();
      expect(heap.snapshot().raw).toEqual([]);
    });
  }

  test("cpython-32bit: 2^31 is above maxRequest, an AllocatorError invalid-size", () => {
    const heap = createAllocator("bitmap", "cpython-32bit");
    expect(() => heap.malloc(2 ** 31)).toThrow(AllocatorError);
    expect(() => heap.malloc(2 ** 31)).toThrow(expect.objectContaining({ code: "invalid-size" }));
  });
});

describe("options: verifyAllocator refuses them with a VerifyOptionsError before running", () => {
  const factory = () => new FreeListAllocator();
  test.each([
    [{ profile: "bogus" }, "unknown-profile"],
    [{ seed: NaN }, "invalid-seed"],
    [{ families: ["bogus"] }, "unknown-family"],
    [{ families: [], exhaustive: false }, "no-families"],
    [{ properties: ["I11"], exhaustive: false }, "nothing-to-run"],
    [{ deadline: -1 }, "invalid-deadline"],
    [{ adapterModule: "no/such/module.mjs" }, "invalid-adapter-module"],
    [{ counterexampleDir: "" }, "invalid-counterexample-dir"],
  ])("%j: %s", (options, code) => {
    let error: unknown;
    try {
      verifyAllocator(factory, { name: "free-list", ...(options as Partial<VerifyOptions>) });
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ name: "VerifyOptionsError", code });
    // The shared shape of allocheck's typed errors: a CodedError whose one line starts with its code.
    expect(error).toBeInstanceOf(CodedError);
    expect((error as CodedError<string>).message).toMatch(new RegExp(`^${code}: `));
  });
});

describe("hostile subjects: reported failures, never escapes or hangs (seed 7)", () => {
  const quick = (name: string): VerifyOptions => ({
    name,
    profile: "quick",
    seed: 7,
    families: ["tiny"],
    properties: ["I01"],
    counterexampleDir: join(work, "reports", "counterexamples"),
  });
  const messages = (r: ReturnType<typeof verifyAllocator>) => [
    ...r.results.map((x) => x.failure?.message),
    r.exhaustive?.failure?.violation.message,
  ];

  test("a factory that throws on its first call, or on its 167th", () => {
    const first = verifyAllocator(() => {
      throw new Error("no heap");
    }, quick("throws-first"));
    expect(first.verdict).toBe("fail");
    for (const m of messages(first)) expect(m).toMatch(/setting up the run threw Error: no heap/);
    let calls = 0;
    const later = verifyAllocator(() => {
      if (++calls >= 167) throw new Error("167th");
      return new FreeListAllocator();
    }, quick("throws-later"));
    expect(later.verdict).toBe("fail");
    expect(messages(later).join("\n")).toMatch(/setting up the run threw Error: 167th/);
  });

  test("an addressSpace getter that throws", () => {
    const report = verifyAllocator(
      (g) =>
        Object.defineProperty(createAllocator("bitmap", g), "addressSpace", {
          get() {
            throw new Error("getter boom");
          },
        }),
      quick("getter"),
    );
    expect(report.verdict).toBe("fail");
    expect(messages(report).join("\n")).toMatch(/getter boom/);
  });

  test("a slow subject in process: a deadline finding with the steps it ran", () => {
    const report = verifyAllocator(
      () => {
        const a = new FreeListAllocator();
        const malloc = a.malloc.bind(a);
        a.malloc = (n) => {
          const until = performance.now() + 5;
          while (performance.now() < until);
          return malloc(n);
        };
        return a;
      },
      { ...quick("slow"), deadline: 300 },
    );
    const r = report.results[0]!;
    expect(report.verdict).toBe("fail");
    expect(r.deadline).toMatchObject({ kind: "deadline", deadlineMs: 300 });
    expect(r.deadline!.next).toBeDefined();
    expect(r.seconds).toBeLessThan(5);
    expect(report.exhaustive?.deadline?.kind).toBe("deadline");
  });

  test("a free that never returns, given as a module: a hang finding with its steps", () => {
    const report = verifyAllocator(() => new FreeListAllocator(), {
      ...quick("hangs"),
      adapterModule: HANGING_ADAPTER,
      exhaustive: false,
      deadline: 1000,
    });
    const hang = report.results[0]!.deadline!;
    expect(report.verdict).toBe("fail");
    expect(hang.kind).toBe("hang");
    expect(hang.operations.length).toBeGreaterThan(0);
    expect(hang.operations.at(-1)!.op).toMatch(/free|realloc|churn/);
  }, 60_000);

  test("the correct free list given as a module passes, in its child process", () => {
    const report = verifyAllocator(() => new FreeListAllocator(), {
      ...quick("correct"),
      adapterModule: CORRECT_ADAPTER,
      exhaustive: false,
    });
    expect(report.verdict).toBe("pass");
    expect(report.results[0]!.runs).toBe(40);
  }, 60_000);
});
