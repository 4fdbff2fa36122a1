/**
 * The starts of the last RAW_STARTS_REMEMBERED raw blocks mapped (spec/model.md §2 "Freed raw
 * blocks"): one of them that is no longer live is a freed raw block, so its second free is
 * `double-free` (spec/errors.md §2 row 2), while the record stays a constant size. Raw addresses
 * come from a bump pointer and are never reused, so the starts arrive in ascending order: a ring
 * of them is two sorted runs, searched by bisection; adding one is a single write.
 */

/** How many raw starts the space remembers (spec/model.md §2): 2^16. */
export const RAW_STARTS_REMEMBERED = 1 << 16;

export class RecentRawStarts {
  private readonly ring: Float64Array;
  /** The next index to write: the oldest start once the ring is full. */
  private next = 0;
  private count = 0;

  constructor(readonly capacity: number = RAW_STARTS_REMEMBERED) {
    this.ring = new Float64Array(capacity);
  }

  /** Remembers `address`, above every start remembered, forgetting the oldest when full. */
  add(address: number): void {
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
