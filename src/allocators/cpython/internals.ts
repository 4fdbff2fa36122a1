/**
 * The CPython model's internal structures as plain data, for tests, replays and the cross-check:
 * the order of usedpools[] and usable_arenas, the nfp2lasta fingers, each arena's freepools stack
 * and each pool's free list. Arenas are named by slot (the simulated mapping) and pools and blocks
 * by address.
 */
import { NULL_BLOCK, type PoolHeader } from "./pool-header.ts";
import type { Pymalloc } from "./pymalloc.ts";

export interface PoolInternals {
  readonly index: number;
  readonly address: number;
  /** The size class it was last initialised for (kept while the pool is empty). */
  readonly szidx: number;
  readonly count: number;
  /** Bytes carved so far: `nextoffset`. */
  readonly nextoffset: number;
  /** Free blocks, head first (the next malloc from this pool returns the first). */
  readonly freeList: readonly number[];
}

export interface ArenaInternals {
  readonly index: number;
  readonly slot: number;
  readonly address: number;
  readonly nfreepools: number;
  readonly ntotalpools: number;
  /** Empty pools cached by the arena, the next one used first. */
  readonly freepools: readonly number[];
  readonly pools: readonly PoolInternals[];
}

export interface PymallocInternals {
  /** Per class with a partly used pool: pool addresses, front (used next) first. */
  readonly usedpools: Readonly<Record<number, readonly number[]>>;
  /** usable_arenas, head (used next) first: slot and nfreepools. */
  readonly usableArenas: readonly { readonly slot: number; readonly nfreepools: number }[];
  /** nfp2lasta[n] as a slot, for every n that has one. */
  readonly nfp2lasta: Readonly<Record<number, number>>;
  /** Mapped arenas by slot. */
  readonly arenas: readonly ArenaInternals[];
  /** unused_arena_objects, as arena-object indexes, the next one used first. */
  readonly unusedArenaObjects: readonly number[];
  readonly maxarenas: number;
}

/** Block addresses on a pool's free list, head first. */
export function freeList(pymalloc: Pymalloc, pool: PoolHeader): number[] {
  const out: number[] = [];
  const seen = new Set<number>();
  for (let k = pool.freeblock; k !== NULL_BLOCK && !seen.has(k); k = pool.link[k]!) {
    seen.add(k);
    out.push(pymalloc.blockAddress(pool, k));
  }
  return out;
}

export function describePymalloc(pymalloc: Pymalloc): PymallocInternals {
  const usedpools: Record<number, number[]> = {};
  for (let c = 0; c < pymalloc.geometry.sizeClasses; c++) {
    const pools = pymalloc.usedpools.list(c);
    if (pools.length > 0) usedpools[c] = pools.map((p) => p.address);
  }
  const nfp2lasta: Record<number, number> = {};
  pymalloc.usable.nfp2lasta.forEach((ao, n) => {
    if (ao !== null) nfp2lasta[n] = ao.slot;
  });
  const unusedArenaObjects: number[] = [];
  const seen = new Set<number>();
  for (let ao = pymalloc.arenas.unused; ao !== null && !seen.has(ao.index); ao = ao.nextarena) {
    seen.add(ao.index);
    unusedArenaObjects.push(ao.index);
  }
  return {
    usedpools,
    usableArenas: pymalloc.usable
      .list()
      .map((ao) => ({ slot: ao.slot, nfreepools: ao.nfreepools })),
    nfp2lasta,
    arenas: pymalloc.mappedArenas().map((ao) => {
      const freepools: number[] = [];
      for (
        let p = ao.freepools;
        p !== null && freepools.length <= ao.pools.length;
        p = p.nextFreePool
      )
        freepools.push(p.address);
      return {
        index: ao.index,
        slot: ao.slot,
        address: ao.address,
        nfreepools: ao.nfreepools,
        ntotalpools: ao.ntotalpools,
        freepools,
        pools: ao.pools.map((pool) => ({
          index: pool.index,
          address: pool.address,
          szidx: pool.szidx,
          count: pool.count,
          nextoffset: pool.nextoffset,
          freeList: freeList(pymalloc, pool),
        })),
      };
    }),
    unusedArenaObjects,
    maxarenas: pymalloc.arenas.maxarenas,
  };
}
