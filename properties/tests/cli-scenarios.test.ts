/**
 * The CLI's scenarios and pictures (issue 7):
 * - every command of the README's "CLI" section, run as a new user would, through `main`;
 * - the seed's claims from the scenarios' returned figures: `pinned` keeps mapped bytes high after
 *   99.9% of the blocks are freed; `list-of-ints` drops to the floor of one kept arena (none on
 *   cpython-3.8); `thrash` churns arenas under the 3.8 rule only; `strings` traces CPython's sizes;
 *   `churn` is deterministic;
 * - the SVGs are well-formed XML (a strict checker, support/xml-check.ts) with one row per arena,
 *   one cell per pool, and as many polyline points as time-series points;
 * - bad arguments: one line, exit code 2.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test, vi } from "vitest";
import { AddressSpace } from "../../src/core/address-space.ts";
import { main } from "../../src/cli/main.ts";
import { asciiStrSize, listCapacityAfterResize } from "../../src/scenarios/cpython-objects.ts";
import { ScenarioOutOfMemory } from "../../src/scenarios/recorder.ts";
import {
  endOf,
  runScenario,
  scenarioByName,
  SCENARIO_NAMES,
  type ScenarioResult,
} from "../../src/scenarios/index.ts";
import { heapMapSvg } from "../../src/report/svg/heap-map.ts";
import { memoryTimelineSvg } from "../../src/report/svg/memory-timeline.ts";
import { escapeXml } from "../../src/report/svg/xml.ts";
import {
  ALLOCATOR_KINDS,
  createAllocator,
  defineGeometry,
  geometries,
  type AllocatorKind,
  type Geometry,
  type PresetName,
} from "../../src/index.ts";
import { PROFILES } from "../profiles.ts";
import { propertyById } from "../properties.ts";
import { runProperty } from "../run/run-property.ts";
import { ChoosesHighestBlock } from "./support/injected-bugs.ts";
import { classesOf, findAll, parseXml, XmlError, type XmlElement } from "./support/xml-check.ts";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
/** Tests run the scenarios at a tenth of the seed's sizes; the CLI default is the real numbers. */
const SCALE = 0.1;
/** The allocators of this repository (a kind added to ALLOCATOR_KINDS later is not assumed fast). */
const KINDS = (["bitmap", "reference"] as const).filter((k) =>
  (ALLOCATOR_KINDS as readonly string[]).includes(k),
) as AllocatorKind[];

let out: string[];
let err: string[];
let home: string;
let work: string;
beforeAll(() => {
  // Commands write under reports/ relative to the working directory: run them in a scratch one.
  home = process.cwd();
  work = mkdtempSync(join(tmpdir(), "allocheck-cli-"));
  process.chdir(work);
});
afterAll(() => {
  process.chdir(home);
  rmSync(work, { recursive: true, force: true });
});
beforeEach(() => {
  out = [];
  err = [];
  vi.spyOn(console, "log").mockImplementation((...a: unknown[]) => void out.push(a.join(" ")));
  vi.spyOn(console, "error").mockImplementation((...a: unknown[]) => void err.push(a.join(" ")));
  vi.spyOn(process.stderr, "write").mockImplementation(() => true);
});
afterEach(() => vi.restoreAllMocks());

function run(
  kind: AllocatorKind,
  name: string,
  geometry: PresetName | Geometry = "cpython-3.11",
  seed = 1,
): ScenarioResult {
  const scenario = scenarioByName(name)!;
  return runScenario(scenario, createAllocator(kind, geometry), {
    scale: SCALE,
    seed,
    create: (g) => createAllocator(kind, g),
  });
}

/** A counterexample file, from a property run against an allocator with an injected bug. */
function makeCounterexample(dir: string): string {
  const make = (g: Geometry) => new ChoosesHighestBlock(g, new AddressSpace(g));
  const result = runProperty(propertyById("I11"), make, {
    implementation: "reference",
    profile: PROFILES.quick,
    family: "tiny",
    seed: 7,
    counterexampleDir: dir,
  });
  return result.failure!.file!;
}

