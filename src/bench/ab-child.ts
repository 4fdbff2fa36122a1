/**
 * One side of `npm run bench:ab` (ab.ts): the bitmap allocator of the checkout at argv[2] under
 * this checkout's churn loop, random streams and clocks, so only the allocator differs between
 * the two sides. Prints one JSON line: the CPU ns per call of each sample.
 *
 *   tsx src/bench/ab-child.ts <checkout> <live> <samples> <steps per sample> [mixed]
 *
 * With `mixed`, the same process also churns a second heap whose requests are 10% raw (the bench's
 * mixed cells, workloads.ts), its samples interleaved with the small churn's: `mixedNsPerCall`,
 * and the ratio of the two comes from one process, so a noisy neighbour hits both alike.
 */
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { Allocator } from "../core/allocator.ts";
import { Churn } from "./churn.ts";
import { randomStreams } from "./random-streams.ts";
import { settle, timed, warmUp } from "./timing.ts";
import { GEOMETRY, LARGE_MAX, LARGE_SHARE } from "./workloads.ts";

const [checkout, liveArg, samplesArg, stepsArg, mixedArg] = process.argv.slice(2);
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
const threshold = geometries[GEOMETRY]!.smallThreshold;

const churns = [
  new Churn(createAllocator("bitmap", GEOMETRY), live, randomStreams(0xab + live, threshold, live)),
];
if (mixedArg === "mixed")
  churns.push(
    new Churn(
      createAllocator("bitmap", GEOMETRY),
      live,
      randomStreams(0xab + live, threshold, live, { share: LARGE_SHARE, max: LARGE_MAX }),
    ),
  );
for (const churn of churns) {
  churn.fill();
  warmUp(live, (count) => churn.steps(count));
}
const nsPerCall: number[][] = churns.map(() => []);
for (let s = 0; s < samples; s++) {
  for (let c = 0; c < churns.length; c++) {
    settle();
    nsPerCall[c]!.push(timed(() => churns[c]!.steps(steps)).cpuNs / (2 * steps)); // a step is a free and a malloc
  }
}
console.log(JSON.stringify({ live, nsPerCall: nsPerCall[0], mixedNsPerCall: nsPerCall[1] }));
