/**
 * Loads Pyodide 314.0.8 (CPython 3.14 built by Emscripten) in Node, offline from node_modules,
 * for the adapters of the two allocators it holds: dlmalloc, Emscripten's C malloc, and mimalloc,
 * which CPython uses for its object domain when started with PYTHONMALLOC=mimalloc (without it,
 * `PyObject_Malloc` is pymalloc). Loading takes 3–4 s on this machine (2026-12-04), so an adapter
 * loads once per process and every run restores a copy of the memory taken after loading
 * (wasmSubject's reset "restore"; 3 ms for the default build's 30 MiB, 10 ms for mimalloc's
 * 58 MiB), never a new instance.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { loadPyodide } from "pyodide";
import { declaredMemoryMaximum, WASM32_MAX_MEMORY_BYTES } from "../../../src/wasm/index.ts";
import type { WasmExports } from "../../../src/wasm/index.ts";
import type { WasmMemory } from "../../../src/wasm/webassembly.ts";

/** The Emscripten module behind a loaded Pyodide: its exports (named `_f`), memory and heap base. */
export interface PyodideModule extends WasmExports {
  readonly memory: WasmMemory;
  /** The heap's first byte (the `__heap_base` export). */
  readonly ___heap_base: number;
}

export interface PyodideRuntime {
  readonly module: PyodideModule;
  /** The most the memory may grow to: the module's declared maximum. */
  readonly memoryLimit: number;
}

/** Loads Pyodide with PYTHONMALLOC set as given (unset: CPython's default allocators). */
export async function loadPyodideRuntime(pythonMalloc?: "mimalloc"): Promise<PyodideRuntime> {
  const pyodide = await loadPyodide({
    env: pythonMalloc !== undefined ? { PYTHONMALLOC: pythonMalloc } : {},
    stdout: () => {},
    stderr: () => {},
  });
  const module = (pyodide as unknown as { _module: PyodideModule })._module;
  const wasm = readFileSync(createRequire(import.meta.url).resolve("pyodide/pyodide.asm.wasm"));
  return {
    module,
    memoryLimit: declaredMemoryMaximum(wasm) ?? WASM32_MAX_MEMORY_BYTES,
  };
}
