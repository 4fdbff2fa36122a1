/**
 * The one interface every allocator in allocheck implements (spec/model.md §5), and the shapes of
 * what it reports: `Stats` (spec/stats.md) and `HeapSnapshot` (a canonical, comparable picture
 * of every arena, pool and live block; invariant 11 compares two of them).
 */
import type { AddressSpaceEvent, MappedBytes } from "./address-space.ts";
import type { Geometry } from "./geometry.ts";

export interface Allocator {
  /** "reference", "bitmap", or the name of an outside allocator's adapter. */
  readonly kind: string;
  readonly geometry: Geometry;
  /** The simulated OS under this allocator: its event log and mapped bytes. */
  readonly addressSpace: AddressSpaceView;

  /** A block of at least n bytes; null when out of memory (and nothing changed). */
  malloc(n: number): number | null;
  /** Frees a live block; `null` does nothing, like free(NULL). */
  free(p: number | null): void;
  /** CPython's realloc (spec/policy.md §4); null when out of memory, and the old block is untouched. */
  realloc(p: number | null, n: number): number | null;
  /** Usable bytes of a live block: its class size, or a raw block's mapped size. */
  usableSize(p: number): number;
  /** A live view of the block's usable bytes. */
  bytes(p: number): Uint8Array;
  stats(): Stats;
  snapshot(): HeapSnapshot;
  /** Validates the allocator's own structures; throws IntegrityError (invariant 12). */
  check(): void;
}

/** What the outside may read of an AddressSpace. */
export interface AddressSpaceView {
  readonly mappedBytes: MappedBytes;
  /** Events logged since the space was made: the position after the newest. */
  readonly eventsLogged: number;
  /**
   * The events from position `from` on, oldest first. The log is a window over the last events
   * (spec/model.md §2 "Event log"): a position it has dropped throws `events-trimmed`, so a
   * consumer keeps its own position and reads often.
   */
  events(from?: number): AddressSpaceEvent[];
}

export interface ClassStats {
  /** Size-class index c. */
  readonly index: number;
  /** Class size (c + 1) · A. */
  readonly size: number;
  /** Pools of this class holding at least one live block. */
  readonly pools: number;
  readonly blocksInUse: number;
  /** pools · blocksPerPool(c) − blocksInUse (never-used blocks included, as in CPython). */
  readonly availBlocks: number;
}

export interface Stats {
  /** The geometry numbers `formatDebugMallocStats` prints. */
  readonly layout: {
    readonly smallThreshold: number;
    readonly sizeClasses: number;
    readonly poolSize: number;
    readonly arenaSize: number;
  };
  /** tracemalloc's traced memory: the sum of the sizes asked for by live blocks, and its peak. */
  readonly requested: { readonly current: number; readonly peak: number };
  /** Live blocks: served from pools, and from the raw region. */
  readonly blocks: { readonly small: number; readonly raw: number };
  readonly arenas: {
    readonly current: number;
    readonly allocatedTotal: number;
    readonly reclaimed: number;
    readonly highwater: number;
  };
  /** The model RSS: mapped arena bytes plus live raw bytes. */
  readonly mappedBytes: MappedBytes;
  /** Classes with at least one used pool, ascending. */
  readonly classes: readonly ClassStats[];
  /** CPython's byte accounting; the six lines add up to arenas.current · arenaSize. */
  readonly bytes: {
    readonly inAllocatedBlocks: number;
    readonly inAvailableBlocks: number;
    readonly unusedPools: number;
    readonly poolHeaders: number;
    readonly quantization: number;
    readonly arenaAlignment: number;
  };
}

/** [block address, requested size]. */
export type BlockEntry = readonly [address: number, requested: number];

export interface PoolSnapshot {
  /** Usable-pool index within the arena. */
  readonly index: number;
  readonly address: number;
  readonly sizeClass: number;
  /** Live blocks, ascending. */
  readonly blocks: readonly BlockEntry[];
}

export interface ArenaSnapshot {
  readonly slot: number;
  /** First byte of the mapping. */
  readonly address: number;
  /** Pools holding at least one live block, ascending; every other pool is empty. */
  readonly pools: readonly PoolSnapshot[];
}

export interface RawSnapshot {
  readonly address: number;
  /** Mapped size: max(requested, 1). */
  readonly size: number;
  readonly requested: number;
}

export interface HeapSnapshot {
  /** Mapped arenas, ascending. */
  readonly arenas: readonly ArenaSnapshot[];
  /** Live raw blocks, ascending. */
  readonly raw: readonly RawSnapshot[];
}
