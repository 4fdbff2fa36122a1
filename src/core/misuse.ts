/**
 * Misuse detection shared by every allocator (spec/errors.md; invariant 9). Validation happens
 * before any state changes, so a thrown AllocatorError always leaves the heap as it was.
 *
 * `classifyBadPointer` is the one decision tree for "why is p not a live block?". An allocator
 * answers four questions about its own state (`HeapQuery`); the tree turns the answers into the
 * stable code and a message that says where p points. It runs only on the error path.
 */
import type { AddressSpace } from "./address-space.ts";
import { AllocatorError, hex } from "./errors.ts";
import type { Geometry } from "./geometry.ts";

/** Throws `invalid-size` unless n is an integer in 0 … geometry.maxRequest. */
export function validateSize(geometry: Geometry, n: unknown): asserts n is number {
  if (!(Number.isInteger(n) && (n as number) >= 0 && (n as number) <= geometry.maxRequest))
    throw invalidSize(geometry, n);
}

/** The `invalid-size` error for a size that failed `validateSize`: the message says what is wrong with it. */
function invalidSize(geometry: Geometry, n: unknown): AllocatorError {
  const why =
    typeof n !== "number"
      ? `not a number (${typeof n})`
      : Number.isNaN(n)
        ? "NaN"
        : !Number.isFinite(n)
          ? "not finite"
          : !Number.isInteger(n)
            ? "not an integer"
            : n < 0
              ? "negative"
              : `above the limit ${geometry.maxRequest}`;
  return new AllocatorError("invalid-size", `size ${String(n)} is ${why}`);
}

/** Whether p can be an address at all: a non-negative safe integer. */
export function isAddressShaped(p: unknown): p is number {
  return typeof p === "number" && Number.isSafeInteger(p) && p >= 0;
}

/** What the tree asks of an allocator's state. Pools are named by (slot, usable-pool index). */
export interface HeapQuery {
  isArenaMapped(slot: number): boolean;
  /** The pool's size class, or -1 when the pool holds no live block. */
  poolClass(slot: number, pool: number): number;
  isBlockLive(slot: number, pool: number, block: number): boolean;
}

/** The operation that met the pointer: only `free` reports a freed block as a double free. */
export type PointerUse = "free" | "realloc" | "usableSize" | "bytes";

/**
 * Throws the AllocatorError for a pointer that is not a live block. Callers have already found
 * that p is not live; this works out why (spec/errors.md §2):
 *   - the start of a freed block in a pool that still has a class, or of a freed raw block:
 *     `double-free` for free, `invalid-pointer` (use after free) otherwise;
 *   - anything else (header, interior, quantization tail, empty pool, unmapped arena, unknown):
 *     `invalid-pointer`.
 */
export function classifyBadPointer(
  space: AddressSpace,
  heap: HeapQuery,
  p: unknown,
  use: PointerUse,
): never {
  const freed = (what: string): never => {
    if (use === "free") throw new AllocatorError("double-free", `${what} was already freed`);
    throw new AllocatorError("invalid-pointer", `${what} is free (use after free in ${use})`);
  };
  const invalid = (why: string): never => {
    throw new AllocatorError(
      "invalid-pointer",
      `${use}(${isAddressShaped(p) ? hex(p) : String(p)}): ${why}`,
    );
  };
  if (!isAddressShaped(p)) return invalid("not an address (a non-negative integer)");
  const g = space.geometry;
  const slot = space.slotOf(p);
  if (slot === -1) {
    if (space.wasRawFreed(p)) return freed(`raw block ${hex(p)}`);
    /* v8 ignore next -- @preserve unreachable through the public API: every caller looks p up as a live raw block first and calls this only when it is not one; an internal-error guard */
    if (space.rawSize(p) !== -1)
      throw new Error(`classifyBadPointer: ${hex(p)} is a live raw block`);
    return invalid("not a block of this heap");
  }
  if (!heap.isArenaMapped(slot))
    return invalid(`inside arena slot ${slot}, which is not mapped (released or never mapped)`);
  const pool = space.poolIndexIn(slot, p);
  const sizeClass = heap.poolClass(slot, pool);
  if (sizeClass === -1)
    return invalid(`inside pool ${pool} of arena slot ${slot}, which holds no live block`);
  const offset = p - space.poolAddress(slot, pool);
  if (offset < g.poolOverhead)
    return invalid(`inside the header of pool ${pool} of arena slot ${slot}`);
  const size = g.classSizes[sizeClass]!;
  const block = Math.floor((offset - g.poolOverhead) / size);
  if (block >= g.blocksPerPool[sizeClass]!)
    return invalid(`inside the unused tail of a pool of class ${sizeClass}`);
  const into = offset - g.poolOverhead - block * size;
  if (into !== 0)
    return invalid(
      `${into} bytes into block ${block} (class ${sizeClass}, ${size} bytes): an interior pointer`,
    );
  /* v8 ignore next -- @preserve unreachable through the public API: every caller looks p up as a live small block first and calls this only when it is not one; an internal-error guard */
  if (heap.isBlockLive(slot, pool, block))
    throw new Error(`classifyBadPointer: ${hex(p)} is a live block`);
  return freed(`block ${hex(p)}`);
}
