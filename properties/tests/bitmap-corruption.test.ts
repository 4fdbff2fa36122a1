/**
 * Invariant 12, the strength of the bitmap allocator's own `check()`: on a random heap, a change
 * to any single cell of its metadata that means something (properties/corruption/bitmap-cells.ts)
 * must make `check()` throw an IntegrityError. Each run builds a heap from random mallocs, frees
 * and reallocs on a random geometry, checks it is consistent, then for every kind of cell
 * rebuilds the same heap (the allocator is deterministic), corrupts one cell of that kind and
 * calls check(). bitmap-check.test.ts names the problem for hand-picked corruptions; this test
 * reaches every cell kind in states those miss (a kept empty arena, full pools, several buckets).
 *
 * Seeds are fixed and printed; a failure prints the seed, the path, the command that replays it
 * and the corrupted cell, and writes reports/counterexamples/bitmap-corruption--<seed>.json.
 */
import fc from "fast-check";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { AddressSpace } from "../../src/core/address-space.ts";
import { BitmapAllocator } from "../../src/allocators/bitmap/bitmap-allocator.ts";
import { IntegrityError } from "../../src/core/errors.ts";
import { defineGeometry, type Geometry } from "../../src/core/geometry.ts";
import { bitmapCells, inertCells, range, type Corruption } from "../corruption/bitmap-cells.ts";
import { geometryArbitrary, TINY_GEOMETRIES, type GeometryFamily } from "../generators/geometry.ts";
import { resolveSize, sizeSpec, smallSizeSpec, type SizeSpec } from "../generators/sizes.ts";
import { baseSeedFromEnv, profileFromEnv, seedFor } from "../profiles.ts";
import { geometryOptionsOf } from "../run/counterexample.ts";
import { COUNTEREXAMPLE_DIR } from "../run/paths.ts";

type HeapStep =
  | { readonly malloc: SizeSpec }
  | { readonly free: number }
  | { readonly realloc: number; readonly to: SizeSpec }
  /** `count` mallocs of one size: fills pools and arenas. */
  | { readonly fill: SizeSpec; readonly count: number }
  /** Frees every k-th live block: partly used pools, emptied pools and arenas. */
  | { readonly freeEvery: number };

const heapStep: fc.Arbitrary<HeapStep> = fc.oneof(
  { arbitrary: sizeSpec.map((malloc) => ({ malloc })), weight: 5 },
  { arbitrary: fc.nat().map((free) => ({ free })), weight: 3 },
  { arbitrary: fc.record({ realloc: fc.nat(), to: sizeSpec }), weight: 1 },
  {
    arbitrary: fc.record({ fill: smallSizeSpec, count: fc.integer({ min: 1, max: 1100 }) }),
    weight: 1,
  },
  { arbitrary: fc.integer({ min: 1, max: 4 }).map((freeEvery) => ({ freeEvery })), weight: 2 },
);

/** The heap the steps build (blocks by index into the live list; nulls are skipped). */
function build(g: Geometry, steps: readonly HeapStep[]): BitmapAllocator {
  const a = new BitmapAllocator(g, new AddressSpace(g));
  let live: number[] = [];
  const malloc = (spec: SizeSpec) => {
    const p = a.malloc(resolveSize(spec, g));
    if (p !== null) live.push(p);
    return p;
  };
  for (const step of steps) {
    if ("malloc" in step) malloc(step.malloc);
    else if ("fill" in step) for (let i = 0; i < step.count && malloc(step.fill) !== null; i++);
    else if ("freeEvery" in step) {
      live.forEach((p, i) => i % step.freeEvery === 0 && a.free(p));
      live = live.filter((_, i) => i % step.freeEvery !== 0);
    } else if (live.length > 0) {
      const i = ("free" in step ? step.free : step.realloc) % live.length;
      if ("free" in step) {
        a.free(live[i]!);
        live[i] = live[live.length - 1]!;
        live.pop();
      } else {
        const q = a.realloc(live[i]!, resolveSize(step.to, g));
        if (q !== null) live[i] = q;
      }
    }
  }
  return a;
}

