/**
 * One round of `npm run bench:ab -- --paired` (ab.ts): the bitmap allocators of both checkouts in
 * one process, each under its own copy of this checkout's churn loop (churn.ts imported once per
 * side, with a query that makes it a module of its own, so each loop's call sites see one
 * allocator class), their samples alternating. A noisy neighbour then slows both sides of a pair
 * alike, and the ratio of a pair holds where the ratio of two processes does not (this host's
 * processes are bimodal: 43 against 70 ns/op for the same code). Prints one JSON line: each
 * side's CPU ns per call per sample.
 *
 *   tsx src/bench/ab-paired-child.ts <before checkout> <after checkout> <live> <samples> <steps>
 */
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { Allocator } from "../core/allocator.ts";
import type { Churn } from "./churn.ts";
import { randomStreams } from "./random-streams.ts";
import { settle, timed, warmUp } from "./timing.ts";
import { GEOMETRY } from "./workloads.ts";

const [before, after, liveArg, samplesArg, stepsArg] = process.argv.slice(2);
const live = Number(liveArg);
const samples = Number(samplesArg);
const steps = Number(stepsArg);

/** Side `name`'s churn: the checkout's allocator under a churn loop of its own. */
async function churnOf(checkout: string, name: string): Promise<Churn> {
  const from = (file: string): string => pathToFileURL(path.resolve(checkout, file)).href;
  const { createAllocator } = (await import(from("src/allocators/create-allocator.ts"))) as {
    createAllocator: (kind: "bitmap", geometry: string) => Allocator;
  };
  const { geometries } = (await import(from("src/core/geometry.ts"))) as {
    geometries: Record<string, { smallThreshold: number }>;
  };
  const loop = new URL(`./churn.ts?side=${name}`, import.meta.url).href;
  const { Churn: SideChurn } = (await import(loop)) as { Churn: typeof Churn };
  const threshold = geometries[GEOMETRY]!.smallThreshold;
  return new SideChurn(
    createAllocator("bitmap", GEOMETRY),
    live,
    randomStreams(0xab + live, threshold, live),
  );
}

const sides = [await churnOf(before!, "before"), await churnOf(after!, "after")];
for (const churn of sides) {
  churn.fill();
  warmUp(live, (count) => churn.steps(count));
}
const nsPerCall: number[][] = [[], []];
for (let s = 0; s < samples; s++) {
  // Before first in even samples, after first in odd ones.
  for (const k of s % 2 === 0 ? [0, 1] : [1, 0]) {
    settle();
    nsPerCall[k]!.push(timed(() => sides[k]!.steps(steps)).cpuNs / (2 * steps)); // a step is a free and a malloc
  }
}
console.log(JSON.stringify({ live, before: nsPerCall[0], after: nsPerCall[1] }));
