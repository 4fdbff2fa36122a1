/**
 * The CPython-faithful model (spec/cpython-model.md, issue 8):
 * - verifyAllocator skips equivalence for it (its choices differ from the address-ordered policy
 *   by design); the invariant suites run every other property on it;
 * - pymalloc's own choices, one test each: LIFO block reuse, front insertion of a pool that
 *   leaves the full state, the szidx fast path, usable_arenas order and nfp2lasta, the 3.9+ and
 *   3.8 release tests, the 20,000 × 496 B scenario;
 * - misuse codes around empty pools, and check() naming a corrupted structure.
 */
import { describe, expect, it } from "vitest";
import { expectMisuse } from "./support/expect-misuse.ts";
import { createAllocator } from "../../src/allocators/create-allocator.ts";
import { IntegrityError } from "../../src/core/errors.ts";
import { defineGeometry, geometries, type Geometry } from "../../src/core/geometry.ts";
import { CPythonAllocator } from "../../src/allocators/cpython/cpython-allocator.ts";
import { verifyAllocator } from "../verify-allocator.ts";

/** 128-byte pools of 16-byte header: classes 16, 32, 48, 64 hold 7, 3, 2 and 1 blocks; 4 pools an arena. */
const TINY = defineGeometry({
  alignment: 16,
  smallThreshold: 64,
  poolSize: 128,
  arenaSize: 512,
  poolOverhead: 16,
  poolAlignedArenas: true,
  maxArenas: 4,
  keepEmptyArena: true,
});
const TINY_38 = defineGeometry({ ...TINY, keepEmptyArena: false });

const heap = (g: Geometry = TINY): CPythonAllocator =>
  createAllocator("cpython", g) as CPythonAllocator;
const mallocs = (a: CPythonAllocator, n: number, times: number): number[] =>
  Array.from({ length: times }, () => a.malloc(n)!);
/** POOL_ADDR: pools are pool-aligned in the simulated address space. */
const poolOf = (g: Geometry, p: number): number => p - (p % g.poolSize);

describe("cpython: the property suite (equivalence excepted)", () => {
  // Every invariant suite (properties/tests/invariants/) runs the cpython kind too, equivalence
  // excepted; this checks that verifyAllocator, as an outside user calls it, skips exactly that one.
  it("verifyAllocator runs the policy-free properties and skips equivalence", () => {
    const report = verifyAllocator((g) => createAllocator("cpython", g), {
      name: "cpython",
      addressOrdered: false,
      profile: "quick",
      families: ["tiny"],
      properties: ["I06", "I11"],
      exhaustive: false,
    });
    expect(report.results.map((r) => [r.property, r.verdict])).toEqual([
      ["I06-arena-release", "pass"],
    ]);
    expect(report.skipped.map((s) => s.property)).toEqual(["I11-equivalence"]);
  });
});

