/**
 * AssemblyScript's TLSF in WebAssembly (audit/adapters/assemblyscript-tlsf.ts, spec/wasm.md §5)
 * through the properties: used as documented, both builds pass in the ci profile; what issue 17
 * reported from a first try is confirmed or refuted by the properties, each finding pinned as the
 * shrunk counterexample they found (seed 7, ci profile, one misuse kind at a time):
 *
 *   trap at the memory limit       confirmed: malloc traps (unreachable), never returns null
 *   abort on a double free         only while the block is still free: once its memory is
 *                                  handed out again, a double free is accepted and corrupts
 *                                  the new block (release build)
 *   abort on an interior pointer   confirmed for a misaligned one; a pointer below __heap_base
 *                                  is silently ignored
 *   --noAssert corrupts silently   confirmed: overlapping blocks, overwritten payload, and a
 *                                  later free traps (memory access out of bounds)
 */
import { beforeAll, describe, expect, test } from "vitest";
import { describeAllocator } from "allocheck/vitest";
import { tlsfContract, tlsfFactory } from "../audit/adapters/assemblyscript-tlsf.ts";
import { ensureTlsfBuilt, type TlsfVariant } from "../audit/adapters/tlsf/build-tlsf.ts";
import { TINY_GEOMETRIES } from "../generators/geometry.ts";
import { resolveContract, type Contract } from "../model/contract.ts";
import { formatOp, type Op } from "../model/ops.ts";
import { replayOperations } from "../run/replay.ts";

const G = TINY_GEOMETRIES[0]!;
/** As documented: out of memory traps, misuse is not made (undefined behaviour). */
const DOCUMENTED: Contract = { misuse: "undetected", outOfMemory: "throws", coalesces: true };
/** Misuse made, and expected to be detected: what the release build's assertions promise. */
const DETECTS: Contract = { misuse: "throws", outOfMemory: "throws", coalesces: true };

for (const variant of ["release", "noassert"] as const) {
  describeAllocator(
    `assemblyscript-tlsf-${variant}, used as documented`,
    tlsfFactory(variant, DOCUMENTED),
    {
      contract: DOCUMENTED,
      families: ["tiny"],
      profile: "ci",
      exhaustive: false,
      counterexampleDir: false,
    },
  );
}

function replay(variant: TlsfVariant, contract: Contract, property: string, operations: Op[]) {
  const factory = tlsfFactory(variant, contract);
  const result = replayOperations(factory(G), G, property, operations, {
    contract: resolveContract(contract),
  });
  if (result.violation !== undefined)
    console.log(
      `tlsf ${variant}, ${property}: ${operations.map(formatOp).join(", ")}: ${result.violation.message}`,
    );
  return result;
}

