/**
 * One scenario of the policy comparison's own (the others are the seed's, src/scenarios): an
 * old generation of 300,000 mixed small objects, 80% of them dying at random, a young generation
 * of 100,000 made after that, then the old survivors freed. Where the young objects go (the
 * lowest free blocks, or the most recently freed ones) decides how many arenas the old
 * generation's death can give back.
 */
import { count, humanBytes } from "../core/format.ts";
import { scaled, type Scenario } from "./index.ts";
import { mulberry32 } from "../core/random.ts";

const OLD = 300_000;
const YOUNG = 100_000;
const SIZES = [32, 48, 64, 96, 128, 200, 300, 500];

export const generations: Scenario = {
  name: "generations",
  summary:
    "an old generation, 80% dying at random, a young one made after, then the old survivors freed",
  python:
    "old = [make() for _ in range(300_000)]\nold = [x for x in old if random() >= 0.8]   # 80% die\nyoung = [make() for _ in range(100_000)]\ndel old",
  estimateSteps: (scale) => scaled(OLD, scale) * 2 + scaled(YOUNG, scale),
  run(heap, { scale, seed }) {
    const random = mulberry32(seed);
    const size = () => SIZES[Math.floor(random() * SIZES.length)]!;
    const old: [number, number][] = [];
    for (let i = 0; i < scaled(OLD, scale); i++) {
      const n = size();
      old.push([heap.malloc(n), n]);
    }
    heap.phase(`${count(old.length)} old objects`);
    const survivors = old.filter(([p, n]) => (random() < 0.8 ? (heap.free(p, n), false) : true));
    heap.phase(`80% of them freed at random`);
    for (let i = 0; i < scaled(YOUNG, scale); i++) heap.malloc(size());
    heap.phase(`${count(scaled(YOUNG, scale))} young objects`);
    for (const [p, n] of survivors) heap.free(p, n);
    const end = heap.phase("the old survivors freed");
    return {
      lines: [
        `${count(survivors.length)} old survivors; at the end ${humanBytes(end.mappedBytes)} mapped in ${end.arenas} arenas for ${humanBytes(end.requested.current)} live`,
      ],
      figures: { survivors: survivors.length, mappedEnd: end.mappedBytes, arenasEnd: end.arenas },
    };
  },
};
