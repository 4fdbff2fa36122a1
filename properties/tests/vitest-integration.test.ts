/**
 * allocheck/vitest (src/vitest/index.ts) for real: a child vitest runs `describeAllocator` on the
 * fixtures of properties/tests/fixtures/vitest/ (the correct free list and one that refuses
 * requests over 1 KiB; quick profile, tiny family, fixed seed) with the json and junit reporters,
 * as a whole, with a `-t` filter, and in two shards. The oracle for the tests registered is the
 * plan computed here, in this process, from the fixtures' own options.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { SubjectFactory } from "../model/subject.ts";
import { describeAllocator } from "../../src/vitest/index.ts";
import { planVerification, type PlannedProperty } from "../verify-allocator.ts";
import { FIXTURE_OPTIONS } from "./fixtures/vitest/options.ts";
import { FreeListAllocator, RefusesLargeRequests } from "./support/free-list-allocator.ts";
import { findAll, parseXml } from "./support/xml-check.ts";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const FIXTURES = join(ROOT, "properties", "tests", "fixtures", "vitest");
const VITEST = join(ROOT, "node_modules", ".bin", "vitest");

const CORRECT = "free-list.fixture.ts";
const BUGGY = "refuses-large-requests.fixture.ts";

/** The plan each fixture registers, as this process makes it. */
function planOf(name: string, factory: SubjectFactory) {
  const { timeout: _, ...options } = FIXTURE_OPTIONS;
  return planVerification(factory, { ...options, name });
}
const PLANS: Record<string, ReturnType<typeof planOf>> = {
  [CORRECT]: planOf("free-list", () => new FreeListAllocator()),
  [BUGGY]: planOf("free-list-refusing-large-requests", () => new RefusesLargeRequests()),
};

/** One test as vitest's json reporter writes it. */
interface ReportedTest {
  readonly title: string;
  readonly ancestorTitles: readonly string[];
  readonly status: string;
  readonly failureMessages: readonly string[];
}

interface ChildRun {
  readonly code: number | null;
  readonly output: string;
  /** The tests of each fixture file that ran in this process, by file name. */
  readonly files: ReadonlyMap<string, readonly ReportedTest[]>;
  readonly junit: string;
}

const work = mkdtempSync(join(tmpdir(), "allocheck-vitest-"));
const counterexamples = join(work, "counterexamples");

/** The parent's environment, without what the parent vitest tells its own workers. */
function childEnvironment(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !/^(VITEST|TEST$|NODE_ENV$)/.test(key)),
  );
  return { ...env, ALLOCHECK_FIXTURE_COUNTEREXAMPLES: counterexamples };
}

/** `vitest run` on the fixtures with `args`, writing json and junit reports named `label`. */
function runFixtures(label: string, args: readonly string[]): Promise<ChildRun> {
  const json = join(work, `${label}.json`);
  const junit = join(work, `${label}.xml`);
  const child = spawn(
    VITEST,
    [
      "run",
      "--root",
      FIXTURES,
      "--config",
      join(FIXTURES, "vitest.config.ts"),
      "--reporter=json",
      `--outputFile.json=${json}`,
      "--reporter=junit",
      `--outputFile.junit=${junit}`,
      ...args,
    ],
    { cwd: work, env: childEnvironment() },
  );
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => {
      if (!existsSync(json))
        return reject(new Error(`vitest ${label} wrote no report:\n${output}`));
      const report = JSON.parse(readFileSync(json, "utf8")) as {
        testResults: { name: string; assertionResults: ReportedTest[] }[];
      };
      const files = new Map(report.testResults.map((f) => [basename(f.name), f.assertionResults]));
      resolve({ code, output, files, junit: readFileSync(junit, "utf8") });
    });
  });
}

let whole: ChildRun;
let filtered: ChildRun;
let shards: ChildRun[];

