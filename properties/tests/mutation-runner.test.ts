/**
 * The in-process Stryker test runner (properties/audit/mutation/in-process-runner.ts, spec/audit.md
 * §3) on a hand-instrumented source (fixtures/mutation-runner/): it collects the tests of a file
 * written for Vitest through its shim, records which mutants each test covers in the dry run, and
 * reports a mutant killed by the first failing test, a loop stopped by the hit limit as a Timeout,
 * and an equivalent mutant as survived after every test it was given. Test ids are the same in
 * every run (Stryker's incremental file matches on them).
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { expect, test } from "vitest";

const DRIVER = "properties/tests/fixtures/mutation-runner/drive-runner.ts";
const TEST_FILE = "properties/tests/fixtures/mutation-runner/instrumented-source.test-set.ts";

interface Driven {
  tests: { id: string; name: string; status: number; fileName: string }[];
  coverage: { perTest: Record<string, Record<string, number>> };
  coverageAfterMutantRuns: Driven["coverage"];
  mutants: Record<"killed" | "loops" | "equivalent" | "spins", Record<string, unknown>>;
}

function drive(): Driven {
  const child = spawnSync(process.execPath, ["--import", "tsx", DRIVER], { encoding: "utf8" });
  expect(child.status, child.stderr).toBe(0);
  return JSON.parse(child.stdout) as Driven;
}

test("dry run, coverage per test, killed / timeout / survived, stable ids", () => {
  const first = drive();
  const id = (name: string) =>
    createHash("sha1").update(`${TEST_FILE}#${name}`).digest("hex").slice(0, 12);
  const names = [
    "instrumented source > double(2) is 4",
    "instrumented source > count(3) is 3",
    "instrumented source > spin(1) is 1",
  ];
  expect(first.tests.map((t) => [t.id, t.name, t.status])).toEqual(
    names.map((name) => [id(name), name, 0]),
  );
  expect(first.tests[0]!.fileName.endsWith(TEST_FILE)).toBe(true);
  expect(first.coverage.perTest).toEqual({
    [id(names[0]!)]: { 0: 1 },
    [id(names[1]!)]: { 1: 1, 2: 1 },
    [id(names[2]!)]: { 3: 1 },
  });
  expect(first.mutants.killed).toMatchObject({
    status: "killed",
    killedBy: [id(names[0]!)],
  });
  expect(first.mutants.loops).toMatchObject({ status: "timeout" });
  expect(first.mutants.equivalent).toEqual({ status: "survived", nrOfTests: 3 });
  expect(first.mutants.spins).toMatchObject({ status: "timeout" });
  expect(first.mutants.spins.reason).toMatch(/past the deadline of "instrumented source > spin/);
  expect(first.coverageAfterMutantRuns).toEqual(first.coverage);
  expect(drive().tests.map((t) => t.id)).toEqual(first.tests.map((t) => t.id));
});

test("the shim's describe.each / it.each name each row's test as Vitest does, and run it with the row", async () => {
  const shim = await import("../audit/mutation/vitest-shim.ts");
  const seen: unknown[] = [];
  await shim.collectFrom("each.test.ts", async () => {
    shim.describe.each(["bitmap", "reference"])("%s allocator", (kind) => {
      shim.it.each([
        ["one", 1],
        ["two", 2],
      ])("%s is %i (row %#)", (name, n) => seen.push([kind, name, n]));
    });
  });
  const collected = shim.collectedTests().filter((t) => t.file === "each.test.ts");
  expect(collected.map((t) => t.name)).toEqual([
    "bitmap allocator > one is 1 (row 0)",
    "bitmap allocator > two is 2 (row 1)",
    "reference allocator > one is 1 (row 0)",
    "reference allocator > two is 2 (row 1)",
  ]);
  for (const t of collected) await t.body();
  expect(seen).toEqual([
    ["bitmap", "one", 1],
    ["bitmap", "two", 2],
    ["reference", "one", 1],
    ["reference", "two", 2],
  ]);
});
