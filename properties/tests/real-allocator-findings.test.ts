/**
 * The findings of the audit's real-allocator rounds (audit/real-allocators.ts, reports/audit.md
 * "Real allocators"), each pinned by replaying its shrunk counterexample on the loaded allocator.
 * Used as documented (C's malloc, no misuse) the three pass every property that applies; the
 * findings are what each does with undefined behaviour: a double free or an interior pointer is
 * accepted silently (invariant 9, under the contract misuse: "throws" they are judged by), and
 * the heap is corrupted from then on: a block handed out twice (1), a live block overwritten (8),
 * or a later valid call trapping (memory access out of bounds).
 */
import { describe, expect, test } from "vitest";
import { resolveContract } from "../model/contract.ts";
import { replayOperations } from "../run/replay.ts";
import { TINY_GEOMETRIES } from "../generators/geometry.ts";
import { sqliteDlmalloc } from "../audit/adapters/sqlite-dlmalloc.ts";
import { pyodideDlmalloc } from "../audit/adapters/pyodide-dlmalloc.ts";
import { pyodideMimalloc } from "../audit/adapters/pyodide-mimalloc.ts";
import type { WasmSubjectFactory } from "../../src/wasm/index.ts";
import { isTrap } from "../audit/real-allocators.ts";

const geometry = TINY_GEOMETRIES[0]!;

/** Replays under the allocator's contract with misuse judged as if it were detected. */
function replay(factory: WasmSubjectFactory, property: string, operations: readonly unknown[]) {
  return replayOperations(factory(geometry), geometry, property, operations, {
    contract: resolveContract({ ...factory.contract, misuse: "throws" }),
  });
}

describe("SQLite's dlmalloc with misuse", () => {
  test("an interior pointer is freed without complaint (invariant 9)", () => {
    const { violation } = replay(sqliteDlmalloc, "I09-misuse-rejected", [
      { op: "malloc", n: 1 },
      { op: "misuse", kind: "interior", pick: 0 },
    ]);
    expect(violation?.invariant).toBe(9);
    expect(violation?.message).toMatch(/free\(0x[0-9a-f]+\) was accepted/);
  });

  test("freeing an interior pointer corrupts the live block it points into (invariant 8)", () => {
    const { violation } = replay(sqliteDlmalloc, "I08-payload-integrity", [
      { op: "malloc", n: 128 },
      { op: "misuse", kind: "interior", pick: 195424 },
    ]);
    expect(violation?.invariant).toBe(8);
    expect(violation?.message).toMatch(/was overwritten at offset/);
  });

  test("a double free hands the block out twice (invariant 1)", () => {
    const { violation } = replay(sqliteDlmalloc, "I01-disjoint", [
      { op: "malloc", n: 1 },
      { op: "malloc", n: 8 },
      { op: "free", pick: 0 },
      { op: "free", pick: 0 },
      { op: "fill-arena", n: 16 },
      { op: "misuse", kind: "double-free", pick: 0 },
      { op: "malloc", n: 8 },
    ]);
    expect(violation?.invariant, violation?.message).toBe(1);
    expect(violation?.message).toMatch(/was handed out while it is still live/);
  });

  test("after a use after free, a valid free traps: memory access out of bounds", () => {
    const { violation } = replay(sqliteDlmalloc, "I03-aligned", [
      { op: "fill-arena", n: 312 },
      { op: "realloc", pick: 562017, n: 321 },
      { op: "misuse", kind: "use-after-free", pick: 159315 },
      { op: "free-all" },
    ]);
    expect(isTrap(violation?.invariant, violation?.message), violation?.message).toBe(true);
    expect(violation?.message).toMatch(
      /RuntimeError: memory access out of bounds, on a valid free/,
    );
  });
});

describe("mimalloc in Pyodide with misuse", () => {
  test("a double free is accepted (invariant 9)", () => {
    const { violation } = replay(pyodideMimalloc, "I09-misuse-rejected", [
      { op: "fill-pool", n: 8 },
      { op: "free", pick: 0 },
      { op: "misuse", kind: "double-free", pick: 0 },
    ]);
    expect(violation?.invariant).toBe(9);
  });

  test("freeing an interior pointer corrupts the live block (invariant 8)", () => {
    const { violation } = replay(pyodideMimalloc, "I08-payload-integrity", [
      { op: "malloc", n: 9 },
      { op: "misuse", kind: "interior", pick: 0 },
    ]);
    expect(violation?.invariant).toBe(8);
  });

  test("an interior pointer, once freed, comes back from malloc misaligned (invariant 3)", () => {
    const { violation } = replay(pyodideMimalloc, "I03-aligned", [
      { op: "malloc", n: 392 },
      { op: "misuse", kind: "interior", pick: 0 },
      { op: "exhaust", n: 385 },
    ]);
    expect(violation?.invariant).toBe(3);
    expect(violation?.message).toMatch(/is not a multiple of 8/);
  });
});

describe("dlmalloc in Pyodide with misuse", () => {
  test("a double free after a realloc is accepted (invariant 9)", () => {
    const { violation } = replay(pyodideDlmalloc, "I09-misuse-rejected", [
      { op: "malloc", n: 8 },
      { op: "realloc", pick: 0, n: 512 },
      { op: "misuse", kind: "double-free", pick: 0 },
    ]);
    expect(violation?.invariant).toBe(9);
  });

  test("after a use after free, a valid malloc traps: memory access out of bounds", () => {
    const { violation } = replay(pyodideDlmalloc, "I02-contained", [
      { op: "churn", steps: 2, seed: 119940381 },
      { op: "misuse", kind: "use-after-free", pick: 519741 },
      { op: "exhaust", n: 16 },
    ]);
    expect(isTrap(violation?.invariant, violation?.message), violation?.message).toBe(true);
    expect(violation?.message).toMatch(
      /RuntimeError: memory access out of bounds, on a valid malloc/,
    );
  });

  test("used as documented, the same steps without the misuse pass", () => {
    const { violation } = replayOperations(
      pyodideDlmalloc(geometry),
      geometry,
      "I02-contained",
      [
        { op: "churn", steps: 2, seed: 119940381 },
        { op: "exhaust", n: 16 },
      ],
      { contract: resolveContract(pyodideDlmalloc.contract), allInvariants: true },
    );
    expect(violation).toBeUndefined();
  });
});

describe("alignment: C's rule with Emscripten's max_align_t (adapters/emscripten.ts)", () => {
  test("mimalloc gives a 4-byte request 4-byte alignment, which C's rule allows (DR 445)", () => {
    const subject = pyodideMimalloc(geometry);
    const p = subject.malloc(4)!;
    expect(p % 4).toBe(0);
    expect(p % 8).not.toBe(0);
    expect(subject.region!.alignmentFor!(4)).toBe(4);
  });

  test("SQLite's dlmalloc gives a 16-byte request 8-byte alignment: Emscripten's max_align_t, not wasm32's 16", () => {
    const subject = sqliteDlmalloc(geometry);
    // Which of them is the 8-aligned one depends on the heap SQLite's start-up left (the working
    // folder's path is one of its strings): consecutive 16-byte requests take 24-byte chunks.
    const blocks = [1, 2, 3, 4].map(() => subject.malloc(16)!);
    expect(blocks.every((p) => p % 8 === 0)).toBe(true);
    expect(
      blocks.some((p) => p % 16 !== 0),
      blocks.join(", "),
    ).toBe(true);
    expect(subject.region!.alignmentFor!(16)).toBe(8);
  });
});
