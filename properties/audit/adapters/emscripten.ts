/**
 * What the allocators of Emscripten builds (SQLite's and Pyodide's dlmalloc, CPython's mimalloc
 * in Pyodide) are owed by C's alignment rule (invariant 3, through Region.alignmentFor): C's
 * malloc rule with Emscripten's fundamental alignment, which is 8, not wasm32's usual 16. clang
 * gives wasm32 a 16-byte long double aligned to 16, and so a 16-byte-aligned max_align_t, except
 * on wasm32-unknown-emscripten, where it keeps long double's alignment at 8 "to have an
 * 8-byte-aligned max_align_t which in turn gives a 8-byte aligned malloc"
 * (clang/lib/Basic/Targets/OSTargets.h, EmscriptenTargetInfo: `LongDoubleAlign = 64`).
 */

/** _Alignof(max_align_t) in code compiled by Emscripten (wasm32-unknown-emscripten). */
export const EMSCRIPTEN_FUNDAMENTAL_ALIGNMENT = 8;
