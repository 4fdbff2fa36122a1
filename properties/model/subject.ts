/**
 * What the property library can drive: any allocator with `malloc` and `free`, and whatever else
 * of allocheck's interface it has. Each invariant says which members it needs
 * (inapplicableReason, invariants/invariant.ts), so an outside allocator goes through every
 * property that applies to it, and is told which members the others need.
 */
import type { AddressSpaceView, HeapSnapshot, Stats } from "../../src/core/allocator.ts";
import type { Geometry } from "../../src/core/geometry.ts";

export interface Subject {
  readonly kind: string;
  malloc(n: number): number | null;
  free(p: number | null): void;
  realloc?(p: number | null, n: number): number | null;
  usableSize?(p: number): number;
  /** A live view of the block's bytes; needed for payload integrity (invariant 8). */
  bytes?(p: number): Uint8Array;
  stats?(): Stats;
  snapshot?(): HeapSnapshot;
  check?(): void;
  /** The simulated OS's log; needed for containment, release and accounting (invariants 2, 6, 7). */
  readonly addressSpace?: AddressSpaceView;
  /** A pymalloc-style geometry the allocator claims to follow (invariants 2–7, 10). */
  readonly geometry?: Geometry;
  /**
   * For a general allocator (no geometry): the region it manages, so that containment and out of
   * memory can be judged (invariants 2, 3, 10).
   */
  readonly region?: Region;
}

/**
 * A general allocator's heap: [start, end) of one buffer, with per-block overhead. A heap that
 * grows (a WebAssembly memory) reads `end` as it is now, and gives `limit`, the end it may grow to.
 */
export interface Region {
  /** The first byte a block's header may occupy. */
  readonly start: number;
  /** One past the last byte a block may occupy now (invariant 2). */
  readonly end: number;
  /** One past the last byte the region may grow to; default `end` (invariant 10). */
  readonly limit?: number;
  /** Every address is a multiple of this, and no request needs more (invariant 10's rounding). */
  readonly alignment: number;
  /**
   * The alignment a request of n bytes is owed, when it depends on n (C's malloc rule,
   * spec/wasm.md §2); default `alignment` for every n (invariant 3).
   */
  alignmentFor?(n: number): number;
  /** Bytes of header each block carries just below its address. */
  readonly blockOverhead: number;
}

/** Creates a fresh subject for one run. `geometry` is the run's generated geometry. */
export type SubjectFactory = (geometry: Geometry) => Subject;
