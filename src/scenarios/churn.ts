/**
 * A long-running service's steady state: a live set of small objects of mixed sizes, then a
 * million steps that each free a random live object and make a new one. Seeded, so every run
 * with the same seed makes the same calls. It shows mapped bytes settling above the live bytes
 * (partly used pools of many classes) instead of growing: the "processes stabilise" of the seed.
 *
 * The size mix is illustrative, not measured: ints (28 B), floats (24 B), short ASCII strs, small
 * GC tuples (16-byte GC header + 24 + 8 per item), medium objects up to the threshold, and 1%
 * up to four times the threshold (raw).
 */
import { mulberry32 } from "../core/random.ts";
import { count, humanBytes } from "../core/format.ts";
import { asciiStrSize, INT_OBJECT_SIZE } from "./cpython-objects.ts";
import { scaled, type Scenario } from "./scenario.ts";
import type { Geometry } from "../core/geometry.ts";

const LIVE = 100_000;
const STEPS = 1_000_000;

function objectSize(g: Geometry, random: () => number): number {
  const r = random();
  if (r < 0.35) return INT_OBJECT_SIZE;
  if (r < 0.45) return 24; // float
  if (r < 0.65) return asciiStrSize(g, 1 + Math.floor(random() * 30));
  if (r < 0.8) return 16 + 24 + 8 * (1 + Math.floor(random() * 3)); // tuple of 1–3
  if (r < 0.99) return 65 + Math.floor(random() * (g.smallThreshold - 64)); // 65 … T
  return g.smallThreshold + 1 + Math.floor(random() * 3 * g.smallThreshold); // raw: T+1 … 4T
}

export const churn: Scenario = {
  name: "churn",
  summary:
    "a steady live set of 100,000 mixed objects, then a million random frees and mallocs (seeded)",
  python:
    "live = [make() for _ in range(100_000)]\nfor _ in range(1_000_000):\n    live[randrange(len(live))] = make()   # drop one, make one",
  estimateSteps: (scale) => scaled(LIVE, scale) + 2 * scaled(STEPS, scale),
  run(heap, { geometry, scale, seed }) {
    const random = mulberry32(seed);
    const liveCount = scaled(LIVE, scale);
    const steps = scaled(STEPS, scale);
    const blocks: number[] = [];
    const sizes: number[] = [];
    for (let i = 0; i < liveCount; i++) {
      const n = objectSize(geometry, random);
      blocks.push(heap.malloc(n));
      sizes.push(n);
    }
    const built = heap.phase(`${count(liveCount)} live objects`);
    for (let s = 0; s < steps; s++) {
      const k = Math.floor(random() * blocks.length);
      heap.free(blocks[k]!, sizes[k]!);
      const n = objectSize(geometry, random);
      blocks[k] = heap.malloc(n);
      sizes[k] = n;
    }
    const end = heap.phase(`${count(steps)} random frees and mallocs`);
    const peak = heap.allocator.stats().mappedBytes.peak;
    return {
      lines: [
        `seed ${seed}: ${count(liveCount)} live objects throughout (${humanBytes(end.requested.current)} requested at the end)`,
        `mapped: ${humanBytes(built.mappedBytes)} after building, ${humanBytes(end.mappedBytes)} at the end (peak ${humanBytes(peak)}): ${(end.mappedBytes / end.requested.current).toFixed(2)} bytes mapped per live byte`,
      ],
      figures: {
        live: liveCount,
        steps,
        mappedBuilt: built.mappedBytes,
        mappedEnd: end.mappedBytes,
        mappedPeak: peak,
        liveEnd: end.requested.current,
      },
    };
  },
};
