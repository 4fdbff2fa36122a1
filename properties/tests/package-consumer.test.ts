/**
 * The package as a consumer meets it (issue 14, item 6): `npm pack` (whose `prepare` builds dist/),
 * the tarball installed offline into a fresh project in a temporary folder, and then what the
 * consumer does with it: a plain node script, tsc with a default strict nodenext tsconfig, the
 * `allocheck` bin, the worked example of examples/free-list/ and the consumer's own vitest.
 *
 * Offline: the tarball's dependencies are copied from this repository's node_modules (the
 * versions package-lock.json pins), so the install needs no registry and no npm cache; npm still
 * checks that they satisfy the package's ranges, and would fail (ENOTCACHED) if they did not.
 */
import { spawnSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const TSC = join(ROOT, "node_modules", "typescript", "bin", "tsc");
const VITEST = join(ROOT, "node_modules", "vitest", "vitest.mjs");

/** The environment of every command: this test run's vitest, npm script and allocheck settings removed. */
const ENV = Object.fromEntries(
  Object.entries(process.env).filter(
    ([key]) =>
      !/^(VITEST|ALLOCHECK_|npm_package_|npm_lifecycle_)/.test(key) &&
      !["NODE_OPTIONS", "FORCE_COLOR"].includes(key),
  ),
);

/** Seconds each command took, printed at the end (the whole file must stay under a minute). */
const timings: string[] = [];

interface Ran {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Everything the command printed, for assertion messages. */
  readonly output: string;
}

function run(
  command: string,
  args: readonly string[],
  cwd: string,
  env: Record<string, string> = {},
): Ran {
  const started = performance.now();
  const child = spawnSync(command, args, {
    cwd,
    env: { ...ENV, NO_COLOR: "1", ...env },
    encoding: "utf8",
    maxBuffer: 1 << 26,
  });
  const shown = [command, ...args].map((a) => a.split("/").at(-1)).join(" ");
  timings.push(`${((performance.now() - started) / 1000).toFixed(1)} s  ${shown}`);
  const stdout = child.stdout ?? "";
  const stderr = child.stderr ?? String(child.error ?? "");
  return {
    status: child.status,
    stdout,
    stderr,
    output: `$ ${command} ${args.join(" ")}\n${stdout}\n${stderr}`,
  };
}

/** The package's production dependencies and theirs, by name, as package-lock.json pins them. */
function productionDependencies(): string[] {
  const lock = JSON.parse(readFileSync(join(ROOT, "package-lock.json"), "utf8")) as {
    packages: Record<string, { dependencies?: Record<string, string> }>;
  };
  const found = new Set<string>();
  const visit = (names: readonly string[]) => {
    for (const name of names) {
      if (found.has(name)) continue;
      found.add(name);
      visit(Object.keys(lock.packages[`node_modules/${name}`]?.dependencies ?? {}));
    }
  };
  visit(Object.keys(lock.packages[""]?.dependencies ?? {}));
  return [...found];
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

/** Import and export statements at the start of a line, and dynamic imports (not code in strings). */
const SPECIFIER =
  /^\s*(?:import|export)\s[^;]*?\bfrom\s*["']([^"']+)["']|^\s*import\s*["']([^"']+)["']|\bimport\(\s*["']([^"']+)["']\s*\)/gm;

/** The module specifiers a built file imports (static, dynamic and side-effect imports). */
const specifiers = (source: string): string[] =>
  [...source.matchAll(SPECIFIER)].map((match) => (match[1] ?? match[2] ?? match[3])!);

// What the consumer writes. ─────────────────────────────────────────────────────────────────

const CONSUMER_SCRIPT = `
import { createAllocator, verifyAllocator } from "allocheck";
import { cMallocAlignment } from "allocheck/wasm";

const allocator = createAllocator("bitmap", "cpython-3.11");
const p = allocator.malloc(100);
const usable = allocator.usableSize(p);
allocator.free(p);
const report = verifyAllocator((geometry) => createAllocator("reference", geometry), {
  name: "reference",
  profile: "quick",
  properties: ["I01", "I08"],
  families: ["tiny"],
  exhaustive: false,
});
console.log(JSON.stringify({ usable, verdict: report.verdict, properties: report.results.map((r) => r.property), wasmAlignmentOf8: cMallocAlignment(8) }));
`;

/** Uses the public types; the @ts-expect-error lines fail the compile if the types were any. */
const PUBLIC_TYPES = `
import {
  AllocatorError,
  createAllocator,
  defineGeometry,
  verifyAllocator,
  type Allocator,
  type AllocatorErrorCode,
  type Geometry,
  type Subject,
  type SubjectFactory,
  type VerifyReport,
} from "allocheck";
import { wasmSubject, type WasmSubjectFactory } from "allocheck/wasm";

const geometry: Geometry = defineGeometry({
  alignment: 8,
  smallThreshold: 64,
  poolSize: 1024,
  arenaSize: 4096,
  poolOverhead: 16,
  poolAlignedArenas: true,
  maxArenas: 4,
  keepEmptyArena: true,
});
const allocator: Allocator = createAllocator("reference", geometry);
const p: number | null = allocator.malloc(16);
// @ts-expect-error: not an allocator kind
createAllocator("no-such-allocator", geometry);

const heap = new Map<number, number>();
let top = 16;
const bump: SubjectFactory = (): Subject => ({
  kind: "bump",
  malloc: (n: number) => {
    const address = top;
    heap.set(address, n);
    top += Math.ceil(Math.max(n, 1) / 8) * 8;
    return address;
  },
  free: (q: number | null) => {
    if (q !== null) heap.delete(q);
  },
});
const report: VerifyReport = verifyAllocator(bump, { name: "bump", profile: "quick" });
const verdict: "pass" | "fail" = report.verdict;
// @ts-expect-error: not a reset strategy
const wasmFactory: WasmSubjectFactory = wasmSubject({ instance: {}, reset: "reload" });
console.log(wasmFactory.contract);
// @ts-expect-error: not a profile
verifyAllocator(bump, { name: "bump", profile: "fastest" });

try {
  if (p !== null) allocator.free(p + 1);
} catch (error) {
  const code: AllocatorErrorCode | undefined = error instanceof AllocatorError ? error.code : undefined;
  console.log(code, verdict);
}
`;

const TSCONFIG = {
  compilerOptions: { strict: true, module: "nodenext", moduleResolution: "nodenext" },
};

/**
 * The worked example with a seeded bug: free swallows what it cannot free (a double free passes).
 * The module's default export is its factory, so it is also an adapter for `allocheck replay`.
 */
const FORGIVING_MODULE = `
import { FreeList } from "./free-list.mjs";

export class Forgiving extends FreeList {
  free(p) {
    try {
      super.free(p);
    } catch {
      // the bug: misuse ignored
    }
  }
}

export default () => new Forgiving();
`;

const FORGIVING_TEST = `
import { describeAllocator } from "allocheck/vitest";
import { misuseCode } from "./free-list.mjs";
import forgivingFactory from "./forgiving.mjs";

describeAllocator("forgiving-free-list", forgivingFactory, {
  profile: "quick",
  contract: { misuse: "throws", outOfMemory: "null", coalesces: true },
  misuseCode,
});
`;

// ─────────────────────────────────────────────────────────────────────────────────────────────

let scratch: string;
let project: string;
let packed: { filename: string; files: { path: string }[] };
let installed: string;

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), "allocheck-consumer-"));
  const pack = run("npm", ["pack", "--json", "--pack-destination", scratch], ROOT);
  expect(pack.status, pack.output).toBe(0);
  packed = (JSON.parse(pack.stdout) as (typeof packed)[])[0]!;

  project = join(scratch, "project");
  mkdirSync(join(project, "node_modules"), { recursive: true });
  // A project as `npm init` makes it (CommonJS): the ESM-only package is used from .mjs and .mts.
  writeFileSync(
    join(project, "package.json"),
    JSON.stringify({ name: "consumer", private: true, type: "commonjs" }),
  );
  for (const name of productionDependencies())
    cpSync(join(ROOT, "node_modules", name), join(project, "node_modules", name), {
      recursive: true,
    });
  const install = run(
    "npm",
    ["install", join(scratch, packed.filename), "--offline", "--no-audit", "--no-fund"],
    project,
  );
  expect(install.status, install.output).toBe(0);
  installed = join(project, "node_modules", "allocheck");
}, 120_000);

