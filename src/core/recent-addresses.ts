/**
 * The starts of the last RAW_FREES_REMEMBERED unmapped raw blocks (spec/model.md §2 "Freed raw
 * blocks"): what lets a second free of a raw block be `double-free` (spec/errors.md §2 row 2)
 * while the record stays bounded. Raw addresses are never reused, so an address is added once.
 */

/** How many freed raw starts the space remembers (spec/model.md §2): 2^16. */
export const RAW_FREES_REMEMBERED = 1 << 16;

export class RecentAddresses {
  private readonly order: Float64Array;
  private readonly members = new Set<number>();
  /** The next index of `order` to write: the oldest address once the ring is full. */
  private next = 0;

  constructor(readonly capacity: number = RAW_FREES_REMEMBERED) {
    this.order = new Float64Array(capacity);
  }

  /** Remembers `address`, forgetting the oldest one when `capacity` are remembered. */
  add(address: number): void {
    if (this.members.size === this.capacity) this.members.delete(this.order[this.next]!);
    this.order[this.next] = address;
    this.members.add(address);
    this.next = this.next + 1 === this.capacity ? 0 : this.next + 1;
  }

  has(address: number): boolean {
    return this.members.has(address);
  }

  get size(): number {
    return this.members.size;
  }
}