/**
 * What is wrong with check()'s verdict on a heap with this corruption, or undefined: it must throw
 * an IntegrityError, every problem must say something, and every message the corruption expects
 * (the checks made for this damage) must be among the problems.
 */
function misdiagnosis(corrupted: BitmapAllocator, { what, expect: expected }: Corruption) {
  let error: unknown;
  try {
    corrupted.check();
  } catch (e) {
    error = e;
  }
  if (!(error instanceof IntegrityError))
    return `check() did not notice ${what} (${error === undefined ? "it passed" : `it threw ${String(error)}`})`;
  const problems = error.problems;
  if (problems.some((p) => p.trim() === ""))
    return `check() reported an empty problem for ${what}: ${JSON.stringify(problems)}`;
  const missing = expected.filter((re) => !problems.some((p) => re.test(p)));
  if (missing.length > 0)
    return `check() noticed ${what} but did not say ${missing.join(", ")}; it said:\n    ${problems.join("\n    ")}`;
  return undefined;
}

/** What one test's heaps reached: the states the corruptions are about. */
interface Reached {
  runs: number;
  fullPool: number;
  keptEmptyArena: number;
  twoArenas: number;
  readonly corruptions: Map<string, number>;
}

function observe(a: BitmapAllocator, reached: Reached): void {
  reached.runs++;
  // Read from the structures after check() passed on them.
  const { table, geometry: g } = a;
  let full = false;
  for (let gp = 0; gp < table.capacity * g.poolsPerArena && !full; gp++)
    full = table.sizeClass[gp]! >= 0 && table.live[gp] === g.blocksPerPool[table.sizeClass[gp]!];
  if (full) reached.fullPool++;
  if (a.whollyEmptyArenas > 0) reached.keptEmptyArena++;
  if (a.stats().arenas.current >= 2) reached.twoArenas++;
}

const profile = profileFromEnv();
const base = baseSeedFromEnv();
const RUNS = { quick: 40, ci: 150, deep: 1000 }[profile.name];
const FAMILIES: readonly GeometryFamily[] = ["tiny", "presets", "wide"];

describe("check() finds every single-cell corruption of the bitmap allocator's metadata (invariant 12)", () => {
  for (const family of FAMILIES) {
    const seed = seedFor(base, `bitmap-corruption/${family}`);
    test(`${family} geometries, ${profile.name} profile (seed ${seed})`, () => {
      const reached: Reached = {
        runs: 0,
        fullPool: 0,
        keptEmptyArena: 0,
        twoArenas: 0,
        corruptions: new Map(),
      };
      const property = fc.property(
        geometryArbitrary(family),
        fc.array(heapStep, { minLength: 1, maxLength: 40, size: "medium" }),
        fc.array(fc.nat(), { minLength: 8, maxLength: 8 }),
        fc.nat(),
        (g, steps, picks, variant) => {
          const a = build(g, steps);
          a.check(); // the heap itself is consistent (invariant 12 on the uncorrupted heap)
          observe(a, reached);
          // Every kind of cell, but of the per-class sets and the buckets (one kind each) only
          // four, picked at random: a wide geometry has 256 classes.
          const kinds = bitmapCells(a).map((kind, j) => ({ kind, j }));
          const indexed = kinds.filter(({ kind }) => kind.name.includes("["));
          const chosen = [
            ...kinds.filter(({ kind }) => !kind.name.includes("[")),
            ...picks.slice(0, 4).map((p) => indexed[p % indexed.length]!),
          ];
          for (const { kind, j } of chosen) {
            if (kind.count === 0) continue;
            const corrupted = build(g, steps);
            const cell = bitmapCells(corrupted)[j]!;
            const corruption = cell.corrupt(
              (picks[j % picks.length]! + j * 7919) % cell.count,
              variant,
            );
            const group = kind.name.replace(/\[\d+\]/, "[c]");
            reached.corruptions.set(group, (reached.corruptions.get(group) ?? 0) + 1);
            const failure = misdiagnosis(corrupted, corruption);
            if (failure !== undefined) throw new Error(failure);
          }
        },
      );
      const result = fc.check(property, { seed, numRuns: RUNS });
      if (result.failed) {
        const [g, steps] = result.counterexample as [Geometry, HeapStep[], number[], number];
        const replay = `ALLOCHECK_SEED=${base} ALLOCHECK_PROFILE=${profile.name} npx vitest run properties/tests/bitmap-corruption.test.ts`;
        mkdirSync(COUNTEREXAMPLE_DIR, { recursive: true });
        const file = join(COUNTEREXAMPLE_DIR, `bitmap-corruption--${family}--${seed >>> 0}.json`);
        const counterexample = {
          property: "bitmap-corruption",
          geometry: geometryOptionsOf(g),
          steps,
          picks: result.counterexample![2],
          variant: result.counterexample![3],
          seed,
          path: result.counterexamplePath,
          replay,
          message:
            result.errorInstance instanceof Error
              ? result.errorInstance.message
              : String(result.errorInstance),
        };
        writeFileSync(file, `${JSON.stringify(counterexample, null, 2)}\n`);
        expect.fail(
          `${counterexample.message}\n  on ${g.name} after ${steps.length} step(s); seed ${seed}, path ${result.counterexamplePath}\n  replay: ${replay}\n  counterexample: ${file}`,
        );
      }
      expectReached(family, reached);
    });
  }
});

