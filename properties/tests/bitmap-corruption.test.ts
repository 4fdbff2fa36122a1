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
import type { Geometry } from "../../src/core/geometry.ts";
import { bitmapCells } from "../corruption/bitmap-cells.ts";
import { geometryArbitrary, type GeometryFamily } from "../generators/geometry.ts";
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
            const { what, expect: expected } = cell.corrupt(
              (picks[j % picks.length]! + j * 7919) % cell.count,
              variant,
            );
            const group = kind.name.replace(/\[\d+\]/, "[c]");
            reached.corruptions.set(group, (reached.corruptions.get(group) ?? 0) + 1);
            let error: unknown;
            try {
              corrupted.check();
            } catch (e) {
              error = e;
            }
            if (!(error instanceof IntegrityError))
              throw new Error(
                `check() did not notice ${what} (${error === undefined ? "it passed" : `it threw ${String(error)}`})`,
              );
            // Every problem says something, and the check made for this damage names it.
            const problems = error.problems;
            if (problems.some((p) => p.trim() === ""))
              throw new Error(
                `check() reported an empty problem for ${what}: ${JSON.stringify(problems)}`,
              );
            const missing = expected.filter((re) => !problems.some((p) => re.test(p)));
            if (missing.length > 0)
              throw new Error(
                `check() noticed ${what} but did not say ${missing.join(", ")}; it said:\n    ${problems.join("\n    ")}`,
              );
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
