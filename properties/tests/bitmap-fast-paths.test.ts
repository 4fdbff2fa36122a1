/**
 * The bitmap allocator's fast paths (spec/bitmap.md §3.1): the shipped class takes them for every
 * call they are written for, a subclass never does, and they decide nothing the generic path
 * would decide differently. What they return is held to the reference allocator by
 * bitmap-differential.test.ts (both paths, call for call); this file checks which path ran.
 */
import { describe, expect, it } from "vitest";
import { BitmapAllocator } from "../../src/allocators/bitmap/bitmap-allocator.ts";
import { createAllocator } from "../../src/allocators/create-allocator.ts";
import { AddressSpace } from "../../src/core/address-space.ts";
import { AllocatorError } from "../../src/core/errors.ts";
import { geometries, type Geometry } from "../../src/core/geometry.ts";
import { mulberry32 } from "../../src/core/random.ts";
import { profileFromEnv } from "../profiles.ts";
import { PathCountingBitmap } from "./support/path-counting-bitmap.ts";
import { THREE_LEVEL_POOLS } from "./support/three-level-geometry.ts";

const SEED = 0xfa57;
/**
 * Operations per geometry: fewer in quick, the mutation test set's profile (spec/audit.md §3), where
 * this file runs against every mutant it covers; the sizes are drawn so that the edges (1, T) and
 * the out of memory of the limited geometry still come up.
 */
const OPS = profileFromEnv().name === "quick" ? 3_000 : 20_000;

/** Every preset, and a three-level pool layout with an arena limit. */
const GEOMETRIES: readonly Geometry[] = [...Object.values(geometries), THREE_LEVEL_POOLS];

