/**
 * `createAllocator(kind, geometry)`: every allocator gets a fresh simulated address space.
 */
import { AddressSpace } from "../core/address-space.ts";
import type { Allocator } from "../core/allocator.ts";
import { resolveGeometry, type GeometryInput } from "../core/geometry.ts";
import { ReferenceAllocator } from "./reference/reference-allocator.ts";
import { BitmapAllocator } from "./bitmap/bitmap-allocator.ts";
import { CPythonAllocator } from "./cpython/cpython-allocator.ts";

export const ALLOCATOR_KINDS = ["reference", "bitmap", "cpython"] as const;
export type AllocatorKind = (typeof ALLOCATOR_KINDS)[number];

/**
 * The kinds that implement the address-ordered policy (spec/policy.md) and are therefore compared
 * with the reference address for address (invariant 11). "cpython" makes pymalloc's own choices
 * (spec/cpython-model.md) and is not.
 */
export const ADDRESS_ORDERED_KINDS: readonly AllocatorKind[] = ["reference", "bitmap"];

export function createAllocator(kind: AllocatorKind, geometry: GeometryInput): Allocator {
  const g = resolveGeometry(geometry);
  const space = new AddressSpace(g);
  switch (kind) {
    case "reference":
      return new ReferenceAllocator(g, space);
    case "bitmap":
      return new BitmapAllocator(g, space);
    case "cpython":
      return new CPythonAllocator(g, space);
    default:
      throw new TypeError(
        `createAllocator: unknown kind "${String(kind)}"; kinds: ${ALLOCATOR_KINDS.join(", ")}`,
      );
  }
}