describe("cpython: pymalloc's choices", () => {
  it("LIFO block reuse: free b1, free b2, malloc → b2, then b1", () => {
    const a = heap();
    const [, b1, b2] = mallocs(a, 16, 4);
    a.free(b1!);
    a.free(b2!);
    expect(a.malloc(16)).toBe(b2);
    expect(a.malloc(16)).toBe(b1);
    a.check();
  });

  it("virgin blocks are carved upward, one pre-carved block always on the free list", () => {
    const a = heap();
    const [b0] = mallocs(a, 16, 1);
    let pool = a.internals().arenas[0]!.pools[0]!;
    expect(pool.freeList).toEqual([b0! + 16]);
    expect(pool.nextoffset).toBe(16 + 2 * 16);
    mallocs(a, 16, 2);
    pool = a.internals().arenas[0]!.pools[0]!;
    expect(pool.freeList).toEqual([b0! + 48]);
    expect(pool.nextoffset).toBe(16 + 4 * 16);
    a.check();
  });

  it("a pool that leaves the full state goes to the front of usedpools", () => {
    const a = heap();
    const poolA = mallocs(a, 16, 7); // pool A full: in no list
    const [firstB] = mallocs(a, 16, 2); // pool B partly used: the only pool of usedpools[0]
    expect(a.internals().usedpools[0]).toEqual([poolOf(TINY, firstB!)]);
    a.free(poolA[3]!); // A leaves full: front of the list, before B
    expect(a.internals().usedpools[0]).toEqual([poolOf(TINY, poolA[0]!), poolOf(TINY, firstB!)]);
    expect(a.malloc(16)).toBe(poolA[3]); // so the next malloc reuses the block just freed in A
    expect(a.internals().usedpools[0]).toEqual([poolOf(TINY, firstB!)]); // A is full again
    a.check();
  });

  it("szidx fast path: an emptied pool reused for its class keeps its free list and nextoffset", () => {
    const a = heap();
    const [b0, b1, b2] = mallocs(a, 16, 3); // carved b0..b3 (b3 pre-carved)
    a.free(b0!);
    a.free(b2!);
    a.free(b1!); // pool empty: free list b1, b2, b0, b3; onto the arena's freepools
    const arena = a.internals().arenas[0]!;
    expect(arena.freepools).toEqual([poolOf(TINY, b0!)]);
    expect(arena.pools[0]).toMatchObject({
      szidx: 0,
      count: 0,
      nextoffset: 16 + 4 * 16,
      freeList: [b1, b2, b0, b0! + 48],
    });
    expect(mallocs(a, 16, 5)).toEqual([b1, b2, b0, b0! + 48, b0! + 64]);
    a.check();
  });

  it("an emptied pool reused for another class is initialised afresh: block 0, then block 1", () => {
    const a = heap();
    const [b0, b1] = mallocs(a, 16, 2);
    a.free(b1!);
    a.free(b0!);
    const c0 = a.malloc(32)!;
    expect(c0).toBe(b0); // the same pool (freepools), block 0 of class 32
    expect(a.internals().arenas[0]!.pools[0]).toMatchObject({
      szidx: 1,
      count: 1,
      nextoffset: 16 + 2 * 32,
      freeList: [b0! + 32],
    });
    a.check();
  });

  it("an empty pool keeps szidx but reports no class: its blocks are invalid-pointer, not double-free", () => {
    const a = heap();
    const [b0, b1] = mallocs(a, 16, 2);
    mallocs(a, 32, 1); // keeps the arena mapped
    a.free(b0!);
    expect(() => a.free(b0!)).toThrow(expect.objectContaining({ code: "double-free" }));
    a.free(b1!);
    expect(a.internals().arenas[0]!.pools[0]).toMatchObject({ szidx: 0, count: 0 });
    for (const call of [
      () => a.free(b0!),
      () => a.free(b1!),
      () => a.usableSize(b0!),
      () => a.realloc(b1!, 8),
    ])
      expectMisuse(a, "invalid-pointer", call);
    a.check();
  });

  it("usable_arenas stays sorted by free pools; nfp2lasta names the rightmost arena of each count", () => {
    const a = heap();
    // Three arenas of four 16-byte pools (7 blocks each), all full.
    const arenas = [0, 1, 2].map(() => mallocs(a, 16, 28));
    expect(a.internals().usableArenas).toEqual([]);
    const emptyPool = (arena: number, pool: number) => {
      for (const p of arenas[arena]!.slice(pool * 7, pool * 7 + 7)) a.free(p);
    };
    emptyPool(0, 0); // arena 0: 0 → 1 free pool: pushed at the head
    emptyPool(1, 0); // arena 1: 0 → 1: pushed at the head, before arena 0
    expect(a.internals().usableArenas).toEqual([
      { slot: 1, nfreepools: 1 },
      { slot: 0, nfreepools: 1 },
    ]);
    expect(a.internals().nfp2lasta).toEqual({ 1: 0 });
    emptyPool(1, 1); // arena 1: 1 → 2: slides right, after arena 0 (the rightmost with 1)
    expect(a.internals().usableArenas).toEqual([
      { slot: 0, nfreepools: 1 },
      { slot: 1, nfreepools: 2 },
    ]);
    expect(a.internals().nfp2lasta).toEqual({ 1: 0, 2: 1 });
    emptyPool(2, 0); // arena 2: 0 → 1: the head
    emptyPool(0, 1); // arena 0: 1 → 2: after arena 2 (rightmost with 1)... and before arena 1
    expect(a.internals().usableArenas).toEqual([
      { slot: 2, nfreepools: 1 },
      { slot: 0, nfreepools: 2 },
      { slot: 1, nfreepools: 2 },
    ]);
    expect(a.internals().nfp2lasta).toEqual({ 1: 2, 2: 1 });
    // A new pool comes from the head, arena 2, which stays the head with 0 → leaves the list.
    const p = a.malloc(32)!;
    expect(a.addressSpace.slotOf(p)).toBe(2);
    expect(a.internals().usableArenas).toEqual([
      { slot: 0, nfreepools: 2 },
      { slot: 1, nfreepools: 2 },
    ]);
    expect(a.internals().nfp2lasta).toEqual({ 2: 1 });
    a.check();
  });

  it("3.9+ release test: an arena that becomes wholly free is released when it has a successor, kept when it is last", () => {
    const a = heap(TINY);
    const arenaA = mallocs(a, 16, 28); // arena A (slot 0): 4 full pools
    const inB = a.malloc(16)!; // arena B (slot 1): 1 pool used, 3 free
    expect(a.internals().usableArenas).toEqual([{ slot: 1, nfreepools: 3 }]);
    const before = a.addressSpace.eventsLogged;
    for (const p of arenaA) a.free(p); // A: 1, 2, 3 free pools, then 4 = ntotalpools with B after it
    expect(a.addressSpace.events(before)).toEqual([
      { kind: "unmap-arena", address: a.addressSpace.arenaStart(0), size: 512 },
    ]);
    a.free(inB); // B becomes wholly free as the last (only) element: kept
    expect(a.addressSpace.events(before)).toHaveLength(1);
    expect(a.stats().arenas).toEqual({ current: 1, allocatedTotal: 2, reclaimed: 1, highwater: 2 });
    expect(a.internals().usableArenas).toEqual([{ slot: 1, nfreepools: 4 }]);
    // The released arena's object is reused first (LIFO unused_arena_objects).
    expect(a.internals().unusedArenaObjects[0]).toBe(0);
    a.check();
  });

  it("3.8 release test: every wholly free arena is released", () => {
    const a = heap(TINY_38);
    const arenaA = mallocs(a, 16, 28);
    const inB = a.malloc(16)!;
    for (const p of arenaA) a.free(p);
    a.free(inB);
    expect(a.stats().arenas).toEqual({ current: 0, allocatedTotal: 2, reclaimed: 2, highwater: 2 });
    a.check();
  });

  it("the kept arena is reused only when no arena has fewer free pools (it is last in usable_arenas)", () => {
    const a = heap(TINY);
    const arenaA = mallocs(a, 16, 28);
    const arenaB = mallocs(a, 16, 8); // B: pool 0 full, pool 1 one block
    for (const p of arenaB) a.free(p); // B wholly free, last: kept
    for (const p of arenaA.slice(0, 7)) a.free(p); // A: one free pool, at the head
    expect(a.internals().usableArenas).toEqual([
      { slot: 0, nfreepools: 1 },
      { slot: 1, nfreepools: 4 },
    ]);
    expect(a.addressSpace.slotOf(a.malloc(48)!)).toBe(0);
    expect(a.addressSpace.slotOf(a.malloc(48)!)).toBe(0); // the pool of class 48 has 2 blocks
    expect(a.addressSpace.slotOf(a.malloc(48)!)).toBe(1);
    a.check();
  });

  it("cpython-3.11: 20,000 × 496 B take 625 pools in 10 arenas; freeing all keeps one, reclaims 9", () => {
    const a = heap(geometries["cpython-3.11"]);
    const blocks = mallocs(a, 496, 20_000);
    expect(a.stats().classes).toEqual([
      { index: 30, size: 496, pools: 625, blocksInUse: 20_000, availBlocks: 0 },
    ]);
    expect(a.stats().arenas).toEqual({
      current: 10,
      allocatedTotal: 10,
      reclaimed: 0,
      highwater: 10,
    });
    for (const p of blocks) a.free(p);
    expect(a.stats().classes).toEqual([]);
    expect(a.stats().arenas).toEqual({
      current: 1,
      allocatedTotal: 10,
      reclaimed: 9,
      highwater: 10,
    });
    // The first arena to become wholly free was last in usable_arenas: it is the one kept.
    expect(a.internals().usableArenas).toEqual([{ slot: 0, nfreepools: 63 }]);
    a.check();
  });

  it("cpython-3.9 (64 pools an arena): the same workload maps 10 arenas and keeps one", () => {
    const a = heap(defineGeometry({ ...geometries["cpython-3.11"], poolAlignedArenas: true }));
    const blocks = mallocs(a, 496, 20_000);
    expect(a.stats().arenas.current).toBe(10);
    for (const p of blocks) a.free(p);
    expect(a.stats().arenas).toEqual({
      current: 1,
      allocatedTotal: 10,
      reclaimed: 9,
      highwater: 10,
    });
    a.check();
  });

  it("realloc: in place within the class above 75%, else moved (new block first), raw stays raw", () => {
    const a = heap(geometries["cpython-3.11"]);
    const p = a.malloc(100)!; // class 112
    expect(a.realloc(p, 112)).toBe(p);
    expect(a.realloc(p, 85)).toBe(p); // 4·85 > 3·112
    const q = a.realloc(p, 84)!; // 4·84 = 3·112: moved to class 96
    expect(q).not.toBe(p);
    expect(a.usableSize(q)).toBe(96);
    const r = a.malloc(1000)!;
    const r2 = a.realloc(r, 16)!;
    expect(a.usableSize(r2)).toBe(16); // a raw block stays raw: its mapped size
    expect(a.addressSpace.slotOf(r2)).toBe(-1);
    a.check();
  });

  it("one-pool arenas and one-block classes (never in CPython) keep at most one empty arena", () => {
    const g = defineGeometry({
      alignment: 16,
      smallThreshold: 48,
      poolSize: 64,
      arenaSize: 128,
      poolOverhead: 16,
      poolAlignedArenas: false,
      maxArenas: 4,
      keepEmptyArena: true,
    });
    expect(g.poolsPerArena).toBe(1);
    expect(g.blocksPerPool[2]).toBe(1);
    const a = heap(g);
    const blocks = mallocs(a, 48, 4); // one block per pool, one pool per arena: four arenas
    expect(a.malloc(48)).toBeNull();
    for (const p of blocks) {
      a.free(p);
      a.check();
    }
    expect(a.stats().arenas).toMatchObject({ current: 1, reclaimed: 3 });
  });
});

