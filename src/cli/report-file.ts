/** Writes a generated file (under reports/ by default), making its folder; returns the path. */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { UsageError } from "./args.ts";

export const REPORTS_DIR = "reports";

export function writeReportFile(path: string, content: string, command: string): string {
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
  } catch (error) {
    const reason = error instanceof Error && "code" in error ? String(error.code) : String(error);
    throw new UsageError(`${command}: cannot write ${path} (${reason}); give a writable path`);
  }
  return path;
}
