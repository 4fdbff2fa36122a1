/**
 * The simulated address space: the "OS" under every allocator (spec/model.md §2).
 *
 *   address 0 ......... never mapped (0 is never a valid block address)
 *   arenaBase + s·stride  arena slot s, s = 0 … maxArenas-1, each followed by unmapped guard space
 *      ┌────────┬──────────────────────── arenaSize ───────────────────────┐
 *      │ excess │ (pool-aligned pools …)                                   │ guard … │ next slot
 *      └────────┴──────────────────────────────────────────────────────────┘
 *   rawBase ........... the raw region: size-0 and > T requests, bump-allocated, never reused
 *
 * - Arenas are mapped at the lowest free slot, so two allocators that make the same requests get
 *   the same addresses: the precondition of address-for-address equivalence (invariant 11).
 * - Every arena has its own ArrayBuffer, raw blocks a slab slot or their own (raw-slabs.ts);
 *   unmapping gives the memory back, so the JavaScript engine can really take it, and block
 *   contents can be written and read (invariant 8).
 * - The event log (event-log.ts) records every map and unmap (address, size), a window of the
 *   last events; mapped bytes are the model RSS.
 * - The records are bounded by what is live plus constants (spec/model.md §2): a freed raw
 *   start is known among the last RAW_STARTS_REMEMBERED mapped (recent-raw-starts.ts), the log
 *   holds the last EVENT_WINDOW events.
 */
import { constants as bufferConstants } from "node:buffer";
import { hex } from "./errors.ts";
import { arenaStride, type Geometry } from "./geometry.ts";
import { LevelBitset } from "./bits/level-bitset.ts";
import { EventLog, eventCode, type AddressSpaceEvent } from "./event-log.ts";
import { LiveRawBlocks, type RawBlockEntry } from "./live-raw-blocks.ts";
import { RecentRawStarts } from "./recent-raw-starts.ts";

export {
  EVENT_WINDOW,
  EventLogError,
  type AddressSpaceEvent,
  type AddressSpaceEventKind,
  type EventLogErrorCode,
} from "./event-log.ts";
export { RAW_STARTS_REMEMBERED } from "./recent-raw-starts.ts";

/**
 * The largest mapping the host can back: one ArrayBuffer holds at most this many bytes (2^32 on
 * Node 20). The OS refuses a raw block above it as it would an mmap it cannot back: out of
 * memory (spec/model.md §2), never a RangeError.
 */
export const MAX_MAPPING_BYTES: number = bufferConstants.MAX_LENGTH;

/** The code the log stores for each kind (event-log.ts). */
const MAP_ARENA = eventCode("map-arena");
const UNMAP_ARENA = eventCode("unmap-arena");
const MAP_RAW = eventCode("map-raw");
const UNMAP_RAW = eventCode("unmap-raw");

export interface MappedBytes {
  readonly current: number;
  readonly peak: number;
}

export class AddressSpace {
  readonly geometry: Geometry;
  /** Distance between arena slots (a power of two >= arenaSize + poolSize). */
  readonly stride: number;
  /** Address of arena slot 0's slot start (pool-aligned). */
  readonly arenaRegionBase: number;
  /** First address of the raw region. */
  readonly rawBase: number;
  /** Offset of the first usable pool from a slot start: poolSize when arenas are misaligned. */
  readonly firstPoolOffset: number;

  private readonly freeSlots: LevelBitset;
  /**
   * Per slot: the arena's memory; null while mapped and never viewed (made, zero-filled, by the
   * first view: most arenas the oracle maps are never read or written, and zeroing each one on
   * map was a share of its time, reports/bench.md §The oracle); undefined while unmapped.
   */
  private readonly arenaMemory: (Uint8Array | null | undefined)[] = [];
  private readonly raw = new LiveRawBlocks();
  private readonly rawStarts = new RecentRawStarts();
  private rawNext: number;
  private rawBytes = 0;

  private arenasMappedNow = 0;
  private arenasMappedTotal = 0;
  private arenasHighwater = 0;
  private mappedNow = 0;
  private mappedPeak = 0;

  private readonly log = new EventLog();

