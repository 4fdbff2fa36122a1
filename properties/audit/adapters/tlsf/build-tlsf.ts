/**
 * `npm run build:wasm`: builds the TLSF module (assembly/tlsf.ts) with the pinned AssemblyScript
 * compiler into build/ (not committed: build output), in two variants (spec/wasm.md §5):
 *
 *   tlsf-release.wasm    -O3, runtime minimal, assertions kept (TLSF aborts on a bad free)
 *   tlsf-noassert.wasm   the same with --noAssert (no checks: misuse corrupts the heap)
 *
 * both with a memory of at most 16 pages (1 MiB), so that runs reach its end. A build is skipped
 * when build/source-hash.txt holds the hash of the source, the compiler's version and the flags.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const HERE = dirname(fileURLToPath(import.meta.url));
const SOURCE = join(HERE, "assembly", "tlsf.ts");
export const TLSF_BUILD_DIR = join(HERE, "build");
const HASH_FILE = join(TLSF_BUILD_DIR, "source-hash.txt");

/** The most pages the module's memory may grow to. */
export const TLSF_MAXIMUM_PAGES = 16;

const COMMON_FLAGS = ["--runtime", "minimal", "-O3", "--maximumMemory", String(TLSF_MAXIMUM_PAGES)];

export const TLSF_VARIANTS = {
  release: COMMON_FLAGS,
  noassert: [...COMMON_FLAGS, "--noAssert"],
} as const;

export type TlsfVariant = keyof typeof TLSF_VARIANTS;

export const tlsfWasmPath = (variant: TlsfVariant): string =>
  join(TLSF_BUILD_DIR, `tlsf-${variant}.wasm`);

function sourceHash(): string {
  const require = createRequire(import.meta.url);
  const version = (require("assemblyscript/package.json") as { version: string }).version;
  return createHash("sha256")
    .update(readFileSync(SOURCE))
    .update(version)
    .update(JSON.stringify(TLSF_VARIANTS))
    .digest("hex");
}

/** Builds both variants unless build/ holds them for this source; returns whether it built. */
export function ensureTlsfBuilt(): boolean {
  const hash = sourceHash();
  const built =
    existsSync(HASH_FILE) &&
    readFileSync(HASH_FILE, "utf8").trim() === hash &&
    Object.keys(TLSF_VARIANTS).every((v) => existsSync(tlsfWasmPath(v as TlsfVariant)));
  if (built) return false;
  mkdirSync(TLSF_BUILD_DIR, { recursive: true });
  const asc = createRequire(import.meta.url).resolve("assemblyscript/bin/asc.js");
  for (const [variant, flags] of Object.entries(TLSF_VARIANTS)) {
    const out = tlsfWasmPath(variant as TlsfVariant);
    const partial = `${out}.${process.pid}.partial`;
    const run = spawnSync(process.execPath, [asc, SOURCE, ...flags, "-o", partial], {
      encoding: "utf8",
    });
    if (run.status !== 0)
      throw new Error(`asc failed on the ${variant} build of ${SOURCE}:\n${run.stderr}`);
    renameSync(partial, out); // atomic: a concurrent reader never sees half a module
  }
  writeFileSync(HASH_FILE, hash + "\n");
  return true;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const started = performance.now();
  const built = ensureTlsfBuilt();
  console.log(
    built
      ? `build:wasm: built ${Object.keys(TLSF_VARIANTS)
          .map((v) => tlsfWasmPath(v as TlsfVariant))
          .join(", ")} in ${((performance.now() - started) / 1000).toFixed(1)} s`
      : `build:wasm: ${TLSF_BUILD_DIR} is up to date`,
  );
}
