/**
 * The churn workload: a steady live set of L blocks; each step frees a random live block and
 * mallocs a new one of a random size in its slot. Every loop here is timed by the caller, so
 * none allocates or calls through a closure; `cursor` walks the random streams.
 *
 * Each function should see one heap class while it is measured, so its calls stay monomorphic:
 * `npm run bench` runs each contender in its own process; `bench:quick` measures the bitmap
 * allocator before the reference touches these call sites.
 */
import type { Allocator } from "../core/allocator.ts";
import type { RandomStreams } from "./random-streams.ts";

/** What the workloads need of a heap whose blocks are numbers (every contender but plain arrays). */
export interface NumericHeap {
  malloc(n: number): number | null;
  free(p: number): void;
  realloc(p: number, n: number): number | null;
}

export class Churn<H extends NumericHeap = Allocator> {
  readonly allocator: H;
  readonly live: Float64Array;
  private readonly streams: RandomStreams;
  private cursor = 0;

  constructor(allocator: H, liveBlocks: number, streams: RandomStreams) {
    this.allocator = allocator;
    this.streams = streams;
    this.live = new Float64Array(liveBlocks);
  }

  /** Mallocs the live set. */
  fill(): void {
    const { allocator: a, live } = this;
    const { sizes, mask } = this.streams;
    for (let i = 0; i < live.length; i++) {
      const p = a.malloc(sizes[this.cursor++ & mask]!);
      if (!p) throw new Error("benchmark: out of memory while filling");
      live[i] = p;
    }
  }

  /** `steps` × (free a random live block, malloc a new one in its slot). */
  steps(steps: number): void {
    const { allocator: a, live } = this;
    const { sizes, picks, mask } = this.streams;
    let c = this.cursor;
    for (let s = 0; s < steps; s++) {
      const i = picks[c & mask]!;
      a.free(live[i]!);
      live[i] = a.malloc(sizes[c & mask]!)!;
      c++;
    }
    this.cursor = c;
  }

  /** Frees the `count` live blocks in slots start, start+1, … (wrapping). */
  freeRun(start: number, count: number): void {
    const { allocator: a, live } = this;
    const n = live.length;
    for (let j = 0, i = start; j < count; j++, i = i + 1 === n ? 0 : i + 1) a.free(live[i]!);
  }

  /** Mallocs new blocks into the slots freed by `freeRun(start, count)`. */
  mallocRun(start: number, count: number): void {
    const { allocator: a, live } = this;
    const { sizes, mask } = this.streams;
    const n = live.length;
    let c = this.cursor;
    for (let j = 0, i = start; j < count; j++, i = i + 1 === n ? 0 : i + 1)
      live[i] = a.malloc(sizes[c++ & mask]!)!;
    this.cursor = c;
  }

  /** A random start slot for freeRun/mallocRun. */
  randomSlot(): number {
    return this.streams.picks[this.cursor++ & this.streams.mask]!;
  }

  /** `steps` × realloc a random live block to a random small size (in place or moved). */
  reallocs(steps: number): void {
    const { allocator: a, live } = this;
    const { sizes, picks, mask } = this.streams;
    let c = this.cursor;
    for (let s = 0; s < steps; s++) {
      const i = picks[c & mask]!;
      live[i] = a.realloc(live[i]!, sizes[c & mask]!)!;
      c++;
    }
    this.cursor = c;
  }

  /** `steps` × usableSize of a random live block; returns a checksum so the calls stay live. */
  usableSizes(this: Churn<Allocator>, steps: number): number {
    const { allocator: a, live } = this;
    const { picks, mask } = this.streams;
    let c = this.cursor;
    let sum = 0;
    for (let s = 0; s < steps; s++) sum += a.usableSize(live[picks[c++ & mask]!]!);
    this.cursor = c;
    return sum;
  }
}
