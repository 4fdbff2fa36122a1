/**
 * A production allocator: mimalloc, as CPython 3.14 ships it (Objects/mimalloc), in Pyodide
 * 314.0.8 started with PYTHONMALLOC=mimalloc (pyodide-runtime.ts), driven through CPython's object
 * domain:
 *
 *   _PyObject_Malloc/_Free/_Realloc  →  malloc/free/realloc (pointers made unsigned by wasmSubject)
 *   the module's memory, from __heap_base  →  the region
 *
 * Judged as C's malloc with Emscripten's alignment (emscripten.ts): mimalloc gives a request of
 * 1–4 bytes 4-byte alignment and one of 5–8 bytes 8, which C allows (DR 445). Misuse is undefined
 * behaviour, out of memory is null, free blocks do not coalesce (MIMALLOC_CONTRACT). No usable
 * size is exported; blocks carry no header.
 */
import { wasmSubject, type WasmSubjectFactory } from "../../../src/wasm/index.ts";
import { MIMALLOC_CONTRACT } from "./contracts.ts";
import { EMSCRIPTEN_FUNDAMENTAL_ALIGNMENT } from "./emscripten.ts";
import { loadPyodideRuntime } from "./pyodide-runtime.ts";

async function load(): Promise<WasmSubjectFactory> {
  const { module, memoryLimit } = await loadPyodideRuntime("mimalloc");
  return wasmSubject({
    kind: "pyodide-mimalloc",
    instance: module,
    memory: module.memory,
    malloc: "_PyObject_Malloc",
    free: "_PyObject_Free",
    realloc: "_PyObject_Realloc",
    usableSize: false,
    heapStart: module.___heap_base,
    memoryLimit,
    alignment: EMSCRIPTEN_FUNDAMENTAL_ALIGNMENT,
    blockOverhead: 0,
    reset: "restore",
    contract: MIMALLOC_CONTRACT,
  });
}

/** mimalloc in Pyodide, loaded; its `contract` is what verifyAllocator is to be given. */
export const pyodideMimalloc: WasmSubjectFactory = await load();

/** The same factory, as runIsolated's child asks for it (a function of JSON options). */
export const pyodideMimallocFactory = (): WasmSubjectFactory => pyodideMimalloc;
