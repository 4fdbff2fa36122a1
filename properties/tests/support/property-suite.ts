/**
 * One vitest suite per property: every allocator kind × every geometry family, with the profile
 * from ALLOCHECK_PROFILE and a fixed seed per test (printed in the test's name). A failure writes
 * its counterexample under reports/counterexamples/ and says how to replay it.
 */
import { describe, expect, test } from "vitest";
import {
  ADDRESS_ORDERED_KINDS,
  ALLOCATOR_KINDS,
  createAllocator,
} from "../../../src/allocators/create-allocator.ts";
import { GEOMETRY_FAMILIES } from "../../generators/geometry.ts";
import { baseSeedFromEnv, profileFromEnv, seedFor } from "../../profiles.ts";
import { propertyById } from "../../properties.ts";
import { describeResult } from "../../run/describe-result.ts";
import { runProperty } from "../../run/run-property.ts";

// task.meta.operations: summed by the operations reporter.
import "../../../src/vitest/task-meta.ts";

export { COUNTEREXAMPLE_DIR } from "../../run/paths.ts";
import { COUNTEREXAMPLE_DIR } from "../../run/paths.ts";

export function propertySuite(id: string): void {
  const definition = propertyById(id);
  const profile = profileFromEnv();
  const base = baseSeedFromEnv();
  describe(`${definition.id}: ${definition.invariant.title}`, () => {
    // Equivalence (invariant 11) is a claim of the address-ordered policy; the CPython-faithful
    // model makes other choices by design (spec/cpython-model.md).
    const kinds = definition.invariant.number === 11 ? ADDRESS_ORDERED_KINDS : ALLOCATOR_KINDS;
    for (const kind of kinds) {
      for (const family of GEOMETRY_FAMILIES) {
        const seed = seedFor(base, `${definition.id}/${kind}/${family}`);
        test(`${kind}, ${family} geometries, ${profile.name} profile (seed ${seed})`, ({
          task,
        }) => {
          const result = runProperty(definition, (geometry) => createAllocator(kind, geometry), {
            implementation: kind,
            profile,
            family,
            seed,
            counterexampleDir: COUNTEREXAMPLE_DIR,
          });
          task.meta.operations = result.operations;
          expect(result.verdict, describeResult(result)).toBe("pass");
        });
      }
    }
  });
}
