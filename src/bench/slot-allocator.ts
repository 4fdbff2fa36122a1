/**
 * The practical limit of a one-bit-per-block allocator: one size class, one bitmap with summary
 * levels, a ctz per level, nothing else: no size classes, pools, arenas, requested sizes, stats or
 * memory behind the addresses. The benchmarks run it as the "slot loop" contender, the floor
 * under what the bitmap allocator's design can cost per operation.
 *
 *   top     one word:        bit i ⇔ l2 word i ≠ 0
 *   l2      32 words:        bit j of word i ⇔ l1 word 32i + j ≠ 0
 *   l1      1024 words:      …                 l0 word … ≠ 0
 *   l0      32768 words:     bit k of word w ⇔ slot 32w + k is free
 *
 * Four fixed levels, written out by hand: 2^20 slots; malloc is four ctz (lowest free slot, as
 * the bitmap allocator's lowest free block), free is one bit test (a double free throws) and one
 * bit set, plus a summary bit when a word stops being zero. Slot s is the address
 * BASE + s · slotSize (s · slotSize < 2^32); slotSize is a power of two, every request up to it gets a slot.
 */
import { ctz32 } from "../core/bits/level-bitset.ts";

/** Slots of the fixed four-level layout: 32^4. */
export const SLOT_CAPACITY = 1 << 20;
const BASE = 1 << 16;

export class SlotAllocator {
  readonly slotSize: number;
  private readonly shift: number;
  private readonly l0 = new Uint32Array(SLOT_CAPACITY >>> 5).fill(0xffffffff);
  private readonly l1 = new Uint32Array(SLOT_CAPACITY >>> 10).fill(0xffffffff);
  private readonly l2 = new Uint32Array(SLOT_CAPACITY >>> 15).fill(0xffffffff);
  private top = -1;

  constructor(slotSize: number) {
    if (!(
      slotSize > 0 &&
      (slotSize & (slotSize - 1)) === 0 &&
      SLOT_CAPACITY * slotSize <= 2 ** 32
    )) {
      throw new RangeError(
        `SlotAllocator: slot size ${slotSize} must be a power of two up to ${2 ** 32 / SLOT_CAPACITY}`,
      );
    }
    this.slotSize = slotSize;
    this.shift = 31 - Math.clz32(slotSize);
  }

  /** The lowest free slot's address, or null when every slot is taken or n > slotSize. */
  malloc(n: number): number | null {
    const top = this.top;
    if (top === 0 || n > this.slotSize) return null;
    const { l0, l1, l2 } = this;
    const i2 = ctz32(top);
    const w2 = l2[i2]!;
    const i1 = (i2 << 5) | ctz32(w2);
    const w1 = l1[i1]!;
    const i0 = (i1 << 5) | ctz32(w1);
    const w0 = l0[i0]!;
    const rest0 = w0 & (w0 - 1);
    l0[i0] = rest0;
    if (rest0 === 0) {
      const rest1 = w1 & (w1 - 1);
      l1[i1] = rest1;
      if (rest1 === 0) {
        const rest2 = w2 & (w2 - 1);
        l2[i2] = rest2;
        if (rest2 === 0) this.top = top & (top - 1);
      }
    }
    return BASE + ((i0 << 5) | ctz32(w0)) * this.slotSize;
  }

  free(p: number): void {
    const slot = (p - BASE) >>> this.shift;
    if (slot >= SLOT_CAPACITY || p !== BASE + slot * this.slotSize)
      throw new Error(`SlotAllocator: free(${p}) is not a slot`);
    const w = slot >>> 5;
    const bit = 1 << (slot & 31);
    const before = this.l0[w]!;
    if ((before & bit) !== 0) throw new Error(`SlotAllocator: free(${p}) of a free slot`);
    this.l0[w] = before | bit;
    if (before !== 0) return;
    const w1 = w >>> 5;
    const before1 = this.l1[w1]!;
    this.l1[w1] = before1 | (1 << (w & 31));
    if (before1 !== 0) return;
    const w2 = w1 >>> 5;
    const before2 = this.l2[w2]!;
    this.l2[w2] = before2 | (1 << (w1 & 31));
    if (before2 === 0) this.top |= 1 << w2;
  }

  /** In place while n fits the slot (always, for the requests it serves); null above. */
  realloc(p: number, n: number): number | null {
    return n <= this.slotSize ? p : null;
  }
}
