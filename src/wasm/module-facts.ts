/**
 * What WebAssembly's JavaScript API does not tell about a module and wasmSubject needs: the
 * maximum its memory may grow to (a Memory object hides it). Read from the binary: the memory
 * section (id 5) or a memory import (section 2), whose limits are a flag byte, the minimum and,
 * when flag bit 0 is set, the maximum, in 64 KiB pages (WebAssembly core spec §5.3.8, §5.5.5).
 */

/** Bytes in a WebAssembly page. */
export const WASM_PAGE_BYTES = 65536;

/** The most a wasm32 memory can hold: 65536 pages, 4 GiB. */
export const WASM32_MAX_MEMORY_BYTES = 65536 * WASM_PAGE_BYTES;

class Reader {
  offset = 0;
  constructor(private readonly bytes: Uint8Array) {}

  get done(): boolean {
    return this.offset >= this.bytes.length;
  }

  byte(): number {
    if (this.offset >= this.bytes.length) throw new RangeError("past the end of the module");
    return this.bytes[this.offset++]!;
  }

  /** An unsigned LEB128 number (at most 32 bits in the places read here). */
  u32(): number {
    let result = 0;
    let scale = 1;
    for (;;) {
      const b = this.byte();
      result += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) return result;
      scale *= 128;
    }
  }

  name(): void {
    this.offset += this.u32();
  }

  /** Limits: the maximum in pages, or undefined when none is declared. */
  limits(): number | undefined {
    const flags = this.byte();
    this.u32();
    return (flags & 1) !== 0 ? this.u32() : undefined;
  }
}

/**
 * The declared maximum of the module's first memory, in bytes, or undefined when it declares
 * none (then it may grow to WASM32_MAX_MEMORY_BYTES) or the binary cannot be read.
 */
export function declaredMemoryMaximum(bytes: Uint8Array): number | undefined {
  try {
    const r = new Reader(bytes);
    r.offset = 8; // magic and version
    while (!r.done) {
      const id = r.byte();
      const size = r.u32();
      const end = r.offset + size;
      if (id === 2) {
        for (let count = r.u32(); count > 0; count--) {
          r.name();
          r.name();
          const kind = r.byte();
          if (kind === 0) r.u32();
          else if (kind === 1) {
            r.byte();
            r.limits();
          } else if (kind === 2) return pages(r.limits());
          else if (kind === 3) r.offset += 2;
          else {
            r.byte(); // a tag: attribute and type index
            r.u32();
          }
        }
      } else if (id === 5 && r.u32() > 0) return pages(r.limits());
      r.offset = end;
    }
  } catch {
    return undefined;
  }
  return undefined;
}

function pages(maximum: number | undefined): number | undefined {
  return maximum === undefined ? undefined : maximum * WASM_PAGE_BYTES;
}