describe("cpython: check() names a corrupted structure", () => {
  function corrupted(mutate: (a: CPythonAllocator) => void): readonly string[] {
    const a = heap();
    const blocks = mallocs(a, 16, 20);
    mallocs(a, 40, 3);
    for (let i = 0; i < blocks.length; i += 3) a.free(blocks[i]!);
    a.check();
    mutate(a);
    try {
      a.check();
    } catch (error) {
      expect(error).toBeInstanceOf(IntegrityError);
      return (error as IntegrityError).problems;
    }
    return [];
  }
  const firstPool = (a: CPythonAllocator) => [...a.pymalloc.arenaBySlot.values()][0]!.pools[0]!;

  it.each([
    ["a pool's ref.count", (a: CPythonAllocator) => void firstPool(a).count++, /ref\.count/],
    [
      "a free-list link",
      (a: CPythonAllocator) => void (firstPool(a).link[firstPool(a).freeblock] = 5),
      /free list/,
    ],
    [
      "a pool's nextoffset",
      (a: CPythonAllocator) => void (firstPool(a).nextoffset += 16),
      /free list|nextoffset/,
    ],
    [
      "an arena's nfreepools",
      (a: CPythonAllocator) => void [...a.pymalloc.arenaBySlot.values()][0]!.nfreepools++,
      /nfreepools/,
    ],
    [
      "a finger",
      (a: CPythonAllocator) =>
        void (a.pymalloc.usable.nfp2lasta[3] = [...a.pymalloc.arenaBySlot.values()][0]!),
      /nfp2lasta\[3\]/,
    ],
    [
      "usedpools membership",
      (a: CPythonAllocator) => a.pymalloc.usedpools.unlink(a.pymalloc.usedpools.first(0)!),
      /usedpools\[0\]/,
    ],
    [
      "the unused arena objects",
      (a: CPythonAllocator) => void (a.pymalloc.arenas.unused = null),
      /unused_arena_objects/,
    ],
  ])("%s", (_, mutate, message) => {
    const problems = corrupted(mutate);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.join("\n")).toMatch(message);
  });
});

