/**
 * The reference allocator's picture of the heap: plain objects, one per arena, pool and live
 * block, so that each policy decision (policy.ts) can be written as a short search over them.
 * Speed does not matter here; being obviously right does (spec/model.md §5).
 */
import type { AddressSpace } from "../../core/address-space.ts";

export interface Block {
  readonly address: number;
  /** The n the caller asked for (changed by an in-place realloc). */
  requested: number;
}

export interface Pool {
  /** Usable-pool index within its arena. */
  readonly index: number;
  readonly address: number;
  /** The size class, or -1 while the pool is empty (an empty pool forgets its class). */
  sizeClass: number;
  /** blocks[k] is block k when live; the array has blocksPerPool(sizeClass) entries. */
  blocks: (Block | undefined)[];
  /** Live blocks. */
  live: number;
}

export interface Arena {
  readonly slot: number;
  /** First byte of the mapping. */
  readonly address: number;
  readonly pools: Pool[];
}

export function newArena(space: AddressSpace, slot: number): Arena {
  const pools = Array.from({ length: space.geometry.poolsPerArena }, (_, index): Pool => ({
    index,
    address: space.poolAddress(slot, index),
    sizeClass: -1,
    blocks: [],
    live: 0,
  }));
  return { slot, address: space.arenaStart(slot), pools };
}

export const isPoolEmpty = (pool: Pool): boolean => pool.live === 0;

export const emptyPoolCount = (arena: Arena): number => arena.pools.filter(isPoolEmpty).length;

export const isArenaEmpty = (arena: Arena): boolean => arena.pools.every(isPoolEmpty);
