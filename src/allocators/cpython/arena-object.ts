/**
 * `struct arena_object` and the `arenas` vector with its `unused_arena_objects` list
 * (Objects/obmalloc.c [3.8]–[3.11]; pycore_obmalloc.h [3.12][3.13]).
 *
 *   C field         here            meaning
 *   address         address         the arena's first byte; 0 when this object holds no arena
 *   pool_address    poolAddress     the next pool-aligned address to carve a pool at
 *   nfreepools      nfreepools      cached empty pools plus never-carved pools
 *   ntotalpools     ntotalpools     MAX_POOLS_IN_ARENA, or one fewer when the arena is not pool-aligned
 *   freepools       freepools       singly linked LIFO list of empty pools, through nextpool
 *   nextarena       nextarena       usable_arenas links; for an unused object, the unused_arena_objects link
 *   prevarena       prevarena       usable_arenas back link
 *
 * Not in C: `slot` (where the simulated OS mapped the arena; CPython has whatever mmap returned)
 * and `pools` (the carved pool headers by index; C finds a header by rounding an address down).
 */
import type { PoolHeader } from "./pool-header.ts";

/** `INITIAL_ARENA_OBJECTS`: the first size of the arenas vector. */
export const INITIAL_ARENA_OBJECTS = 16;

export class ArenaObject {
  /** This object's index in `arenas[]` (a pool's `arenaindex`). */
  readonly index: number;
  address = 0;
  slot = -1;
  poolAddress = 0;
  nfreepools = 0;
  ntotalpools = 0;
  freepools: PoolHeader | null = null;
  nextarena: ArenaObject | null = null;
  prevarena: ArenaObject | null = null;
  /** Carved pools by usable-pool index; `pools.length` pools have been carved. */
  pools: PoolHeader[] = [];

  constructor(index: number) {
    this.index = index;
  }
}

/**
 * The `arenas` vector. It only grows, by doubling from INITIAL_ARENA_OBJECTS, and only when no
 * unused object is left (`new_arena()`); released arenas push their object on the front of
 * `unused_arena_objects`, so the most recently released object is reused first.
 */
export class ArenaObjects {
  /** `arenas[0 … maxarenas-1]`. */
  readonly all: ArenaObject[] = [];
  /** `unused_arena_objects`: singly linked through `nextarena`. */
  unused: ArenaObject | null = null;

  get maxarenas(): number {
    return this.all.length;
  }

  /**
   * `new_arena()`, the first half: an unused arena object, growing the vector when there is none.
   * `numarenas = maxarenas ? maxarenas << 1 : INITIAL_ARENA_OBJECTS`; the new objects are
   * chained in ascending index order. Objects/obmalloc.c: new_arena() [3.8]–[3.13].
   */
  takeUnused(): ArenaObject {
    if (this.unused === null) {
      const numarenas = this.maxarenas === 0 ? INITIAL_ARENA_OBJECTS : this.maxarenas << 1;
      const first = this.all.length;
      for (let i = first; i < numarenas; i++) this.all.push(new ArenaObject(i));
      for (let i = first; i < numarenas; i++)
        this.all[i]!.nextarena = i + 1 < numarenas ? this.all[i + 1]! : null;
      this.unused = this.all[first]!;
    }
    const ao = this.unused;
    this.unused = ao.nextarena;
    return ao;
  }

  /** Pushes `ao` on the front of `unused_arena_objects` (a failed `new_arena()`, or a release). */
  pushUnused(ao: ArenaObject): void {
    ao.nextarena = this.unused;
    ao.prevarena = null;
    this.unused = ao;
  }
}