/** The `npx allocheck …` lines of the README's CLI section, as argv arrays. */
function readmeCommands(): string[][] {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const section = readme.split(/^## /m).find((s) => s.startsWith("CLI\n"));
  if (section === undefined) throw new Error("README.md has no ## CLI section");
  const blocks = [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
  return blocks
    .flatMap((b) => b.split("\n"))
    .map((line) => line.replace(/#.*$/, "").trim())
    .filter((line) => line.startsWith("npx allocheck "))
    .map((line) => line.slice("npx allocheck ".length).split(/\s+/));
}

const svgOf = (path: string) => parseXml(readFileSync(path, "utf8"));
const byClass = (root: XmlElement, name: string) =>
  findAll(root, (e) => classesOf(e).includes(name));

describe("the README's CLI section, run as a new user would", () => {
  const commands = readmeCommands();

  test("lists every command and every scenario", () => {
    const names = new Set(commands.map((argv) => argv[0]));
    expect([...names].sort()).toEqual(["replay", "scenario", "stats", "verify"]);
    const scenarios = new Set(
      commands.filter((argv) => argv[0] === "scenario").map((argv) => argv[1]),
    );
    expect([...scenarios].sort()).toEqual([...SCENARIO_NAMES].sort());
  });

  test.each(commands.map((argv) => [argv.join(" "), argv] as const))("allocheck %s", (_, argv) => {
    if (argv[0] === "replay") {
      // The README names a counterexample a failing run would have written: make one there.
      const file = makeCounterexample(join(work, "made"));
      mkdirSync(dirname(argv[1]!), { recursive: true });
      copyFileSync(file, argv[1]!);
    }
    expect(main(argv), err.join("\n")).toBe(0);
    expect(err).toEqual([]);
    const text = out.join("\n");
    if (argv[0] === "scenario") {
      expect(text).toMatch(/mapped bytes: before .*, after /);
      expect(text).toMatch(/tracemalloc\.get_traced_memory\(\) = \([\d,]+, [\d,]+\)/);
      expect(text).toMatch(/# arenas allocated total/);
      for (const kind of ["heap", "memory"])
        expect(existsSync(`reports/scenario-${argv[1]}-${kind}.svg`)).toBe(true);
    }
    if (argv[0] === "stats") expect(text).toMatch(/^class {3}size {3}num pools/m);
    if (argv[0] === "replay") {
      const svg = `reports/heap-${argv[1]!
        .split("/")
        .pop()!
        .replace(/\.json$/, "")}.svg`;
      expect(text).toContain(`wrote ${svg}`);
      expect(svgOf(svg).name).toBe("svg");
    }
  });
});

describe("the commands' help and errors", () => {
  test("--help on the tool lists scenario and stats, and each explains itself", () => {
    expect(main(["--help"])).toBe(0);
    expect(out.join("\n")).toMatch(/scenario .*\n.*stats /);
    for (const command of ["scenario", "stats", "replay"]) {
      out = [];
      expect(main([command, "--help"])).toBe(0);
      expect(out.join("\n")).toMatch(new RegExp(`^allocheck ${command}`));
    }
    out = [];
    main(["scenario", "--help"]);
    for (const name of SCENARIO_NAMES) expect(out.join("\n")).toContain(name);
    for (const kind of ALLOCATOR_KINDS) expect(out.join("\n")).toContain(kind);
  });

  test.each([
    [["scenario"], /scenario: name a scenario: list-of-ints, strings, pinned, thrash, churn/],
    [["scenario", "leaky"], /unknown scenario "leaky"; scenarios: list-of-ints/],
    [
      ["scenario", "pinned", "--geometry", "cpython-2.7"],
      /--geometry cpython-2\.7: use one of cpython-3\.8/,
    ],
    [
      ["scenario", "pinned", "--allocator", "glibc"],
      /--allocator glibc: use one of reference, bitmap/,
    ],
    [["scenario", "pinned", "--scale", "0"], /--scale 0: use a number above 0/],
    [["scenario", "pinned", "--scale", "big"], /--scale big: use a number/],
    [["scenario", "pinned", "--seed", "x"], /--seed x: use an integer/],
    [["scenario", "pinned", "strings"], /unexpected argument "strings"/],
    [["scenario", "pinned", "--svg", "x.svg"], /unknown option --svg/],
    [["stats", "--scenario", "leaky"], /stats: unknown scenario "leaky"/],
    [["stats", "pinned"], /stats: unexpected argument "pinned"/],
    [["stats", "--geometry"], /--geometry needs a value/],
    [["replay", "x.json", "--svg"], /--svg needs a value/],
  ])("%j: one line, exit code 2", (argv, message) => {
    expect(main(argv)).toBe(2);
    expect(err).toHaveLength(1);
    expect(err[0]).toMatch(message);
    expect(err[0]).not.toMatch(/\n|at .*\.ts:\d+/);
  });

  test("replay --svg to a path that cannot be written: one line, exit code 2", () => {
    const file = makeCounterexample(join(work, "unwritable"));
    expect(main(["replay", file, "--svg", join(file, "no", "heap.svg")])).toBe(2);
    expect(err).toHaveLength(1);
    expect(err[0]).toMatch(/replay: cannot write .*heap\.svg .*give a writable path/);
  });
});

describe.each(KINDS)("the seed's scenarios on %s, at a tenth of their size", (kind) => {
  test.each(["cpython-3.11", "cpython-3.8"] as const)(
    "pinned on %s: 999 of every 1000 blocks freed, mapped bytes stay high",
    (geometry) => {
      const result = run(kind, "pinned", geometry);
      const [start, full, after] = result.phases;
      expect(start!.mappedBytes).toBe(0);
      expect(result.figures.freedShare).toBeGreaterThanOrEqual(0.999);
      expect(after!.blocks).toBe(result.figures.kept);
      // Live bytes fall by 99.9%; mapped bytes do not move (every arena keeps a live block).
      expect(after!.requested.current).toBeLessThanOrEqual(full!.requested.current / 1000);
      expect(after!.mappedBytes).toBe(full!.mappedBytes);
      expect(after!.arenas).toBe(full!.arenas);
      expect(after!.mappedBytes).toBeGreaterThan(100 * after!.requested.current);
    },
  );

  test.each([
    ["cpython-3.11", 1],
    ["cpython-3.9", 1],
    ["cpython-3.8", 0],
  ] as const)(
    "list-of-ints on %s: after del, mapped bytes drop to the floor of %i kept arena(s)",
    (preset, kept) => {
      const result = run(kind, "list-of-ints", preset);
      const g = geometries[preset];
      const [, built, after] = result.phases;
      expect(built!.mappedBytes).toBeGreaterThan(4 * g.arenaSize);
      expect(result.figures.arrayBytes).toBeGreaterThan(g.smallThreshold); // the array went raw
      expect(after!.requested.current).toBe(0);
      expect(after!.blocks).toBe(0);
      expect(after!.arenas).toBe(kept);
      expect(after!.mappedBytes).toBe(kept * g.arenaSize);
      expect(endOf(result)).toBe(after);
      expect(
        result.allocator.addressSpace.events().filter((e) => e.kind === "map-raw").length,
      ).toBe(result.allocator.addressSpace.events().filter((e) => e.kind === "unmap-raw").length);
    },
  );

  test.each(["cpython-3.11", "cpython-3.8"] as const)(
    "thrash on %s: 2 map/unmap events per iteration under the 3.8 rule, none under 3.9+",
    (preset) => {
      const result = run(kind, "thrash", preset);
      const iterations = result.figures.iterations!;
      expect(iterations).toBe(100);
      expect(result.figures.eventsReleaseRule).toBe(2 * iterations);
      expect(result.figures.eventsKeepRule).toBe(0);
      const g = geometries[preset];
      expect(result.figures.events).toBe(g.keepEmptyArena ? 0 : 2 * iterations);
      // "exactly one block lands in a new arena": the fill is one arena of 32-byte blocks, plus one.
      expect(result.figures.filled).toBe(g.poolsPerArena * g.blocksPerPool[1]! + 1);
    },
  );

  test.each(["cpython-3.11", "cpython-3.12"] as const)(
    "strings on %s: tracemalloc's current is CPython's str sizes plus the list's array",
    (preset) => {
      const result = run(kind, "strings", preset);
      const g = geometries[preset];
      let strBytes = 0;
      for (let i = 0; i < 1000; i++) strBytes += asciiStrSize(g, String(i).length);
      expect(asciiStrSize(g, 0)).toBe(preset === "cpython-3.11" ? 49 : 41); // sys.getsizeof("")
      const end = endOf(result);
      expect(end.requested.current).toBe(strBytes + result.figures.arrayBytes!);
      expect(end.requested.peak).toBeGreaterThanOrEqual(end.requested.current);
      expect(end.requested.peak - end.requested.current).toBeLessThanOrEqual(2 * 28); // at most two ints in flight
    },
  );

  test("churn is deterministic for a seed, and another seed changes it", () => {
    const a = run(kind, "churn", "cpython-3.11", 7);
    const b = run(kind, "churn", "cpython-3.11", 7);
    const c = run(kind, "churn", "cpython-3.11", 8);
    expect(b.figures).toEqual(a.figures);
    expect(b.allocator.addressSpace.events()).toEqual(a.allocator.addressSpace.events());
    expect(b.series).toEqual(a.series);
    expect(c.figures).not.toEqual(a.figures);
    expect(endOf(a).blocks).toBe(a.figures.live);
  });
});

test("a scenario that runs out of simulated memory stops with ScenarioOutOfMemory (the CLI turns it into one line)", () => {
  const small = defineGeometry({ ...geometries["cpython-3.11"], maxArenas: 2 });
  const pinned = scenarioByName("pinned")!;
  expect(() => runScenario(pinned, createAllocator("bitmap", small), { scale: SCALE })).toThrow(
    ScenarioOutOfMemory,
  );
  expect(() => runScenario(pinned, createAllocator("bitmap", small), { scale: SCALE })).toThrow(
    /out of simulated memory asking for 28 bytes/,
  );
});

describe("CPython's list over-allocation (Objects/listobject.c: list_resize)", () => {
  const growth = (g: Geometry) => {
    const capacities = [0];
    let allocated = 0;
    for (let size = 0; capacities.length < 10; size++) {
      if (size + 1 > allocated) {
        allocated = listCapacityAfterResize(g, size, size + 1);
        capacities.push(allocated);
      }
    }
    return capacities;
  };
  test("3.9+: 0, 4, 8, 16, 24, 32, 40, 52, 64, 76 (the comment in list_resize)", () => {
    expect(growth(geometries["cpython-3.11"])).toEqual([0, 4, 8, 16, 24, 32, 40, 52, 64, 76]);
  });
  test("3.8: 0, 4, 8, 16, 25, 35, 46, 58, 72, 88", () => {
    expect(growth(geometries["cpython-3.8"])).toEqual([0, 4, 8, 16, 25, 35, 46, 58, 72, 88]);
  });
});

describe("the pictures", () => {
  test("the heap map: well-formed, one row per arena, one cell per pool, the fill of every pool", () => {
    const result = run("bitmap", "pinned", "cpython-3.11");
    const snapshot = result.allocator.snapshot();
    const g = result.geometry;
    const svg = parseXml(heapMapSvg(snapshot, g, { title: "pinned" }));
    expect(svg.name).toBe("svg");
    expect(svg.attributes.viewBox).toMatch(/^0 0 \d+ \d+$/);
    expect(Number(svg.attributes.width)).toBeGreaterThan(0);
    expect(Number(svg.attributes.height)).toBeGreaterThan(0);
    const rows = byClass(svg, "arena");
    expect(rows.map((r) => Number(r.attributes["data-slot"]))).toEqual(
      snapshot.arenas.map((a) => a.slot),
    );
    const stats = result.allocator.stats();
    let used = 0;
    let live = 0;
    for (const [k, row] of rows.entries()) {
      const cells = byClass(row, "pool");
      expect(cells.map((c) => Number(c.attributes["data-pool"]))).toEqual(
        Array.from({ length: g.poolsPerArena }, (_, i) => i),
      );
      const usedHere = cells.filter((c) => !classesOf(c).includes("empty"));
      expect(usedHere.length).toBe(snapshot.arenas[k]!.pools.length);
      for (const c of usedHere) expect(c.attributes.fill).toMatch(/^hsl\(/);
      for (const c of cells.filter((c) => classesOf(c).includes("empty")))
        expect(c.attributes.fill).toBe("#e4e4e4");
      used += usedHere.length;
      live += cells.reduce((sum, c) => sum + Number(c.attributes["data-live"]), 0);
    }
    expect(used).toBe(stats.classes.reduce((sum, c) => sum + c.pools, 0));
    expect(live).toBe(stats.blocks.small);
    // The legend names each class present; rows are labelled with the arena address.
    expect(byClass(svg, "legend-class").map((e) => Number(e.attributes["data-class"]))).toEqual(
      stats.classes.map((c) => c.index),
    );
    expect(rows[0]!.children.find((c) => c.name === "text")!.text).toContain(
      `0x${snapshot.arenas[0]!.address.toString(16)}`,
    );
  });

  test("the heap map of arenas wider than a line (256 pools) still has one cell per pool", () => {
    const wide = defineGeometry({ ...geometries["cpython-3.9"], arenaSize: 1 << 20 });
    const a = createAllocator("bitmap", wide);
    for (let i = 0; i < 3000; i++) a.malloc(1 + (i % 512));
    const svg = parseXml(heapMapSvg(a.snapshot(), wide, { title: "wide" }));
    const rows = byClass(svg, "arena");
    expect(rows).toHaveLength(a.snapshot().arenas.length);
    for (const row of rows) expect(byClass(row, "pool")).toHaveLength(256);
  });

  test("the heap map of an empty heap (list-of-ints on cpython-3.8 after del) says so", () => {
    const result = run("bitmap", "list-of-ints", "cpython-3.8");
    const svg = parseXml(
      heapMapSvg(result.allocator.snapshot(), result.geometry, { title: "after del" }),
    );
    expect(byClass(svg, "arena")).toHaveLength(0);
    expect(findAll(svg, (e) => e.name === "text" && e.text === "no arenas mapped")).toHaveLength(1);
  });

  test.each(SCENARIO_NAMES)(
    "the memory timeline of %s: two polylines with one point per time-series point",
    (name) => {
      const result = run("bitmap", name);
      const svg = parseXml(
        memoryTimelineSvg(result.series, { title: name, phases: result.phases }),
      );
      const [w, h] = svg.attributes.viewBox!.split(" ").slice(2).map(Number) as [number, number];
      for (const line of ["mapped", "live"]) {
        const polylines = byClass(svg, line).filter((e) => e.name === "polyline");
        expect(polylines).toHaveLength(1);
        const points = polylines[0]!.attributes
          .points!.split(" ")
          .map((p) => p.split(",").map(Number) as [number, number]);
        expect(points).toHaveLength(result.series.length);
        for (const [x, y] of points) {
          expect(x >= 0 && x <= w && y >= 0 && y <= h).toBe(true);
        }
        // Time runs left to right.
        for (let k = 1; k < points.length; k++)
          expect(points[k]![0]).toBeGreaterThanOrEqual(points[k - 1]![0]);
      }
      // The series ends at the end state, exactly.
      const last = result.series[result.series.length - 1]!;
      expect(last).toEqual({
        step: result.steps,
        mapped: endOf(result).mappedBytes,
        live: endOf(result).requested.current,
      });
      // Axis ticks are labelled in a binary unit.
      expect(
        findAll(svg, (e) => e.name === "text" && / (B|KiB|MiB|GiB)$/.test(e.text)).length,
      ).toBeGreaterThan(2);
    },
  );

  test("text is escaped: markup and control characters in a title stay text", () => {
    const title = `a <b> & "c" 'd' \u0001 é`;
    const svg = parseXml(
      heapMapSvg({ arenas: [], raw: [] }, geometries["cpython-3.11"], { title }),
    );
    expect(findAll(svg, (e) => e.name === "title")[0]!.text).toBe(`a <b> & "c" 'd' \uFFFD é`);
    expect(escapeXml("<&>")).toBe("&lt;&amp;&gt;");
  });

  test("scenario writes both pictures; replay writes its heap map to --svg", () => {
    expect(
      main(["scenario", "thrash", "--scale", String(SCALE), "--geometry", "cpython-3.8"]),
    ).toBe(0);
    const heap = svgOf("reports/scenario-thrash-heap.svg");
    expect(byClass(heap, "arena")).toHaveLength(2); // the full arena and the one the loop remade
    expect(byClass(svgOf("reports/scenario-thrash-memory.svg"), "mapped")).toHaveLength(1);

    // A counterexample on a tiny geometry (it names the real reference, so the replay passes and
    // the map is of the last step).
    const file = makeCounterexample(join(work, "svg"));
    expect(main(["replay", file, "--svg", "pictures/failing.svg"])).toBe(0);
    expect(out.join("\n")).toContain("wrote pictures/failing.svg");
    const map = svgOf("pictures/failing.svg");
    for (const row of byClass(map, "arena")) expect(byClass(row, "pool").length).toBeGreaterThan(0);
  });
});

describe("the strict XML checker rejects what a browser would", () => {
  test.each([
    ["<svg><g></svg>", /closes <g>/],
    ["<svg a=1/>", /not quoted/],
    ['<svg a="1" a="2"/>', /duplicate attribute/],
    ['<svg a="<"/>', /< in the value/],
    ["<svg>a & b</svg>", /bare &/],
    ["<svg>&nbsp;</svg>", /unknown entity/],
    ["<svg/><svg/>", /content after the root/],
    ["<svg>\u0001</svg>", /not allowed/],
    ["<svg>", /never closed/],
    ["text<svg/>", /expected the root/],
    ['<svg a="1"b="2"/>', /whitespace before an attribute/],
  ])("%j", (source, message) => {
    expect(() => parseXml(source)).toThrow(XmlError);
    expect(() => parseXml(source)).toThrow(message);
  });

  test("and accepts a small well-formed document", () => {
    const doc = parseXml(
      `<?xml version="1.0" encoding="UTF-8"?>\n<!-- c --><svg a='1' b="&amp;&#60;&#x3e;"><t>x &lt; y</t><e/></svg>\n`,
    );
    expect(doc.attributes).toEqual({ a: "1", b: "&<>" });
    expect(doc.children.map((c) => c.name)).toEqual(["t", "e"]);
    expect(doc.children[0]!.text).toBe("x < y");
  });
});
