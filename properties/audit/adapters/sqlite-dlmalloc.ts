/**
 * A production allocator: the dlmalloc (Doug Lea's malloc 2.8.6, as Emscripten ships it) inside
 * SQLite's WebAssembly build, `@sqlite.org/sqlite-wasm` 3.54.1-build1. The module is loaded once
 * per process, when this module is imported (top-level await); every run after the first starts
 * from a copy of its memory taken right after loading (wasmSubject's reset "restore": 8 MiB,
 * 0.4 ms, against 26 ms for a new instance, measured 2026-12-04).
 *
 *   sqlite3.wasm.exports.malloc/free/realloc  →  malloc/free/realloc (no usable size exported)
 *   sqlite3.wasm.memory                       →  the heap, 8 MiB at load, growing to 2 GiB
 *
 * Judged as C's malloc with Emscripten's alignment (emscripten.ts), by DLMALLOC_CONTRACT: misuse
 * is undefined behaviour, out of memory is null, free chunks coalesce.
 */
import sqlite3InitModule from "@sqlite.org/sqlite-wasm";
import { wasmSubject, type WasmExports, type WasmSubjectFactory } from "../../../src/wasm/index.ts";
import { DLMALLOC_CONTRACT } from "./contracts.ts";
import type { WasmMemory } from "../../../src/wasm/webassembly.ts";
import { EMSCRIPTEN_FUNDAMENTAL_ALIGNMENT } from "./emscripten.ts";

/**
 * dlmalloc's per-chunk header on wasm32: the chunk's size word just below the address (the word
 * below it, prev_foot, is the previous chunk's when that one is in use). dlmalloc.c: "chunk
 * overhead" of 4 bytes without FOOTERS.
 */
const DLMALLOC_HEADER = 4;

/** The memory the glue creates: "maximum": 32768 pages (dist/node.mjs, initMemory). */
const SQLITE_MEMORY_LIMIT = 32768 * 65536;

interface SqliteWasm {
  readonly exports: WasmExports & { emscripten_stack_get_current(): number };
  readonly memory: WasmMemory;
}

async function load(): Promise<WasmSubjectFactory> {
  const init = sqlite3InitModule as unknown as (options: object) => Promise<{ wasm: SqliteWasm }>;
  const { wasm } = await init({ print: () => {}, printErr: () => {} });
  return wasmSubject({
    kind: "sqlite-dlmalloc",
    instance: wasm.exports,
    memory: wasm.memory,
    realloc: "realloc",
    usableSize: false,
    // The module exports no __heap_base. wasm-ld lays out data, the stack (growing down from its
    // top), then the heap: between calls the stack pointer is at the heap's start, or a few
    // bytes below it, which loosens containment (invariant 2) by those bytes and nothing else.
    heapStart: wasm.exports.emscripten_stack_get_current() >>> 0,
    memoryLimit: SQLITE_MEMORY_LIMIT,
    alignment: EMSCRIPTEN_FUNDAMENTAL_ALIGNMENT,
    blockOverhead: DLMALLOC_HEADER,
    reset: "restore",
    contract: DLMALLOC_CONTRACT,
  });
}

/** SQLite's dlmalloc, loaded; its `contract` is what verifyAllocator is to be given. */
export const sqliteDlmalloc: WasmSubjectFactory = await load();

/** The same factory, as runIsolated's child asks for it (a function of JSON options). */
export const sqliteDlmallocFactory = (): WasmSubjectFactory => sqliteDlmalloc;