/** A corruption test whose heaps never reach these states would test little (reachability). */
function expectReached(family: GeometryFamily, reached: Reached): void {
  const share = (n: number) => n / reached.runs;
  const percent = (n: number) => `${(100 * share(n)).toFixed(0)}%`;
  console.log(
    `bitmap corruption, ${family}: ${reached.runs} heaps, ${[...reached.corruptions.values()].reduce((s, n) => s + n, 0)} corruptions over ${reached.corruptions.size} cell kinds; ` +
      `heaps with a full pool ${percent(reached.fullPool)}, a kept empty arena ${percent(reached.keptEmptyArena)}, two arenas or more ${percent(reached.twoArenas)}`,
  );
  expect(share(reached.fullPool), "heaps with a full pool").toBeGreaterThan(0.1);
  expect(share(reached.keptEmptyArena), "heaps with a kept empty arena").toBeGreaterThan(0.05);
  expect(share(reached.twoArenas), "heaps with two arenas or more").toBeGreaterThan(0.05);
  for (const kind of [
    "table.mapped",
    "table.sizeClass",
    "bitmaps.words",
    "requestedSizes.slack",
    "classes.partly[c]",
    "buckets.bucket[c]",
    "buckets.counts",
    "emptyArenaCount",
  ]) {
    expect(reached.corruptions.get(kind) ?? 0, `corruptions of ${kind}`).toBeGreaterThan(
      reached.runs / 4,
    );
  }
}

// ── every cell of a heap that has every state ────────────────────────────────────────────

/**
 * Two geometries with five or more arenas of four and three pools (the second unaligned, with
 * pools of up to 126 blocks: two-level pool bitmaps).
 */
const EVERY_STATE_GEOMETRIES: readonly Geometry[] = [
  // The first tiny geometry (four pools of 128 bytes per arena) with room for eight arenas.
  defineGeometry(
    { ...geometryOptionsOf(TINY_GEOMETRIES[0]!), maxArenas: 8 },
    "every-state-a16-p128",
  ),
  defineGeometry(
    {
      alignment: 8,
      smallThreshold: 64,
      poolSize: 1024,
      arenaSize: 4096,
      poolOverhead: 16,
      poolAlignedArenas: false,
      maxArenas: 8,
      keepEmptyArena: true,
    },
    "every-state-a8-p1024-unaligned",
  ),
];

/**
 * A heap with every state a corruption can meet, the same on every call: a used pool of every
 * class, full and partly used pools, arenas with 0, 1, 2 and all pools empty (several buckets and
 * the kept empty arena), a released arena below the table's capacity and slots never mapped, and
 * a raw block. The arenas are filled with the largest class of at least 3 blocks per pool (few
 * blocks to build: the heap is rebuilt for every corruption).
 */
