/**
 * Geometry and size classes (spec/model.md §1, §3): the presets against CPython's own tables, the
 * request-size → class mapping for every size 0 … T + 1 of every preset, and defineGeometry's
 * validation.
 */
import { describe, expect, it } from "vitest";
import {
  createAllocator,
  defineGeometry,
  geometries,
  GeometryError,
  PRESET_OPTIONS,
  type PresetName,
} from "../../src/index.ts";

/** CPython's blocks per pool, size:blocks (spec/cpython-facts.md §2, computed from NUMBLOCKS). */
const CPYTHON_16K =
  "16:1021 32:510 48:340 64:255 80:204 96:170 112:145 128:127 144:113 160:102 176:92 192:85 208:78 224:72 240:68 256:63 " +
  "272:60 288:56 304:53 320:51 336:48 352:46 368:44 384:42 400:40 416:39 432:37 448:36 464:35 480:34 496:32 512:31";
const CPYTHON_4K =
  "16:253 32:126 48:84 64:63 80:50 96:42 112:36 128:31 144:28 160:25 176:23 192:21 208:19 224:18 240:16 256:15 " +
  "272:14 288:14 304:13 320:12 336:12 352:11 368:11 384:10 400:10 416:9 432:9 448:9 464:8 480:8 496:8 512:7";
const table = (text: string) =>
  text.split(" ").map((pair) => pair.split(":").map(Number) as [number, number]);

const presetNames = Object.keys(geometries) as PresetName[];

describe("presets match CPython", () => {
  it.each(["cpython-3.10", "cpython-3.11", "cpython-3.12", "cpython-3.13"] as const)(
    "%s: 16 KiB pools, 1 MiB arenas, 63 pools",
    (name) => {
      const g = geometries[name];
      expect(table(CPYTHON_16K)).toEqual(g.classSizes.map((size, c) => [size, g.blocksPerPool[c]]));
      expect([g.poolSize, g.arenaSize, g.poolsPerArena, g.alignment, g.poolOverhead]).toEqual([
        16384,
        1 << 20,
        63,
        16,
        48,
      ]);
    },
  );

  it.each(["cpython-3.8", "cpython-3.9"] as const)(
    "%s: 4 KiB pools, 256 KiB arenas, 64 pools",
    (name) => {
      const g = geometries[name];
      expect(table(CPYTHON_4K)).toEqual(g.classSizes.map((size, c) => [size, g.blocksPerPool[c]]));
      expect([g.poolSize, g.arenaSize, g.poolsPerArena]).toEqual([4096, 256 << 10, 64]);
    },
  );

  it("cpython-32bit: 64 classes of 8 bytes, (4096 - 32) / size blocks", () => {
    const g = geometries["cpython-32bit"];
    expect(g.sizeClasses).toBe(64);
    expect(g.blocksPerPool[0]).toBe(508);
    expect(g.blocksPerPool[63]).toBe(7);
  });

  it("only 3.8 releases every empty arena", () => {
    expect(presetNames.filter((name) => !geometries[name].keepEmptyArena)).toEqual(["cpython-3.8"]);
  });
});

describe.each(presetNames)("every request size 0 … T + 1 on %s", (name) => {
  const g = geometries[name];
  // Independent of the shift formula: the smallest class size that fits, by search.
  const expectedUsable = (n: number) =>
    n === 0 ? 1 : n > g.smallThreshold ? n : g.classSizes.find((size) => size >= n)!;

  it("maps to the smallest class that fits, or to the raw path", () => {
    const a = createAllocator("reference", g);
    for (let n = 0; n <= g.smallThreshold + 1; n++) {
      const p = a.malloc(n)!;
      expect(p % g.alignment, `alignment of malloc(${n})`).toBe(0);
      expect(a.usableSize(p), `usableSize(malloc(${n}))`).toBe(expectedUsable(n));
      const raw = a.snapshot().raw.some((r) => r.address === p);
      expect(raw, `malloc(${n}) raw?`).toBe(n === 0 || n > g.smallThreshold);
      a.free(p);
    }
    a.check();
  });
});

