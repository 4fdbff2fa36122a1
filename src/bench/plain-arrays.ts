/**
 * The "plain Uint8Array" contender: what a JavaScript program does instead of an allocator. A
 * block is `new Uint8Array(n)`; freeing it is dropping the reference, and the garbage collector
 * reclaims the memory when it runs. The loops mirror churn.ts and patterns.ts one for one.
 *
 * The two patterns that free a million blocks at once (all, or all but every 1000th) end their
 * timed run with a full `gc()` (node --expose-gc): without it "free" would cost a store per
 * block and the reclaiming would land in whatever is timed next. Churn and the growing lists
 * need none: their garbage is collected by the young-generation GC while they run.
 */
import type { RandomStreams } from "./random-streams.ts";

declare const gc: (() => void) | undefined;

/** A full collection, where node runs with --expose-gc (the benchmark's child processes do). */
export function collectGarbage(): void {
  if (typeof gc === "function") gc();
}

export class PlainChurn {
  readonly live: (Uint8Array | undefined)[];
  private readonly streams: RandomStreams;
  private cursor = 0;

  constructor(liveBlocks: number, streams: RandomStreams) {
    this.streams = streams;
    this.live = new Array<Uint8Array | undefined>(liveBlocks).fill(undefined);
  }

  fill(): void {
    const { live } = this;
    const { sizes, mask } = this.streams;
    for (let i = 0; i < live.length; i++) live[i] = new Uint8Array(sizes[this.cursor++ & mask]!);
  }

  /** `steps` × (drop a random live array, make a new one in its place). */
  steps(steps: number): void {
    const { live } = this;
    const { sizes, picks, mask } = this.streams;
    let c = this.cursor;
    for (let s = 0; s < steps; s++) {
      live[picks[c & mask]!] = new Uint8Array(sizes[c & mask]!);
      c++;
    }
    this.cursor = c;
  }
}

export function plainAllocateThenFreeAll(blocks: (Uint8Array | undefined)[], size: number): number {
  const n = blocks.length;
  for (let i = 0; i < n; i++) blocks[i] = new Uint8Array(size);
  for (let i = n - 1; i >= 0; i--) blocks[i] = undefined;
  collectGarbage();
  return 2 * n;
}

export function plainAllocateThenPin(
  blocks: (Uint8Array | undefined)[],
  size: number,
  keepEvery: number,
): number {
  const n = blocks.length;
  for (let i = 0; i < n; i++) blocks[i] = new Uint8Array(size);
  let calls = n;
  for (let i = 0, k = 0; i < n; i++, k = k + 1 === keepEvery ? 0 : k + 1) {
    if (k !== 0) {
      blocks[i] = undefined;
      calls++;
    }
  }
  collectGarbage();
  return calls;
}

/** A growing array: a new, larger Uint8Array and a copy of the old one, per resize. */
export function plainGrowList(sizes: Int32Array): number {
  let array = new Uint8Array(sizes[0]!);
  for (let i = 1; i < sizes.length; i++) {
    const bigger = new Uint8Array(sizes[i]!);
    bigger.set(array);
    array = bigger;
  }
  grown = array; // dropped at the next run, as the allocators free theirs
  return sizes.length + 1;
}

/** The last array `plainGrowList` grew (so the engine cannot drop the work). */
export let grown: Uint8Array | undefined;

export function plainGrowLists(arrays: (Uint8Array | undefined)[], sizes: Int32Array): number {
  const n = arrays.length;
  for (let j = 0; j < n; j++) arrays[j] = new Uint8Array(sizes[0]!);
  for (let i = 1; i < sizes.length; i++) {
    const size = sizes[i]!;
    for (let j = 0; j < n; j++) {
      const bigger = new Uint8Array(size);
      bigger.set(arrays[j]!);
      arrays[j] = bigger;
    }
  }
  for (let j = 0; j < n; j++) arrays[j] = undefined;
  return n * (sizes.length + 1);
}