describe("which path a call takes", () => {
  it("the shipped class takes the fast paths; any subclass, a seeded bug's included, does not", () => {
    const g = geometries["cpython-3.12"];
    expect(Reflect.get(createAllocator("bitmap", g), "fastPaths")).toBe(true);
    class OneStepOverridden extends BitmapAllocator {
      protected override sizeClassOf(n: number): number {
        return super.sizeClassOf(n);
      }
    }
    expect(Reflect.get(new OneStepOverridden(g, new AddressSpace(g)), "fastPaths")).toBe(false);
    expect(new PathCountingBitmap(g, false).takesFastPaths).toBe(false);
  });

  for (const g of GEOMETRIES) {
    it(`${g.name}: every malloc of 1 … T and every free of a live small block takes the fast path, and the result is the generic path's`, () => {
      const fast = new PathCountingBitmap(g, true);
      const generic = new PathCountingBitmap(g, false);
      const rng = mulberry32(SEED);
      const live: number[] = [];
      const T = g.smallThreshold;
      const int32Offset = (p: number) => {
        const rel = p - fast.addressSpace.arenaRegionBase;
        return (rel | 0) === rel;
      };
      let smallMallocs = 0;
      let smallFrees = 0;
      let nulls = 0;
      for (let op = 0; op < OPS; op++) {
        const before = [fast.genericSmallMallocs, fast.genericSmallFrees];
        // Phases of growth (to the arena limit on the limited geometry) and of shrinking.
        const grow = live.length === 0 || rng() < (op % 1500 < 1000 ? 0.65 : 0.3);
        if (grow) {
          // Mostly small sizes, the edges 1 and T among them; some 0 and raw sizes (generic).
          const r = rng();
          const n =
            r < 0.05
              ? 0
              : r < 0.1
                ? T + 1 + Math.floor(rng() * T)
                : r < 0.15
                  ? 1
                  : r < 0.2
                    ? T
                    : 1 + Math.floor(rng() * T);
          const p = fast.malloc(n);
          expect(generic.malloc(n)).toBe(p);
          if (p !== null) live.push(p);
          if (n >= 1 && n <= T) {
            smallMallocs++;
            if (p === null) nulls++;
            expect(fast.genericSmallMallocs, `malloc(${n})`).toBe(before[0]);
          }
        } else {
          const i = Math.floor(rng() * live.length);
          const p = live[i]!;
          live[i] = live[live.length - 1]!;
          live.pop();
          const small = fast.addressSpace.rawSize(p) === -1;
          fast.free(p);
          generic.free(p);
          if (small && int32Offset(p)) {
            smallFrees++;
            expect(fast.genericSmallFrees, `free(${p})`).toBe(before[1]);
          }
        }
        expect(fast.stats()).toEqual(generic.stats());
      }
      expect(fast.snapshot()).toEqual(generic.snapshot());
      expect(fast.addressSpace.events()).toEqual(generic.addressSpace.events());
      fast.check();
      // The generic instance went through the steps for every small malloc and free.
      expect(generic.genericSmallMallocs).toBe(smallMallocs);
      expect(generic.genericSmallFrees).toBe(smallFrees);
      expect(smallFrees).toBeGreaterThan(OPS / 10);
      if (g.maxArenas <= 3) expect(nulls).toBeGreaterThan(0); // the fast path's out of memory
    });
  }

  for (const g of GEOMETRIES) {
    it(`${g.name}: a pointer between a slot's pools whose arithmetic names a neighbour's live block is not freed`, () => {
      // freeFast finds the pool and the offset in it by masks and shifts, with no read of the
      // pool's address: a pointer in the guard after a slot's last pool computes pool ppa + i,
      // which is pool i of the next slot, and one below a slot's first pool (misaligned arenas)
      // pool −1, the previous slot's last. Built from live blocks, each such pointer names a live
      // block exactly; free must refuse it with the misuse error and change nothing.
      const space = new AddressSpace(g);
      const a = new BitmapAllocator(g, space); // the shipped class: fast paths on
      const P = g.poolSize;
      const poolArea = g.poolsPerArena * P;
      const live: number[] = [];
      while (space.arenas.current < Math.min(3, g.maxArenas)) {
        const p = a.malloc(g.smallThreshold);
        if (p === null) break;
        live.push(p);
      }
      const inSlot = (x: number) => (x - space.arenaRegionBase) % space.stride;
      // In the guard after slot s − 1's last pool, naming pool i of slot s …
      const inGuard = live
        .map((q) => q - space.stride + poolArea)
        .filter((x) => x >= space.arenaRegionBase && inSlot(x) >= space.firstPoolOffset + poolArea);
      // … and below slot s + 1's first pool (misaligned arenas), naming slot s's last pool.
      const belowFirst = live
        .map((q) => q + space.stride - poolArea)
        .filter((x) => inSlot(x) < space.firstPoolOffset);
      expect(inGuard.length, "guard pointers built").toBeGreaterThan(0);
      if (space.firstPoolOffset > 0)
        expect(belowFirst.length, "pointers below a first pool built").toBeGreaterThan(0);
      const outside = [...inGuard, ...belowFirst];
      const before = a.snapshot();
      for (const x of outside) expect(() => a.free(x), `free(${x})`).toThrow(AllocatorError);
      expect(a.snapshot()).toEqual(before);
    });
  }

  it("a size or pointer that is not a number is never coerced (a caller's valueOf does not run)", () => {
    for (const kind of ["bitmap", "reference", "cpython"] as const) {
      const a = createAllocator(kind, geometries["cpython-3.12"]);
      let coerced = 0;
      const sneaky = { valueOf: () => (coerced++, 16) } as unknown as number;
      expect(() => a.malloc(sneaky)).toThrow(AllocatorError);
      expect(() => a.free(sneaky)).toThrow(AllocatorError);
      expect(() => a.realloc(sneaky, 16)).toThrow(AllocatorError);
      expect(() => a.usableSize(sneaky)).toThrow(AllocatorError);
      expect(coerced, kind).toBe(0);
    }
  });
});
