/**
 * The bitmap allocator's structures keep the promises spec/bitmap.md makes for them, beyond what
 * the policy decides (the properties check that):
 *
 * - §1.2 pool bits of one, two and three levels (blocks ≤ 32, ≤ 1024, more) all give the lowest
 *   free block: a pool fills block by block and refills its freed blocks lowest first, address
 *   for address as the reference allocator does;
 * - §1.3 requested sizes take the narrowest entry that holds every slack (one byte for CPython's
 *   geometries), and a pool's region is reused by the next pool of its class, so churn does not
 *   grow the array;
 * - §1.1 a pointer's pool by arithmetic: the integer fast path (an int32 offset from the region
 *   base) and the float path of every other number find the same pool for every int32 offset,
 *   and the float path finds the pool of a fraction, of anything in range, as rounding down would;
 * - the allocator names its kind.
 */
import { describe, expect, it } from "vitest";
import { AddressSpace } from "../../src/core/address-space.ts";
import { BitmapAllocator } from "../../src/allocators/bitmap/bitmap-allocator.ts";
import { ClassRegions } from "../../src/allocators/bitmap/class-regions.ts";
import { bitLayout } from "../../src/core/bits/level-bitset.ts";
import { createAllocator } from "../../src/allocators/create-allocator.ts";
import { defineGeometry, geometries, type Geometry } from "../../src/core/geometry.ts";

const bitmap = (g: Geometry) => new BitmapAllocator(g, new AddressSpace(g));

/** 64 KiB pools of 8-byte blocks: class 0 has 8191 blocks, three levels of bits. */
const THREE_LEVELS = defineGeometry(
  {
    alignment: 8,
    smallThreshold: 2048,
    poolSize: 1 << 16,
    arenaSize: 1 << 17,
    poolOverhead: 8,
    poolAlignedArenas: true,
    maxArenas: 2,
    keepEmptyArena: true,
  },
  "three-levels",
);

describe("pool bits: the lowest free block with one, two and three levels (spec/bitmap.md §1.2)", () => {
  const cases: [Geometry, number][] = [
    [geometries["cpython-3.12"], 31], // 512-byte class: 31 blocks, one level
    [geometries["cpython-3.12"], 0], // 16-byte class: 1021 blocks, two levels
    [THREE_LEVELS, 0], // 8-byte class: 8191 blocks, three levels
    [THREE_LEVELS, 3], // 32-byte class: 2047 blocks, three levels
  ];
  for (const [g, c] of cases) {
    const blocks = g.blocksPerPool[c]!;
    const levels = bitLayout(blocks).words.length;
    it(`${g.name}, class ${c} (${blocks} blocks, ${levels} level${levels > 1 ? "s" : ""})`, () => {
      const a = bitmap(g);
      const reference = createAllocator("reference", g);
      const size = g.classSizes[c]!;
      const got: number[] = [];
      for (let k = 0; k < blocks; k++) {
        const p = a.malloc(size)!;
        expect(reference.malloc(size)).toBe(p);
        got.push(p);
      }
      // Block k at pool + H + k·size (invariant 3), in one pool.
      const pool = got[0]! - g.poolOverhead;
      expect(got.every((p, k) => p === pool + g.poolOverhead + k * size)).toBe(true);
      // Free every third block from the top down, then refill: lowest first.
      const freed = got.filter((_, k) => k % 3 === 0).reverse();
      for (const p of freed) {
        a.free(p);
        reference.free(p);
      }
      const again = freed.map(() => a.malloc(size)!);
      expect(again).toEqual([...freed].reverse());
      expect(freed.map(() => reference.malloc(size))).toEqual(again);
      a.check();
    });
  }
});

describe("pool bits: check() reads every summary bit (invariant 12)", () => {
  // A flipped summary bit of the middle level of a three-level pool leaves the level above it
  // right (that word stays non-zero), so only the bit-by-bit summary check can find it.
  it("three levels: each summary bit of a pool, flipped alone, is reported", () => {
    const a = bitmap(THREE_LEVELS);
    a.malloc(THREE_LEVELS.classSizes[0]!); // class 0 in pool 0 of arena 0
    const { words, layouts } = a.bitmaps;
    const layout = layouts[0]!;
    // Three levels, the middle one of several words: the case the summary check must cover.
    expect(layout.offsets.length).toBe(3);
    expect(layout.words[1]).toBeGreaterThan(1);
    for (let level = 1; level < layout.offsets.length; level++) {
      for (let bit = 0; bit < 32 * layout.words[level]!; bit++) {
        const at = layout.offsets[level]! + (bit >>> 5); // pool 0's region starts at word 0
        words[at] ^= 1 << (bit & 31);
        expect(() => a.check(), `level ${level} bit ${bit}`).toThrow(
          `summary level ${level} bit ${bit} disagrees`,
        );
        words[at] ^= 1 << (bit & 31);
      }
    }
    a.check();
  });
});

