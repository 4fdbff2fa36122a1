/**
 * An outside allocator in WebAssembly: AssemblyScript's TLSF (std/assembly/rt/tlsf.ts, assemblyscript
 * 0.28.20), compiled from tlsf/assembly/tlsf.ts by `npm run build:wasm` (tlsf/build-tlsf.ts) and
 * driven through allocheck/wasm's wasmSubject. This adapter only says where things are; it adds no
 * checks (spec/wasm.md §5):
 *
 *   malloc, free, realloc, malloc_usable_size   the module's exports over heap.alloc/free/realloc
 *   heap start                                  TLSF's root sits at align16(__heap_base) and takes
 *                                               ROOT_SIZE bytes; blocks start after it
 *   block overhead                              one u32 header word (BLOCK_OVERHEAD = 4)
 *   memory limit                                the module's declared maximum, 16 pages
 *   abort                                       the module's one import, stubbed: a call is a trap
 *   reset                                       a snapshot taken after TLSF set up its root, restored
 *                                               (4 µs for one page against 510 µs for a new instance;
 *                                               a run that grew the memory or trapped gets a new one)
 *
 * The contract is what AssemblyScript documents and the source does: out of memory ends in
 * `unreachable` (a trap, "throws"); the release build asserts on a bad free or realloc
 * (checkUsedBlock), the --noAssert build checks nothing ("undetected"); free blocks coalesce.
 */
import { readFileSync } from "node:fs";
import type { Contract } from "../../model/contract.ts";
import { standaloneWasmSubject, type WasmSubjectFactory } from "../../../src/wasm/index.ts";
import { ensureTlsfBuilt, tlsfWasmPath, type TlsfVariant } from "./tlsf/build-tlsf.ts";

/** TLSF's block header (rt/common.ts BLOCK_OVERHEAD). */
export const TLSF_BLOCK_OVERHEAD = 4;
/**
 * The root's size for wasm32 (rt/tlsf.ts ROOT_SIZE = HL_END + 4): SL_BITS 4, AL_BITS 4, so
 * FL_BITS = 31 − 8 = 23; HL_START = 4 + 23·4 = 96; HL_END = 96 + 23·16·4 = 1568.
 */
export const TLSF_ROOT_SIZE = 1572;

/** What the variant promises (its contract, spec/invariants.md §Contracts). */
export function tlsfContract(variant: TlsfVariant): Contract {
  return {
    misuse: variant === "release" ? "throws" : "undetected",
    outOfMemory: "throws",
    coalesces: true,
  };
}

/** The factory of a TLSF variant's subjects; builds the module first if build/ lacks it. */
export function tlsfFactory(
  variant: TlsfVariant = "release",
  contract: Contract = tlsfContract(variant),
): WasmSubjectFactory {
  ensureTlsfBuilt();
  return standaloneWasmSubject(readFileSync(tlsfWasmPath(variant)), {
    kind: `assemblyscript-tlsf-${variant}`,
    heapStart: (exports) => {
      const base = Number((exports.heap_base as () => number)()) >>> 0;
      return Math.ceil(base / 16) * 16 + TLSF_ROOT_SIZE;
    },
    blockOverhead: TLSF_BLOCK_OVERHEAD,
    // TLSF sets up its root on the first allocation, in an unexported global (tlsf.ts __alloc:
    // `if (!ROOT) initialize()`); done before the snapshot, restoring memory resets it all.
    prepare: (exports) =>
      (exports.free as (p: number) => void)((exports.malloc as (n: number) => number)(0)),
    reset: "restore",
    contract,
  });
}
