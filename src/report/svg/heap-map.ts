/**
 * The heap as an SVG picture: one row per mapped arena (labelled with its slot and address), one
 * cell per usable pool, coloured by the pool's size class and shaded by its fill (live blocks /
 * blocks per pool); empty pools are light grey (spec/model.md §4: an empty pool has no class).
 * A legend lists the classes present, the fill shading and the raw blocks. Built from
 * `snapshot()` (spec/stats.md §2).
 *
 * Structure (the tests read it): `<g class="arena" data-slot>` per arena, holding one
 * `<rect class="pool" data-pool data-class data-live>` per pool; empty pools have class
 * "pool empty" and no data-class.
 */
import type { HeapSnapshot, PoolSnapshot } from "../../core/allocator.ts";
import { hex } from "../../core/errors.ts";
import type { Geometry } from "../../core/geometry.ts";
import { count, humanBytes } from "../../core/format.ts";
import { EMPTY_POOL, poolColour } from "./palette.ts";
import { element, svgDocument, text, tooltip } from "./xml.ts";

export interface HeapMapOptions {
  readonly title: string;
  readonly subtitle?: string;
  /** Arenas drawn at most; the rest are counted in a note. */
  readonly maxArenas?: number;
}

const MARGIN = 16;
const LABEL_WIDTH = 200;
const GAP = 1;
const ROW_GAP = 5;
const MAX_COLUMNS = 64;
/** Pools drawn per arena at most (geometries allow arenas of thousands of pools). */
const MAX_POOLS_DRAWN = 4096;

/** Address of usable pool i of an arena whose mapping starts at `arenaAddress` (spec/model.md §2). */
export function poolAddress(g: Geometry, arenaAddress: number, i: number): number {
  const firstPoolOffset = g.poolAlignedArenas ? 0 : g.poolSize;
  return arenaAddress - g.arenaExcess + firstPoolOffset + i * g.poolSize;
}

export function heapMapSvg(snapshot: HeapSnapshot, g: Geometry, options: HeapMapOptions): string {
  const drawnPools = Math.min(g.poolsPerArena, MAX_POOLS_DRAWN);
  const columns = Math.min(drawnPools, MAX_COLUMNS);
  const linesPerArena = Math.ceil(drawnPools / columns);
  const cell = Math.max(10, Math.min(32, Math.floor(768 / columns)));
  const arenas = snapshot.arenas.slice(0, options.maxArenas ?? 512);
  const rowHeight = linesPerArena * (cell + GAP) - GAP;

  const body: string[] = [];
  body.push(text({ x: MARGIN, y: 26, "font-size": 16, "font-weight": "bold" }, options.title));
  const subtitle = options.subtitle ?? "";
  const subtitleText = `${subtitle}${subtitle ? " · " : ""}${g.name}: ${count(g.poolsPerArena)} pools of ${humanBytes(g.poolSize)} per ${humanBytes(g.arenaSize)} arena · ${count(snapshot.arenas.length)} arenas mapped`;
  body.push(text({ x: MARGIN, y: 46, "font-size": 12, fill: "#444" }, subtitleText));
  // Wide enough for the heading lines (about 0.6 em per character).
  const headingWidth =
    2 * MARGIN + Math.max(options.title.length * 16, subtitleText.length * 12) * 0.6;

  let y = 66;
  const gridX = MARGIN + LABEL_WIDTH;
  for (const arena of arenas) {
    const used = new Map<number, PoolSnapshot>(arena.pools.map((pool) => [pool.index, pool]));
    const cells: string[] = [
      text(
        {
          x: MARGIN,
          y: y + Math.min(rowHeight, cell) / 2 + 4,
          "font-size": 11,
          "font-family": "ui-monospace, monospace",
        },
        `arena ${arena.slot}  ${hex(arena.address)}`,
      ),
    ];
    for (let i = 0; i < drawnPools; i++) {
      const x = gridX + (i % columns) * (cell + GAP);
      const cy = y + Math.floor(i / columns) * (cell + GAP);
      const pool = used.get(i);
      if (pool === undefined) {
        cells.push(
          element(
            "rect",
            {
              class: "pool empty",
              "data-pool": i,
              "data-live": 0,
              x,
              y: cy,
              width: cell,
              height: cell,
              fill: EMPTY_POOL,
            },
            tooltip(`pool ${i} @${hex(poolAddress(g, arena.address, i))}: empty`),
          ),
        );
        continue;
      }
      const perPool = g.blocksPerPool[pool.sizeClass]!;
      const live = pool.blocks.length;
      cells.push(
        element(
          "rect",
          {
            class: "pool",
            "data-pool": i,
            "data-class": pool.sizeClass,
            "data-live": live,
            x,
            y: cy,
            width: cell,
            height: cell,
            fill: poolColour(pool.sizeClass, live / perPool),
          },
          tooltip(
            `pool ${i} @${hex(pool.address)}: class ${pool.sizeClass} (${g.classSizes[pool.sizeClass]} B), ${live}/${perPool} blocks live`,
          ),
        ),
      );
    }
    body.push(
      element(
        "g",
        { class: "arena", "data-slot": arena.slot, "data-address": hex(arena.address) },
        ...cells,
      ),
    );
    y += rowHeight + ROW_GAP;
  }
  const notes: string[] = [];
  if (snapshot.arenas.length === 0) notes.push("no arenas mapped");
  if (snapshot.arenas.length > arenas.length)
    notes.push(`… ${count(snapshot.arenas.length - arenas.length)} more arenas not drawn`);
  if (g.poolsPerArena > drawnPools)
    notes.push(
      `only the first ${count(drawnPools)} of ${count(g.poolsPerArena)} pools of each arena are drawn`,
    );
  for (const note of notes) {
    y += 6;
    body.push(text({ x: MARGIN, y: y + 10, "font-size": 12, fill: "#444" }, note));
    y += 16;
  }

  const gridWidth = columns * (cell + GAP) - GAP;
  const width = Math.max(gridX + gridWidth + MARGIN, 720, headingWidth);
  const legend = legendRows(snapshot, g, MARGIN, y + 18, width - 2 * MARGIN);
  body.push(legend.markup);
  return svgDocument(width, legend.bottom + MARGIN, options.title, body);
}