function everyStateHeap(g: Geometry): BitmapAllocator {
  const a = new BitmapAllocator(g, new AddressSpace(g));
  const filler = g.blocksPerPool.findLastIndex((bpp) => bpp >= 3);
  for (let c = 0; c < g.sizeClasses; c++) if (c !== filler) a.malloc(g.classSizes[c]!);
  // Five arenas' worth of the filler class, by arena slot and pool.
  const bySlot = new Map<number, Map<number, number[]>>();
  for (let i = 0; i < 5 * g.poolsPerArena * g.blocksPerPool[filler]!; i++) {
    const p = a.malloc(g.classSizes[filler]!)!;
    const slot = a.addressSpace.slotOf(p);
    const pools = bySlot.get(slot) ?? bySlot.set(slot, new Map()).get(slot)!;
    const pool = Math.floor(p / g.poolSize);
    pools.set(pool, [...(pools.get(pool) ?? []), p]);
  }
  const slots = [...bySlot.keys()].sort((x, y) => x - y);
  const poolsOf = (i: number) => [...bySlot.get(slots.at(i)!)!.values()];
  const freeAll = (blocks: readonly number[]) => blocks.forEach((p) => a.free(p));
  // The two highest arenas emptied: one is kept, the other released.
  for (const i of [-1, -2]) poolsOf(i).forEach(freeAll);
  // The next two keep 2 and 1 empty pools and a partly used pool each; one block of the first freed.
  const [two, one] = [poolsOf(-3), poolsOf(-4)];
  freeAll(two[0]!);
  freeAll(two[1]!);
  a.free(two[2]![0]!);
  freeAll(one[0]!);
  a.free(one[1]![1]!);
  a.free(poolsOf(0).at(-1)![0]!);
  a.malloc(g.smallThreshold + 1);
  return a;
}

describe("check() on every cell of a heap with every state (invariant 12)", () => {
  /**
   * Each kind picks its kind of damage by variant % 2 or % 3: every variant of the cells of a
   * small kind (counters, a class's or a slot's entry), and one per cell, in turn, of a large one
   * (bits, pools).
   */
  const VARIANTS = 3;
  const SMALL_KIND = 8;
  for (const g of EVERY_STATE_GEOMETRIES) {
    test(`${g.name}: every corruption of every cell is found and named`, () => {
      const a = everyStateHeap(g);
      a.check();
      const { table } = a;
      const states = range(table.capacity).map((s) =>
        table.isMapped(s) ? table.emptyPools[s]! : -1,
      );
      // The states the heap is for: arenas with 0, 1, 2 and all pools empty, an unmapped slot.
      for (const empty of [0, 1, 2, g.poolsPerArena, -1])
        expect(states, `arena states (empty pools, −1 unmapped)`).toContain(empty);
      const failures: string[] = [];
      let corruptions = 0;
      let failed = 0;
      bitmapCells(a).forEach((kind, j) => {
        for (let i = 0; i < kind.count; i++) {
          const variants = kind.count <= SMALL_KIND ? [0, 1, 2] : [i % VARIANTS];
          for (const variant of variants) {
            const corrupted = everyStateHeap(g);
            const failure = misdiagnosis(corrupted, bitmapCells(corrupted)[j]!.corrupt(i, variant));
            corruptions++;
            if (failure === undefined) continue;
            failed++;
            if (failures.length < 5) failures.push(failure); // the first five, in full
          }
        }
      });
      expect(failures, `${failed} of ${corruptions} corruptions misdiagnosed`).toEqual([]);
    });

    test(`${g.name}: a change to a cell that means nothing now is no corruption`, () => {
      const changes = inertCells(everyStateHeap(g)).length;
      expect(changes).toBeGreaterThan(0);
      for (let i = 0; i < changes; i++) {
        const a = everyStateHeap(g);
        const change = inertCells(a)[i]!;
        change.apply();
        expect(() => a.check(), change.what).not.toThrow();
      }
    });
  }
});