  constructor(geometry: Geometry) {
    this.geometry = geometry;
    this.stride = arenaStride(geometry.arenaSize, geometry.poolSize);
    this.arenaRegionBase = this.stride;
    this.firstPoolOffset = geometry.arenaExcess === 0 ? 0 : geometry.poolSize;
    this.rawBase = this.arenaRegionBase + (geometry.maxArenas + 1) * this.stride;
    this.rawNext = this.rawBase;
    this.freeSlots = new LevelBitset(geometry.maxArenas, geometry.maxArenas);
  }

  // ── arenas ──────────────────────────────────────────────────────────────────────────────

  /** Maps an arena at the lowest free slot; returns the slot, or -1 at the arena limit. */
  mapArena(): number {
    const slot = this.freeSlots.first();
    if (slot === -1) return -1;
    this.freeSlots.delete(slot);
    this.arenaMemory[slot] = null;
    this.arenasMappedNow++;
    this.arenasMappedTotal++;
    this.arenasHighwater = Math.max(this.arenasHighwater, this.arenasMappedNow);
    this.addMapped(this.geometry.arenaSize);
    this.log.add(MAP_ARENA, this.arenaStart(slot), this.geometry.arenaSize);
    return slot;
  }

  /** Unmaps the arena in `slot` and drops its memory. */
  unmapArena(slot: number): void {
    /* v8 ignore next -- @preserve unreachable through the public API: an allocator unmaps only an arena it mapped and still holds; an internal-error guard */
    if (!this.isArenaMapped(slot)) throw new Error(`unmapArena: slot ${slot} is not mapped`);
    this.arenaMemory[slot] = undefined;
    this.freeSlots.add(slot);
    this.arenasMappedNow--;
    this.addMapped(-this.geometry.arenaSize);
    this.log.add(UNMAP_ARENA, this.arenaStart(slot), this.geometry.arenaSize);
  }

  isArenaMapped(slot: number): boolean {
    return this.arenaMemory[slot] !== undefined;
  }

  /** The first byte of the arena mapping in `slot` (past the excess when misaligned). */
  arenaStart(slot: number): number {
    return this.arenaRegionBase + slot * this.stride + this.geometry.arenaExcess;
  }

  /** Address of usable pool `index` (0 … poolsPerArena-1) of the arena in `slot`. */
  poolAddress(slot: number, index: number): number {
    return (
      this.arenaRegionBase +
      slot * this.stride +
      this.firstPoolOffset +
      index * this.geometry.poolSize
    );
  }

  /**
   * The arena slot whose pool area contains `address`, or -1: pure arithmetic, mapped or not.
   * Together with `poolIndexIn` this is how a pointer finds its pool (CPython's POOL_ADDR).
   */
  slotOf(address: number): number {
    const rel = address - this.arenaRegionBase;
    if (!(rel >= 0) || address >= this.rawBase) return -1;
    const slot = Math.floor(rel / this.stride);
    const inSlot = rel - slot * this.stride - this.firstPoolOffset;
    return inSlot >= 0 && inSlot < this.geometry.poolsPerArena * this.geometry.poolSize ? slot : -1;
  }

  /** The usable-pool index of `address` within `slot` (call after slotOf(address) === slot). */
  poolIndexIn(slot: number, address: number): number {
    return Math.floor(
      (address - this.arenaRegionBase - slot * this.stride - this.firstPoolOffset) /
        this.geometry.poolSize,
    );
  }

  get arenas(): {
    readonly current: number;
    readonly allocatedTotal: number;
    readonly highwater: number;
  } {
    return {
      current: this.arenasMappedNow,
      allocatedTotal: this.arenasMappedTotal,
      highwater: this.arenasHighwater,
    };
  }

  /** Mapped arena slots in ascending (= address) order. */
  *mappedSlots(): IterableIterator<number> {
    for (let slot = 0; slot < this.arenaMemory.length; slot++)
      if (this.arenaMemory[slot] !== undefined) yield slot;
  }

  // ── the raw region ──────────────────────────────────────────────────────────────────────

  /**
   * Maps a raw block of max(n, 1) bytes at a fresh address (PyMem_RawMalloc(0) is malloc(1)).
   * Returns -1 when the live raw bytes would exceed `geometry.rawLimit`, or the block
   * MAX_MAPPING_BYTES (out of memory).
   */
  mapRaw(n: number): number {
    const size = Math.max(n, 1);
    if (this.rawBytes + size > this.geometry.rawLimit || size > MAX_MAPPING_BYTES) return -1;
    const address = this.rawNext;
    const A = this.geometry.alignment;
    // Never reused: the next raw block starts past this one and a guard of one alignment unit.
    this.rawNext += Math.ceil(size / A) * A + A;
    this.raw.add(address, size, n);
    this.rawStarts.add(address);
    this.rawBytes += size;
    this.addMapped(size);
    this.log.add(MAP_RAW, address, size);
    return address;
  }

