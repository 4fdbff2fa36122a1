/**
 * allocheck/wasm: any WebAssembly allocator through the property library (spec/wasm.md).
 * `wasmSubject(options)` makes the factory verifyAllocator and describeAllocator take, from a
 * module, an instance or its exports; `standaloneWasmSubject(bytes, options)` does it for a standalone
 * .wasm file (no imports, or only an `abort`-style function it stubs).
 */
export {
  wasmSubject,
  WASM_DEFAULT_CONTRACT,
  type WasmExports,
  type WasmInstanceLike,
  type WasmResetCounts,
  type WasmSubjectFactory,
  type WasmSubjectOptions,
} from "./wasm-subject.ts";
export { cMallocAlignment, WASM32_FUNDAMENTAL_ALIGNMENT } from "./alignment.ts";
export { declaredMemoryMaximum, WASM32_MAX_MEMORY_BYTES, WASM_PAGE_BYTES } from "./module-facts.ts";
export {
  WasmSubjectError,
  WASM_SUBJECT_ERROR_CODES,
  type WasmSubjectErrorCode,
} from "./wasm-subject-error.ts";
export type { Contract, MisuseCode } from "../../properties/model/contract.ts";
export type { Region, Subject, SubjectFactory } from "../../properties/model/subject.ts";
export {
  standaloneModule,
  standaloneWasmSubject,
  WasmAbort,
  type StandaloneModule,
  type StandaloneOptions,
} from "./standalone.ts";
