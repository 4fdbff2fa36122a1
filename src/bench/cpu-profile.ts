/**
 * CPU profiles of the bitmap allocator's churn: `profileChurn` runs profile-churn.ts under
 * `node --cpu-prof` in a child process and `selfTimes` summarises the `.cpuprofile` V8 writes:
 * each sample names the node that was running and its time delta is that node's self time;
 * nodes of one function (one per call path) are summed, idle time is left out.
 *
 * With V8's inlining (as the code really runs) a caller's self time includes what was inlined
 * into it; with `--no-turbo-inlining` every function keeps its own time (attribution), at the
 * price of slower code. bench.ts reports both.
 */
import { runJsonChild } from "./json-child.ts";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string };
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface FunctionTime {
  /** `name (file)`. */
  readonly function: string;
  readonly selfMs: number;
  /** Share of the sampled time that was not idle. */
  readonly share: number;
}

export function selfTimes(profile: CpuProfile): FunctionTime[] {
  const nameOf = new Map<number, string>();
  for (const { id, callFrame: f } of profile.nodes) {
    const file = f.url === "" ? "" : ` (${path.basename(f.url)})`;
    nameOf.set(id, `${f.functionName === "" ? "(anonymous)" : f.functionName}${file}`);
  }
  const micros = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const name = nameOf.get(id)!;
    if (name === "(idle)") return;
    const dt = profile.timeDeltas[i] ?? 0;
    micros.set(name, (micros.get(name) ?? 0) + dt);
    total += dt;
  });
  return [...micros]
    .map(([name, us]) => ({ function: name, selfMs: us / 1000, share: us / total }))
    .sort((a, b) => b.selfMs - a.selfMs);
}

export interface ChurnProfile {
  readonly live: number;
  readonly inlining: boolean;
  readonly nsPerOp: number;
  readonly top: readonly FunctionTime[];
}

const ENTRY = fileURLToPath(new URL("./profile-churn.ts", import.meta.url));

/** Profiles the bitmap allocator's churn at `live` blocks; the `count` functions with most self time. */
export function profileChurn(live: number, inlining: boolean, count = 12): ChurnProfile {
  const dir = mkdtempSync(path.join(os.tmpdir(), "allocheck-prof-"));
  try {
    const { nsPerOp } = runJsonChild<{ nsPerOp: number }>(
      ENTRY,
      [String(live)],
      ["--cpu-prof", `--cpu-prof-dir=${dir}`, ...(inlining ? [] : ["--no-turbo-inlining"])],
    );
    // tsx's loader thread writes a profile too: keep the one where the churn ran.
    const profiles = readdirSync(dir).map((f) =>
      selfTimes(JSON.parse(readFileSync(path.join(dir, f), "utf8")) as CpuProfile),
    );
    const main = profiles.find((times) =>
      times.some((t) => t.function.startsWith("steps (churn.ts)")),
    )!;
    // The project's functions and the GC; node's and tsx's start-up (module loading) is left out.
    const ours = main.filter(
      (t) => t.function.endsWith(".ts)") || t.function === "(garbage collector)",
    );
    return { live, inlining, nsPerOp, top: ours.slice(0, count) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
