/**
 * A production allocator: Emscripten's dlmalloc (Doug Lea's malloc 2.8.6), the C malloc of
 * Pyodide 314.0.8 loaded with CPython's default allocators (pyodide-runtime.ts). It is driven
 * through the C functions themselves, not CPython's object domain, which by default is pymalloc:
 *
 *   _malloc/_free/_realloc/_malloc_usable_size  →  malloc/free/realloc/usableSize
 *   the module's memory, from __heap_base        →  the region
 *
 * Judged as C's malloc with Emscripten's alignment (emscripten.ts): misuse is undefined
 * behaviour, out of memory is null, free chunks coalesce (DLMALLOC_CONTRACT).
 */
import { wasmSubject, type WasmSubjectFactory } from "../../../src/wasm/index.ts";
import { DLMALLOC_CONTRACT } from "./contracts.ts";
import { EMSCRIPTEN_FUNDAMENTAL_ALIGNMENT } from "./emscripten.ts";
import { loadPyodideRuntime } from "./pyodide-runtime.ts";

/** dlmalloc's per-chunk header on wasm32 (sqlite-dlmalloc.ts says why 4). */
const DLMALLOC_HEADER = 4;

async function load(): Promise<WasmSubjectFactory> {
  const { module, memoryLimit } = await loadPyodideRuntime();
  return wasmSubject({
    kind: "pyodide-dlmalloc",
    instance: module,
    memory: module.memory,
    malloc: "_malloc",
    free: "_free",
    realloc: "_realloc",
    usableSize: "_malloc_usable_size",
    heapStart: module.___heap_base,
    memoryLimit,
    alignment: EMSCRIPTEN_FUNDAMENTAL_ALIGNMENT,
    blockOverhead: DLMALLOC_HEADER,
    reset: "restore",
    contract: DLMALLOC_CONTRACT,
  });
}

/** Pyodide's dlmalloc, loaded; its `contract` is what verifyAllocator is to be given. */
export const pyodideDlmalloc: WasmSubjectFactory = await load();

/** The same factory, as runIsolated's child asks for it (a function of JSON options). */
export const pyodideDlmallocFactory = (): WasmSubjectFactory => pyodideDlmalloc;
