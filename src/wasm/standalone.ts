/**
 * A standalone WebAssembly allocator (spec/wasm.md §4): a module that imports nothing, or only
 * `abort`-style functions, which get a stub that throws WasmAbort (a trap, for the properties)
 * with what the module passed, decoded as AssemblyScript's abort(message, file, line, column)
 * when those are strings in its memory. Anything else a module imports cannot be supplied without
 * knowing the module: WasmSubjectError "unsupported-import".
 */
import { declaredMemoryMaximum, WASM32_MAX_MEMORY_BYTES } from "./module-facts.ts";
import { wasmSubject, type WasmSubjectFactory, type WasmSubjectOptions } from "./wasm-subject.ts";
import { WasmSubjectError } from "./wasm-subject-error.ts";
import {
  WebAssemblyApi,
  type WasmImports,
  type WasmInstance,
  type WasmMemory,
  type WasmModule,
} from "./webassembly.ts";

/** Import names a module calls to stop: stubbed, each call a WasmAbort. */
const ABORT_STYLE = /^(_*abort|__assert_fail|_*panic|proc_exit|__cxa_throw)$/;

/** What an abort-style import was called with: thrown out of the call into the module. */
export class WasmAbort extends Error {
  override readonly name = "WasmAbort";
}

export interface StandaloneModule {
  readonly module: WasmModule;
  /** The imports stubbed, as "module.name". */
  readonly stubbed: readonly string[];
  /** The module's declared memory maximum in bytes, else wasm32's 4 GiB. */
  readonly memoryLimit: number;
  /** A fresh instance, its abort stubs reading its own memory. */
  instantiate(): WasmInstance;
}

export interface StandaloneOptions {
  /**
   * Stub every imported function, not only the abort-style ones: each call traps (WasmAbort) and
   * says which import it was. For a module whose other imports its allocator never calls.
   */
  readonly stubAllFunctions?: boolean;
}

/** Compiles the bytes and prepares the stubs; WasmSubjectError when it cannot run standalone. */
export function standaloneModule(
  bytes: Uint8Array,
  options: StandaloneOptions = {},
): StandaloneModule {
  let module: WasmModule;
  try {
    module = new WebAssemblyApi.Module(bytes);
  } catch (error) {
    throw new WasmSubjectError(
      "not-wasm",
      `not a WebAssembly module: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const imports = WebAssemblyApi.Module.imports(module);
  const unsupported = imports.filter(
    (i) => i.kind !== "function" || !(options.stubAllFunctions || ABORT_STYLE.test(i.name)),
  );
  if (unsupported.length > 0)
    throw new WasmSubjectError(
      "unsupported-import",
      `the module imports ${unsupported.map((i) => `${i.module}.${i.name} (${i.kind})`).join(", ")}; only abort-style functions are stubbed${
        unsupported.every((i) => i.kind === "function")
          ? " (stub every imported function: stubAllFunctions, --stub-imports)"
          : ""
      }`,
    );
  return {
    module,
    stubbed: imports.map((i) => `${i.module}.${i.name}`),
    memoryLimit: declaredMemoryMaximum(bytes) ?? WASM32_MAX_MEMORY_BYTES,
    instantiate() {
      let memory: WasmMemory | undefined;
      const stubs: Record<string, Record<string, unknown>> = {};
      for (const i of imports)
        (stubs[i.module] ??= {})[i.name] = (...args: number[]) => {
          throw new WasmAbort(describeAbort(i.name, args, memory));
        };
      const instance = new WebAssemblyApi.Instance(module, stubs as WasmImports);
      const exported = instance.exports.memory;
      if (exported instanceof WebAssemblyApi.Memory) memory = exported;
      return instance;
    },
  };
}

/**
 * wasmSubject over a standalone module's bytes: fresh instances from it, its declared memory
 * maximum as the limit; `options` as wasmSubject's (without the instance source).
 */
export function standaloneWasmSubject(
  bytes: Uint8Array,
  options: Omit<WasmSubjectOptions, "module" | "imports" | "instantiate" | "instance"> &
    StandaloneOptions = {},
): WasmSubjectFactory & { readonly stubbed: readonly string[] } {
  const { stubAllFunctions, ...subjectOptions } = options;
  const standalone = standaloneModule(
    bytes,
    stubAllFunctions !== undefined ? { stubAllFunctions } : {},
  );
  const factory = wasmSubject({
    memoryLimit: standalone.memoryLimit,
    ...subjectOptions,
    instantiate: () => standalone.instantiate(),
  });
  return Object.assign(factory, { stubbed: standalone.stubbed });
}

/** "abort: <message> at <file>:<line>:<column>" when the arguments are AssemblyScript strings. */
function describeAbort(name: string, args: readonly number[], memory: WasmMemory | undefined) {
  const [message, file, line, column] = args;
  const text = memory !== undefined ? assemblyScriptString(memory, message) : undefined;
  if (text === undefined) return `${name}(${args.join(", ")})`;
  const where = assemblyScriptString(memory!, file);
  return `${name}: ${text}${where !== undefined ? ` at ${where}:${line}:${column}` : ""}`;
}

/** An AssemblyScript string: UTF-16 code units, its byte length in the u32 just before it. */
function assemblyScriptString(memory: WasmMemory, pointer: number | undefined) {
  if (pointer === undefined || pointer < 4 || pointer % 2 !== 0) return undefined;
  const view = new DataView(memory.buffer);
  if (pointer > view.byteLength) return undefined;
  const bytes = view.getUint32(pointer - 4, true);
  if (bytes % 2 !== 0 || bytes > 4096 || pointer + bytes > view.byteLength) return undefined;
  return String.fromCharCode(...new Uint16Array(memory.buffer.slice(pointer, pointer + bytes)));
}
