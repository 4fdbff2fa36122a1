/**
 * `createAllocator(kind, geometry)`: every allocator gets a fresh simulated address space.
 */
import { AddressSpace } from "./address-space.ts";
import type { Allocator } from "./allocator.ts";
import { resolveGeometry, type GeometryInput } from "./geometry.ts";
import { ReferenceAllocator } from "./reference/reference-allocator.ts";
import { BitmapAllocator } from "./bitmap/bitmap-allocator.ts";

export const ALLOCATOR_KINDS = ["reference", "bitmap"] as const;
export type AllocatorKind = (typeof ALLOCATOR_KINDS)[number];

export function createAllocator(kind: AllocatorKind, geometry: GeometryInput): Allocator {
  const g = resolveGeometry(geometry);
  const space = new AddressSpace(g);
  switch (kind) {
    case "reference":
      return new ReferenceAllocator(g, space);
    case "bitmap":
      return new BitmapAllocator(g, space);
    default:
      throw new TypeError(`createAllocator: unknown kind "${String(kind)}"; kinds: ${ALLOCATOR_KINDS.join(", ")}`);
  }
}