/** The temporary folder stays for a look when a test failed, and goes otherwise. */
let failed = false;
afterEach((context) => {
  if (context.task.result?.state === "fail") failed = true;
});
afterAll(() => {
  console.log(`package-consumer in ${scratch}:\n  ${timings.join("\n  ")}`);
  if (failed) console.log(`package-consumer: kept ${scratch}`);
  else rmSync(scratch, { recursive: true, force: true });
});

describe("allocheck as an installed package", () => {
  test("the tarball ships dist, spec, README and LICENSE: no test, audit, seeded bug or benchmark", () => {
    const paths = packed.files.map((f) => f.path);
    const outside = paths.filter(
      (p) => !/^(dist|spec)\//.test(p) && !["README.md", "LICENSE", "package.json"].includes(p),
    );
    expect(outside).toEqual([]);
    const unwanted = paths.filter((p) =>
      /(^|\/)(tests|audit|seeded-bugs|bench|reporters|mutation)\/|\.test\.|\.regression\./.test(p),
    );
    expect(unwanted).toEqual([]);
    for (const file of [
      "LICENSE",
      "README.md",
      "dist/src/index.js",
      "dist/src/index.d.ts",
      "dist/src/cli/allocheck.js",
      "dist/src/crosscheck/pymalloc_probe.py",
      "spec/invariants.md",
    ])
      expect(paths).toContain(file);
  });

  test("the built JavaScript imports only node builtins, dependencies and the optional vitest peer; every relative import exists", () => {
    const manifest = JSON.parse(readFileSync(join(installed, "package.json"), "utf8")) as {
      dependencies: Record<string, string>;
      peerDependencies: Record<string, string>;
    };
    const allowed = new Set([
      ...Object.keys(manifest.dependencies),
      ...Object.keys(manifest.peerDependencies),
    ]);
    const wrong: string[] = [];
    for (const file of filesUnder(join(installed, "dist"))) {
      if (!/\.(js|d\.ts)$/.test(file)) continue;
      const where = relative(installed, file);
      for (const specifier of specifiers(readFileSync(file, "utf8"))) {
        if (specifier.startsWith(".")) {
          if (!specifier.endsWith(".js")) wrong.push(`${where}: ${specifier} (not .js)`);
          else {
            const target = resolve(dirname(file), specifier);
            if (!existsSync(file.endsWith(".d.ts") ? target.replace(/\.js$/, ".d.ts") : target))
              wrong.push(`${where}: ${specifier} (missing)`);
          }
        } else if (!specifier.startsWith("node:")) {
          const name = specifier.startsWith("@")
            ? specifier.split("/").slice(0, 2).join("/")
            : specifier.split("/")[0]!;
          if (!allowed.has(name)) wrong.push(`${where}: ${specifier} (not a dependency)`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  test("a plain node ESM script uses createAllocator and verifyAllocator", () => {
    writeFileSync(join(project, "consumer.mjs"), CONSUMER_SCRIPT);
    const ran = run(process.execPath, ["consumer.mjs"], project);
    expect(ran.status, ran.output).toBe(0);
    expect(JSON.parse(ran.stdout)).toEqual({
      usable: 112,
      verdict: "pass",
      properties: ["I01-disjoint", "I08-payload-integrity"],
      wasmAlignmentOf8: 8,
    });
  });

  test("tsc --noEmit, strict with nodenext and nothing else, passes on a file using the public types", () => {
    writeFileSync(join(project, "tsconfig.json"), JSON.stringify(TSCONFIG));
    writeFileSync(join(project, "public-types.mts"), PUBLIC_TYPES);
    const ran = run(process.execPath, [TSC, "--noEmit", "-p", "."], project);
    expect(ran.status, ran.output).toBe(0);
  });

  test("npx allocheck --help and verify --profile quick", () => {
    const help = run("npx", ["--no", "--", "allocheck", "--help"], project);
    expect(help.status, help.output).toBe(0);
    expect(help.stdout).toMatch(/usage: allocheck <command>/);
    const verify = run(
      "npx",
      ["--no", "--", "allocheck", "verify", "--profile", "quick", "--allocator", "reference"],
      project,
    );
    expect(verify.status, verify.output).toBe(0);
    expect(verify.stdout).toMatch(/verify: pass/);
    // A run narrowed by --allocator writes its own summary (reports/README.md).
    expect(readFileSync(join(project, "reports", "summary-reference.md"), "utf8")).toMatch(
      /^# allocheck verify: pass/,
    );
  });
});

/** The example's own folder, copied into the consumer's project as a user would start from it. */
function copyExample(): string {
  const dir = join(project, "free-list");
  cpSync(join(ROOT, "examples", "free-list"), dir, { recursive: true });
  return dir;
}

describe("the worked example, examples/free-list/, in the consumer's project", () => {
  test("free-list.mjs type-checks against the package's .d.ts (its JSDoc, tsc --checkJs)", () => {
    const dir = copyExample();
    const options = ["--allowJs", "--checkJs", "--strict", "--exactOptionalPropertyTypes"];
    const nodenext = ["--module", "nodenext", "--moduleResolution", "nodenext"];
    const ran = run(
      process.execPath,
      [TSC, "--noEmit", ...options, ...nodenext, "free-list.mjs"],
      dir,
    );
    expect(ran.status, ran.output).toBe(0);
  });

  test("verify.mjs passes with plain node", () => {
    const dir = copyExample();
    const ran = run(process.execPath, ["verify.mjs", "quick"], dir);
    expect(ran.status, ran.output).toBe(0);
    expect(ran.stdout).toMatch(/^free-list: pass/m);
  });

  test("the built bin verifies the example through --adapter, each property in a child process of plain node (no tsx in the consumer)", () => {
    const dir = copyExample();
    expect(existsSync(join(project, "node_modules", "tsx"))).toBe(false);
    const ran = run(
      "npx",
      ["--no", "--", "allocheck", "verify", "--adapter", "./free-list.mjs", "--profile", "quick"],
      dir,
    );
    expect(ran.status, ran.output).toBe(0);
    expect(ran.stdout).toMatch(/verify: pass/);
    expect(readFileSync(join(dir, "reports", "summary-free-list.md"), "utf8")).toMatch(
      /free-list: pass/,
    );
  });

  test("the consumer's vitest passes describeAllocator on the free list and fails it on a seeded bug, with the steps; allocheck replay --adapter replays the counterexample", () => {
    const dir = copyExample();
    // vitest is the package's optional peer: the consumer has it (here, this repository's, linked
    // so that it finds its own dependencies).
    const link = join(project, "node_modules", "vitest");
    if (!existsSync(link)) symlinkSync(join(ROOT, "node_modules", "vitest"), link, "dir");
    writeFileSync(join(dir, "forgiving.mjs"), FORGIVING_MODULE);
    writeFileSync(join(dir, "forgiving.test.mjs"), FORGIVING_TEST);
    const env = { ALLOCHECK_PROFILE: "quick" };
    const correct = run(process.execPath, [VITEST, "run", "free-list.test.mjs"], dir, env);
    expect(correct.status, correct.output).toBe(0);
    const buggy = run(process.execPath, [VITEST, "run", "forgiving.test.mjs"], dir, env);
    expect(buggy.status, buggy.output).toBe(1);
    expect(buggy.output).toMatch(/invariant 9/);
    expect(buggy.output).toMatch(/misuse\((double-free|interior|unknown|use-after-free)/);
    expect(buggy.output).toMatch(/seed -?\d+/);
    // The message names the counterexample file (written in the project's reports/) and the
    // command that replays it on the allocator from an adapter module, with the built bin.
    const file = /counterexample: (\S+\.json)/.exec(buggy.output)?.[1];
    expect(file, buggy.output).toBeDefined();
    expect(buggy.output).toContain(`replay: npx allocheck replay ${file} --adapter`);
    const replayed = run("npx", ["--no", "--", "allocheck", "replay", file!], dir);
    expect(replayed.status, replayed.output).toBe(2);
    expect(replayed.stderr).toMatch(/--adapter/);
    const adapted = run(
      "npx",
      ["--no", "--", "allocheck", "replay", file!, "--adapter", "./forgiving.mjs"],
      dir,
    );
    expect(adapted.status, adapted.output).toBe(1);
    expect(adapted.output).toMatch(/invariant 9/);
    expect(adapted.stderr).not.toMatch(/\n\s+at /);
  });
});
