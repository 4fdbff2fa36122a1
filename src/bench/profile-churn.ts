/**
 * The workload `npm run bench` profiles (run under `node --cpu-prof`): the bitmap allocator's
 * churn at 10^5 live blocks, sizes over every class, for PROFILE_SECONDS after a warm-up; it
 * prints its churn ns/op. bench.ts runs it and summarises the profile with cpu-profile.ts; by hand:
 *
 *   node --import tsx --cpu-prof --cpu-prof-dir=/tmp/prof src/bench/profile-churn.ts [live]
 */
import { createAllocator } from "../allocators/create-allocator.ts";
import { Churn } from "./churn.ts";
import { randomStreams } from "./random-streams.ts";
import { nowNs } from "./timing.ts";
import { GEOMETRY } from "./workloads.ts";
import { geometries } from "../core/geometry.ts";

const PROFILE_SECONDS = 4;
const live = Number(process.argv[2] ?? 1e5);
const churn = new Churn(
  createAllocator("bitmap", GEOMETRY),
  live,
  randomStreams(0x9f0f11e + live, geometries[GEOMETRY].smallThreshold, live),
);
churn.fill();
churn.steps(Math.max(live, 300_000));
const started = nowNs();
let steps = 0;
while (nowNs() - started < PROFILE_SECONDS * 1e9) {
  churn.steps(100_000);
  steps += 100_000;
}
console.log(JSON.stringify({ live, nsPerOp: (nowNs() - started) / (2 * steps) }));