describe("assemblyscript-tlsf: the behaviour issue 17 reported, by the properties", () => {
  beforeAll(() => void ensureTlsfBuilt(), 60_000);

  test("the declared contracts: release detects misuse, --noAssert does not; out of memory traps", () => {
    expect(tlsfContract("release")).toEqual(DETECTS);
    expect(tlsfContract("noassert")).toEqual(DOCUMENTED);
  });

  test("at the memory limit malloc traps instead of returning null: a failure where null is promised (invariant 10's run)", () => {
    const operations: Op[] = [{ op: "exhaust", n: 240 }];
    const promisedNull = replay(
      "release",
      { ...DOCUMENTED, outOfMemory: "null" },
      "I10-no-spurious-oom",
      operations,
    );
    expect(promisedNull.violation?.invariant).toBe(0);
    expect(promisedNull.violation?.message).toMatch(
      /the allocator threw RuntimeError: unreachable, on a valid malloc\(240\)/,
    );
    // Under its own contract the trap is its out of memory, and justified: the memory was full.
    const documented = replay("release", DOCUMENTED, "I10-no-spurious-oom", operations);
    expect(documented.violation).toBeUndefined();
    expect(documented.driver.reach.reached("out of memory")).toBe(true);
    expect(documented.subject.region!.end).toBe(16 * 65536);
  });

  test("release: a double free of a block still free aborts, and the heap is unchanged", () => {
    const result = replay("release", DETECTS, "I09-misuse-rejected", [
      { op: "malloc", n: 1 },
      { op: "free", pick: 0 },
      { op: "misuse", kind: "double-free", pick: 0 },
      { op: "malloc", n: 1 },
    ]);
    expect(result.violation).toBeUndefined();
    expect(result.driver.reach.reached("misuse double-free")).toBe(true);
  });

  test("release: a double free after the block's memory was handed out again is accepted and overwrites the new block (invariant 8)", () => {
    // free(#0) twice frees both blocks, which coalesce; malloc(32) takes the space, so the first
    // block's header word is now payload of the new one, with TLSF's FREE bit clear.
    const result = replay("release", DETECTS, "I08-payload-integrity", [
      { op: "malloc", n: 16 },
      { op: "malloc", n: 8 },
      { op: "free", pick: 0 },
      { op: "free", pick: 0 },
      { op: "malloc", n: 32 },
      { op: "misuse", kind: "double-free", pick: 0 },
    ]);
    expect(result.violation?.invariant).toBe(8);
    expect(result.violation?.message).toMatch(/\(32 bytes\) was overwritten at offset 28/);
  });

  test("release: a pointer below __heap_base is silently ignored (invariant 9)", () => {
    const result = replay("release", DETECTS, "I09-misuse-rejected", [
      { op: "misuse", kind: "unknown", pick: 0 },
    ]);
    expect(result.violation?.invariant).toBe(9);
    expect(result.violation?.message).toMatch(/free\(0x4\) was accepted/);
  });

  test("release: a misaligned interior pointer aborts", () => {
    const result = replay("release", DETECTS, "I09-misuse-rejected", [
      { op: "malloc", n: 64 },
      { op: "misuse", kind: "interior", pick: 0 },
    ]);
    expect(result.violation).toBeUndefined();
    expect(result.driver.reach.reached("misuse interior")).toBe(true);
  });

  test("--noAssert: a double free makes malloc hand out a live block again (invariant 1)", () => {
    const result = replay("noassert", DETECTS, "I01-disjoint", [
      { op: "malloc", n: 513 },
      { op: "malloc", n: 512 },
      { op: "free", pick: 0 },
      { op: "misuse", kind: "double-free", pick: 0 },
      { op: "malloc", n: 8 },
      { op: "malloc", n: 497 },
    ]);
    expect(result.violation?.invariant).toBe(1);
    expect(result.violation?.message).toMatch(/0xac0 was handed out while it is still live/);
  });

  test("--noAssert: after a double free a later valid free traps (memory access out of bounds)", () => {
    const result = replay("noassert", DETECTS, "I02-contained", [
      { op: "exhaust", n: 8 },
      { op: "free-every", k: 54, keep: true },
      { op: "misuse", kind: "double-free", pick: 0 },
      { op: "free-all" },
    ]);
    expect(result.violation?.invariant).toBe(0);
    expect(result.violation?.message).toMatch(
      /the allocator threw RuntimeError: memory access out of bounds, on a valid free/,
    );
  });

  test("a restored snapshot behaves as a new instance: the same addresses for the same calls", () => {
    const calls = (variant: TlsfVariant, runs: number) => {
      const factory = tlsfFactory(variant);
      let addresses: (number | null)[] = [];
      for (let run = 0; run < runs; run++) {
        const subject = factory(G);
        addresses = [100, 7, 3000, 16].map((n) => subject.malloc(n));
        subject.free(addresses[1]!);
        addresses.push(subject.malloc(5));
      }
      return { addresses, resets: { ...factory.resets } };
    };
    const first = calls("release", 1);
    const third = calls("release", 3);
    expect(third.resets).toMatchObject({ restored: 2 });
    expect(third.addresses).toEqual(first.addresses);
  });
});
