/**
 * An outside allocator through the same properties: @thi.ng/malloc's MemPool (audit/adapters/
 * thing-mempool.ts), in child processes with a deadline. The full three-round audit is
 * `npm run audit`; this pins the findings that take a second to reproduce, so a change in the
 * suite or the package shows up.
 */
import { describe, expect, test } from "vitest";
import { formatOp } from "../model/ops.ts";
import { PROFILES } from "../profiles.ts";
import { runIsolated } from "../run/isolated.ts";
import { MEMPOOL_OPTIONS } from "../audit/outside-allocator.ts";
import { replayOperations } from "../run/replay.ts";
import { MemPoolSubject } from "../audit/adapters/thing-mempool.ts";
import { TINY_GEOMETRIES } from "../generators/geometry.ts";

const target = {
  module: "../audit/adapters/thing-mempool.ts",
  factory: "memPoolFactory",
  options: MEMPOOL_OPTIONS,
  name: "thi.ng-mempool",
};

describe("@thi.ng/malloc MemPool through the general properties", () => {
  test("sizes at 2^31 and above wrap: the block lies outside the pool (invariant 2)", () => {
    const outcome = runIsolated(
      { target, property: "I02-contained", profile: PROFILES.quick, family: "tiny", seed: 1 },
      30_000,
    );
    expect(outcome.kind).toBe("done");
    const failure = outcome.kind === "done" ? outcome.result.failure : undefined;
    expect(failure?.invariant).toBe(2);
    expect(failure!.operations.length).toBeLessThanOrEqual(2);
    console.log(
      `MemPool, invariant 2: ${failure!.operations.map(formatOp).join(", ")}: ${failure!.message}`,
    );
  });

  test("a realloc that moves a block leaks the old one: its pointer can be freed again (invariant 9)", () => {
    // MemPool.reallocBlock calls this.free(block) with the block's header address; free() takes a
    // data address and subtracts the header again, finds nothing, and the old block stays used.
    const operations = [
      { op: "malloc", n: 8 },
      { op: "malloc", n: 8 },
      { op: "realloc", pick: 0, n: 9 },
      { op: "misuse", kind: "double-free", pick: 0 },
    ];
    const { violation } = replayOperations(
      new MemPoolSubject(MEMPOOL_OPTIONS),
      TINY_GEOMETRIES[0]!,
      "I09-misuse-rejected",
      operations,
    );
    expect(violation?.invariant).toBe(9);
    expect(violation?.message).toMatch(/free\(0x28\) was accepted/);
  });

  test("used as documented (sizes up to 2^30, no misuse), no overlap, containment, alignment or payload failure", () => {
    for (const property of ["I01-disjoint", "I02-contained", "I08-payload-integrity"]) {
      const outcome = runIsolated(
        {
          target,
          property,
          profile: PROFILES.quick,
          family: "tiny",
          seed: 2,
          sizeLimit: 2 ** 30,
          misuseKinds: [],
        },
        30_000,
      );
      expect(outcome.kind === "done" ? outcome.result.verdict : outcome.kind, property).toBe(
        "pass",
      );
    }
  });
});
