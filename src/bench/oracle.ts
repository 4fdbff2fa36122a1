/**
 * The suite's own throughput: allocator operations checked per second by the full oracle (every
 * property with its per-call and per-step checks, the equivalence with the reference, the
 * bounded-exhaustive mode) when `verifyAllocator` puts the bitmap allocator through a profile.
 *
 * `measureOracle` runs each profile in a child process (this file, executed directly) so that the
 * benchmarks before it leave no JIT or heap state behind. `deep` takes about an hour of CPU, so
 * it is sampled: DEEP_SAMPLE_RUNS of its 1000 runs per property, its long sequences and its
 * exhaustive length 4 unchanged; the operations per second are the deep profile's, the total is not.
 */
import { fileURLToPath } from "node:url";
import { PROFILES, type Profile, type ProfileName } from "../../properties/profiles.ts";
import { verifyAllocator } from "../../properties/verify-allocator.ts";
import { createAllocator } from "../allocators/create-allocator.ts";
import { runJsonChild } from "./json-child.ts";
import { cpuNow } from "./timing.ts";

export const DEEP_SAMPLE_RUNS = 5;

export interface OracleRow {
  readonly profile: ProfileName;
  /** Runs per property actually made (deep: the sample). */
  readonly runsPerProperty: number;
  readonly sampled: boolean;
  readonly verdict: "pass" | "fail";
  readonly properties: number;
  readonly operations: number;
  readonly exhaustiveOperations: number;
  readonly wallSeconds: number;
  readonly cpuSeconds: number;
  readonly operationsPerSecond: number;
  readonly operationsPerCpuSecond: number;
}

function profileFor(name: ProfileName): Profile {
  return name === "deep" ? { ...PROFILES.deep, numRuns: DEEP_SAMPLE_RUNS } : PROFILES[name];
}

function run(name: ProfileName): OracleRow {
  const profile = profileFor(name);
  const cpu = cpuNow();
  const report = verifyAllocator((geometry) => createAllocator("bitmap", geometry), {
    name: "bitmap",
    profile,
  });
  const cpuSeconds = (cpuNow() - cpu) / 1e9;
  return {
    profile: name,
    runsPerProperty: profile.numRuns,
    sampled: name === "deep",
    verdict: report.verdict,
    properties: report.results.length,
    operations: report.operations,
    exhaustiveOperations: report.exhaustive?.operations ?? 0,
    wallSeconds: report.seconds,
    cpuSeconds,
    operationsPerSecond: report.operations / report.seconds,
    operationsPerCpuSecond: report.operations / cpuSeconds,
  };
}

const SELF = fileURLToPath(import.meta.url);

export function measureOracle(profiles: readonly ProfileName[]): OracleRow[] {
  return profiles.map((name) => runJsonChild<OracleRow>(SELF, [name]));
}

if (process.argv[1] === SELF) console.log(JSON.stringify(run(process.argv[2] as ProfileName)));