describe("cpython: the policy comparison", () => {
  it("runs every scenario on both policies with the same calls, and writes the report", async () => {
    const { runPolicyComparison, writePolicyComparison } =
      await import("../../src/crosscheck/policy-comparison.ts");
    const { mkdtempSync, readFileSync, rmSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const c = runPolicyComparison({ scale: 0.02 });
    expect(c.scenarios.map((s) => s.scenario)).toEqual([
      "list-of-ints",
      "strings",
      "pinned",
      "thrash",
      "churn",
      "generations",
    ]);
    for (const s of c.scenarios) {
      expect(s.runs.map((r) => r.policy)).toEqual(["address-ordered", "cpython"]);
      expect(s.runs[0]!.steps).toBe(s.runs[1]!.steps);
      for (const r of s.runs) expect(r.pools.used).toBeGreaterThanOrEqual(r.pools.minimal);
    }
    const dir = mkdtempSync(join(tmpdir(), "allocheck-policy-"));
    const paths = writePolicyComparison(c, dir);
    expect(readFileSync(paths.markdown, "utf8")).toMatch(/^# Policy comparison/);
    expect(JSON.parse(readFileSync(paths.json, "utf8")).scenarios).toHaveLength(6);
    rmSync(dir, { recursive: true, force: true });
  });
});
