/**
 * Invariant 12 for the bitmap allocator: check() passes on a consistent heap and names the
 * problem when any one of its structures is corrupted (a bit, a summary word, a count, a set
 * membership, a bucket, the wholly-empty-arena count, the requested bytes, the mapped slots).
 */
import { describe, expect, it } from "vitest";
import { AddressSpace } from "../../src/core/address-space.ts";
import { BitmapAllocator } from "../../src/allocators/bitmap/bitmap-allocator.ts";
import { IntegrityError } from "../../src/core/errors.ts";
import { defineGeometry, geometries, type Geometry } from "../../src/core/geometry.ts";
import type { LevelBitset } from "../../src/core/bits/level-bitset.ts";

const TINY = defineGeometry(
  {
    alignment: 8,
    smallThreshold: 64,
    poolSize: 256,
    arenaSize: 1024,
    poolOverhead: 16,
    poolAlignedArenas: true,
    maxArenas: 4,
    keepEmptyArena: true,
  },
  "tiny-check",
);

/** A heap with partly used, full and empty pools in two arenas, and a raw block. */
function heap(geometry: Geometry): { a: BitmapAllocator; blocks: number[] } {
  const a = new BitmapAllocator(geometry, new AddressSpace(geometry));
  const blocks: number[] = [];
  for (let i = 0; i < 60; i++) blocks.push(a.malloc(1 + ((i * 7) % geometry.smallThreshold))!);
  for (let i = 0; i < blocks.length; i += 3) a.free(blocks[i]!);
  // One full pool of the largest class, and one partly used after it.
  for (let i = 0; i < geometry.blocksPerPool[geometry.sizeClasses - 1]! + 1; i++)
    a.malloc(geometry.smallThreshold);
  a.malloc(geometry.smallThreshold + 1);
  a.check();
  return { a, blocks: blocks.filter((_, i) => i % 3 !== 0) };
}

function problemsOf(a: BitmapAllocator): readonly string[] {
  try {
    a.check();
  } catch (e) {
    expect(e).toBeInstanceOf(IntegrityError);
    return (e as IntegrityError).problems;
  }
  return [];
}

/** The first used pool (global index) and its class. */
function usedPool(a: BitmapAllocator, partly: boolean): { gp: number; c: number } {
  const { table } = a;
  for (let gp = 0; gp < table.capacity * a.geometry.poolsPerArena; gp++) {
    const c = table.sizeClass[gp]!;
    if (c >= 0 && table.live[gp]! < a.geometry.blocksPerPool[c]! === partly) return { gp, c };
  }
  throw new Error("no such pool");
}

/**
 * Pool gp (empty, in a mapped arena) given class 0: check() says so, and every problem it reports
 * is about that pool (the per-pool tests and the regions'), none about its blocks or the class's
 * counts, which an empty pool does not enter.
 */
function expectOnlyThisPool(a: BitmapAllocator, gp: number): void {
  expect(gp).toBeGreaterThanOrEqual(0);
  const ppa = a.geometry.poolsPerArena;
  a.table.sizeClass[gp] = 0;
  const problems = problemsOf(a);
  const [slot, index] = [Math.floor(gp / ppa), gp % ppa];
  expect(problems).toContain(`arena ${slot} pool ${index}: class 0 with 0 live blocks`);
  const aboutThisPool = new RegExp(`^(arena ${slot} pool ${index}: |.*\\bpool ${gp}\\b)`);
  expect(problems.filter((p) => !aboutThisPool.test(p))).toEqual([]);
}

