/**
 * The foundation's "must show" scenarios (issue 2), on every allocator kind:
 * - 20,000 blocks of 496 bytes, then all freed: pools, arenas allocated / reclaimed / kept
 *   (invariant 6, spec/policy.md §2.6);
 * - every misuse throws its code and changes nothing (invariant 9, spec/errors.md);
 * - at the arena limit and the raw limit, malloc and realloc return null and change nothing
 *   (invariant 10).
 */
import { describe, expect, it } from "vitest";
import {
  ALLOCATOR_KINDS,
  createAllocator,
  defineGeometry,
  type Allocator,
} from "../../src/index.ts";
import { expectMisuse, observe } from "./support/expect-misuse.ts";

const tiny = defineGeometry({
  alignment: 16,
  smallThreshold: 64,
  poolSize: 128,
  arenaSize: 512,
  poolOverhead: 16,
  poolAlignedArenas: true,
  maxArenas: 3,
  keepEmptyArena: true,
});

/** A value of another type where the API takes a pointer, as a JavaScript caller could pass it. */
const asPointer = (value: unknown) => value as number;

describe.each(ALLOCATOR_KINDS)("%s allocator", (kind) => {
  it("cpython-3.11: 20,000 × 496 B use 625 pools; freeing all leaves 1 of 10 arenas", () => {
    const a = createAllocator(kind, "cpython-3.11");
    const blocks = Array.from({ length: 20_000 }, () => a.malloc(496)!);
    expect(new Set(blocks).size).toBe(20_000);
    const full = a.stats();
    expect(full.classes).toEqual([
      { index: 30, size: 496, pools: 625, blocksInUse: 20_000, availBlocks: 0 },
    ]);
    expect(full.arenas).toEqual({ current: 10, allocatedTotal: 10, reclaimed: 0, highwater: 10 });
    for (const p of blocks) a.free(p);
    const after = a.stats();
    expect(after.classes).toEqual([]);
    expect(after.arenas).toEqual({ current: 1, allocatedTotal: 10, reclaimed: 9, highwater: 10 });
    expect(after.mappedBytes.current).toBe(1 << 20);
    const events = a.addressSpace.events();
    expect(events.filter((e) => e.kind === "map-arena")).toHaveLength(10);
    expect(events.filter((e) => e.kind === "unmap-arena")).toHaveLength(9);
    a.check();
  });

  it("cpython-3.8: the same workload keeps no empty arena", () => {
    const a = createAllocator(kind, "cpython-3.8");
    const blocks = Array.from({ length: 20_000 }, () => a.malloc(496)!);
    expect(a.stats().classes[0]).toMatchObject({ size: 496, pools: 2500, blocksInUse: 20_000 });
    for (const p of blocks) a.free(p);
    expect(a.stats().arenas).toEqual({
      current: 0,
      allocatedTotal: 40,
      reclaimed: 40,
      highwater: 40,
    });
    expect(a.stats().mappedBytes.current).toBe(0);
    a.check();
  });

  describe("misuse throws its code and changes nothing", () => {
    /** A heap with live, freed, emptied and released places to point at. */
    function setUp() {
      const a = createAllocator(kind, tiny);
      const perArena = tiny.poolsPerArena * tiny.blocksPerPool[0]!;
      // Arena 0 full of 16-byte blocks, arena 1 full, arena 2 one block; then empty arena 1 and
      // arena 2: arena 1 is kept (the one empty arena), arena 2 is released.
      const arena0 = Array.from({ length: perArena }, () => a.malloc(16)!);
      const arena1 = Array.from({ length: perArena }, () => a.malloc(16)!);
      const arena2 = a.malloc(16)!;
      for (const p of arena1) a.free(p);
      a.free(arena2);
      const live = arena0[1]!;
      const liveInSecondPool = arena0[tiny.blocksPerPool[0]! + 1]!;
      const freedInUsedPool = arena0[0]!;
      a.free(freedInUsedPool);
      // Empty a whole pool of arena 0 (its last 7 blocks).
      const lastPool = arena0.slice(-tiny.blocksPerPool[0]!);
      for (const p of lastPool) a.free(p);
      const raw = a.malloc(100)!;
      const rawFreed = a.malloc(0)!;
      a.free(rawFreed);
      const events = a.addressSpace.events();
      expect(events.filter((e) => e.kind === "unmap-arena")).toHaveLength(1);
      return {
        a,
        live,
        liveInSecondPool,
        freedInUsedPool,
        freedInEmptyPool: lastPool[0]!,
        releasedArenaBlock: arena2,
        keptArenaBlock: arena1[0]!,
        raw,
        rawFreed,
      };
    }

    it("double free of a block whose pool still has live blocks: double-free", () => {
      const s = setUp();
      expectMisuse(s.a, "double-free", () => s.a.free(s.freedInUsedPool));
      expectMisuse(s.a, "invalid-pointer", () => s.a.realloc(s.freedInUsedPool, 8));
      expectMisuse(s.a, "invalid-pointer", () => s.a.usableSize(s.freedInUsedPool));
      expectMisuse(s.a, "invalid-pointer", () => s.a.bytes(s.freedInUsedPool));
    });

    it("double free of a raw block: double-free", () => {
      const s = setUp();
      expectMisuse(s.a, "double-free", () => s.a.free(s.rawFreed));
      expectMisuse(s.a, "invalid-pointer", () => s.a.realloc(s.rawFreed, 8));
    });

    it.each([
      ["an interior pointer", (s: ReturnType<typeof setUp>) => s.live + 8],
      ["an interior pointer one byte in", (s: ReturnType<typeof setUp>) => s.live + 1],
      ["a pool-header pointer", (s: ReturnType<typeof setUp>) => s.live - 16 - 16],
      ["a block of a pool that became empty", (s: ReturnType<typeof setUp>) => s.freedInEmptyPool],
      ["a block of the kept empty arena", (s: ReturnType<typeof setUp>) => s.keptArenaBlock],
      ["a pointer into a released arena", (s: ReturnType<typeof setUp>) => s.releasedArenaBlock],
      ["an interior raw pointer", (s: ReturnType<typeof setUp>) => s.raw + 16],
      ["an unknown pointer", () => 12345 * 16],
      ["address 0", () => 0],
      ["a negative pointer", () => -16],
      ["a fractional pointer", (s: ReturnType<typeof setUp>) => s.live + 0.5],
      // Row 1 of spec/errors.md §2: a string is no pointer, not even the digits of a live block.
      [
        "a live block's address as a string",
        (s: ReturnType<typeof setUp>) => asPointer(`${s.live}`),
      ],
      [
        "a live block's address in the second pool as a string",
        (s: ReturnType<typeof setUp>) => asPointer(`${s.liveInSecondPool}`),
      ],
      ["NaN", () => NaN],
      ["Infinity", () => Infinity],
    ])("%s: invalid-pointer from free, realloc, usableSize and bytes", (_, pointer) => {
      const s = setUp();
      const p = pointer(s);
      expectMisuse(s.a, "invalid-pointer", () => s.a.free(p));
      expectMisuse(s.a, "invalid-pointer", () => s.a.realloc(p, 32));
      expectMisuse(s.a, "invalid-pointer", () => s.a.usableSize(p));
      expectMisuse(s.a, "invalid-pointer", () => s.a.bytes(p));
    });

    it.each([
      ["negative", -1],
      ["fractional", 1.5],
      ["NaN", NaN],
      ["infinite", Infinity],
      ["minus infinity", -Infinity],
      ["above the limit", Number.MAX_SAFE_INTEGER + 1],
      ["far above the limit", 2 ** 64],
      ["not a number", "16" as unknown as number],
    ])("a size that is %s: invalid-size from malloc and realloc (size checked first)", (_, n) => {
      const s = setUp();
      expectMisuse(s.a, "invalid-size", () => s.a.malloc(n));
      expectMisuse(s.a, "invalid-size", () => s.a.realloc(s.live, n));
      expectMisuse(s.a, "invalid-size", () => s.a.realloc(null, n));
      expectMisuse(s.a, "invalid-size", () => s.a.realloc(-3, n));
    });

    it("the 32-bit preset's limit is PY_SSIZE_T_MAX", () => {
      const a = createAllocator(kind, "cpython-32bit");
      expectMisuse(a, "invalid-size", () => a.malloc(2 ** 31));
      expect(a.malloc(2 ** 31 - 1)).toBeNull(); // a valid size the simulated OS cannot grant
    });

    it("free(null) does nothing and realloc(null, n) is malloc(n)", () => {
      const s = setUp();
      const before = observe(s.a);
      s.a.free(null);
      expect(observe(s.a)).toEqual(before);
      const p = s.a.realloc(null, 16)!;
      expect(s.a.usableSize(p)).toBe(16);
    });
  });

  describe("out of memory returns null and changes nothing", () => {
    function fillAllArenas(a: Allocator): number[] {
      const blocks: number[] = [];
      for (let p = a.malloc(16); p !== null; p = a.malloc(16)) blocks.push(p);
      return blocks;
    }

    it("at the arena limit: malloc of a full class, of any class, and realloc", () => {
      const a = createAllocator(kind, tiny);
      const blocks = fillAllArenas(a);
      expect(blocks).toHaveLength(tiny.maxArenas * tiny.poolsPerArena * tiny.blocksPerPool[0]!);
      expect(a.stats().arenas.current).toBe(tiny.maxArenas);
      const before = observe(a);
      expect(a.malloc(16)).toBeNull();
      expect(a.malloc(64)).toBeNull();
      const p = blocks[5]!;
      a.bytes(p).fill(0xab);
      const beforeRealloc = observe(a);
      expect(a.realloc(p, 64)).toBeNull();
      expect(observe(a)).toEqual(beforeRealloc);
      expect(before).toEqual(beforeRealloc);
      expect([...a.bytes(p)]).toEqual(new Array(16).fill(0xab));
      // Raw requests still work: the raw region is separate.
      expect(a.malloc(tiny.smallThreshold + 1)).not.toBeNull();
      a.check();
    });

    it("at the raw limit: malloc and realloc of raw sizes", () => {
      const a = createAllocator(kind, tiny);
      const big = a.malloc(tiny.rawLimit - 100)!;
      expect(big).not.toBeNull();
      const before = observe(a);
      expect(a.malloc(101)).toBeNull();
      expect(a.malloc(tiny.rawLimit + 1)).toBeNull();
      expect(a.realloc(big, tiny.rawLimit)).toBeNull(); // the new block is allocated before the old is freed
      expect(observe(a)).toEqual(before);
      expect(a.malloc(100)).not.toBeNull();
      a.check();
    });

    it("a huge valid size on a preset returns null", () => {
      const a = createAllocator(kind, "cpython-3.12");
      const before = observe(a);
      expect(a.malloc(2 ** 52)).toBeNull();
      expect(observe(a)).toEqual(before);
    });
  });
});
