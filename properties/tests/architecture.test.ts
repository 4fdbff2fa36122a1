/**
 * The layers of spec/README.md §Layers, checked: every relative import of every source file goes
 * down (or sideways inside its own folder), never up. A new folder must be given a layer here.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";

const ROOT = normalize(join(dirname(fileURLToPath(import.meta.url)), "..", ".."));

/**
 * The layers, lowest first, each with the folders (or files) that form it. The first rule whose
 * prefix a path starts with gives its layer, so deeper folders come before the folders holding
 * them.
 */
const LAYERS = [
  { layer: "core", paths: ["src/core/"] },
  { layer: "allocators", paths: ["src/allocators/"] },
  { layer: "properties", paths: ["properties/"] },
  { layer: "scenarios", paths: ["src/scenarios/"] },
  { layer: "report", paths: ["src/report/"] },
  { layer: "integrations", paths: ["src/vitest/", "src/wasm/"] },
  { layer: "tools", paths: ["src/crosscheck/", "src/bench/", "properties/audit/"] },
  { layer: "cli", paths: ["src/cli/"] },
  { layer: "entry", paths: ["src/index.ts"] },
  { layer: "build", paths: ["src/build/"] },
] as const;
type Layer = (typeof LAYERS)[number]["layer"];

/** What each layer may import besides itself (spec/README.md §Layers). */
const MAY_IMPORT: Record<Layer, readonly Layer[]> = {
  core: [],
  allocators: ["core"],
  properties: ["core", "allocators"],
  scenarios: ["core", "allocators"],
  report: ["core", "allocators", "scenarios"],
  integrations: ["core", "allocators", "properties"],
  tools: ["core", "allocators", "properties", "scenarios", "report", "integrations"],
  cli: ["core", "allocators", "properties", "scenarios", "report", "integrations", "tools"],
  entry: ["core", "allocators", "properties", "integrations"],
  build: [],
};

/**
 * Folders whose files may not import each other although they share a layer: the three allocators
 * are independent (only create-allocator.ts gathers them), and so are the tools.
 */
const INDEPENDENT = [
  "src/allocators/reference/",
  "src/allocators/bitmap/",
  "src/allocators/cpython/",
  "src/crosscheck/",
  "src/bench/",
  "properties/audit/",
];

/** Tests, and the reporters of this repository's own test run, sit above everything. */
const EXEMPT = ["properties/tests/", "properties/reporters/"];

function layerOf(path: string): Layer | undefined {
  if (path.startsWith("properties/audit/")) return "tools";
  for (const { layer, paths } of LAYERS) {
    if (paths.some((p) => (p.endsWith("/") ? path.startsWith(p) : path === p))) return layer;
  }
  return undefined;
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) out.push(...sourceFiles(path));
    else if (/\.(ts|mts|mjs)$/.test(entry.name)) out.push(path);
  }
  return out;
}

const IMPORT =
  /(?:^|\n)\s*(?:import|export)\b[^;]*?\bfrom\s*["'](\.{1,2}\/[^"']+)["']|import\(\s*["'](\.{1,2}\/[^"']+)["']\s*\)/g;

function relativeImports(file: string): string[] {
  const text = readFileSync(join(ROOT, file), "utf8");
  return [...text.matchAll(IMPORT)].map((m) =>
    relative(ROOT, normalize(join(ROOT, dirname(file), (m[1] ?? m[2])!))),
  );
}

function independentFolder(path: string): string | undefined {
  return INDEPENDENT.find((folder) => path.startsWith(folder));
}

/** Every import that goes against the layers, as "file -> target (why)". */
function violations(
  files: readonly string[],
  importsOf: (file: string) => readonly string[] = relativeImports,
): string[] {
  const found: string[] = [];
  for (const file of files) {
    if (EXEMPT.some((p) => file.startsWith(p))) continue;
    const from = layerOf(file);
    if (from === undefined) {
      found.push(
        `${file}: in no layer (give its folder one in architecture.test.ts and spec/README.md)`,
      );
      continue;
    }
    for (const target of importsOf(file)) {
      const to = layerOf(target);
      if (to === undefined) {
        found.push(`${file} -> ${target}: the target is in no layer`);
      } else if (to !== from && !MAY_IMPORT[from].includes(to)) {
        found.push(`${file} -> ${target}: ${from} may not import ${to}`);
      } else if (to === from) {
        const a = independentFolder(file);
        const b = independentFolder(target);
        if (a !== b && a !== undefined && b !== undefined)
          found.push(`${file} -> ${target}: ${a} and ${b} are independent`);
      }
    }
  }
  return found;
}

describe("architecture: imports go one way (spec/README.md §Layers)", () => {
  const files = [...sourceFiles("src"), ...sourceFiles("properties")];

  test("every source file is in a layer and imports only the layers below it", () => {
    expect(files.length).toBeGreaterThan(100);
    expect(violations(files)).toEqual([]);
  });

  test("the check reports an upward import, an import between independent folders, a file in no layer", () => {
    const imports: Record<string, readonly string[]> = {
      "src/core/geometry.ts": ["properties/model/driver.ts"],
      "src/allocators/bitmap/bitmap-allocator.ts": ["src/allocators/reference/heap.ts"],
      "src/bench/bench.ts": ["properties/audit/audit-main.ts", "src/core/errors.ts"],
      "properties/model/driver.ts": ["src/cli/main.ts", "src/allocators/create-allocator.ts"],
      "src/elsewhere.ts": [],
      "properties/tests/x.test.ts": ["src/cli/main.ts"],
    };
    expect(violations(Object.keys(imports), (file) => imports[file] ?? [])).toEqual([
      "src/core/geometry.ts -> properties/model/driver.ts: core may not import properties",
      "src/allocators/bitmap/bitmap-allocator.ts -> src/allocators/reference/heap.ts: src/allocators/bitmap/ and src/allocators/reference/ are independent",
      "src/bench/bench.ts -> properties/audit/audit-main.ts: src/bench/ and properties/audit/ are independent",
      "properties/model/driver.ts -> src/cli/main.ts: properties may not import cli",
      "src/elsewhere.ts: in no layer (give its folder one in architecture.test.ts and spec/README.md)",
    ]);
  });
});
