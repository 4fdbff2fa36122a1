/**
 * Contracts an allocator declares (spec/invariants.md §Contracts), each shown on a hand-written
 * allocator (tests/support/): what the default asks, what each contract value takes away or
 * changes, that the weaker promises are still checked (a bug that breaks one is found by the
 * property), and that a skipped invariant names what is missing.
 */
import { describe, expect, test } from "vitest";
import { createAllocator } from "../../src/allocators/create-allocator.ts";
import { AllocatorError } from "../../src/core/errors.ts";
import type { Geometry } from "../../src/core/geometry.ts";
import { runExhaustive } from "../exhaustive/bounded.ts";
import { TINY_GEOMETRIES } from "../generators/geometry.ts";
import { inapplicableReason } from "../invariants/index.ts";
import {
  DEFAULT_CONTRACT,
  resolveContract,
  type Contract,
  type MisuseCode,
  type ResolvedContract,
} from "../model/contract.ts";
import { formatOp } from "../model/ops.ts";
import type { Subject, SubjectFactory } from "../model/subject.ts";
import { UNEXPECTED_ERROR } from "../model/violation.ts";
import { baseSeedFromEnv, profileFromEnv, seedFor } from "../profiles.ts";
import { PROPERTIES, propertyById } from "../properties.ts";
import { describeResult } from "../run/describe-result.ts";
import { replayOperations } from "../run/replay.ts";
import { runProperty, type PropertyResult } from "../run/run-property.ts";
import {
  countingCalls,
  heapMisuseCode,
  throwsOnMallocOfZero,
  withHeapMisuseErrors,
  type CallTally,
} from "./support/contract-subjects.ts";
import { FreeListAllocator, RefusesLargeRequests } from "./support/free-list-allocator.ts";
import {
  LosesLargeFreedBlocks,
  SegregatedFitAllocator,
  StopsShortOfTheEnd,
} from "./support/segregated-fit-allocator.ts";

const profile = profileFromEnv();
const base = baseSeedFromEnv();
/** The properties of a general allocator with a region, `usableSize` and `bytes`. */
const GENERAL = [
  "I01-disjoint",
  "I02-contained",
  "I03-aligned",
  "I04-sized",
  "I08-payload-integrity",
  "I09-misuse-rejected",
  "I10-no-spurious-oom",
];

const seedOf = (name: string) => seedFor(base, `contracts/${name}`);

/** "seed N" for runs of `name` on the properties (ids or prefixes), as the test names print it. */
const seeds = (name: string, ...properties: string[]) =>
  `seed${properties.length > 1 ? "s" : ""} ${properties.map((p) => seedOf(`${name}/${propertyById(p).id}`)).join(", ")}`;

function run(
  property: string,
  factory: SubjectFactory,
  name: string,
  contract?: ResolvedContract,
): PropertyResult {
  const definition = propertyById(property);
  return runProperty(definition, factory, {
    implementation: name,
    profile,
    family: "tiny",
    seed: seedOf(`${name}/${definition.id}`),
    ...(contract !== undefined ? { contract } : {}),
  });
}

const failureOf = (result: PropertyResult) => {
  expect(result.failure, `expected a failure:\n${describeResult(result)}`).toBeDefined();
  return result.failure!;
};

