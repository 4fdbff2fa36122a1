// `npm run build` (and `prepare`): the package a consumer installs, in dist/ (README §What the
// package ships). tsc compiles what the entry points of tsconfig.build.json reach, to ESM
// JavaScript with source maps and .d.ts; this script starts from an empty dist/, copies the
// non-TypeScript files that code reads at run time, and gives the .d.ts files' relative imports
// the .js extension their .js files have (tsc rewrites them in .js only: TypeScript issue 61037).
import { spawnSync } from "node:child_process";
import { cpSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";

const DIST = "dist";
/** Files the built code opens beside itself (e.g. probe.ts's PROBE_PATH). */
const RUNTIME_FILES = ["src/crosscheck/pymalloc_probe.py", "src/crosscheck/pymalloc_live.py"];

rmSync(DIST, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
const build = spawnSync(process.execPath, [tsc, "-p", "tsconfig.build.json"], { stdio: "inherit" });
if (build.status !== 0) process.exit(build.status ?? 1);

for (const file of RUNTIME_FILES) cpSync(file, join(DIST, file));

const RELATIVE_TS = /(["'])(\.\.?\/[^"']*)\.ts\1/g;
for (const entry of readdirSync(DIST, { recursive: true, withFileTypes: true })) {
  if (!entry.isFile() || !entry.name.endsWith(".d.ts")) continue;
  const file = join(entry.parentPath, entry.name);
  const text = readFileSync(file, "utf8");
  const rewritten = text.replace(RELATIVE_TS, "$1$2.js$1");
  if (rewritten !== text) writeFileSync(file, rewritten);
}
