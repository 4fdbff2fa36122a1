/**
 * Per-pool and per-arena counts in typed arrays (spec/bitmap.md §1.1). A pool is named by its
 * global index `gp = slot · poolsPerArena + i`; since arena slots are in address order and pools
 * within an arena too, gp order is address order (spec/policy.md §2.1, §2.4).
 *
 *   sizeClass[gp]  Int16Array   the pool's class, −1 while it holds no live block (it forgets)
 *   live[gp]       Int32Array   live blocks in the pool
 *   address[gp]    Float64Array the pool's first byte (set when its arena is mapped), so malloc
 *                               needs no division to turn gp into an address
 *   emptyPools[s]  Int32Array   pools of arena slot s with no live block
 *   mapped[s]      Uint8Array   1 while arena slot s is mapped
 */
import { resized } from "../../core/typed-growth.ts";

export class PoolTable {
  readonly poolsPerArena: number;
  /** Arena slots the arrays hold. */
  capacity = 0;
  sizeClass = new Int16Array(0);
  live = new Int32Array(0);
  address = new Float64Array(0);
  emptyPools = new Int32Array(0);
  mapped = new Uint8Array(0);

  constructor(poolsPerArena: number) {
    this.poolsPerArena = poolsPerArena;
  }

  /**
   * Grows every array to at least `arenas` slots; new pools are empty (class −1). The one caller
   * (`BitmapAllocator.mapArena`) asks only for a doubled, larger capacity, so this always copies:
   * no "already large enough" branch that no call could take.
   */
  ensureArenas(arenas: number): void {
    const capacity = Math.max(arenas, this.capacity);
    const pools = capacity * this.poolsPerArena;
    this.sizeClass = resized(this.sizeClass, pools, -1);
    this.live = resized(this.live, pools);
    this.address = resized(this.address, pools);
    this.emptyPools = resized(this.emptyPools, capacity);
    this.mapped = resized(this.mapped, capacity);
    this.capacity = capacity;
  }

  /** Whether slot s is a mapped arena (a slot outside the table reads undefined: not mapped). */
  isMapped(slot: number): boolean {
    return this.mapped[slot] === 1;
  }
}
