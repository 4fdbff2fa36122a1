/**
 * The live raw blocks of the simulated OS (spec/model.md §2 "Raw region", "Memory"): for each,
 * its address, mapped size, the n it was asked for, and where its bytes are (raw-slabs.ts).
 * Records are rows of typed arrays indexed by a handle, found by address through an
 * AddressTable: no object and no boxed number per block. Handles of unmapped blocks are reused,
 * so the rows are bounded by the most blocks live at once.
 */
import { AddressTable } from "./address-table.ts";
import { RawSlabs, SLAB_BLOCK_MAX, type Slab } from "./raw-slabs.ts";
import { resized } from "./typed-growth.ts";

/** A live raw block as the snapshot and check() list it. */
export interface RawBlockEntry {
  address: number;
  size: number;
  requested: number;
}

const FIRST_ROWS = 16;

export class LiveRawBlocks {
  private readonly handleOf = new AddressTable();
  private readonly slabs = new RawSlabs();
  private sizes = new Float64Array(FIRST_ROWS);
  private requests = new Float64Array(FIRST_ROWS);
  /** Where each block's bytes are: memories[h][offsets[h] …]; undefined for a free handle. */
  private readonly memories: (Uint8Array | undefined)[] = [];
  private offsets = new Int32Array(FIRST_ROWS);
  /** The slab of each block's slot; undefined for a block with its own ArrayBuffer. */
  private readonly slabOf: (Slab | undefined)[] = [];
  private readonly freeHandles: number[] = [];
  private rows = 0;

  get count(): number {
    return this.handleOf.size;
  }

  /** Records a block of `size` bytes (>= 1) at `address`, asked for as `requested`; zero-filled. */
  add(address: number, size: number, requested: number): void {
    const handle = this.freeHandles.pop() ?? this.newRow();
    this.sizes[handle] = size;
    this.requests[handle] = requested;
    if (size > SLAB_BLOCK_MAX) {
      this.memories[handle] = new Uint8Array(size);
      this.offsets[handle] = 0;
      this.slabOf[handle] = undefined;
    } else {
      const slab = this.slabs.slabFor(size);
      this.offsets[handle] = this.slabs.take(slab, size);
      this.memories[handle] = slab.memory;
      this.slabOf[handle] = slab;
    }
    this.handleOf.set(address, handle);
  }

  /** Removes the block at `address` and gives its bytes back; returns its size, or -1. */
  remove(address: number): number {
    const handle = this.handleAt(address);
    if (handle === -1) return -1;
    this.handleOf.delete(address);
    const slab = this.slabOf[handle];
    if (slab !== undefined) this.slabs.give(slab, this.offsets[handle]!);
    this.memories[handle] = undefined; // an own ArrayBuffer: the engine takes it back
    this.slabOf[handle] = undefined;
    this.freeHandles.push(handle);
    return this.sizes[handle]!;
  }

  /** Mapped size of the block at `address`, or -1. */
  size(address: number): number {
    const handle = this.handleAt(address);
    return handle === -1 ? -1 : this.sizes[handle]!;
  }

  /** The n the block at `address` was asked for, or -1. */
  requested(address: number): number {
    const handle = this.handleAt(address);
    return handle === -1 ? -1 : this.requests[handle]!;
  }

  /** A live view of the first `length` bytes of the block at `address`, or undefined. */
  view(address: number, length: number): Uint8Array | undefined {
    const handle = this.handleAt(address);
    if (handle === -1 || length > this.sizes[handle]!) return undefined;
    const offset = this.offsets[handle]!;
    this.slabOf[handle]?.expose(offset); // the slot may be written from now on (raw-slabs.ts)
    return this.memories[handle]!.subarray(offset, offset + length);
  }

  /** Every live block in address order. */
  entries(): RawBlockEntry[] {
    const out: RawBlockEntry[] = [];
    this.handleOf.forEach((address, handle) =>
      out.push({ address, size: this.sizes[handle]!, requested: this.requests[handle]! }),
    );
    return out.sort((a, b) => a.address - b.address);
  }

  /** Bytes of every slab (raw-slabs.ts): what the backing store holds, live or free. */
  get slabBytes(): number {
    return this.slabs.slabBytes;
  }

  /**
   * The handle of the live block at `address`, or -1; -1 for anything but a number too, which
   * the table's hash would coerce (a caller's object with a valueOf would run: errors.md §2).
   */
  private handleAt(address: number): number {
    return typeof address === "number" ? this.handleOf.get(address) : -1;
  }

  private newRow(): number {
    if (this.rows === this.sizes.length) {
      this.sizes = resized(this.sizes, 2 * this.rows);
      this.requests = resized(this.requests, 2 * this.rows);
      this.offsets = resized(this.offsets, 2 * this.rows);
    }
    return this.rows++;
  }
}
