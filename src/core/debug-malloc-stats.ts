/**
 * `formatDebugMallocStats`: the pymalloc section of CPython 3.11's `sys._debugmallocstats()`,
 * from `Objects/obmalloc.c: _PyObject_DebugMallocStats()` and `printone()` [3.11]
 * (spec/stats.md §3). The radix-tree "arena map counts" section is not printed: the model has
 * no radix tree.
 */
import type { Stats } from "./allocator.ts";

/** CPython's printone(): the label padded to 35 columns, "=", the value with commas in 21. */
function printone(label: string, value: number): string {
  return `${label.padEnd(35)}=${value.toLocaleString("en-US").padStart(21)}`;
}

/** CPython's "%5u %6u %11zu %15zu %13zu" table row. */
function classRow(
  index: number,
  size: number,
  pools: number,
  inUse: number,
  avail: number,
): string {
  return `${String(index).padStart(5)} ${String(size).padStart(6)} ${String(pools).padStart(11)} ${String(inUse).padStart(15)} ${String(avail).padStart(13)}`;
}

export function formatDebugMallocStats(stats: Stats): string {
  const { layout, arenas, bytes } = stats;
  const lines: string[] = [];
  lines.push(
    `Small block threshold = ${layout.smallThreshold}, in ${layout.sizeClasses} size classes.`,
  );
  lines.push("");
  lines.push("class   size   num pools   blocks in use  avail blocks");
  lines.push("-----   ----   ---------   -------------  ------------");
  for (const c of stats.classes)
    lines.push(classRow(c.index, c.size, c.pools, c.blocksInUse, c.availBlocks));
  lines.push("");
  lines.push(printone("# arenas allocated total", arenas.allocatedTotal));
  lines.push(printone("# arenas reclaimed", arenas.reclaimed));
  lines.push(printone("# arenas highwater mark", arenas.highwater));
  lines.push(printone("# arenas allocated current", arenas.current));
  lines.push(
    printone(
      `${arenas.current} arenas * ${layout.arenaSize} bytes/arena`,
      arenas.current * layout.arenaSize,
    ),
  );
  lines.push("");
  const accounting: [string, number][] = [
    ["# bytes in allocated blocks", bytes.inAllocatedBlocks],
    ["# bytes in available blocks", bytes.inAvailableBlocks],
    [
      `${bytes.unusedPools / layout.poolSize} unused pools * ${layout.poolSize} bytes`,
      bytes.unusedPools,
    ],
    ["# bytes lost to pool headers", bytes.poolHeaders],
    ["# bytes lost to quantization", bytes.quantization],
    ["# bytes lost to arena alignment", bytes.arenaAlignment],
  ];
  let total = 0;
  for (const [label, value] of accounting) {
    lines.push(printone(label, value));
    total += value;
  }
  lines.push(printone("Total", total));
  return lines.join("\n") + "\n";
}
