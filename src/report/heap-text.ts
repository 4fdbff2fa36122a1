/**
 * The heap as text, one line per arena and one cell per pool: `c3 5/42` is a pool of class 3 with
 * 5 of its 42 blocks live, `·` an empty pool. Then the raw blocks. For replays and scenarios.
 */
import type { HeapSnapshot } from "../core/allocator.ts";
import { hex } from "../core/errors.ts";
import type { Geometry } from "../core/geometry.ts";

export function formatHeapText(snapshot: HeapSnapshot, g: Geometry, maxCells = 64): string {
  const lines: string[] = [];
  for (const arena of snapshot.arenas) {
    const used = new Map(arena.pools.map((pool) => [pool.index, pool]));
    const cells: string[] = [];
    for (let i = 0; i < Math.min(g.poolsPerArena, maxCells); i++) {
      const pool = used.get(i);
      cells.push(
        pool === undefined
          ? "·"
          : `c${pool.sizeClass} ${pool.blocks.length}/${g.blocksPerPool[pool.sizeClass]}`,
      );
    }
    const more = g.poolsPerArena > maxCells ? ` … ${g.poolsPerArena - maxCells} more pools` : "";
    lines.push(`arena ${arena.slot} @${hex(arena.address)}: [${cells.join("] [")}]${more}`);
  }
  if (snapshot.arenas.length === 0) lines.push("no arenas mapped");
  const raw = snapshot.raw;
  lines.push(
    raw.length === 0
      ? "no raw blocks"
      : `raw: ${raw
          .slice(0, 8)
          .map((r) => `${hex(r.address)} (${r.requested} B)`)
          .join(", ")}${raw.length > 8 ? ` … ${raw.length} in all` : ""}`,
  );
  return lines.join("\n");
}
