/**
 * `snapshot()` for the bitmap allocator: the same canonical picture the reference gives
 * (invariant 11), read off the arrays. O(mapped pools · level-0 words + live blocks); not a hot path.
 */
import type {
  ArenaSnapshot,
  BlockEntry,
  HeapSnapshot,
  PoolSnapshot,
} from "../../core/allocator.ts";
import { ctz32 } from "../../core/bits/level-bitset.ts";
import type { BitmapHeap } from "./bitmap-heap.ts";

export function bitmapSnapshot(heap: BitmapHeap): HeapSnapshot {
  const { geometry: g, addressSpace: space, table, bitmaps, requestedSizes } = heap;
  const ppa = g.poolsPerArena;
  const arenas: ArenaSnapshot[] = [];
  for (let slot = 0; slot < table.capacity; slot++) {
    if (table.mapped[slot] !== 1) continue;
    const pools: PoolSnapshot[] = [];
    for (let index = 0; index < ppa; index++) {
      const gp = slot * ppa + index;
      if (table.live[gp] === 0) continue;
      const sizeClass = table.sizeClass[gp]!;
      const size = g.classSizes[sizeClass]!;
      const address = space.poolAddress(slot, index);
      const blocks: BlockEntry[] = [];
      const words = bitmaps.layouts[sizeClass]!.words[0]!;
      for (let w = 0; w < words; w++) {
        for (let live = bitmaps.liveWord(gp, sizeClass, w); live !== 0; live &= live - 1) {
          const k = 32 * w + ctz32(live);
          blocks.push([address + g.poolOverhead + k * size, size - requestedSizes.get(gp, k)]);
        }
      }
      pools.push({ index, address, sizeClass, blocks });
    }
    arenas.push({ slot, address: space.arenaStart(slot), pools });
  }
  return { arenas, raw: space.rawBlocks() };
}
