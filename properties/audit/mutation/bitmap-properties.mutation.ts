/**
 * The twelve properties on the bitmap allocator alone, quick profile, every geometry family, and
 * the bounded-exhaustive mode on the bitmap allocator: the property part of the mutation runs
 * (vitest.mutation.config.ts, spec/audit.md §3). Test names carry their fixed seeds and nothing
 * that changes between runs (Stryker selects tests by name).
 */
import { describe, expect, test } from "vitest";
import { createAllocator } from "../../../src/allocators/create-allocator.ts";
import type { Geometry } from "../../../src/core/geometry.ts";
import { runExhaustive } from "../../exhaustive/bounded.ts";
import { GEOMETRY_FAMILIES, TINY_GEOMETRIES } from "../../generators/geometry.ts";
import { formatOp } from "../../model/ops.ts";
import type { Subject } from "../../model/subject.ts";
import { PROFILES, baseSeedFromEnv, seedFor } from "../../profiles.ts";
import { PROPERTIES } from "../../properties.ts";
import { describeResult } from "../../run/describe-result.ts";
import { runProperty } from "../../run/run-property.ts";

const profile = PROFILES.quick;
/**
 * Runs per property and family: a quarter of the quick profile's 40. The audit's kill matrix finds
 * the seeded bugs at a median of one run (spec/audit.md §2), and these tests run against every
 * mutant they cover, so ten runs of each of ~48 property-family pairs is the sharper trade.
 */
const RUNS_PER_PROPERTY = 10;
const base = baseSeedFromEnv();
const bitmap = (g: Geometry) => createAllocator("bitmap", g);

describe("bounded-exhaustive, bitmap", () => {
  test("every sequence of up to 2 operations on the tiny geometries, every invariant", () => {
    const all = (subject: Subject, g: Geometry) =>
      PROPERTIES.filter((p) => p.invariant.applies(subject, g)).map((p) => p.invariant.check);
    const result = runExhaustive(bitmap, TINY_GEOMETRIES, 2, all);
    const f = result.failure;
    expect(
      f,
      f &&
        `${f.violation.message}\n  on ${f.geometry.name}: ${f.operations.map(formatOp).join(", ")}`,
    ).toBeUndefined();
  });
});

for (const definition of PROPERTIES) {
  describe(`${definition.id}, bitmap`, () => {
    for (const family of GEOMETRY_FAMILIES) {
      const seed = seedFor(base, `${definition.id}/bitmap/${family}`);
      test(`${family} geometries, ${RUNS_PER_PROPERTY} runs (seed ${seed})`, () => {
        const result = runProperty(definition, bitmap, {
          implementation: "bitmap",
          profile,
          numRuns: RUNS_PER_PROPERTY,
          family,
          seed,
        });
        expect(result.verdict, describeResult(result)).toBe("pass");
      });
    }
  });
}