describe("requested sizes (spec/bitmap.md §1.3)", () => {
  /** The narrowest unsigned entry for the largest slack a live block can hold: max(A − 1, ⌈T/4⌉ − 1). */
  const expectedBytes = (g: Geometry) => {
    const most = Math.max(g.alignment - 1, Math.ceil(g.smallThreshold / 4) - 1);
    return most <= 0xff ? 1 : most <= 0xffff ? 2 : 4;
  };

  it("one byte per block on every CPython preset, wider only where a slack needs it", () => {
    for (const g of Object.values(geometries))
      expect(bitmap(g).requestedSizes.slack.BYTES_PER_ELEMENT, g.name).toBe(1);
    const wide = [
      defineGeometry({
        alignment: 8,
        smallThreshold: 1016,
        poolSize: 4096,
        arenaSize: 8192,
        poolOverhead: 8,
        poolAlignedArenas: true,
        maxArenas: 2,
        keepEmptyArena: true,
      }), // ⌈1016/4⌉ − 1 = 253
      defineGeometry({
        alignment: 8,
        smallThreshold: 1024,
        poolSize: 4096,
        arenaSize: 8192,
        poolOverhead: 8,
        poolAlignedArenas: true,
        maxArenas: 2,
        keepEmptyArena: true,
      }), // 255
      defineGeometry({
        alignment: 8,
        smallThreshold: 1032,
        poolSize: 4096,
        arenaSize: 8192,
        poolOverhead: 8,
        poolAlignedArenas: true,
        maxArenas: 2,
        keepEmptyArena: true,
      }), // 257
      defineGeometry({
        alignment: 512,
        smallThreshold: 512,
        poolSize: 4096,
        arenaSize: 8192,
        poolOverhead: 512,
        poolAlignedArenas: true,
        maxArenas: 2,
        keepEmptyArena: true,
      }), // A − 1 = 511
      defineGeometry({
        alignment: 16,
        smallThreshold: 4096,
        poolSize: 1 << 14,
        arenaSize: 1 << 16,
        poolOverhead: 16,
        poolAlignedArenas: true,
        maxArenas: 2,
        keepEmptyArena: true,
      }), // 1023
      defineGeometry({
        alignment: 1 << 17,
        smallThreshold: 1 << 17,
        poolSize: 1 << 18,
        arenaSize: 1 << 19,
        poolOverhead: 0,
        poolAlignedArenas: true,
        maxArenas: 2,
        keepEmptyArena: true,
      }), // A − 1 = 131071
    ];
    expect(wide.map(expectedBytes)).toEqual([1, 1, 2, 2, 2, 4]);
    for (const g of wide)
      expect(bitmap(g).requestedSizes.slack.BYTES_PER_ELEMENT, g.name).toBe(expectedBytes(g));
  });

  it("a wide slack survives in its entry: a block kept in place by realloc reports its request", () => {
    const g = defineGeometry({
      alignment: 8,
      smallThreshold: 1032,
      poolSize: 4096,
      arenaSize: 8192,
      poolOverhead: 8,
      poolAlignedArenas: true,
      maxArenas: 2,
      keepEmptyArena: true,
    });
    const a = bitmap(g);
    const p = a.malloc(1032)!;
    expect(a.realloc(p, 775)).toBe(p); // 4 · 775 > 3 · 1032: in place, slack 257
    expect(a.stats().requested.current).toBe(775);
    a.check();
  });

  it("emptied pools give their regions back to the next pool of their class: churn does not grow the array", () => {
    for (const g of [geometries["cpython-3.12"], geometries["cpython-3.8"], THREE_LEVELS]) {
      const a = bitmap(g);
      const cycle = () => {
        // Two pools' worth of two classes, then all freed: the pools empty and take their class again.
        const blocks: number[] = [];
        for (const c of [0, 5])
          for (let i = 0; i < 2 * g.blocksPerPool[c]!; i++)
            blocks.push(a.malloc(g.classSizes[c]!)!);
        for (const p of blocks) a.free(p);
      };
      cycle();
      const entries = a.requestedSizes.slack.length;
      for (let i = 0; i < 50; i++) cycle();
      expect(a.requestedSizes.slack.length, g.name).toBe(entries);
      a.check();
    }
  });
});

