/**
 * The starts of the last RAW_STARTS_REMEMBERED raw blocks mapped (spec/model.md §2 "Freed raw
 * blocks"): one of them that is no longer live is a freed raw block, so its second free is
 * `double-free` (spec/errors.md §2 row 2), while the record stays a constant size. Raw addresses
 * come from a bump pointer and are never reused, so the starts arrive in ascending order: a ring
 * of them is two sorted runs, searched by bisection; adding one is a single write.
 *
 * The ring starts at FIRST_LENGTH entries and doubles while it fills, up to its capacity: every
 * allocator has an address space, and most make a handful of raw blocks, so a ring of the whole
 * capacity up front (512 KiB, zeroed) was most of what making an allocator cost (the oracle makes
 * one or two per run: reports/bench.md §The oracle).
 */

import { resized } from "./typed-growth.ts";

/** How many raw starts the space remembers (spec/model.md §2): 2^16. */
export const RAW_STARTS_REMEMBERED = 1 << 16;

/** The ring's length before it first grows. */
const FIRST_LENGTH = 64;

export class RecentRawStarts {
  private ring: Float64Array;
  /** The next index to write: the oldest start once the ring is full. */
  private next = 0;
  private count = 0;

  constructor(readonly capacity: number = RAW_STARTS_REMEMBERED) {
    this.ring = new Float64Array(Math.min(capacity, FIRST_LENGTH));
  }

  /** Remembers `address`, above every start remembered, forgetting the oldest when full. */
  add(address: number): void {
    // Below the capacity the ring has not wrapped: it is full exactly when `next` reaches its end.
    if (this.next === this.ring.length && this.ring.length < this.capacity) this.grow();
    this.ring[this.next] = address;
    this.next = this.next + 1 === this.capacity ? 0 : this.next + 1;
    if (this.count < this.capacity) this.count++;
  }

  has(address: number): boolean {
    // Oldest first: ring[next … capacity) (once full), then ring[0 … next).
    return (
      (this.count === this.capacity && this.within(this.next, this.capacity, address)) ||
      this.within(0, this.next, address)
    );
  }

  /** The ring twice as long (at most the capacity), the starts kept at their indices. */
  private grow(): void {
    this.ring = resized(this.ring, Math.min(2 * this.ring.length, this.capacity));
  }

  /** Whether the ascending run ring[from … to) holds `address`. */
  private within(from: number, to: number, address: number): boolean {
    let lo = from;
    let hi = to;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.ring[mid]! < address) lo = mid + 1;
      else hi = mid;
    }
    return lo < to && this.ring[lo] === address;
  }
}