  unmapRaw(address: number): void {
    const size = this.raw.remove(address);
    /* v8 ignore next -- @preserve unreachable through the public API: free and realloc unmap a raw block only after finding it live (rawSize/rawRequested); an internal-error guard */
    if (size === -1) throw new Error(`unmapRaw: ${hex(address)} is not a live raw block`);
    this.rawBytes -= size;
    this.addMapped(-size);
    this.log.add(UNMAP_RAW, address, size);
  }

  /** Size of the live raw block starting at `address`, or -1. */
  rawSize(address: number): number {
    return this.raw.size(address);
  }

  /** The n that `mapRaw(n)` was asked for (0 for a size-0 request), or -1. */
  rawRequested(address: number): number {
    return this.raw.requested(address);
  }

  /**
   * Whether `address` started a raw block that has been unmapped, among the last
   * RAW_STARTS_REMEMBERED raw blocks mapped (raw addresses are never reused; spec/model.md §2
   * "Freed raw blocks").
   */
  wasRawFreed(address: number): boolean {
    return this.rawStarts.has(address) && this.raw.size(address) === -1;
  }

  /** Live raw blocks in address order. */
  rawBlocks(): RawBlockEntry[] {
    return this.raw.entries();
  }

  get liveRawBlocks(): number {
    return this.raw.count;
  }

  /** Bytes of the raw blocks' slabs, live slots and free (spec/model.md §2 "Memory"). */
  /* v8 ignore next -- @preserve instrumentation: read by the soak benchmark (src/bench/soak.ts) and bounded-records.test.ts, not by the properties (spec/coverage.md) */
  get rawSlabBytes(): number {
    return this.raw.slabBytes;
  }

  // ── memory ──────────────────────────────────────────────────────────────────────────────

  /** A live view of `length` bytes at `address`, which must lie inside one mapping. */
  /** Copies `length` bytes from one mapping to another (realloc's move: invariant 8). */
  copy(from: number, to: number, length: number): void {
    this.view(to, length).set(this.view(from, length));
  }

  view(address: number, length: number): Uint8Array {
    // The raw region lies above the arenas': an arena block's view does not search the raw table.
    const raw = address >= this.rawBase ? this.raw.view(address, length) : undefined;
    if (raw !== undefined) return raw;
    const slot = Math.floor((address - this.arenaRegionBase) / this.stride);
    let memory = this.arenaMemory[slot]; // undefined for a slot below 0 (or NaN) as well
    if (memory === null) memory = this.arenaMemory[slot] = new Uint8Array(this.geometry.arenaSize);
    const offset = address - this.arenaStart(slot);
    /* v8 ignore next -- @preserve unreachable through the public API: bytes() and realloc's copy view only a block they found live; covered by properties/tests/foundation-address-space.test.ts */
    if (memory === undefined || offset < 0 || offset + length > memory.length)
      throw new RangeError(`view: ${hex(address)}+${length} is not inside one mapping`);
    return memory.subarray(offset, offset + length);
  }

  // ── accounting and the event log ────────────────────────────────────────────────────────

  get mappedBytes(): MappedBytes {
    return { current: this.mappedNow, peak: this.mappedPeak };
  }

  /** Events logged since the space was made: the position after the newest. */
  get eventsLogged(): number {
    return this.log.logged;
  }

  /** Events dropped from the window (spec/model.md §2): the position of the oldest kept. */
  /* v8 ignore next -- @preserve instrumentation: read by the soak benchmark (src/bench/soak.ts) and bounded-records.test.ts, not by the properties (spec/coverage.md) */
  get eventsTrimmed(): number {
    return this.log.trimmed;
  }

  /**
   * The map/unmap log from position `from` (default: the oldest kept), oldest first; throws
   * EventLogError `events-trimmed` for a position the window has dropped.
   */
  events(from?: number): AddressSpaceEvent[] {
    return this.log.events(from);
  }

  private addMapped(delta: number): void {
    this.mappedNow += delta;
    if (this.mappedNow > this.mappedPeak) this.mappedPeak = this.mappedNow;
  }
}