describe("class regions (spec/bitmap.md §1.3): regionProblems names every region out of place", () => {
  /** Pool 0 of class 0 (2 entries) released to the spare stack, pool 1 of class 1 (1 entry): 3 cut. */
  function regions() {
    const r = new ClassRegions([2, 1], "test");
    r.ensurePools(2);
    expect([r.assign(0, 0), r.assign(1, 1)]).toEqual([0, 2]);
    r.release(0, 0);
    const classes = Int16Array.from([-1, 1]);
    expect(r.regionProblems(classes)).toEqual([]);
    return { r, classes, spare: (r as unknown as { spare: Int32Array[] }).spare };
  }

  it("a spare region moved onto the last claimed entry and past the cut ones: both reported", () => {
    const { r, classes, spare } = regions();
    spare[0]![0] = 2; // entries 2 … 3: entry 2 is pool 1's, entry 3 was never cut
    expect(r.regionProblems(classes)).toEqual([
      "spare test region 2 (class 0) lies outside the 3 entries cut or overlaps another",
      "test entry 0 of the 3 cut belongs to no region in use or spare (lost)",
    ]);
  });

  it("a spare region before or past the cut entries, overlapping none, and one overlapping only: each reported", () => {
    const { r, classes, spare } = regions();
    spare[0]![0] = -1; // entries −1 … 0: entry 0 was its own, claimed by no other region
    expect(r.regionProblems(classes)).toContain(
      "spare test region -1 (class 0) lies outside the 3 entries cut or overlaps another",
    );
    spare[0]![0] = 3;
    expect(r.regionProblems(classes)).toContain(
      "spare test region 3 (class 0) lies outside the 3 entries cut or overlaps another",
    );
    spare[0]![0] = 1; // entries 1 … 2: entry 2 is pool 1's
    expect(r.regionProblems(classes)).toContain(
      "spare test region 1 (class 0) lies outside the 3 entries cut or overlaps another",
    );
  });
});

it("the bitmap allocator names its kind", () => {
  expect(createAllocator("bitmap", "cpython-3.12").kind).toBe("bitmap");
  expect(createAllocator("reference", "cpython-3.12").kind).toBe("reference");
});

/** The two paths of poolOf, open for the test. */
class PoolLookup extends BitmapAllocator {
  near(rel: number): number {
    return this.poolIndexNear(rel);
  }
  far(p: number): number {
    return this.poolIndexFar(p);
  }
  pool(p: number): number {
    return this.poolOf(p);
  }
  map(): number {
    return this.mapArena();
  }
}

describe("a pointer's pool (spec/bitmap.md §1.1): the int32 fast path and the float path agree", () => {
  const huge = defineGeometry(
    { ...geometries["cpython-3.12"], poolSize: 1 << 24, arenaSize: 2 ** 31, maxArenas: 4 },
    "2-GiB arenas",
  );
  // Unaligned arenas (the first pool one P past the slot), aligned ones, and a stride of 2^32.
  for (const g of [geometries["cpython-3.12"], geometries["cpython-3.8"], THREE_LEVELS, huge]) {
    it(`${g.name}: every int32 offset, pool edges included, finds the same pool both ways`, () => {
      const a = new PoolLookup(g, new AddressSpace(g));
      const space = a.addressSpace;
      const step = g.poolSize / 2;
      const last = Math.min(space.stride * Math.min(g.maxArenas, 3), 2 ** 31 - step);
      let pools = 0;
      for (let rel = -2 * space.stride; rel <= last; rel += step) {
        for (const r of [rel - 1, rel, rel + 1]) {
          if ((r | 0) !== r) continue; // below −2^31 with the 2^32 stride: not an int32
          // Below the region the fast path's slot is negative and so is its index: no pool.
          const near = Math.max(a.near(r), -1);
          expect(near, `offset ${r}`).toBe(a.far(space.arenaRegionBase + r));
          if (near !== -1) pools++;
        }
      }
      expect(pools).toBeGreaterThan(0);
    });
  }

  it("the float path: a fraction lies in the pool of its integer part, NaN and the guard in none", () => {
    const g = geometries["cpython-3.12"];
    const a = new PoolLookup(g, new AddressSpace(g));
    const slot = a.map();
    const p = a.malloc(16)!;
    const gp = a.pool(p);
    expect(gp).toBe(slot * g.poolsPerArena);
    expect(a.far(p + 0.5)).toBe(gp);
    expect(a.pool(p + 0.5)).toBe(gp); // through poolOf: not an int32 offset
    expect(a.pool(p + g.poolSize - 0.5)).toBe(-1); // the next pool: empty, no class
    const guard = a.addressSpace.poolAddress(slot, g.poolsPerArena);
    expect(a.far(guard + 0.5)).toBe(-1);
    expect(a.near(guard - a.addressSpace.arenaRegionBase)).toBe(-1);
    expect(a.far(guard - g.poolSize + 0.5)).toBe(slot * g.poolsPerArena + g.poolsPerArena - 1);
    expect(a.pool(Number.NaN)).toBe(-1);
    expect(a.far(Number.NaN)).toBe(-1);
  });

  it("a fraction below the first pool of an aligned arena is in no pool (not truncated into pool 0)", () => {
    const a = new PoolLookup(THREE_LEVELS, new AddressSpace(THREE_LEVELS));
    const p = a.malloc(8)!; // pool 0 of slot 0, at the region base itself (no excess)
    expect(p).toBe(a.addressSpace.arenaRegionBase + THREE_LEVELS.poolOverhead);
    expect(a.pool(p)).toBe(0);
    expect(a.pool(a.addressSpace.arenaRegionBase - 0.5)).toBe(-1);
    expect(a.pool(a.addressSpace.arenaRegionBase + 0.5)).toBe(0);
  });
});