/** The legend: one swatch per class present, the fill shading, empty pools, raw blocks. */
function legendRows(
  snapshot: HeapSnapshot,
  g: Geometry,
  x0: number,
  y0: number,
  width: number,
): { markup: string; bottom: number } {
  const byClass = new Map<number, { pools: number; blocks: number }>();
  for (const arena of snapshot.arenas) {
    for (const pool of arena.pools) {
      const entry = byClass.get(pool.sizeClass) ?? { pools: 0, blocks: 0 };
      entry.pools++;
      entry.blocks += pool.blocks.length;
      byClass.set(pool.sizeClass, entry);
    }
  }
  const parts: string[] = [
    text(
      { x: x0, y: y0, "font-size": 12, "font-weight": "bold" },
      "size classes (colour) · fill: live blocks / blocks per pool (shade)",
    ),
  ];
  const entryWidth = 250;
  const perLine = Math.max(1, Math.floor(width / entryWidth));
  let y = y0 + 10;
  const classes = [...byClass.entries()].sort(([a], [b]) => a - b);
  classes.forEach(([c, { pools, blocks }], k) => {
    const x = x0 + (k % perLine) * entryWidth;
    const ly = y + Math.floor(k / perLine) * 18;
    parts.push(
      element(
        "g",
        { class: "legend-class", "data-class": c },
        element("rect", { x, y: ly, width: 12, height: 12, fill: poolColour(c, 1) }),
        text(
          { x: x + 18, y: ly + 10, "font-size": 11 },
          `c${c} · ${g.classSizes[c]} B · ${count(pools)} pools · ${count(blocks)} blocks`,
        ),
      ),
    );
  });
  y += Math.ceil(classes.length / perLine) * 18 + 8;
  // Fill shading for one hue (the first class present, else class 0), and the empty pool.
  const hueClass = classes[0]?.[0] ?? 0;
  const shades = [0.1, 0.25, 0.5, 0.75, 1];
  parts.push(text({ x: x0, y: y + 10, "font-size": 11 }, "fill"));
  shades.forEach((f, k) => {
    parts.push(
      element("rect", {
        x: x0 + 30 + k * 44,
        y,
        width: 12,
        height: 12,
        fill: poolColour(hueClass, f),
      }),
    );
    parts.push(
      text(
        { x: x0 + 46 + k * 44, y: y + 10, "font-size": 10, fill: "#444" },
        `${Math.round(f * 100)}%`,
      ),
    );
  });
  const ex = x0 + 30 + shades.length * 44 + 16;
  parts.push(element("rect", { x: ex, y, width: 12, height: 12, fill: EMPTY_POOL }));
  parts.push(text({ x: ex + 18, y: y + 10, "font-size": 11 }, "empty pool"));
  y += 30;
  const rawBytes = snapshot.raw.reduce((sum, r) => sum + r.size, 0);
  parts.push(
    text(
      { x: x0, y, "font-size": 11, fill: "#444" },
      `raw blocks (outside the arenas): ${count(snapshot.raw.length)}, ${humanBytes(rawBytes)} mapped`,
    ),
  );
  return { markup: element("g", { class: "legend" }, ...parts), bottom: y + 6 };
}
