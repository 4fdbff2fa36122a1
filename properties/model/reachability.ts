/**
 * Reachability: which of the states the invariants are about a run actually reached. A property
 * whose runs never fill a pool, release an arena or run out of memory checks nothing about them,
 * so every property states how often its runs must reach each state (properties.ts) and fails
 * when they are too rare.
 */
import type { AddressSpaceEvent } from "../../src/core/address-space.ts";
import type { Geometry } from "../../src/core/geometry.ts";
import type { ShadowBlock, ShadowHeap } from "./shadow-heap.ts";

/** The states counted. */
export const REACHABLE_STATES = [
  "full pool",
  "arena released",
  "empty arena kept",
  "arena limit",
  "out of memory",
  "raw block",
  "realloc in place",
  "realloc moved",
  "misuse double-free",
  "misuse use-after-free",
  "misuse interior",
  "misuse header",
  "misuse released-arena",
  "misuse unknown",
  "misuse bad-size",
] as const;

export type ReachableState = (typeof REACHABLE_STATES)[number];

export class Reachability {
  readonly counts = new Map<string, number>();

  count(state: ReachableState): void {
    this.counts.set(state, (this.counts.get(state) ?? 0) + 1);
  }

  reached(state: ReachableState): boolean {
    return (this.counts.get(state) ?? 0) > 0;
  }

  allocated(shadow: ShadowHeap, block: ShadowBlock): void {
    if (block.raw) {
      this.count("raw block");
      return;
    }
    const pool = shadow.pool(block.pool);
    const g = shadow.geometry!;
    if (pool !== undefined && pool.live === g.blocksPerPool[block.sizeClass])
      this.count("full pool");
  }

  freed(shadow: ShadowHeap, block: ShadowBlock, events: readonly AddressSpaceEvent[]): void {
    if (block.raw || shadow.pool(block.pool) !== undefined) return;
    // The block's pool became empty: did its arena become wholly empty and stay mapped?
    for (const arena of shadow.arenas.values()) {
      if (
        arena.usedPools === 0 &&
        block.pool >= arena.start &&
        block.pool < arena.start + shadow.geometry!.arenaSize
      ) {
        if (!events.some((e) => e.kind === "unmap-arena" && e.address === arena.start))
          this.count("empty arena kept");
      }
    }
  }

  outOfMemory(): void {
    this.count("out of memory");
  }

  arenaMapped(shadow: ShadowHeap, geometry: Geometry | undefined): void {
    if (geometry !== undefined && shadow.arenas.size === geometry.maxArenas)
      this.count("arena limit");
  }
}

/** Reachability summed over the runs of a property: in how many runs each state was reached. */
export class ReachabilityTally {
  runs = 0;
  readonly runsReaching = new Map<string, number>();
  readonly totals = new Map<string, number>();

  add(run: Reachability): void {
    this.runs++;
    for (const [state, n] of run.counts) {
      this.runsReaching.set(state, (this.runsReaching.get(state) ?? 0) + 1);
      this.totals.set(state, (this.totals.get(state) ?? 0) + n);
    }
  }

  /** Fraction of runs that reached `state`. */
  fraction(state: string): number {
    return this.runs === 0 ? 0 : (this.runsReaching.get(state) ?? 0) / this.runs;
  }
}
