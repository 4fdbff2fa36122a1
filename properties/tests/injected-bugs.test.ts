/**
 * The suite catches real bugs, and shrinks them: five allocators, each the reference with exactly
 * one injected bug, must each fail the property made for that bug class, with a counterexample
 * of at most 6 operations that replays to the same violation (issue 4's "must show").
 */
import { describe, expect, test } from "vitest";
import { AddressSpace } from "../../src/core/address-space.ts";
import type { Geometry } from "../../src/core/geometry.ts";
import { formatOp } from "../model/ops.ts";
import { baseSeedFromEnv, profileFromEnv, seedFor } from "../profiles.ts";
import { propertyById } from "../properties.ts";
import { describeResult } from "../run/describe-result.ts";
import { replayOperations } from "../run/replay.ts";
import { runProperty } from "../run/run-property.ts";
import { BUGS } from "./support/injected-bugs.ts";

const MAX_SHRUNK_LENGTH = 6;

describe("injected bugs are caught and shrink to at most 6 operations", () => {
  const profile = profileFromEnv();
  for (const { bug, property, invariant, Allocator } of BUGS) {
    const seed = seedFor(baseSeedFromEnv(), `injected/${bug}`);
    test(`${bug}: ${property} (seed ${seed})`, () => {
      const make = (g: Geometry) => new Allocator(g, new AddressSpace(g));
      const result = runProperty(propertyById(property), make, {
        implementation: `reference with ${bug}`,
        profile,
        family: "tiny",
        seed,
      });
      const failure = result.failure;
      expect(failure, `the bug survived:\n${describeResult(result)}`).toBeDefined();
      const shown = `${describeResult(result)}`;
      expect(failure!.invariant, shown).toBe(invariant);
      expect(failure!.operations.length, shown).toBeLessThanOrEqual(MAX_SHRUNK_LENGTH);
      // The shrunk operations replay to the same violation, without fast-check.
      const replay = replayOperations(
        make(failure!.geometry),
        failure!.geometry,
        property,
        failure!.operations,
      );
      expect(
        replay.violation?.invariant,
        `replay of ${failure!.operations.map(formatOp).join(", ")}`,
      ).toBe(invariant);
      console.log(
        `${bug}: caught by invariant ${invariant}, shrunk to ${failure!.operations.length} step(s): ${failure!.operations.map(formatOp).join(", ")}`,
      );
    });
  }
});
