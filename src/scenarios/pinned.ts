/**
 * Why RSS stays high: a million small objects, then all but every 1000th freed. Each survivor
 * keeps its pool used and so its arena mapped (an arena is released only when wholly empty,
 * spec/policy.md §2.6), so 99.9% of the blocks are freed and almost nothing is unmapped.
 * Only the int objects are modelled; the two lists' pointer arrays are left out (list-of-ints
 * models one).
 */
import { count, humanBytes } from "../core/format.ts";
import { INT_OBJECT_SIZE } from "./cpython-objects.ts";
import { scaled, type Scenario } from "./scenario.ts";

const OBJECTS = 1_000_000;
const KEEP_EVERY = 1000;

export const pinned: Scenario = {
  name: "pinned",
  summary: "a million small objects, all but every 1000th freed: the arenas stay mapped",
  python:
    "objs = [1_000_000 + i for i in range(1_000_000)]   # a million 28-byte ints\nkept = objs[::1000]                                 # every 1000th\ndel objs",
  estimateSteps: (scale) => 2 * scaled(OBJECTS, scale),
  run(heap, { scale }) {
    const n = scaled(OBJECTS, scale);
    const blocks: number[] = [];
    for (let i = 0; i < n; i++) blocks.push(heap.malloc(INT_OBJECT_SIZE));
    const full = heap.phase(`${count(n)} objects of ${INT_OBJECT_SIZE} bytes`);
    let kept = 0;
    for (let i = 0; i < n; i++) {
      if (i % KEEP_EVERY === 0) kept++;
      else heap.free(blocks[i]!, INT_OBJECT_SIZE);
    }
    const after = heap.phase(`all but every ${KEEP_EVERY}th freed`);
    const freedShare = (n - kept) / n;
    return {
      lines: [
        `freed ${count(n - kept)} of ${count(n)} blocks (${(freedShare * 100).toFixed(1)}%); ${count(kept)} stay live, ${humanBytes(after.requested.current)} requested`,
        `mapped: ${humanBytes(full.mappedBytes)} in ${full.arenas} arenas before the frees, ${humanBytes(after.mappedBytes)} in ${after.arenas} after: ${((after.mappedBytes / full.mappedBytes) * 100).toFixed(1)}% still mapped`,
      ],
      figures: {
        objects: n,
        kept,
        freedShare,
        mappedFull: full.mappedBytes,
        mappedAfter: after.mappedBytes,
        arenasFull: full.arenas,
        arenasAfter: after.arenas,
      },
    };
  },
};
