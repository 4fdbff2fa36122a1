/**
 * A bump allocator written as raw WebAssembly bytes: a standalone module no compiler made, for
 * the wasm adapter's tests (spec/wasm.md). malloc(n) hands out (n + 15) & ~15 bytes (16 for n = 0)
 * from an unexported cursor starting at __heap_base = 1024, growing the memory a page at a time up
 * to its maximum of 4 pages, and returns 0 when that is reached; free does nothing. Its cursor is
 * a mutable global the module does not export: restoring a memory snapshot does not reset it.
 */

const uleb = (n: number): number[] => {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
};
const name = (s: string) => [...uleb(s.length), ...Buffer.from(s, "utf8")];
const section = (id: number, body: number[]) => [id, ...uleb(body.length), ...body];
const vector = (items: number[][]) => [...uleb(items.length), ...items.flat()];

const I32 = 0x7f;
const HEAP_BASE = [0x80, 0x08]; // 1024, signed LEB128

/** malloc(n): locals n (0) and the new cursor (1); global 0 is the cursor. */
const MALLOC = [
  ...[0x01, 0x01, I32], // one local i32
  ...[0x20, 0x00, 0x41, 0x80, 0x80, 0x10, 0x4b, 0x04, 0x40, 0x41, 0x00, 0x0f, 0x0b], // n > 2^18: return 0
  ...[0x41, 0x10], // 16
  ...[0x20, 0x00, 0x41, 0x0f, 0x6a, 0x41, 0x70, 0x71], // (n + 15) & -16
  ...[0x20, 0x00, 0x45, 0x1b], // n == 0 ? 16 : that
  ...[0x23, 0x00, 0x6a, 0x21, 0x01], // next = cursor + size
  ...[0x20, 0x01, 0x3f, 0x00, 0x41, 0x10, 0x74, 0x4b, 0x04, 0x40], // if next > memory end
  ...[0x20, 0x01, 0x3f, 0x00, 0x41, 0x10, 0x74, 0x6b], //   next - end
  ...[0x41, 0xff, 0xff, 0x03, 0x6a, 0x41, 0x10, 0x76], //   pages = (that + 65535) >> 16
  ...[0x40, 0x00, 0x41, 0x7f, 0x46, 0x04, 0x40, 0x41, 0x00, 0x0f, 0x0b], //   grow failed: return 0
  ...[0x0b], // end if
  ...[0x23, 0x00, 0x20, 0x01, 0x24, 0x00], // result cursor; cursor = next
  0x0b,
];
const FREE = [0x00, 0x0b];

export interface BumpOptions {
  /** malloc(n) of exactly this many bytes (0 … 63) executes `unreachable`: a trap. */
  readonly trapOn?: number;
  /** The module imports a function env.<name> (void(i32)), which it never calls. */
  readonly importing?: string;
}

export function bumpAllocatorWasm(options: BumpOptions = {}): Uint8Array {
  const trap =
    options.trapOn === undefined
      ? []
      : [0x20, 0x00, 0x41, options.trapOn & 0x3f, 0x46, 0x04, 0x40, 0x00, 0x0b];
  const malloc = [...MALLOC.slice(0, 3), ...trap, ...MALLOC.slice(3)];
  const imported = options.importing === undefined ? 0 : 1;
  const imports =
    options.importing === undefined
      ? []
      : section(2, vector([[...name("env"), ...name(options.importing), 0x00, 0x01]]));
  const bytes = [
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(
      1,
      vector([
        [0x60, 0x01, I32, 0x01, I32],
        [0x60, 0x01, I32, 0x00],
      ]),
    ),
    ...imports,
    ...section(3, vector([[0x00], [0x01]])),
    ...section(5, vector([[0x01, 0x01, 0x04]])), // memory: min 1, max 4 pages
    ...section(
      6,
      vector([
        [I32, 0x01, 0x41, ...HEAP_BASE, 0x0b], // the cursor, mutable
        [I32, 0x00, 0x41, ...HEAP_BASE, 0x0b], // __heap_base
      ]),
    ),
    ...section(
      7,
      vector([
        [...name("memory"), 0x02, 0x00],
        [...name("malloc"), 0x00, imported],
        [...name("free"), 0x00, imported + 1],
        [...name("__heap_base"), 0x03, 0x01],
      ]),
    ),
    ...section(
      10,
      vector([
        [...uleb(malloc.length), ...malloc],
        [...uleb(FREE.length), ...FREE],
      ]),
    ),
  ];
  return Uint8Array.from(bytes);
}
