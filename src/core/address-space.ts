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
 * - The records are bounded by what is live plus constants (spec/model.md §2): the freed raw
 *   starts are the last RAW_FREES_REMEMBERED (recent-addresses.ts), the log the last EVENT_WINDOW.
 */
import { constants as bufferConstants } from "node:buffer";
import { hex } from "./errors.ts";
import { arenaStride, type Geometry } from "./geometry.ts";
import { LevelBitset } from "./bits/level-bitset.ts";
import { EventLog, eventCode, type AddressSpaceEvent } from "./event-log.ts";
import { RawSlabs, type RawBacking } from "./raw-slabs.ts";
import { RecentAddresses } from "./recent-addresses.ts";

export {
  EVENT_WINDOW,
  EventLogError,
  type AddressSpaceEvent,
  type AddressSpaceEventKind,
  type EventLogErrorCode,
} from "./event-log.ts";
export { RAW_FREES_REMEMBERED } from "./recent-addresses.ts";

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

/** A live raw block: where its bytes are, its mapped size and the n it was asked for. */
interface RawBlock extends RawBacking {
  readonly size: number;
  readonly requested: number;
}

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
  private readonly arenaMemory: (Uint8Array | undefined)[] = [];
  /** Live raw blocks by address, in address order (the bump pointer only grows). */
  private readonly raw = new Map<number, RawBlock>();
  private readonly rawSlabs = new RawSlabs();
  private readonly rawFreed = new RecentAddresses();
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
    this.arenaMemory[slot] = new Uint8Array(this.geometry.arenaSize);
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
    const { memory, offset, slab } = this.rawSlabs.take(size);
    this.raw.set(address, { memory, offset, slab, size, requested: n });
    this.rawBytes += size;
    this.addMapped(size);
    this.log.add(MAP_RAW, address, size);
    return address;
  }

  unmapRaw(address: number): void {
    const block = this.raw.get(address);
    /* v8 ignore next -- @preserve unreachable through the public API: free and realloc unmap a raw block only after finding it live (rawSize/rawRequested); an internal-error guard */
    if (block === undefined) throw new Error(`unmapRaw: ${hex(address)} is not a live raw block`);
    this.raw.delete(address);
    this.rawSlabs.give(block);
    this.rawFreed.add(address);
    this.rawBytes -= block.size;
    this.addMapped(-block.size);
    this.log.add(UNMAP_RAW, address, block.size);
  }

  /** Size of the live raw block starting at `address`, or -1. */
  rawSize(address: number): number {
    return this.raw.get(address)?.size ?? -1;
  }

  /** The n that `mapRaw(n)` was asked for (0 for a size-0 request), or -1. */
  rawRequested(address: number): number {
    return this.raw.get(address)?.requested ?? -1;
  }

  /**
   * Whether `address` started one of the last RAW_FREES_REMEMBERED raw blocks unmapped (raw
   * addresses are never reused; spec/model.md §2 "Freed raw blocks").
   */
  wasRawFreed(address: number): boolean {
    return this.rawFreed.has(address);
  }

  /** Live raw blocks in address order (the map's order: they are created in address order). */
  rawBlocks(): { address: number; size: number; requested: number }[] {
    const out: { address: number; size: number; requested: number }[] = [];
    for (const [address, { size, requested }] of this.raw) out.push({ address, size, requested });
    return out;
  }

  get liveRawBlocks(): number {
    return this.raw.size;
  }

  // ── memory ──────────────────────────────────────────────────────────────────────────────

  /** A live view of `length` bytes at `address`, which must lie inside one mapping. */
  /** Copies `length` bytes from one mapping to another (realloc's move: invariant 8). */
  copy(from: number, to: number, length: number): void {
    this.view(to, length).set(this.view(from, length));
  }

  view(address: number, length: number): Uint8Array {
    const raw = this.raw.get(address);
    if (raw !== undefined && length <= raw.size)
      return raw.memory.subarray(raw.offset, raw.offset + length);
    const slot = Math.floor((address - this.arenaRegionBase) / this.stride);
    const memory = this.arenaMemory[slot]; // undefined for a slot below 0 (or NaN) as well
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
