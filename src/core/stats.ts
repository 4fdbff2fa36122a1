/**
 * Stats from the few counts an allocator keeps (spec/stats.md). Both allocators call
 * `buildStats`, so CPython's byte accounting is written once:
 *
 *   arenas · R  =  Σ blocksInUse·size   (bytes in allocated blocks)
 *               +  Σ availBlocks·size   (bytes in available blocks)
 *               +  unused pools · P
 *               +  used pools · H       (pool headers)
 *               +  Σ used pools · ((P − H) mod size)   (quantization)
 *               +  misaligned arenas · P              (arena alignment)
 *
 * The sum holds because a used pool is H + blocksPerPool·size + quantization = P bytes and a
 * misaligned arena loses exactly one pool (spec/model.md §2).
 */
import type { AddressSpace } from "./address-space.ts";
import type { ClassStats, Stats } from "./allocator.ts";
import type { Geometry } from "./geometry.ts";

export interface StatsInputs {
  /** Per size class: pools holding at least one live block. */
  readonly poolsPerClass: ArrayLike<number>;
  /** Per size class: live blocks. */
  readonly blocksPerClass: ArrayLike<number>;
  readonly requestedCurrent: number;
  readonly requestedPeak: number;
}

export function buildStats(geometry: Geometry, space: AddressSpace, inputs: StatsInputs): Stats {
  const { poolSize: P, poolOverhead: H } = geometry;
  const classes: ClassStats[] = [];
  let usedPools = 0;
  let smallBlocks = 0;
  let inAllocatedBlocks = 0;
  let inAvailableBlocks = 0;
  let quantization = 0;
  for (let c = 0; c < geometry.sizeClasses; c++) {
    const pools = inputs.poolsPerClass[c]!;
    if (pools === 0) continue;
    const size = geometry.classSizes[c]!;
    const blocksInUse = inputs.blocksPerClass[c]!;
    const availBlocks = pools * geometry.blocksPerPool[c]! - blocksInUse;
    classes.push({ index: c, size, pools, blocksInUse, availBlocks });
    usedPools += pools;
    smallBlocks += blocksInUse;
    inAllocatedBlocks += blocksInUse * size;
    inAvailableBlocks += availBlocks * size;
    quantization += pools * ((P - H) % size);
  }
  const arenas = space.arenas;
  return {
    layout: {
      smallThreshold: geometry.smallThreshold,
      sizeClasses: geometry.sizeClasses,
      poolSize: P,
      arenaSize: geometry.arenaSize,
    },
    requested: { current: inputs.requestedCurrent, peak: inputs.requestedPeak },
    blocks: { small: smallBlocks, raw: space.liveRawBlocks },
    arenas: {
      current: arenas.current,
      allocatedTotal: arenas.allocatedTotal,
      reclaimed: arenas.allocatedTotal - arenas.current,
      highwater: arenas.highwater,
    },
    mappedBytes: space.mappedBytes,
    classes,
    bytes: {
      inAllocatedBlocks,
      inAvailableBlocks,
      unusedPools: (arenas.current * geometry.poolsPerArena - usedPools) * P,
      poolHeaders: usedPools * H,
      quantization,
      arenaAlignment: geometry.arenaExcess === 0 ? 0 : arenas.current * P,
    },
  };
}

/** Tracks tracemalloc-style requested bytes: current, and the peak after each operation. */
export class RequestedBytes {
  current = 0;
  peak = 0;

  /** Records one completed operation that changed the live requested total by `delta`. */
  change(delta: number): void {
    this.current += delta;
    if (this.current > this.peak) this.peak = this.current;
  }
}

/** A used or empty pool, as a readable allocator sees it. */
export interface PoolCount {
  readonly sizeClass: number;
  readonly live: number;
}

/** Stats by walking every pool (the readable allocators; the bitmap keeps counters instead). */
export function statsFromPools(
  geometry: Geometry,
  space: AddressSpace,
  pools: Iterable<PoolCount>,
  requested: RequestedBytes,
): Stats {
  const poolsPerClass = new Array<number>(geometry.sizeClasses).fill(0);
  const blocksPerClass = new Array<number>(geometry.sizeClasses).fill(0);
  for (const pool of pools) {
    if (pool.live === 0) continue;
    poolsPerClass[pool.sizeClass]!++;
    blocksPerClass[pool.sizeClass]! += pool.live;
  }
  return buildStats(geometry, space, {
    poolsPerClass,
    blocksPerClass,
    requestedCurrent: requested.current,
    requestedPeak: requested.peak,
  });
}