describe("contracts (spec/invariants.md §Contracts)", () => {
  test("the default contract is what resolveContract gives when nothing is declared", () => {
    expect(resolveContract()).toEqual(DEFAULT_CONTRACT);
    const contract: Contract = { misuse: "undetected", outOfMemory: "throws", coalesces: false };
    const misuseCode: MisuseCode = () => "invalid-pointer";
    expect(resolveContract(contract, misuseCode)).toEqual({ ...contract, misuseCode });
  });

  test("the free-list allocator's misuse errors are plain Errors, not AllocatorError", () => {
    const thrown = (() => {
      try {
        new FreeListAllocator().free(12345);
      } catch (error) {
        return error;
      }
    })();
    expect(thrown).toBeInstanceOf(Error);
    expect(thrown).not.toBeInstanceOf(AllocatorError);
  });

  for (const property of GENERAL) {
    test(`a free-list allocator passes ${property} under the default contract (seed ${seedOf(`free-list/${property}`)})`, () => {
      const result = run(property, () => new FreeListAllocator(), "free-list");
      expect(result.verdict, describeResult(result)).toBe("pass");
    });
  }

  test("a free-list allocator passes the bounded-exhaustive mode under the default contract", () => {
    const checks = (subject: Subject) =>
      PROPERTIES.filter((p) => p.invariant.applies(subject, subject.geometry)).map(
        (p) => p.invariant.check,
      );
    const result = runExhaustive(() => new FreeListAllocator(), TINY_GEOMETRIES, 3, checks);
    expect(result.failure?.violation.message).toBeUndefined();
    expect(result.operations).toBeGreaterThan(10_000);
  });

  describe('misuse: "undetected"', () => {
    const undetected = resolveContract({ misuse: "undetected" });

    test("invariant 9 does not apply, and says why", () => {
      const subject = new FreeListAllocator();
      const I09 = propertyById("I09").invariant;
      expect(inapplicableReason(I09, subject, undefined, undetected)).toBe(
        "the contract says misuse is undetected",
      );
      expect(I09.applies(subject, undefined, undetected)).toBe(false);
      expect(inapplicableReason(I09, subject, undefined)).toBeUndefined();
    });

    for (const property of GENERAL.filter((p) => p !== "I09-misuse-rejected")) {
      test(`no misuse call reaches the subject in ${property}'s runs (seed ${seedOf(`counted/${property}`)})`, () => {
        const tally: CallTally = { calls: 0, misuseCalls: 0 };
        const result = run(
          property,
          () => countingCalls(new FreeListAllocator(), tally),
          "counted",
          undetected,
        );
        expect(result.verdict, describeResult(result)).toBe("pass");
        expect(tally.calls).toBeGreaterThan(1000);
        expect(tally.misuseCalls).toBe(0);
        expect(result.reach.filter((r) => r.state.startsWith("misuse"))).toEqual([]);
      });
    }

    test("no misuse call reaches the subject in the bounded-exhaustive mode", () => {
      const tally: CallTally = { calls: 0, misuseCalls: 0 };
      const factory = () => countingCalls(new FreeListAllocator(), tally);
      const checks = (subject: Subject) =>
        PROPERTIES.filter((p) => p.invariant.applies(subject, subject.geometry, undetected)).map(
          (p) => p.invariant.check,
        );
      const exhaustive = runExhaustive(factory, TINY_GEOMETRIES, 3, checks, undetected);
      expect(exhaustive.failure).toBeUndefined();
      expect(tally.calls).toBeGreaterThan(1000);
      expect(tally.misuseCalls).toBe(0);
    });

    test(`the counter is not vacuous: under the default contract misuse calls do reach it (seed ${seedOf("counted/I09-misuse-rejected")})`, () => {
      const tally: CallTally = { calls: 0, misuseCalls: 0 };
      const result = run(
        "I09-misuse-rejected",
        () => countingCalls(new FreeListAllocator(), tally),
        "counted",
      );
      expect(result.verdict, describeResult(result)).toBe("pass");
      expect(tally.misuseCalls).toBeGreaterThan(100);
    });
  });

  describe('misuse: "throws", with and without misuseCode', () => {
    const withCodes = resolveContract({}, heapMisuseCode);
    const pymallocStyle = (mislabels: boolean) => (g: Geometry) =>
      withHeapMisuseErrors(createAllocator("reference", g), mislabels);

    test(`codes are checked when misuseCode is given: a mislabelled double free fails invariant 9 (${seeds("heap-misuse", "I09")}; ${seeds("heap-misuse-mislabelled", "I09")})`, () => {
      const correct = run("I09", pymallocStyle(false), "heap-misuse", withCodes);
      expect(correct.verdict, describeResult(correct)).toBe("pass");
      const failure = failureOf(
        run("I09", pymallocStyle(true), "heap-misuse-mislabelled", withCodes),
      );
      expect(failure.invariant).toBe(9);
      expect(failure.message).toMatch(/threw invalid-pointer; spec\/errors\.md says double-free/);
      expect(failure.operations.length).toBeLessThanOrEqual(4);
      console.log(
        `mislabelled double free: ${failure.operations.map(formatOp).join(", ")}: ${failure.message}`,
      );
    });

    test(`without misuseCode any thrown error counts as detection, so the mislabelling passes (${seeds("heap-misuse-mislabelled", "I09")})`, () => {
      const result = run("I09", pymallocStyle(true), "heap-misuse-mislabelled");
      expect(result.verdict, describeResult(result)).toBe("pass");
    });

    test(`a general allocator's codes are checked too: a bad size must map to invalid-size (${seeds("free-list-all-invalid-pointer", "I09")})`, () => {
      const everythingInvalidPointer: MisuseCode = () => "invalid-pointer";
      const failure = failureOf(
        run(
          "I09",
          () => new FreeListAllocator(),
          "free-list-all-invalid-pointer",
          resolveContract({}, everythingInvalidPointer),
        ),
      );
      expect(failure.message).toMatch(/threw invalid-pointer; spec\/errors\.md says invalid-size/);
    });

    test(`an error misuseCode maps to no code is no detection (${seeds("free-list-unmapped", "I09")})`, () => {
      const failure = failureOf(
        run("I09", () => new FreeListAllocator(), "free-list-unmapped", withCodes),
      );
      expect(failure.message).toMatch(/threw Error: .*, which misuseCode maps to no misuse code/);
    });
  });

  describe("an error where none is expected", () => {
    test(`a subject that throws on a valid call is reported as "the allocator threw …" (${seeds("throws-on-zero", "I01")})`, () => {
      const factory = () => throwsOnMallocOfZero(new FreeListAllocator());
      const failure = failureOf(run("I01", factory, "throws-on-zero"));
      expect(failure.invariant).toBe(UNEXPECTED_ERROR);
      expect(failure.message).toMatch(
        /^step \d+ .*: the allocator threw TypeError: cannot allocate 0 bytes, on a valid malloc\(0\)$/,
      );
      expect(failure.message).not.toMatch(/invariant/);
      expect(failure.operations.map(formatOp)).toEqual(["malloc(0)"]);
      const replay = replayOperations(
        factory(),
        failure.geometry,
        "I01-disjoint",
        failure.operations,
      );
      expect(replay.violation?.invariant).toBe(UNEXPECTED_ERROR);
    });
  });

  describe('outOfMemory: "throws"', () => {
    const throwsContract = resolveContract({ outOfMemory: "throws" });
    const throwing = () => new FreeListAllocator({ outOfMemory: "throws" });

    test(`under the default contract its out-of-memory throw is an unexpected error (${seeds("free-list-oom-throws", "I10")})`, () => {
      const failure = failureOf(run("I10", throwing, "free-list-oom-throws"));
      expect(failure.invariant).toBe(UNEXPECTED_ERROR);
      expect(failure.message).toMatch(/the allocator threw OutOfMemory: no free span/);
    });

    test(`declared, the throw is its null: invariants 1 and 10 pass and out of memory is reached (${seeds("free-list-oom-throws", "I01", "I10")})`, () => {
      for (const property of ["I01", "I10"]) {
        const result = run(property, throwing, "free-list-oom-throws", throwsContract);
        expect(result.verdict, describeResult(result)).toBe("pass");
        expect(result.reach.find((r) => r.state === "out of memory")!.fraction).toBeGreaterThan(
          0.3,
        );
      }
    });

    test(`invariant 10 judges the throw as it judges a null: a spurious one is found (${seeds("free-list-refusing", "I10")})`, () => {
      const factory = () => new RefusesLargeRequests({ outOfMemory: "throws" });
      const failure = failureOf(run("I10", factory, "free-list-refusing", throwsContract));
      expect(failure.invariant).toBe(10);
      expect(failure.message).toMatch(/threw OutOfMemory: no free span for \d+ bytes although/);
      expect(failure.operations.length).toBeLessThanOrEqual(2);
    });
  });

  describe("coalesces: false", () => {
    const noCoalescing = resolveContract({ coalesces: false });

    test(`a segregated-fit allocator that never coalesces fails the coalescing form of invariant 10 (${seeds("segregated-fit", "I10")})`, () => {
      const failure = failureOf(run("I10", () => new SegregatedFitAllocator(), "segregated-fit"));
      expect(failure.invariant).toBe(10);
      expect(failure.message).toMatch(/is free: \d+ bytes, \d+ needed/);
    });

    test(`declared, it passes invariant 10 and every other property that applies (${seeds("segregated-fit", ...GENERAL)})`, () => {
      for (const property of GENERAL) {
        const result = run(
          property,
          () => new SegregatedFitAllocator(),
          "segregated-fit",
          noCoalescing,
        );
        expect(result.verdict, `${property}:\n${describeResult(result)}`).toBe("pass");
      }
    });

    test(`a bug that breaks the untouched-tail promise is found: carving stops short of the end (${seeds("segregated-fit-short", "I10")})`, () => {
      const failure = failureOf(
        run("I10", () => new StopsShortOfTheEnd(), "segregated-fit-short", noCoalescing),
      );
      expect(failure.invariant).toBe(10);
      expect(failure.message).toMatch(/returned null although the region's untouched tail/);
      expect(failure.operations.length).toBeLessThanOrEqual(2);
    });

    test(`a bug that breaks the reuse promise is found: a freed block that is never reused (${seeds("segregated-fit-losing", "I10")})`, () => {
      const failure = failureOf(
        run("I10", () => new LosesLargeFreedBlocks(), "segregated-fit-losing", noCoalescing),
      );
      expect(failure.invariant).toBe(10);
      expect(failure.message).toMatch(
        /returned null although the block 0x[0-9a-f]+, freed after a request of the same \d+ bytes, is still free/,
      );
      console.log(
        `segregated fit losing freed blocks: ${failure.operations.map(formatOp).join(", ")}: ${failure.message}`,
      );
    });
  });

  describe("inapplicableReason names what is missing", () => {
    const reasons = (subject: Subject, contract: ResolvedContract = DEFAULT_CONTRACT) =>
      Object.fromEntries(
        PROPERTIES.map((p) => [
          p.id,
          inapplicableReason(p.invariant, subject, subject.geometry, contract),
        ]),
      );

    test("for a general allocator with a region, usableSize and bytes", () => {
      expect(reasons(new FreeListAllocator())).toEqual({
        "I01-disjoint": undefined,
        "I02-contained": undefined,
        "I03-aligned": undefined,
        "I04-sized": undefined,
        "I05-reuse-before-growth": "needs `geometry` and `addressSpace`",
        "I06-arena-release": "needs `geometry` and `addressSpace`",
        "I07-accounting": "needs `geometry`, `addressSpace` and `stats`",
        "I08-payload-integrity": undefined,
        "I09-misuse-rejected": undefined,
        "I10-no-spurious-oom": undefined,
        "I11-equivalence": "needs `geometry`",
        "I12-self-check": "needs `check`",
      });
    });

    test("for malloc and free alone, and for a geometry without an address space", () => {
      const bare: Subject = { kind: "bare", malloc: () => null, free: () => {} };
      const bareReasons = reasons(bare);
      expect(bareReasons["I02-contained"]).toBe("needs `geometry` and `addressSpace`, or `region`");
      expect(bareReasons["I04-sized"]).toBe("needs `usableSize`");
      expect(bareReasons["I08-payload-integrity"]).toBe("needs `bytes`");
      const g = TINY_GEOMETRIES[0]!;
      const { addressSpace: _, ...noSpace } = createAllocator("bitmap", g);
      const claimed: Subject = {
        ...noSpace,
        kind: "bitmap without its address space",
        geometry: g,
      };
      expect(reasons(claimed)["I10-no-spurious-oom"]).toBe("needs `addressSpace`, or `region`");
    });

    test("applies is derived from the same reasons, for every property, subject and contract", () => {
      const g = TINY_GEOMETRIES[0]!;
      const subjects: Subject[] = [
        new FreeListAllocator(),
        new SegregatedFitAllocator(),
        createAllocator("bitmap", g),
        { kind: "bare", malloc: () => null, free: () => {} },
      ];
      const contracts = [DEFAULT_CONTRACT, resolveContract({ misuse: "undetected" })];
      for (const subject of subjects)
        for (const contract of contracts)
          for (const { invariant } of PROPERTIES)
            expect(invariant.applies(subject, subject.geometry, contract)).toBe(
              inapplicableReason(invariant, subject, subject.geometry, contract) === undefined,
            );
      expect(reasons(createAllocator("bitmap", g))).toEqual(
        Object.fromEntries(PROPERTIES.map((p) => [p.id, undefined])),
      );
    });
  });
});
