/**
 * The part of WebAssembly's JavaScript API that allocheck/wasm uses, typed here: the project's
 * TypeScript library (ES2023 and Node's types) declares no WebAssembly namespace, and a consumer's
 * may not either. The values are the runtime's own (globalThis.WebAssembly).
 */

export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

export interface WasmGlobal {
  value: unknown;
}

export type WasmImports = Readonly<Record<string, Readonly<Record<string, unknown>>>>;

export interface WasmInstance {
  readonly exports: Readonly<Record<string, unknown>>;
}

/** A compiled module (WebAssembly.Module). */
export type WasmModule = object;

export interface WasmImportDescriptor {
  readonly module: string;
  readonly name: string;
  readonly kind: string;
}

interface WebAssemblyApi {
  readonly Memory: abstract new (...args: never[]) => WasmMemory;
  readonly Global: abstract new (...args: never[]) => WasmGlobal;
  readonly Instance: new (module: WasmModule, imports?: WasmImports) => WasmInstance;
  readonly Module: {
    new (bytes: Uint8Array): WasmModule;
    imports(module: WasmModule): WasmImportDescriptor[];
    exports(module: WasmModule): { readonly name: string; readonly kind: string }[];
  };
  readonly RuntimeError: abstract new (...args: never[]) => Error;
  readonly CompileError: abstract new (...args: never[]) => Error;
}

export const WebAssemblyApi = (globalThis as unknown as { WebAssembly: WebAssemblyApi })
  .WebAssembly;
