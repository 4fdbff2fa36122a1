/**
 * The heap a scenario runs on: an allocator plus what the pictures and the printout need.
 * - Every call is one step; `phase(label)` marks a point the printout reports (mapped bytes,
 *   arenas, tracemalloc's current and peak from `stats()`, spec/stats.md §1).
 * - A time series of mapped bytes (the model RSS, spec/model.md §2) and live requested bytes
 *   (tracemalloc's current): one point per `bucket` steps, each the **highest** value seen in
 *   its bucket, so a spike between two points is never lost. A phase closes its bucket early and,
 *   when the state there is below the bucket's highest, adds the exact state at the same step, so
 *   the lines end where the heap is.
 * The recorder counts live requested bytes itself (callers pass the size they free) and checks
 * the count against `stats().requested.current` at every phase.
 */
import type { Allocator } from "../core/allocator.ts";

export interface Phase {
  readonly label: string;
  /** Steps (allocator calls) before this point. */
  readonly step: number;
  readonly mappedBytes: number;
  readonly arenas: number;
  /** Live blocks, small and raw. */
  readonly blocks: number;
  /** tracemalloc.get_traced_memory(): (current, peak). */
  readonly requested: { readonly current: number; readonly peak: number };
}

export interface SeriesPoint {
  readonly step: number;
  /** The most mapped bytes after any step of the bucket that ends at `step` (at a phase: exact). */
  readonly mapped: number;
  /** The most live requested bytes after any step of that bucket. */
  readonly live: number;
}

export class Recorder {
  readonly allocator: Allocator;
  /** Steps per time-series point. */
  readonly bucket: number;
  readonly phases: Phase[] = [];
  readonly series: SeriesPoint[] = [];
  #steps = 0;
  #live = 0;
  #mapped: number;
  #eventsSeen: number;
  #bucketMapped = 0;
  #bucketLive = 0;
  #bucketStart = 0;

  constructor(allocator: Allocator, bucket: number) {
    this.allocator = allocator;
    this.bucket = Math.max(1, Math.floor(bucket));
    this.#mapped = allocator.addressSpace.mappedBytes.current;
    this.#eventsSeen = allocator.addressSpace.eventsLogged;
    this.#live = allocator.stats().requested.current;
    this.series.push({ step: 0, mapped: this.#mapped, live: this.#live });
  }

  get steps(): number {
    return this.#steps;
  }

  /** A block of n bytes; a scenario that runs out of simulated memory stops with an error. */
  malloc(n: number): number {
    const p = this.allocator.malloc(n);
    if (p === null) throw new ScenarioOutOfMemory(n, this.allocator);
    this.#live += n;
    this.#after();
    return p;
  }

  /** Frees p, which was asked for with n bytes. */
  free(p: number, n: number): void {
    this.allocator.free(p);
    this.#live -= n;
    this.#after();
  }

  /** realloc(p, n) of a block asked for with `old` bytes (p null: a malloc, old 0). */
  realloc(p: number | null, old: number, n: number): number {
    const q = this.allocator.realloc(p, n);
    if (q === null) throw new ScenarioOutOfMemory(n, this.allocator);
    this.#live += n - old;
    this.#after();
    return q;
  }

  /** Marks a point of the scenario: closes the current series bucket and records the phase. */
  phase(label: string): Phase {
    this.#closeBucket();
    const last = this.series[this.series.length - 1]!;
    if (last.mapped !== this.#mapped || last.live !== this.#live)
      this.series.push({ step: this.#steps, mapped: this.#mapped, live: this.#live });
    const stats = this.allocator.stats();
    if (stats.requested.current !== this.#live) {
      throw new Error(
        `scenario bookkeeping: ${this.#live} live requested bytes counted, the allocator's stats() says ${stats.requested.current}`,
      );
    }
    const phase: Phase = {
      label,
      step: this.#steps,
      mappedBytes: stats.mappedBytes.current,
      arenas: stats.arenas.current,
      blocks: stats.blocks.small + stats.blocks.raw,
      requested: { current: stats.requested.current, peak: stats.requested.peak },
    };
    this.phases.push(phase);
    return phase;
  }

  #after(): void {
    this.#steps++;
    const space = this.allocator.addressSpace;
    // Mapped bytes change only with a map or unmap event; reading the log length is cheap.
    if (space.eventsLogged !== this.#eventsSeen) {
      this.#eventsSeen = space.eventsLogged;
      this.#mapped = space.mappedBytes.current;
    }
    if (this.#mapped > this.#bucketMapped) this.#bucketMapped = this.#mapped;
    if (this.#live > this.#bucketLive) this.#bucketLive = this.#live;
    if (this.#steps - this.#bucketStart >= this.bucket) this.#closeBucket();
  }

  #closeBucket(): void {
    if (this.#steps === this.#bucketStart) return;
    this.series.push({ step: this.#steps, mapped: this.#bucketMapped, live: this.#bucketLive });
    this.#bucketStart = this.#steps;
    this.#bucketMapped = 0;
    this.#bucketLive = 0;
  }
}

export class ScenarioOutOfMemory extends Error {
  override readonly name = "ScenarioOutOfMemory";
  constructor(n: number, allocator: Allocator) {
    super(
      `out of simulated memory asking for ${n} bytes on ${allocator.geometry.name} (${allocator.addressSpace.mappedBytes.current} bytes mapped)`,
    );
  }
}