describe("BitmapAllocator.check() (invariant 12)", () => {
  for (const geometry of [TINY, geometries["cpython-3.12"], geometries["cpython-3.8"]]) {
    describe(geometry.name, () => {
      it("passes on a consistent heap, and after draining it", () => {
        const { a, blocks } = heap(geometry);
        expect(problemsOf(a)).toEqual([]);
        for (const p of blocks) a.free(p);
        expect(problemsOf(a)).toEqual([]);
      });

      it("a free bit cleared (a block that looks live) breaks the bit count", () => {
        const { a } = heap(geometry);
        const { gp } = usedPool(a, true);
        const base = a.bitmaps.start[gp]!;
        // Clear the lowest set bit of the first non-zero level-0 word.
        let w = 0;
        while (a.bitmaps.words[base + w] === 0) w++;
        const word = a.bitmaps.words[base + w]!;
        a.bitmaps.words[base + w] = word & (word - 1);
        expect(problemsOf(a).join("\n")).toMatch(/free bits/);
      });

      it("a summary bit that disagrees with its word is found", () => {
        const { a } = heap(geometry);
        const { gp, c } = usedPool(a, true);
        const layout = a.bitmaps.layouts[c]!;
        if (layout.offsets.length < 2) return; // one-level layout: no summary to break
        const at = a.bitmaps.start[gp]! + layout.offsets[1]!;
        a.bitmaps.words[at] = a.bitmaps.words[at]! ^ (1 << (layout.words[0]! - 1));
        expect(problemsOf(a).join("\n")).toMatch(/summary level 1/);
      });

      it("a live count, a class count and an arena's empty-pool count are each checked", () => {
        for (const corrupt of [
          (a: BitmapAllocator) => a.table.live[usedPool(a, true).gp]!++,
          (a: BitmapAllocator) => a.classes.pools[usedPool(a, true).c]!++,
          (a: BitmapAllocator) => a.classes.blocks[usedPool(a, true).c]!--,
          (a: BitmapAllocator) => a.table.emptyPools[0]!++,
          (a: BitmapAllocator) => (a.table.address[usedPool(a, true).gp]! += geometry.alignment),
        ]) {
          const { a } = heap(geometry);
          corrupt(a);
          expect(problemsOf(a).length).toBeGreaterThan(0);
        }
      });

      it("partly-used set membership and its cached lowest member are checked", () => {
        const { a } = heap(geometry);
        const { gp, c } = usedPool(a, true);
        a.classes.partly.delete(c, gp);
        const problems = problemsOf(a).join("\n");
        expect(problems).toMatch(/partly-used membership/);
        const b = heap(geometry).a;
        const full = usedPool(b, false);
        b.classes.addPartly(full.c, full.gp);
        expect(problemsOf(b).join("\n")).toMatch(/partly-used membership|not a partly used pool/);
        const d = heap(geometry).a;
        const p = usedPool(d, true);
        d.classes.lowest[p.c] = -1;
        expect(problemsOf(d).join("\n")).toMatch(
          new RegExp(`^partly-used set of class ${p.c}: lowest member cached as -1 but`, "m"),
        );
      });

      it("empty-pool set, buckets and the wholly-empty arena count are checked", () => {
        const { a } = heap(geometry);
        const empty = a.emptyPools.first();
        if (empty !== -1) {
          a.emptyPools.delete(empty);
          expect(problemsOf(a).join("\n")).toMatch(/empty-pool membership/);
        }
        const b = heap(geometry).a;
        const slot = 0;
        const e = b.table.emptyPools[slot]!;
        if (e > 0) {
          b.buckets.remove(slot, e);
          expect(problemsOf(b).join("\n")).toMatch(/not in bucket/);
        }
        const d = heap(geometry).a;
        (d as unknown as { emptyArenaCount: number }).emptyArenaCount++;
        expect(problemsOf(d).join("\n")).toMatch(/whollyEmptyArenas/);
      });

      it("a 0 among the bucket counts is reported once, as that", () => {
        const { a } = heap(geometry);
        (a.buckets as unknown as { counts: LevelBitset }).counts.add(0);
        expect(problemsOf(a)).toEqual(["counts holds 0"]);
      });

      it("an empty pool given a class is reported, and its blocks are not examined", () => {
        // A pool with no live block: the heap's, or the drained heap's (every geometry has one).
        const { a, blocks } = heap(geometry);
        if (a.emptyPools.first() === -1) for (const p of blocks) a.free(p);
        expectOnlyThisPool(a, a.emptyPools.first());
      });

      it("requested bytes and per-block requested sizes are checked", () => {
        const { a } = heap(geometry);
        a.requested.change(5);
        expect(problemsOf(a).join("\n")).toMatch(/requested.current/);
        const b = heap(geometry).a;
        const { gp } = usedPool(b, true);
        let k = 0;
        while (b.bitmaps.isFree(gp, k)) k++;
        b.requestedSizes.set(gp, k, b.requestedSizes.get(gp, k) + 1);
        expect(problemsOf(b).length).toBeGreaterThan(0);
      });

      it("wholly empty arenas beyond the empty-arena rule are reported (invariant 6)", () => {
        class KeepsEveryEmptyArena extends BitmapAllocator {
          protected override shouldReleaseEmptyArena(): boolean {
            return false;
          }
        }
        const a = new KeepsEveryEmptyArena(geometry, new AddressSpace(geometry));
        const perArena = geometry.poolsPerArena * geometry.blocksPerPool[geometry.sizeClasses - 1]!;
        const blocks = Array.from({ length: 2 * perArena }, () =>
          a.malloc(geometry.smallThreshold)!,
        );
        for (const p of blocks) a.free(p);
        const empty = a.stats().arenas.current;
        expect(empty).toBeGreaterThan(Number(geometry.keepEmptyArena));
        expect(problemsOf(a)).toContain(`${empty} wholly empty arenas are mapped (invariant 6)`);
      });

      it("mapped slots must equal the address space's", () => {
        const { a } = heap(geometry);
        a.table.mapped[0] = 0;
        expect(problemsOf(a).join("\n")).toMatch(/mapped slots/);
      });
    });
  }
});
