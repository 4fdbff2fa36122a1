/**
 * The raw region's backing store (spec/model.md §2 "Memory"): a raw block of at most
 * SLAB_BLOCK_MAX bytes takes a slot in a slab, an ArrayBuffer of at least SLAB_BYTES carved into
 * slots of one size (a larger one gets its own ArrayBuffer: live-raw-blocks.ts). One ArrayBuffer per small raw block
 * cost an allocation, a zeroing and a finaliser each; a slot costs a stack pop, and a fill only
 * when a block in it was ever viewed (`expose`): every write to a raw block goes through a view
 * (AddressSpace.view, its copy included), so a slot never viewed still holds the zeros it was made
 * with. Zeroing every reused slot cost the mixed churn a 2.3 KiB fill per raw malloc on average;
 * without it, mixed churn at 10^5 live took 0.79× the time (npm run bench:ab --mixed, 4 rounds).
 * Invisible from outside: addresses, sizes and events are the address space's.
 */

/** The largest raw block that takes a slab slot (spec/model.md §2): 16 KiB. */
export const SLAB_BLOCK_MAX = 16 * 1024;
/** The least bytes of a slab (spec/model.md §2): 64 KiB. */
export const SLAB_BYTES = 64 * 1024;

/** The slab slot size that holds `size` bytes, as an index: 16-byte steps to 128, then 8 per power of two. */
export function slotSizeIndex(size: number): number {
  if (size <= 128) return Math.max(0, Math.ceil(size / 16) - 1);
  const e = 31 - Math.clz32(size - 1); // 2^e < size <= 2^(e+1), e >= 7
  const steps = (size - 1) >> (e - 3); // 8 … 15: size in steps of 2^(e−3), rounded up, minus one
  return 8 + (e - 7) * 8 + (steps - 8);
}

/** The slot size of index `index` (the inverse of slotSizeIndex's rounding). */
export function slotSizeOf(index: number): number {
  if (index < 8) return 16 * (index + 1);
  const e = 7 + Math.floor((index - 8) / 8);
  return 2 ** (e - 3) * (9 + ((index - 8) % 8));
}

export class Slab {
  readonly memory: Uint8Array;
  /** Offsets of freed slots, a stack: `freeOffsets[0 … freeCount)`. */
  readonly freeOffsets: Int32Array;
  freeCount = 0;
  /** Slots never handed out yet: `untouched … slots − 1`, still zero. */
  untouched = 0;
  live = 0;
  /** Index in its size's `withRoom`, or -1 while every slot is taken. */
  roomIndex = -1;
  /**
   * exposed[i] = 1 once slot i's bytes have been handed out in a view: from then on the slot is
   * zero-filled each time it is taken again (a view may outlive its block, so the flag stays).
   */
  readonly exposed: Uint8Array;

  constructor(
    readonly size: SlotSize,
    readonly slots: number,
  ) {
    this.memory = new Uint8Array(size.slotSize * slots);
    this.freeOffsets = new Int32Array(slots);
    this.exposed = new Uint8Array(slots);
  }

  /** The slot at `offset` has been viewed: it may hold bytes other than zero from now on. */
  expose(offset: number): void {
    this.exposed[offset / this.size.slotSize] = 1;
  }

  get full(): boolean {
    return this.freeCount === 0 && this.untouched === this.slots;
  }
}

/** The slabs of one slot size. */
class SlotSize {
  readonly slotsPerSlab: number;
  /** Slabs with a free slot; new blocks go to the last one. */
  readonly withRoom: Slab[] = [];
  slabs = 0;
  /** A slab with no live block kept for the next block of this size. */
  emptySlab: Slab | undefined = undefined;

  constructor(readonly slotSize: number) {
    this.slotsPerSlab = Math.ceil(SLAB_BYTES / slotSize);
  }
}

export class RawSlabs {
  private readonly sizes: (SlotSize | undefined)[] = [];

  /** A slab with a free slot for a raw block of `size` bytes (1 <= size <= SLAB_BLOCK_MAX). */
  slabFor(size: number): Slab {
    const index = slotSizeIndex(size);
    const slots = (this.sizes[index] ??= new SlotSize(slotSizeOf(index)));
    const slab = slots.withRoom.at(-1);
    if (slab !== undefined) return slab;
    const fresh = new Slab(slots, slots.slotsPerSlab);
    slots.slabs++;
    fresh.roomIndex = slots.withRoom.push(fresh) - 1;
    return fresh;
  }

  /** Takes a slot of `slab` (from slabFor(size)) for `size` bytes, zero-filled; returns its offset. */
  take(slab: Slab, size: number): number {
    const slots = slab.size;
    let offset: number;
    if (slab.freeCount > 0) {
      offset = slab.freeOffsets[--slab.freeCount]!;
      // A slot ever viewed may hold an earlier block's bytes (written through a view, perhaps
      // after that block was freed): zero what the new block can see.
      if (slab.exposed[offset / slots.slotSize] === 1) slab.memory.fill(0, offset, offset + size);
    } else {
      offset = slab.untouched++ * slots.slotSize;
    }
    if (slab.live++ === 0 && slots.emptySlab === slab) slots.emptySlab = undefined;
    if (slab.full) {
      slots.withRoom.pop(); // slabFor gave the last one
      slab.roomIndex = -1;
    }
    return offset;
  }

  /** Gives a block's bytes back; a slab left empty is dropped unless it is its size's only empty one. */
  give(slab: Slab, offset: number): void {
    const slots = slab.size;
    slab.freeOffsets[slab.freeCount++] = offset;
    slab.live--;
    if (slab.roomIndex === -1) slab.roomIndex = slots.withRoom.push(slab) - 1;
    if (slab.live > 0) return;
    // Keep one empty slab per slot size, so a live set swinging around a slab's worth of blocks
    // does not make and drop a slab every few calls; drop any other.
    if (slots.emptySlab === undefined) {
      slots.emptySlab = slab;
    } else {
      const last = slots.withRoom.pop()!;
      if (last !== slab) {
        slots.withRoom[slab.roomIndex] = last;
        last.roomIndex = slab.roomIndex;
      }
      slab.roomIndex = -1;
      slots.slabs--;
    }
  }

  /** Bytes of every slab (the backing store of the slab slots, live or free). */
  get slabBytes(): number {
    let bytes = 0;
    for (const slots of this.sizes)
      if (slots !== undefined) bytes += slots.slabs * slots.slotsPerSlab * slots.slotSize;
    return bytes;
  }
}
