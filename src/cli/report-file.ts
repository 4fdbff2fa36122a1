/**
 * The files the CLI writes: under the reports folder (reports/ by default, `verify --reports`),
 * or where a flag puts them (`--svg`, `--json`, `--out`). Every folder is made when missing, and
 * every destination is probed before the long work starts, so that an unwritable one is one line
 * and exit code 2 at once, not a stack trace after the run (spec/README.md §Bounded runs).
 */
import {
  accessSync,
  constants,
  existsSync,
  mkdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { fileNamePart } from "../../properties/run/counterexample.ts";
import { UsageError } from "./args.ts";

export { REPORTS_DIR } from "../../properties/run/paths.ts";

const reason = (error: unknown) =>
  error instanceof Error ? String("code" in error ? error.code : error.message) : String(error);

/**
 * A file directly in `dir` named from `parts` (an allocator's, a counterexample's): each reduced
 * by fileNamePart, so that no name leaves `dir`.
 */
export function reportPath(dir: string, prefix: string, name: string, extension: string): string {
  return join(dir, `${prefix}${fileNamePart(name)}${extension}`);
}

/** Makes `dir` when missing and proves it writable; else a UsageError naming it. */
export function probeWritableDir(dir: string, command: string, what = `in ${dir}`): void {
  try {
    mkdirSync(dir, { recursive: true });
    const probe = join(dir, `.allocheck-probe-${process.pid}`);
    writeFileSync(probe, "");
    rmSync(probe);
  } catch (error) {
    throw new UsageError(
      `${command}: cannot write ${what} (${reason(error)}); give a writable ${what.startsWith("in ") ? "folder" : "path"}`,
    );
  }
}

/** Proves `path` can be written (its folder made, an existing file writable), writing nothing. */
export function probeWritableFile(path: string, command: string): void {
  probeWritableDir(dirname(path), command, path);
  try {
    if (existsSync(path) && statSync(path).isDirectory()) throw new Error("EISDIR");
    if (existsSync(path)) accessSync(path, constants.W_OK);
  } catch (error) {
    throw new UsageError(
      `${command}: cannot write ${path} (${reason(error)}); give a writable path`,
    );
  }
}

/** Writes a generated file, making its folder; returns the path. */
export function writeReportFile(path: string, content: string, command: string): string {
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
  } catch (error) {
    throw new UsageError(
      `${command}: cannot write ${path} (${reason(error)}); give a writable path`,
    );
  }
  return path;
}
