/**
 * What the child processes of `npm run bench:ab` (ab-child.ts, ab-paired-child.ts) share: a
 * checkout's bitmap allocator, loaded from that checkout's own sources, and the measurement of
 * several churns in one process (filled, warmed up, then sampled in turn).
 */
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { Allocator } from "../core/allocator.ts";
import type { Churn } from "./churn.ts";
import { settle, timed, warmUp } from "./timing.ts";
import { GEOMETRY } from "./workloads.ts";

/** A checkout's bitmap allocator on the bench geometry, and that geometry's small threshold there. */
export interface CheckoutBitmap {
  create(): Allocator;
  readonly threshold: number;
}

export async function checkoutBitmap(checkout: string): Promise<CheckoutBitmap> {
  const from = (file: string): string => pathToFileURL(path.resolve(checkout, file)).href;
  const { createAllocator } = (await import(from("src/allocators/create-allocator.ts"))) as {
    createAllocator: (kind: "bitmap", geometry: string) => Allocator;
  };
  const { geometries } = (await import(from("src/core/geometry.ts"))) as {
    geometries: Record<string, { smallThreshold: number }>;
  };
  return {
    create: () => createAllocator("bitmap", GEOMETRY),
    threshold: geometries[GEOMETRY]!.smallThreshold,
  };
}

/**
 * Fills and warms up each churn, then takes `samples` samples of `steps` churn steps of each, the
 * churns in an order rotated by the sample (so none always runs first): CPU ns per allocator call,
 * per churn.
 */
export function sampleChurns(
  churns: readonly Churn[],
  live: number,
  samples: number,
  steps: number,
): number[][] {
  for (const churn of churns) {
    churn.fill();
    warmUp(live, (count) => churn.steps(count));
  }
  const nsPerCall: number[][] = churns.map(() => []);
  for (let s = 0; s < samples; s++) {
    for (let j = 0; j < churns.length; j++) {
      const c = (j + s) % churns.length;
      settle();
      nsPerCall[c]!.push(timed(() => churns[c]!.steps(steps)).cpuNs / (2 * steps)); // a step is a free and a malloc
    }
  }
  return nsPerCall;
}