beforeAll(async () => {
  [whole, filtered, ...shards] = await Promise.all([
    runFixtures("whole", []),
    runFixtures("filtered", ["-t", "I02-contained"]),
    runFixtures("shard-1", ["--shard", "1/2"]),
    runFixtures("shard-2", ["--shard", "2/2"]),
  ]);
}, 120_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

const titles = (tests: readonly ReportedTest[] | undefined) => (tests ?? []).map((t) => t.title);
const testsOf = (run: ChildRun, file: string) => run.files.get(file) ?? [];

describe("describeAllocator under a child vitest", () => {
  test("one test per entry of the plan, in order, named with its seed or the reason it is skipped", () => {
    for (const file of [CORRECT, BUGGY]) {
      const plan = PLANS[file]!;
      expect(titles(testsOf(whole, file)), file).toEqual(plan.entries.map((e) => e.name));
      for (const t of testsOf(whole, file)) expect(t.ancestorTitles).toEqual([plan.implementation]);
    }
    const correct = testsOf(whole, CORRECT);
    expect(correct.find((t) => t.title.startsWith("I12-self-check"))?.title).toBe(
      "I12-self-check (not applicable: needs `check`)",
    );
  });

  test("the correct free list: every applicable test passes, the others are skipped", () => {
    const plan = PLANS[CORRECT]!;
    const statuses = testsOf(whole, CORRECT).map((t) => t.status);
    expect(statuses).toEqual(
      plan.entries.map((e) => (e.kind === "skipped" ? "skipped" : "passed")),
    );
    expect(statuses.filter((s) => s === "passed").length).toBeGreaterThan(5);
  });

  test("the buggy one: invariant 10's test fails with the steps, the seed and the replay command", () => {
    const plan = PLANS[BUGGY]!;
    const i10 = plan.entries.find(
      (e): e is PlannedProperty => e.kind === "property" && e.definition.invariant.number === 10,
    )!;
    const failed = testsOf(whole, BUGGY).filter((t) => t.status === "failed");
    expect(titles(failed)).toEqual([i10.name]);
    const message = failed[0]!.failureMessages.join("\n");
    expect(message).toMatch(/invariant 10: malloc\(…, (\d+)\) returned null although/);
    expect(message).toMatch(/→ 0: malloc\((\d+)\)/);
    expect(message).toContain(`seed ${i10.seed}`);
    const file = /counterexample: (\S+\.json)/.exec(message)?.[1];
    expect(file?.startsWith(counterexamples)).toBe(true);
    expect(existsSync(file!)).toBe(true);
    expect(message).toMatch(
      new RegExp(`replay: .*${file!.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`),
    );
    expect(whole.code).toBe(1);
  });

  test("-t runs only the tests whose names match, in every file", () => {
    expect(filtered.code, filtered.output).toBe(0);
    for (const file of [CORRECT, BUGGY]) {
      const tests = testsOf(filtered, file);
      expect(titles(tests)).toEqual(titles(testsOf(whole, file)));
      expect(tests.filter((t) => t.status !== "skipped").map((t) => [t.title, t.status])).toEqual(
        PLANS[file]!.entries.filter((e) => e.name.startsWith("I02-contained,")).map((e) => [
          e.name,
          "passed",
        ]),
      );
    }
  });

  test("--shard 1/2 and 2/2 split the tests between them, with the same names", () => {
    const ran = shards.map((s) => [...s.files.keys()]);
    expect(ran.every((files) => files.length > 0)).toBe(true);
    expect(ran.flat().sort()).toEqual([CORRECT, BUGGY].sort());
    for (const shard of shards)
      for (const file of shard.files.keys())
        expect(titles(testsOf(shard, file))).toEqual(titles(testsOf(whole, file)));
  });

  test("the junit reporter writes every test by name, skipped ones marked skipped, the failure marked failed", () => {
    const cases = findAll(parseXml(whole.junit), (e) => e.name === "testcase");
    const expected = [CORRECT, BUGGY].flatMap((file) =>
      PLANS[file]!.entries.map((e) => ({
        name: `${PLANS[file]!.implementation} > ${e.name}`,
        skipped: e.kind === "skipped",
      })),
    );
    expect(
      cases.map((c) => ({
        name: c.attributes.name,
        skipped: c.children.some((child) => child.name === "skipped"),
      })),
    ).toEqual(expected);
    const failures = cases.filter((c) => c.children.some((child) => child.name === "failure"));
    expect(failures.map((c) => c.attributes.name)).toEqual([
      `${PLANS[BUGGY]!.implementation} > ${testsOf(whole, BUGGY).find((t) => t.status === "failed")!.title}`,
    ]);
  });
});

describe("describeAllocator's options", () => {
  // Each throws before describeAllocator registers anything, so no test is added here.
  test.each([
    ["a zero timeout", { timeout: 0 }, "invalid-timeout"],
    ["an infinite timeout", { timeout: Number.POSITIVE_INFINITY }, "invalid-timeout"],
    // The ci profile's deadline is 30 s: vitest would stop the test before the run reports.
    ["a timeout below the deadline", { timeout: 20_000 }, "invalid-timeout"],
    ["an unknown property", { properties: ["I13"] }, "unknown-property"],
    ["no families", { families: [] }, "no-families"],
  ] as const)("%s: a VerifyOptionsError", (_, options, code) => {
    expect(() => describeAllocator("free-list", () => new FreeListAllocator(), options)).toThrow(
      expect.objectContaining({ name: "VerifyOptionsError", code }),
    );
  });

  test("an empty name is refused like verifyAllocator's", () => {
    expect(() => describeAllocator("", () => new FreeListAllocator())).toThrow(/^empty-name: /);
  });
});
