/**
 * Geometry arbitraries (spec/model.md §1), biased to tiny geometries: with pools of a few blocks
 * and arenas of a few pools, random runs of a few dozen operations fill pools and arenas, release
 * arenas, keep the empty one and run out of memory. Presets come in now and then so the real
 * numbers are exercised too. Every field shrinks towards the smallest, simplest geometry.
 */
import fc from "fast-check";
import {
  defineGeometry,
  geometries,
  type Geometry,
  type PresetName,
} from "../../src/core/geometry.ts";

/** The families the suites run over. */
export const GEOMETRY_FAMILIES = ["tiny", "presets", "wide"] as const;
export type GeometryFamily = (typeof GEOMETRY_FAMILIES)[number];

/**
 * A tiny geometry. Pool sizes 64 … 512, 1 … 6 pools per arena, 1 … 5 arenas, both alignments,
 * both pool-alignment modes and both empty-arena rules. Fields are repaired to the nearest valid
 * geometry rather than filtered, so every draw is used.
 */
export const tinyGeometry: fc.Arbitrary<Geometry> = fc
  .record({
    alignment: fc.constantFrom(16, 8),
    classes: fc.integer({ min: 1, max: 8 }),
    poolSize: fc.constantFrom(128, 256, 64, 512),
    headerUnits: fc.constantFrom(1, 0, 2),
    pools: fc.integer({ min: 2, max: 6 }),
    poolAlignedArenas: fc.boolean(),
    maxArenas: fc.integer({ min: 2, max: 5 }),
    keepEmptyArena: fc.boolean(),
  })
  .map(
    ({
      alignment,
      classes,
      poolSize,
      headerUnits,
      pools,
      poolAlignedArenas,
      maxArenas,
      keepEmptyArena,
    }) => {
      const poolOverhead = headerUnits * alignment;
      const maxClasses = Math.floor((poolSize - poolOverhead) / alignment);
      return defineGeometry({
        alignment,
        smallThreshold: Math.min(classes, maxClasses) * alignment,
        poolSize,
        arenaSize: pools * poolSize,
        poolOverhead,
        poolAlignedArenas,
        maxArenas,
        keepEmptyArena,
      });
    },
  );

/** Named tiny geometries for deterministic suites and bounded-exhaustive runs. */
export const TINY_GEOMETRIES: readonly Geometry[] = [
  defineGeometry({
    alignment: 16,
    smallThreshold: 64,
    poolSize: 128,
    arenaSize: 512,
    poolOverhead: 16,
    poolAlignedArenas: true,
    maxArenas: 3,
    keepEmptyArena: true,
  }),
  defineGeometry({
    alignment: 16,
    smallThreshold: 48,
    poolSize: 128,
    arenaSize: 384,
    poolOverhead: 16,
    poolAlignedArenas: false,
    maxArenas: 2,
    keepEmptyArena: false,
  }),
  defineGeometry({
    alignment: 8,
    smallThreshold: 32,
    poolSize: 64,
    arenaSize: 256,
    poolOverhead: 8,
    poolAlignedArenas: true,
    maxArenas: 2,
    keepEmptyArena: true,
  }),
  defineGeometry({
    alignment: 8,
    smallThreshold: 96,
    poolSize: 256,
    arenaSize: 768,
    poolOverhead: 0,
    poolAlignedArenas: false,
    maxArenas: 4,
    keepEmptyArena: false,
  }),
];

export const presetGeometry: fc.Arbitrary<Geometry> = fc
  .constantFrom<PresetName>(
    "cpython-3.12",
    "cpython-3.8",
    "cpython-3.9",
    "cpython-3.10",
    "cpython-3.11",
    "cpython-3.13",
    "cpython-32bit",
  )
  .map((name) => geometries[name]);

/**
 * Wide geometries: the other ends of what defineGeometry allows. Big pools of small classes (8192
 * blocks: three levels of summary bits); thresholds far above CPython's 512 (block slack that
 * needs 16 bits) and one 128 KiB class (32 bits); and many small arenas of one-block pools
 * (over a thousand pools mapped, so the bitmap's sets grow and span several summary levels).
 */
const WIDE_SHAPES = [
  { alignment: 8, smallThreshold: 2048, poolSize: 1 << 16, pools: 2, maxArenas: 2 },
  { alignment: 16, smallThreshold: 4096, poolSize: 1 << 14, pools: 4, maxArenas: 3 },
  { alignment: 8, smallThreshold: 1024, poolSize: 1 << 15, pools: 3, maxArenas: 3 },
  { alignment: 1 << 17, smallThreshold: 1 << 17, poolSize: 1 << 18, pools: 2, maxArenas: 2 },
  { alignment: 16, smallThreshold: 16, poolSize: 32, pools: 32, maxArenas: 64 },
] as const;

export const wideGeometry: fc.Arbitrary<Geometry> = fc
  .record({
    shape: fc.constantFrom(...WIDE_SHAPES),
    headerUnits: fc.constantFrom(1, 0, 6),
    poolAlignedArenas: fc.boolean(),
    keepEmptyArena: fc.boolean(),
  })
  .map(({ shape: { pools, ...shape }, headerUnits, poolAlignedArenas, keepEmptyArena }) =>
    defineGeometry({
      ...shape,
      arenaSize: pools * shape.poolSize,
      // As many header units as fit beside the largest class.
      poolOverhead:
        Math.min(headerUnits, (shape.poolSize - shape.smallThreshold) / shape.alignment) *
        shape.alignment,
      poolAlignedArenas,
      keepEmptyArena,
    }),
  );

/** A geometry of the family, or (for "any") tiny four times in five. */
export function geometryArbitrary(family: GeometryFamily | "any"): fc.Arbitrary<Geometry> {
  if (family === "tiny") return tinyGeometry;
  if (family === "presets") return presetGeometry;
  if (family === "wide") return wideGeometry;
  return fc.oneof({ arbitrary: tinyGeometry, weight: 4 }, { arbitrary: presetGeometry, weight: 1 });
}
