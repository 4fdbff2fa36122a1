/**
 * The error code spec/errors.md §2 expects for a pointer that is not a live block, worked out from
 * the shadow heap alone: it knows which blocks are live, which were freed, and the geometry.
 */
import type { AllocatorErrorCode } from "../../src/core/errors.ts";
import type { CallKind } from "./call.ts";
import type { ShadowHeap } from "./shadow-heap.ts";

export function expectedPointerError(
  shadow: ShadowHeap,
  p: number,
  use: CallKind,
): AllocatorErrorCode | "any" {
  const g = shadow.geometry;
  if (g === undefined) return "any";
  if (!(Number.isSafeInteger(p) && p >= 0)) return "invalid-pointer";
  const freedBlock = use === "free" ? "double-free" : "invalid-pointer";
  // Row 2: a raw block freed earlier and still remembered (raw addresses are never reused;
  // spec/model.md §2 "Freed raw blocks"). One forgotten falls to row 3 below: no pool holds it.
  if (shadow.isRememberedFreedRaw(p)) return freedBlock;
  // Rows 3–8: unless p's pool holds a live block, the heap cannot know p.
  const P = g.poolSize;
  const pool = shadow.pool(Math.floor(p / P) * P);
  if (pool === undefined) return "invalid-pointer";
  const offset = p - pool.address - g.poolOverhead;
  const size = g.classSizes[pool.sizeClass]!;
  if (offset < 0 || offset % size !== 0 || offset / size >= g.blocksPerPool[pool.sizeClass]!)
    return "invalid-pointer";
  // Row 9: the start of a free block of a used pool.
  return freedBlock;
}
