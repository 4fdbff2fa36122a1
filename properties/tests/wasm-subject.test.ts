/**
 * allocheck/wasm's wasmSubject (spec/wasm.md) on a module no compiler made: a bump allocator
 * written as raw bytes (support/bump-wasm.ts). C's alignment rule, the memory that grows, a trap
 * as a finding, the two ways to reset, and the typed errors.
 */
import { describe, expect, test } from "vitest";
import {
  cMallocAlignment,
  declaredMemoryMaximum,
  standaloneWasmSubject,
  wasmSubject,
  WasmSubjectError,
  type WasmSubjectErrorCode,
} from "allocheck/wasm";
import { TINY_GEOMETRIES } from "../generators/geometry.ts";
import { resolveContract } from "../model/contract.ts";
import { PROFILES } from "../profiles.ts";
import { propertyById } from "../properties.ts";
import { replayOperations } from "../run/replay.ts";
import { runProperty } from "../run/run-property.ts";
import { WebAssemblyApi } from "../../src/wasm/webassembly.ts";
import { bumpAllocatorWasm } from "./support/bump-wasm.ts";

const G = TINY_GEOMETRIES[0]!;
const SEED = 20261204;

function errorCode(make: () => unknown): WasmSubjectErrorCode | undefined {
  try {
    make();
  } catch (error) {
    if (error instanceof WasmSubjectError) return error.code;
    throw error;
  }
  return undefined;
}

describe("C's malloc alignment rule (spec/wasm.md §2)", () => {
  test("fundamental alignment from max_align_t up, the largest power of two not above n below it", () => {
    const sizes = [0, 1, 2, 3, 4, 7, 8, 9, 15, 16, 17, 1000];
    expect(sizes.map((n) => cMallocAlignment(n))).toEqual([1, 1, 2, 2, 4, 4, 8, 8, 8, 16, 16, 16]);
    expect(sizes.map((n) => cMallocAlignment(n, 8))).toEqual([1, 1, 2, 2, 4, 4, 8, 8, 8, 8, 8, 8]);
  });

  test("invariant 3 asks each request the alignment the rule owes it (Region.alignmentFor)", () => {
    // The bump allocator aligns to 16: enough for C's rule with max_align_t of 16, not of 32.
    const bytes = bumpAllocatorWasm();
    const run = (fundamental: number) => {
      const factory = standaloneWasmSubject(bytes, { alignment: fundamental });
      return replayOperations(
        factory(G),
        G,
        "I03-aligned",
        [
          { op: "malloc", n: 8 },
          { op: "malloc", n: 24 },
          { op: "malloc", n: 40 },
        ],
        { contract: resolveContract(factory.contract) },
      ).violation;
    };
    expect(run(16)).toBeUndefined();
    const violation = run(32);
    expect(violation?.invariant).toBe(3);
    expect(violation?.message).toMatch(/is not a multiple of 32/);
    expect(violation?.step).toBe(2); // malloc(24) is owed 16 only
  });
});

describe("wasmSubject over a raw-bytes bump allocator", () => {
  test("the module's declared memory maximum is the region's limit; the region's end grows with the memory", () => {
    const bytes = bumpAllocatorWasm();
    expect(declaredMemoryMaximum(bytes)).toBe(4 * 65536);
    const subject = standaloneWasmSubject(bytes)(G);
    expect(subject.region).toMatchObject({ start: 1024, end: 65536, limit: 4 * 65536 });
    const p = subject.malloc(60_000)!;
    const q = subject.malloc(60_000)!; // past the first page: memory.grow detached the old buffer
    expect(q).toBe(p + 60_000);
    expect(subject.region!.end).toBe(2 * 65536);
    subject.bytes!(q).fill(7);
    expect(subject.bytes!(q).length).toBe(60_000);
    expect(subject.malloc(2 ** 32)).toBeNull(); // no wasm32 size_t holds it
    expect(() => subject.malloc(-1)).toThrow(/invalid-size/);
    expect(() => subject.free(1.5)).toThrow(/invalid-pointer/);
  });

  test("no overlap, containment, alignment and payload integrity hold (quick profile)", () => {
    const factory = standaloneWasmSubject(bumpAllocatorWasm(), { kind: "bump" });
    for (const id of ["I01-disjoint", "I02-contained", "I03-aligned", "I08-payload-integrity"]) {
      const result = runProperty(propertyById(id), factory, {
        implementation: "bump",
        profile: PROFILES.quick,
        family: "tiny",
        seed: SEED,
        contract: resolveContract(factory.contract),
      });
      expect(result.verdict, id).toBe("pass");
    }
    // Each run after the first had a new instance: the default with a module source.
    expect(factory.resets.restored).toBe(0);
    expect(factory.resets.instantiated).toBe(4 * PROFILES.quick.numRuns);
  });

  test("a trap is a finding: the unexpected error with the trap's message, shrunk; the next run gets a new instance", () => {
    const factory = standaloneWasmSubject(bumpAllocatorWasm({ trapOn: 24 }), { kind: "bump" });
    const result = runProperty(propertyById("I01-disjoint"), factory, {
      implementation: "bump",
      profile: PROFILES.quick,
      family: "tiny",
      seed: SEED,
      contract: resolveContract(factory.contract),
    });
    expect(result.verdict).toBe("fail");
    expect(result.failure!.invariant).toBe(0);
    expect(result.failure!.message).toMatch(
      /the allocator threw RuntimeError: unreachable, on a valid malloc\(24\)/,
    );
    expect(result.failure!.operations.length).toBe(1);
    expect(factory.resets.trapped).toBeGreaterThan(0);
    console.log(`bump with a trap at malloc(24): ${result.failure!.message}`);
  });

  test("restoring a snapshot resets memory and exported globals only: the bump cursor, an unexported global, is not reset", () => {
    const bytes = bumpAllocatorWasm();
    const firstAddress = (reset: "instantiate" | "restore") => {
      const factory = standaloneWasmSubject(bytes, { reset });
      factory(G).malloc(100);
      return factory(G).malloc(100);
    };
    expect(firstAddress("instantiate")).toBe(1024);
    expect(firstAddress("restore")).toBe(1024 + 112);
  });

  test("bad options and modules it cannot drive: WasmSubjectError with a stable code", () => {
    const bytes = bumpAllocatorWasm();
    const module = new WebAssemblyApi.Module(bytes);
    expect(errorCode(() => wasmSubject({}))).toBe("no-instance");
    expect(errorCode(() => wasmSubject({ module, malloc: "allocate" }))).toBe("missing-export");
    expect(errorCode(() => wasmSubject({ module, realloc: "realloc" }))).toBe("missing-export");
    expect(errorCode(() => wasmSubject({ module, memory: "heap" }))).toBe("no-memory");
    expect(errorCode(() => wasmSubject({ module, alignment: 12 }))).toBe("invalid-option");
    expect(
      errorCode(() =>
        wasmSubject({ instance: new WebAssemblyApi.Instance(module), reset: "instantiate" }),
      ),
    ).toBe("invalid-option");
    expect(errorCode(() => standaloneWasmSubject(Uint8Array.from([1, 2, 3])))).toBe("not-wasm");
    expect(
      errorCode(() => standaloneWasmSubject(bumpAllocatorWasm({ importing: "fd_write" }))),
    ).toBe("unsupported-import");
    expect(standaloneWasmSubject(bumpAllocatorWasm({ importing: "abort" })).stubbed).toEqual([
      "env.abort",
    ]);
  });
});
