/**
 * A hash table from addresses to small non-negative integers in two typed arrays: open
 * addressing, linear probing, deletion by backward shift (no tombstones). The simulated OS keys
 * its raw records by address with it (spec/model.md §2): a JavaScript Map boxes every address
 * above 2^31 and allocates per entry, this allocates only when it grows or shrinks.
 *
 * Keys are positive safe integers (0 marks an empty slot: no block is at address 0, model.md §2).
 * The table keeps between 1/8 and 1/2 of its slots in use, down to MIN_SLOTS; a table made with
 * `{ shrink: false }` keeps its largest size (at most 1/2 in use), for an owner whose contents
 * grow and drain over and over (the shadow heap of one run: fill, free everything, fill again),
 * which would otherwise rehash its entries on the way down and again on the way up.
 */

const MIN_SLOTS = 16;
/** Fibonacci hashing's multiplier, 2^32 / φ. */
const GOLDEN = 0x9e3779b1;

export class AddressTable {
  private keys = new Float64Array(MIN_SLOTS);
  private values = new Int32Array(MIN_SLOTS);
  private shift = 32 - Math.log2(MIN_SLOTS);
  private mask = MIN_SLOTS - 1;
  private count = 0;
  private readonly shrinks: boolean;

  constructor(options: { readonly shrink?: boolean } = {}) {
    this.shrinks = options.shrink ?? true;
  }

  get size(): number {
    return this.count;
  }

  /** Slots in the table: at least twice the entries, a power of two. */
  get slots(): number {
    return this.keys.length;
  }

  /** The value stored for `key`, or -1. */
  get(key: number): number {
    const keys = this.keys;
    for (let i = this.home(key); ; i = (i + 1) & this.mask) {
      const k = keys[i]!;
      if (k === 0) return -1; // before the match: a key of 0 (no address) is never stored
      if (k === key) return this.values[i]!;
    }
  }

  has(key: number): boolean {
    return this.get(key) !== -1;
  }

  /** Stores `value` (>= 0) for `key` (> 0), replacing any earlier one. */
  set(key: number, value: number): void {
    /* v8 ignore next -- @preserve unreachable through the public API: raw addresses are above rawBase > 0; an internal-error guard */
    if (!(key > 0)) throw new RangeError(`AddressTable.set: key ${key} is not a positive address`);
    if (2 * (this.count + 1) > this.keys.length) this.resize(this.keys.length * 2);
    const keys = this.keys;
    let i = this.home(key);
    while (keys[i] !== 0 && keys[i] !== key) i = (i + 1) & this.mask;
    if (keys[i] === 0) this.count++;
    keys[i] = key;
    this.values[i] = value;
  }

  /** Removes `key`; returns whether it was there. */
  delete(key: number): boolean {
    const keys = this.keys;
    const mask = this.mask;
    let hole = this.home(key);
    for (; keys[hole] !== key; hole = (hole + 1) & mask) if (keys[hole] === 0) return false;
    if (key === 0) return false;
    // Backward shift: move up every later entry of the run that may sit in the hole.
    for (let j = (hole + 1) & mask; keys[j] !== 0; j = (j + 1) & mask) {
      const home = this.home(keys[j]!);
      // The entry at j may move to the hole unless its home lies cyclically in (hole, j].
      const stays = hole < j ? home > hole && home <= j : home > hole || home <= j;
      if (stays) continue;
      keys[hole] = keys[j]!;
      this.values[hole] = this.values[j]!;
      hole = j;
    }
    keys[hole] = 0;
    this.count--;
    if (this.shrinks && 8 * this.count < this.keys.length && this.keys.length > MIN_SLOTS)
      this.resize(this.keys.length / 2);
    return true;
  }

  /** Calls `visit` for every entry, in no particular order. */
  forEach(visit: (key: number, value: number) => void): void {
    const keys = this.keys;
    for (let i = 0; i < keys.length; i++) if (keys[i] !== 0) visit(keys[i]!, this.values[i]!);
  }

  private home(key: number): number {
    // Both halves of the address, mixed; the top bits of the product pick the slot.
    const mixed = (key >>> 0) ^ Math.imul((key / 4294967296) >>> 0, GOLDEN);
    return Math.imul(mixed, GOLDEN) >>> this.shift;
  }

  private resize(slots: number): void {
    const { keys, values } = this;
    this.keys = new Float64Array(slots);
    this.values = new Int32Array(slots);
    this.mask = slots - 1;
    this.shift = 32 - Math.log2(slots);
    this.count = 0;
    for (let i = 0; i < keys.length; i++) if (keys[i] !== 0) this.set(keys[i]!, values[i]!);
  }
}
