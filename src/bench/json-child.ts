/**
 * A benchmark script run in a fresh Node process (with tsx's loader), which prints its result as
 * JSON on the last line of its output: for the measurements that must not share JIT or heap state
 * with what ran before them (oracle.ts, oracle-split.ts, cpu-profile.ts, the children of ab.ts,
 * and oracle-ab.ts in another checkout's directory).
 */
import { execFileSync } from "node:child_process";

export function runJsonChild<T>(
  script: string,
  args: readonly string[] = [],
  nodeFlags: readonly string[] = [],
  cwd?: string,
): T {
  const out = execFileSync(process.execPath, ["--import", "tsx", ...nodeFlags, script, ...args], {
    encoding: "utf8",
    maxBuffer: 1 << 24,
    cwd,
  });
  return JSON.parse(out.trim().split("\n").pop()!) as T;
}