describe("defineGeometry", () => {
  const tiny = {
    alignment: 16,
    smallThreshold: 64,
    poolSize: 128,
    arenaSize: 512,
    poolOverhead: 16,
    poolAlignedArenas: true,
    maxArenas: 4,
    keepEmptyArena: true,
  };

  it("accepts a tiny geometry and derives its numbers", () => {
    const g = defineGeometry(tiny);
    expect(g.classSizes).toEqual([16, 32, 48, 64]);
    expect(g.blocksPerPool).toEqual([7, 3, 2, 1]);
    expect(g.poolsPerArena).toBe(4);
    expect(g.name).toMatch(/^custom\(/);
    // The most pools the bitmap allocator's five-level sets index: 2^23 arenas of 4 pools.
    expect(defineGeometry({ ...tiny, maxArenas: 2 ** 23 }).maxArenas).toBe(2 ** 23);
  });

  it("accepts a preset spread into it and overridden, and names an unchanged one after the preset", () => {
    const g = defineGeometry({ ...geometries["cpython-3.12"], maxArenas: 3 });
    expect(g.maxArenas).toBe(3);
    expect(g.poolsPerArena).toBe(63);
    expect(defineGeometry({ ...geometries["cpython-3.12"] }).name).toBe("cpython-3.12");
    expect(defineGeometry(PRESET_OPTIONS["cpython-3.8"]).name).toBe("cpython-3.8");
  });

  const broken: [string, Record<string, unknown>, RegExp][] = [
    ["alignment not a power of two", { alignment: 12 }, /alignment is a power of two/],
    ["alignment below 4", { alignment: 2 }, /alignment is a power of two >= 4/],
    [
      "threshold not a multiple of alignment",
      { smallThreshold: 70 },
      /smallThreshold is a positive multiple of alignment/,
    ],
    ["zero threshold", { smallThreshold: 0 }, /smallThreshold is a positive multiple/],
    [
      "pool size not a power of two",
      { poolSize: 192, arenaSize: 768 },
      /poolSize is a power of two/,
    ],
    [
      "header not a multiple of alignment",
      { poolOverhead: 8 },
      /poolOverhead is a non-negative multiple of alignment/,
    ],
    [
      "largest class does not fit a pool",
      { poolOverhead: 80 },
      /poolSize - poolOverhead >= smallThreshold/,
    ],
    [
      "arena not a multiple of the pool",
      { arenaSize: 500 },
      /arenaSize is a positive multiple of poolSize/,
    ],
    [
      "misaligned arena of one pool",
      { arenaSize: 128, poolAlignedArenas: false },
      /at least two pools/,
    ],
    ["no arenas", { maxArenas: 0 }, /maxArenas >= 1/],
    ["fractional field", { poolSize: 128.5 }, /poolSize is an integer/],
    ["NaN field", { maxArenas: NaN }, /maxArenas is an integer/],
    ["non-boolean rule", { keepEmptyArena: 1 }, /keepEmptyArena is a boolean/],
    ["address space too large", { maxArenas: 2 ** 40 }, /addresses stay exact/],
    [
      "more pools than the sets hold",
      { maxArenas: 2 ** 23 + 1 },
      /maxArenas \* poolsPerArena <= 2\^25/,
    ],
    ["maxRequest not above T", { maxRequest: 64 }, /maxRequest > smallThreshold/],
  ];
  it.each(broken)("rejects %s, naming the constraint", (_, change, message) => {
    const attempt = () => defineGeometry({ ...tiny, ...change } as typeof tiny);
    expect(attempt).toThrow(GeometryError);
    expect(attempt).toThrow(message);
  });

  it("rejects an unknown preset name", () => {
    expect(() => createAllocator("reference", "cpython-2.7" as PresetName)).toThrow(
      /unknown preset "cpython-2.7"/,
    );
  });

  it.each([["__proto__"], ["toString"], ["constructor"]])(
    "rejects %s, which only an inherited property would name, with a GeometryError",
    (name) => {
      const attempt = () => createAllocator("bitmap", name as PresetName);
      expect(attempt).toThrow(GeometryError);
      expect(attempt).toThrow(/unknown preset/);
    },
  );

  it.each([[null], [undefined], [42], ["" as unknown]])(
    "rejects %s as geometry options with a GeometryError, not a TypeError",
    (options) => {
      expect(() => defineGeometry(options as never)).toThrow(GeometryError);
      expect(() => createAllocator("reference", options as never)).toThrow(GeometryError);
    },
  );
});
