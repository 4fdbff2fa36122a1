/**
 * Bounded-exhaustive mode: every sequence up to the profile's length over the alphabet of
 * exhaustive/bounded.ts, on the named tiny geometries, every applicable invariant at once,
 * equivalence with the reference included. And it is not vacuous: it finds injected bugs.
 */
import { describe, expect, test } from "vitest";
import { AddressSpace } from "../../src/core/address-space.ts";
import {
  ADDRESS_ORDERED_KINDS,
  ALLOCATOR_KINDS,
  createAllocator,
} from "../../src/allocators/create-allocator.ts";
import type { Geometry } from "../../src/core/geometry.ts";
import { runExhaustive } from "../exhaustive/bounded.ts";
import { TINY_GEOMETRIES } from "../generators/geometry.ts";
import { formatOp } from "../model/ops.ts";
import type { Subject } from "../model/subject.ts";
import { profileFromEnv } from "../profiles.ts";
import { PROPERTIES } from "../properties.ts";
import { ChoosesHighestBlock, NeverReleasesArenas } from "./support/injected-bugs.ts";

const allChecks = (subject: Subject, g: Geometry) =>
  PROPERTIES.filter((p) => p.invariant.applies(subject, g)).map((p) => p.invariant.check);
/** Every check but equivalence, for allocators that do not claim the address-ordered policy. */
const policyFreeChecks = (subject: Subject, g: Geometry) =>
  PROPERTIES.filter((p) => p.invariant.number !== 11 && p.invariant.applies(subject, g)).map(
    (p) => p.invariant.check,
  );

describe("bounded-exhaustive", () => {
  const length = profileFromEnv().exhaustiveLength;
  for (const kind of ALLOCATOR_KINDS) {
    test(`${kind}: every sequence of up to ${length} operations on ${TINY_GEOMETRIES.length} tiny geometries`, ({
      task,
    }) => {
      const checks = ADDRESS_ORDERED_KINDS.includes(kind) ? allChecks : policyFreeChecks;
      const result = runExhaustive(
        (g) => createAllocator(kind, g),
        TINY_GEOMETRIES,
        length,
        checks,
      );
      task.meta.operations = result.operations;
      const f = result.failure;
      expect(
        f,
        f &&
          `${f.violation.message}\n  on ${f.geometry.name}: ${f.operations.map(formatOp).join(", ")}`,
      ).toBeUndefined();
      expect(result.sequences).toBe(
        TINY_GEOMETRIES.length *
          Array.from({ length }, (_, i) => 14 ** (i + 1)).reduce((a, b) => a + b, 0),
      );
    });
  }

  test.each([
    ["missing arena release", NeverReleasesArenas, 6],
    ["wrong block choice", ChoosesHighestBlock, 11],
  ] as const)("finds the injected bug: %s, by its invariant alone", (_, Allocator, invariant) => {
    const only = PROPERTIES.filter((p) => p.invariant.number === invariant).map(
      (p) => p.invariant.check,
    );
    const result = runExhaustive(
      (g) => new Allocator(g, new AddressSpace(g)),
      TINY_GEOMETRIES,
      2,
      () => only,
    );
    expect(result.failure?.violation.invariant).toBe(invariant);
    expect(result.failure!.operations.length).toBeLessThanOrEqual(2);
  });
});
