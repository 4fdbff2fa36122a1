/**
 * Runs pymalloc_probe.py with a Python interpreter (child_process) and types what it reports:
 * the environment (is pymalloc in use?), and per workload the setup, where the OS will put the
 * arenas, and the parsed `sys._debugmallocstats()` snapshots (start, canonical, noise, then one
 * per phase).
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { Workload } from "./workloads.ts";
import { workloadSizes } from "./workloads.ts";

export const PROBE_PATH = fileURLToPath(new URL("./pymalloc_probe.py", import.meta.url));

export interface ProbeEnvironment {
  readonly version: string;
  readonly implementation: string;
  readonly pythonmalloc: string;
  readonly pointerBits: number;
  readonly debugBuild: boolean;
  readonly platform: string;
  /** Why the cross-check does not apply to this interpreter, or null. */
  readonly skip: string | null;
}

export interface ObservedClass {
  readonly size: number;
  readonly pools: number;
  readonly blocks: number;
  readonly avail: number;
}

/** The pymalloc section of `sys._debugmallocstats()`, parsed (pymalloc_probe.py: parse_stats). */
export interface ObservedStats {
  readonly threshold: number;
  readonly sizeClasses: number;
  /** By class index, only the classes with a used pool. */
  readonly classes: Readonly<Record<string, ObservedClass>>;
  readonly arenasAllocatedTotal: number;
  readonly arenasReclaimed: number;
  readonly arenasHighwater: number;
  readonly arenasCurrent: number;
  readonly arenaSize: number;
  readonly unusedPools: number;
  readonly poolSize: number;
  readonly bytesInAllocatedBlocks: number;
  readonly bytesInAvailableBlocks: number;
  readonly bytesLostToPoolHeaders: number;
  readonly bytesLostToQuantization: number;
  readonly bytesLostToArenaAlignment: number;
}

export interface ProbeSnapshot {
  readonly label: string;
  readonly stats: ObservedStats;
  /** The printed pymalloc section, as CPython wrote it. */
  readonly text: string;
}

export interface ProbeRun {
  readonly environment: ProbeEnvironment;
  readonly setup: {
    readonly filled: Readonly<Record<string, number>>;
    readonly ballastClass: number;
    readonly ballastBlocks: number;
  };
  /** Where the first arena of the workload will be mapped; null when the OS could not be pinned. */
  readonly osArena: { readonly address: number; readonly poolAligned: boolean } | null;
  readonly snapshots: readonly ProbeSnapshot[];
}

export class ProbeError extends Error {
  override readonly name = "ProbeError";
}

function run(
  python: string,
  args: readonly string[],
  input?: string,
): { stdout: string } | { missing: string } {
  const env = { ...process.env };
  // It would print the stats at every new arena, into the captured stderr.
  delete env.PYTHONMALLOCSTATS;
  const result = spawnSync(python, ["-S", PROBE_PATH, ...args], {
    input,
    encoding: "utf8",
    maxBuffer: 256 << 20,
    env,
    timeout: 120_000,
  });
  if (result.error !== undefined) {
    const code = (result.error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return { missing: `${python} was not found` };
    throw new ProbeError(`${python} ${PROBE_PATH}: ${result.error.message}`);
  }
  if (result.status !== 0)
    throw new ProbeError(
      `${python} ${PROBE_PATH} exited with ${result.status}: ${result.stderr.trim().split("\n").slice(-3).join(" / ")}`,
    );
  return { stdout: result.stdout };
}

/** The interpreter's environment, or why there is none to check against. */
export function probeEnvironment(python: string): ProbeEnvironment | { readonly missing: string } {
  const out = run(python, ["--info"]);
  if ("missing" in out) return out;
  return (JSON.parse(out.stdout) as { environment: ProbeEnvironment }).environment;
}

/** Runs one workload in a fresh interpreter. */
export function runProbe(python: string, workload: Workload): ProbeRun {
  const input = JSON.stringify({
    slots: workload.slots,
    sizes: workloadSizes(workload),
    phases: workload.phases,
  });
  const out = run(python, [], input);
  if ("missing" in out) throw new ProbeError(out.missing);
  const result = JSON.parse(out.stdout) as ProbeRun;
  const expected = ["start", "canonical", "noise", ...workload.phases.map((p) => p.name)];
  const labels = result.snapshots.map((s) => s.label);
  if (labels.join("\n") !== expected.join("\n"))
    throw new ProbeError(
      `the probe reported snapshots [${labels.join(", ")}], expected [${expected.join(", ")}]`,
    );
  return result;
}
