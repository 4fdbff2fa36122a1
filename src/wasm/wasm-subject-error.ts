/**
 * Bad options of wasmSubject, or a WebAssembly module it cannot drive: a typed error with a stable
 * code, thrown before any run (spec/wasm.md §1).
 */

import { CodedError } from "../core/coded-error.ts";

export const WASM_SUBJECT_ERROR_CODES = [
  /** Neither `module`, `instance` nor `instantiate` is given, or more than one. */
  "no-instance",
  /** A named export (malloc, free, realloc, usable size) is missing or not a function. */
  "missing-export",
  /** No memory: the export named by `memory` is missing or not a WebAssembly.Memory. */
  "no-memory",
  /** The bytes are not a WebAssembly module (WebAssembly.compile refused them). */
  "not-wasm",
  /** The module imports something other than an `abort`-style function (standalone modules only). */
  "unsupported-import",
  /** An option has the wrong type or range (alignment, heapStart, memoryLimit, reset, kind). */
  "invalid-option",
] as const;

export type WasmSubjectErrorCode = (typeof WASM_SUBJECT_ERROR_CODES)[number];

export class WasmSubjectError extends CodedError<WasmSubjectErrorCode> {
  override readonly name = "WasmSubjectError";
}
