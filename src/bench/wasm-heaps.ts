/**
 * The production allocators as bench contenders (issue 17): their C functions called directly
 * from the timed loops, with nothing between (the property suite's adapters in
 * properties/audit/adapters/ add the Subject's bookkeeping, which the bench must not time).
 *
 *   sqlite-dlmalloc   @sqlite.org/sqlite-wasm 3.54.1-build1: exports malloc/free/realloc
 *   pyodide-mimalloc  pyodide 314.0.8, PYTHONMALLOC=mimalloc: _PyObject_Malloc/_Free/_Realloc
 *   pyodide-dlmalloc  pyodide 314.0.8: _malloc/_free/_realloc (C's malloc)
 *
 * A child process loads its runtime once (loadWasmHeap, before any cell); every fresh heap is the
 * memory restored to a copy taken after loading, bytes grown since zeroed, outside the timed runs.
 */
import sqlite3InitModule from "@sqlite.org/sqlite-wasm";
import { loadPyodide } from "pyodide";
import type { NumericHeap } from "./churn.ts";

export const WASM_CONTENDERS = ["sqlite-dlmalloc", "pyodide-mimalloc", "pyodide-dlmalloc"] as const;
export type WasmContender = (typeof WASM_CONTENDERS)[number];

export const isWasmContender = (name: string): name is WasmContender =>
  (WASM_CONTENDERS as readonly string[]).includes(name);

type Fn = (...args: number[]) => number;

interface Runtime {
  readonly malloc: Fn;
  readonly free: Fn;
  readonly realloc: Fn;
  readonly memory: { readonly buffer: ArrayBuffer };
}

class WasmHeap implements NumericHeap {
  constructor(private readonly runtime: Runtime) {}
  malloc(n: number): number | null {
    const p = this.runtime.malloc(n) >>> 0;
    return p === 0 ? null : p;
  }
  free(p: number): void {
    this.runtime.free(p);
  }
  realloc(p: number, n: number): number | null {
    const q = this.runtime.realloc(p, n) >>> 0;
    return q === 0 ? null : q;
  }
}

async function loadRuntime(contender: WasmContender): Promise<Runtime> {
  if (contender === "sqlite-dlmalloc") {
    const init = sqlite3InitModule as unknown as (
      options: object,
    ) => Promise<{ wasm: { exports: Record<string, Fn>; memory: Runtime["memory"] } }>;
    const { wasm } = await init({ print: () => {}, printErr: () => {} });
    const { malloc, free, realloc } = wasm.exports;
    return { malloc: malloc!, free: free!, realloc: realloc!, memory: wasm.memory };
  }
  const mimalloc = contender === "pyodide-mimalloc";
  const pyodide = await loadPyodide({
    env: mimalloc ? { PYTHONMALLOC: "mimalloc" } : {},
    stdout: () => {},
    stderr: () => {},
  });
  const m = (pyodide as unknown as { _module: Record<string, Fn> & Pick<Runtime, "memory"> })
    ._module;
  const prefix = mimalloc ? "_PyObject_" : "_";
  const name = (f: string) => (mimalloc ? `${prefix}${f[0]!.toUpperCase()}${f.slice(1)}` : `_${f}`);
  return {
    malloc: m[name("malloc")]!,
    free: m[name("free")]!,
    realloc: m[name("realloc")]!,
    memory: m.memory,
  };
}

const loaded = new Map<WasmContender, { runtime: Runtime; snapshot: Uint8Array }>();

/** Loads the contender's runtime and copies its memory; once per process, before any cell. */
export async function loadWasmHeap(contender: WasmContender): Promise<void> {
  const runtime = await loadRuntime(contender);
  loaded.set(contender, { runtime, snapshot: new Uint8Array(runtime.memory.buffer).slice() });
}

/** A fresh heap: the memory as it was after loading. */
export function freshWasmHeap(contender: WasmContender): NumericHeap {
  const entry = loaded.get(contender);
  if (entry === undefined) throw new Error(`bench: ${contender} is not loaded (loadWasmHeap)`);
  const now = new Uint8Array(entry.runtime.memory.buffer);
  now.set(entry.snapshot);
  if (now.length > entry.snapshot.length) now.fill(0, entry.snapshot.length);
  return new WasmHeap(entry.runtime);
}
