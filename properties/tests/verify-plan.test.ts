/**
 * The verification plan (properties/verify/plan.ts) and verifyAllocator's options: what the plan
 * holds for an allocator, that the contract and misuseCode reach the runs, that the
 * bounded-exhaustive mode judges each subject on the geometry it claims, and the typed errors of
 * bad options. Quick profile, tiny family, fixed seeds.
 */
import { describe, expect, test } from "vitest";
import { createAllocator } from "../../src/allocators/create-allocator.ts";
import type { Geometry } from "../../src/core/geometry.ts";
import { TINY_GEOMETRIES } from "../generators/geometry.ts";
import type { Subject } from "../model/subject.ts";
import { profileFromEnv, baseSeedFromEnv } from "../profiles.ts";
import { PROPERTY_IDS } from "../properties.ts";
import { COUNTEREXAMPLE_DIR } from "../run/paths.ts";
import {
  planVerification,
  verifyAllocator,
  VerifyOptionsError,
  type PlannedRun,
  type VerifyOptions,
} from "../verify-allocator.ts";
import {
  countingCalls,
  heapMisuseCode,
  withHeapMisuseErrors,
} from "./support/contract-subjects.ts";
import { FreeListAllocator } from "./support/free-list-allocator.ts";

const SEED = 20261125;
const QUICK = {
  profile: "quick",
  seed: SEED,
  families: ["tiny"],
  counterexampleDir: false,
} as const;
const freeList = () => new FreeListAllocator();
const bitmap = (g: Geometry) => createAllocator("bitmap", g);

const skippedReasons = (entries: readonly PlannedRun[]) =>
  Object.fromEntries(
    entries.flatMap((e) => (e.kind === "skipped" ? [[e.property, e.reason]] : [])),
  );
const names = (entries: readonly PlannedRun[]) => entries.map((e) => e.name);

describe("planVerification: the runs of one allocator as a value", () => {
  test("a general allocator: its properties on each family with a seed, the others skipped naming the missing members, then the exhaustive mode", () => {
    const plan = planVerification(freeList, { name: "free-list", profile: "quick", seed: SEED });
    const reasons = skippedReasons(plan.entries);
    // The free list has a region, usableSize and bytes, and no geometry, address space, stats or check.
    expect(reasons["I12-self-check"]).toBe("needs `check`");
    expect(reasons["I07-accounting"]).toBe("needs `geometry`, `addressSpace` and `stats`");
    expect(reasons["I11-equivalence"]).toBe("needs `geometry`");
    const runs = plan.entries.filter((e) => e.kind === "property");
    const ran = [...new Set(runs.map((e) => e.definition.id))];
    expect([...ran, ...Object.keys(reasons)].sort()).toEqual([...PROPERTY_IDS].sort());
    expect(runs.length).toBe(ran.length * 3);
    expect(runs.map((e) => e.index)).toEqual(runs.map((_, i) => i));
    expect(plan.propertyRuns).toBe(runs.length);
    for (const e of runs)
      expect(e.name).toBe(`${e.definition.id}, ${e.family} geometries, seed ${e.seed}`);
    // A seed per property and family: no two runs share one.
    expect(new Set(runs.map((e) => e.seed)).size).toBe(runs.length);
    const last = plan.entries[plan.entries.length - 1]!;
    expect(last.kind).toBe("exhaustive");
    expect(last.kind === "exhaustive" && last.definitions.map((d) => d.id)).toEqual(ran);
    expect(new Set(names(plan.entries)).size).toBe(plan.entries.length);
  });

  test("the same options give the same names in every plan; another base seed gives other seeds", () => {
    const options: VerifyOptions = { name: "bitmap", profile: "quick", seed: SEED };
    expect(names(planVerification(bitmap, options).entries)).toEqual(
      names(planVerification(bitmap, options).entries),
    );
    const seeds = (seed: number) =>
      planVerification(bitmap, { ...options, seed }).entries.flatMap((e) =>
        e.kind === "property" ? [e.seed] : [],
      );
    expect(seeds(SEED + 1)).toHaveLength(seeds(SEED).length);
    expect(seeds(SEED + 1).filter((s) => seeds(SEED).includes(s))).toEqual([]);
  });

  test('misuse: "undetected" skips invariant 9 with the contract as reason; addressOrdered: false skips invariant 11', () => {
    const plan = planVerification(bitmap, {
      name: "bitmap",
      contract: { misuse: "undetected" },
      addressOrdered: false,
    });
    expect(skippedReasons(plan.entries)).toEqual({
      "I09-misuse-rejected": "the contract says misuse is undetected",
      "I11-equivalence": "the allocator does not claim the address-ordered policy",
    });
    expect(plan.contract.misuse).toBe("undetected");
  });

  test("properties narrows by id or prefix; exhaustive: false leaves the mode out; counterexamples go to reports/counterexamples unless false", () => {
    const plan = planVerification(bitmap, {
      name: "bitmap",
      properties: ["i06", "I01-disjoint"],
      families: ["wide", "tiny"],
      exhaustive: false,
    });
    expect(plan.entries.map((e) => e.kind === "property" && [e.definition.id, e.family])).toEqual([
      ["I01-disjoint", "wide"],
      ["I01-disjoint", "tiny"],
      ["I06-arena-release", "wide"],
      ["I06-arena-release", "tiny"],
    ]);
    expect(plan.counterexampleDir).toBe(COUNTEREXAMPLE_DIR);
    expect(
      "counterexampleDir" in planVerification(bitmap, { name: "b", counterexampleDir: false }),
    ).toBe(false);
  });
});

