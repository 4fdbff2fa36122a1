/**
 * Request sizes, biased to where allocators break: class edges k·A and k·A + 1, 0, T and T + 1,
 * and raw sizes above T. A size is drawn as a geometry-free description and resolved against the
 * run's geometry, so it shrinks on its own (towards A, the smallest class) whatever the geometry.
 */
import fc from "fast-check";
import type { Geometry } from "../../src/core/geometry.ts";

export type SizeSpec =
  | { readonly edge: "top"; readonly k: number } // k-th class size, k·A
  | { readonly edge: "bottom"; readonly k: number } // one past the (k-1)-th class, (k-1)·A + 1
  | { readonly edge: "zero" }
  | { readonly edge: "threshold" } // T
  | { readonly edge: "raw"; readonly extra: number } // T + 1 + extra
  | { readonly edge: "any"; readonly x: number } // anything 0 … T + 1
  | { readonly edge: "huge" }; // 2^40, or the largest valid size: no address space grants it

export const sizeSpec: fc.Arbitrary<SizeSpec> = fc.oneof(
  { arbitrary: fc.record({ edge: fc.constant("top" as const), k: fc.nat(4095) }), weight: 8 },
  { arbitrary: fc.record({ edge: fc.constant("bottom" as const), k: fc.nat(4095) }), weight: 5 },
  { arbitrary: fc.constant({ edge: "zero" as const }), weight: 1 },
  { arbitrary: fc.constant({ edge: "threshold" as const }), weight: 1 },
  {
    arbitrary: fc.record({
      edge: fc.constant("raw" as const),
      extra: fc.oneof(fc.constant(0), fc.nat(2048)),
    }),
    weight: 2,
  },
  { arbitrary: fc.record({ edge: fc.constant("any" as const), x: fc.nat() }), weight: 2 },
  { arbitrary: fc.constant({ edge: "huge" as const }), weight: 1 },
);

/** A small-only size spec (the class edges), for macro steps that fill pools. */
export const smallSizeSpec: fc.Arbitrary<SizeSpec> = fc.oneof(
  fc.record({ edge: fc.constant("top" as const), k: fc.nat(4095) }),
  fc.record({ edge: fc.constant("bottom" as const), k: fc.nat(4095) }),
);

/**
 * Without a geometry (outside allocators), sizes resolve against a 512-byte threshold. `limit`
 * caps them (an outside allocator's documented maximum, to look past a bug at huge sizes).
 */
export function resolveSize(
  spec: SizeSpec,
  geometry: Geometry | undefined,
  limit = Infinity,
): number {
  return Math.min(resolveUncapped(spec, geometry), limit);
}

function resolveUncapped(spec: SizeSpec, geometry: Geometry | undefined): number {
  const A = geometry?.alignment ?? 8;
  const T = geometry?.smallThreshold ?? 512;
  const classes = T / A;
  switch (spec.edge) {
    case "top":
      return ((spec.k % classes) + 1) * A;
    case "bottom":
      return (spec.k % classes) * A + 1;
    case "zero":
      return 0;
    case "threshold":
      return T;
    case "raw":
      return T + 1 + spec.extra;
    case "any":
      return spec.x % (T + 2);
    case "huge":
      return Math.min(2 ** 40, geometry?.maxRequest ?? 2 ** 40);
  }
}
