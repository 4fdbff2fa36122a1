/**
 * A snapshot of an instance's mutable state as JavaScript can see it: the bytes of its memory and
 * the values of its exported mutable globals. Restoring it puts the instance back as it was,
 * provided the allocator keeps no state in unexported globals that a run changed (spec/wasm.md
 * §3 says when that holds and what wasmSubject does otherwise). A memory cannot shrink: bytes
 * grown since the snapshot are zeroed, as a fresh memory's would be.
 */
import { WebAssemblyApi, type WasmGlobal, type WasmMemory } from "./webassembly.ts";

export class MemorySnapshot {
  private readonly bytes: Uint8Array;
  private readonly globals: readonly (readonly [WasmGlobal, unknown])[];

  constructor(
    private readonly memory: WasmMemory,
    exports: Readonly<Record<string, unknown>>,
  ) {
    this.bytes = new Uint8Array(memory.buffer).slice();
    this.globals = Object.values(exports)
      .filter((value): value is WasmGlobal => value instanceof WebAssemblyApi.Global)
      .filter(isMutable)
      .map((global) => [global, global.value] as const);
  }

  /** The memory's size when the snapshot was taken, in bytes. */
  get byteLength(): number {
    return this.bytes.length;
  }

  restore(): void {
    const now = new Uint8Array(this.memory.buffer);
    now.set(this.bytes);
    if (now.length > this.bytes.length) now.fill(0, this.bytes.length);
    for (const [global, value] of this.globals) global.value = value;
  }
}

/** Whether a global can be written (an immutable one throws on assignment). */
function isMutable(global: WasmGlobal): boolean {
  try {
    global.value = global.value as unknown;
    return true;
  } catch {
    return false;
  }
}