describe("verifyAllocator: the declared contract reaches every run", () => {
  test('misuse: "undetected": no run calls the allocator with a bad pointer or size; the default contract does', () => {
    const run = (options: Partial<VerifyOptions>) => {
      const tally = { calls: 0, misuseCalls: 0 };
      const report = verifyAllocator(() => countingCalls(new FreeListAllocator(), tally), {
        name: "free-list",
        ...QUICK,
        properties: ["I01", "I09"],
        ...options,
      });
      return { report, tally };
    };
    const undetected = run({ contract: { misuse: "undetected" } });
    expect(undetected.report.verdict).toBe("pass");
    expect(undetected.tally.calls).toBeGreaterThan(1000);
    expect(undetected.tally.misuseCalls).toBe(0);
    const throws = run({});
    expect(throws.report.verdict).toBe("pass");
    expect(throws.tally.misuseCalls).toBeGreaterThan(0);
  });

  test("misuseCode: given, invariant 9 checks the codes and finds a mislabelled double free; absent, any error counts as detection", () => {
    const factory = (g: Geometry) => withHeapMisuseErrors(createAllocator("bitmap", g), true);
    const options = {
      name: "bitmap-mislabelled",
      ...QUICK,
      properties: ["I09"],
      exhaustive: false,
    };
    const coded = verifyAllocator(factory, { ...options, misuseCode: heapMisuseCode });
    expect(coded.verdict).toBe("fail");
    expect(coded.results[0]!.failure?.message).toMatch(/double-free/);
    expect(verifyAllocator(factory, options).verdict).toBe("pass");
  });

  test("the bounded-exhaustive mode judges each subject on the geometry it claims, not the one it was made for", () => {
    // The subject claims its geometry only on the first tiny geometry (the one applicability is
    // planned on); on the others it is a general allocator over the same address space, and
    // invariants 5-7, which need a geometry, must not be checked there.
    const hidingGeometry = (g: Geometry): Subject => {
      const a = createAllocator("reference", g);
      if (g === TINY_GEOMETRIES[0]) return a;
      return {
        kind: "reference claiming no geometry",
        addressSpace: a.addressSpace,
        malloc: (n) => a.malloc(n),
        free: (p) => a.free(p),
        realloc: (p, n) => a.realloc(p, n),
        usableSize: (p) => a.usableSize(p),
        bytes: (p) => a.bytes(p),
        stats: () => a.stats(),
        check: () => a.check(),
      };
    };
    const report = verifyAllocator(hidingGeometry, {
      name: "reference-hiding-geometry",
      ...QUICK,
      properties: ["I06", "I07"],
      addressOrdered: false,
    });
    expect(report.results.map((r) => r.property)).toEqual(["I06-arena-release", "I07-accounting"]);
    expect(report.exhaustive?.failure?.violation.message).toBeUndefined();
    expect(report.exhaustive?.sequences).toBeGreaterThan(TINY_GEOMETRIES.length);
  });
});

describe("bad options: a VerifyOptionsError with a stable code, before anything runs", () => {
  const cases: [string, Partial<VerifyOptions> | Record<string, unknown>, string][] = [
    ["an empty name", { name: " " }, "empty-name"],
    ["an unknown profile", { profile: "fast" }, "unknown-profile"],
    ["a non-finite seed", { seed: Number.NaN }, "invalid-seed"],
    ["a non-integer seed", { seed: 1.5 }, "invalid-seed"],
    ["no families", { families: [] }, "no-families"],
    ["an unknown family", { families: ["tiny", "huge"] }, "unknown-family"],
    ["no properties", { properties: [] }, "no-properties"],
    ["an unknown property", { properties: ["I01", "I13"] }, "unknown-property"],
    ["an empty property id", { properties: [""] }, "unknown-property"],
    ["an unknown contract value", { contract: { misuse: "ignored" } }, "invalid-contract"],
    ["an unknown contract member", { contract: { coalesce: false } }, "invalid-contract"],
    ["a misuseCode that is no function", { misuseCode: "double-free" }, "invalid-contract"],
    ["an empty counterexample directory", { counterexampleDir: "" }, "invalid-counterexample-dir"],
  ];
  test.each(cases)("%s", (_, bad, code) => {
    let made = 0;
    const factory = (g: Geometry) => (made++, bitmap(g));
    const options = { name: "bitmap", ...bad } as VerifyOptions;
    expect(() => verifyAllocator(factory, options)).toThrow(
      expect.objectContaining({ name: "VerifyOptionsError", code }),
    );
    expect(made).toBe(0);
  });

  test("ALLOCHECK_PROFILE and ALLOCHECK_SEED are checked the same way", () => {
    expect(() => profileFromEnv({ ALLOCHECK_PROFILE: "fast" })).toThrow(VerifyOptionsError);
    expect(() => profileFromEnv({ ALLOCHECK_PROFILE: "fast" })).toThrow(/^unknown-profile: /);
    expect(() => baseSeedFromEnv({ ALLOCHECK_SEED: "12abc" })).toThrow(/^invalid-seed: /);
  });
});
