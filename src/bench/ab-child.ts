/**
 * One side of `npm run bench:ab` (ab.ts): the bitmap allocator of the checkout at argv[2] under
 * this checkout's churn loop, random streams and clocks, so only the allocator differs between
 * the two sides. Prints one JSON line: the CPU ns per call of each sample.
 *
 *   tsx src/bench/ab-child.ts <checkout> <live> <samples> <steps per sample>
 */
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { Allocator } from "../core/allocator.ts";
import { Churn } from "./churn.ts";
import { randomStreams } from "./random-streams.ts";
import { settle, timed, warmUp } from "./timing.ts";
import { GEOMETRY } from "./workloads.ts";

const [checkout, liveArg, samplesArg, stepsArg] = process.argv.slice(2);
const live = Number(liveArg);
const samples = Number(samplesArg);
const steps = Number(stepsArg);
const from = (file: string): string => pathToFileURL(path.resolve(checkout!, file)).href;
const { createAllocator } = (await import(from("src/allocators/create-allocator.ts"))) as {
  createAllocator: (kind: "bitmap", geometry: string) => Allocator;
};
const { geometries } = (await import(from("src/core/geometry.ts"))) as {
  geometries: Record<string, { smallThreshold: number }>;
};

const churn = new Churn(
  createAllocator("bitmap", GEOMETRY),
  live,
  randomStreams(0xab + live, geometries[GEOMETRY]!.smallThreshold, live),
);
churn.fill();
warmUp(live, (count) => churn.steps(count));
const nsPerCall: number[] = [];
for (let s = 0; s < samples; s++) {
  settle();
  nsPerCall.push(timed(() => churn.steps(steps)).cpuNs / (2 * steps)); // a step is a free and a malloc
}
console.log(JSON.stringify({ live, nsPerCall }));
