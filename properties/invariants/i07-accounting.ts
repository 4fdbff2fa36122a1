/**
 * Invariant 7, accounting: stats() equals a recount from the shadow heap and the event log:
 * requested bytes, live blocks, per-class pools and blocks, arena counters, mapped bytes and
 * CPython's byte accounting (spec/stats.md). The shadow's arenas and raw mappings come from the
 * event log read call by call (event-log-reader.ts; the log is a window, spec/model.md §2).
 */
import type { Stats } from "../../src/core/allocator.ts";
import type { Geometry } from "../../src/core/geometry.ts";
import type { ShadowHeap } from "../model/shadow-heap.ts";
import { violation } from "../model/violation.ts";
import { defineInvariant, needs, type Invariant } from "./invariant.ts";

/** What stats() must say, from the shadow heap alone. */
export function expectedStats(shadow: ShadowHeap, g: Geometry): Omit<Stats, "layout"> {
  const pools = new Array<number>(g.sizeClasses).fill(0);
  const blocks = new Array<number>(g.sizeClasses).fill(0);
  for (const pool of shadow.pools.values()) {
    pools[pool.sizeClass]!++;
    blocks[pool.sizeClass]! += pool.live;
  }
  const classes = [];
  let usedPools = 0;
  let inAllocatedBlocks = 0;
  let inAvailableBlocks = 0;
  let quantization = 0;
  for (let c = 0; c < g.sizeClasses; c++) {
    if (pools[c] === 0) continue;
    const size = g.classSizes[c]!;
    const availBlocks = pools[c]! * g.blocksPerPool[c]! - blocks[c]!;
    classes.push({ index: c, size, pools: pools[c]!, blocksInUse: blocks[c]!, availBlocks });
    usedPools += pools[c]!;
    inAllocatedBlocks += blocks[c]! * size;
    inAvailableBlocks += availBlocks * size;
    quantization += pools[c]! * ((g.poolSize - g.poolOverhead) % size);
  }
  const arenas = shadow.arenas.size;
  return {
    requested: { current: shadow.requestedCurrent, peak: shadow.requestedPeak },
    blocks: { small: shadow.smallBlocks, raw: shadow.rawBlocks },
    arenas: {
      current: arenas,
      allocatedTotal: shadow.arenasMappedTotal,
      reclaimed: shadow.arenasMappedTotal - arenas,
      highwater: shadow.arenasHighwater,
    },
    mappedBytes: { current: shadow.mappedBytes, peak: shadow.mappedPeak },
    classes,
    bytes: {
      inAllocatedBlocks,
      inAvailableBlocks,
      unusedPools: (arenas * g.poolsPerArena - usedPools) * g.poolSize,
      poolHeaders: usedPools * g.poolOverhead,
      quantization,
      arenaAlignment: g.arenaExcess === 0 ? 0 : arenas * g.poolSize,
    },
  };
}

/**
 * Whether two JSON-like values are equal in the sense of `differences` (no path differs): leaves
 * by Object.is, objects key by key over the union of their keys. The fast path: the checks compare
 * stats and snapshots after every step and nearly always find them equal, and this walk builds
 * no key sets, arrays or path strings: arrays of one length index by index, other objects by
 * for…in (a JSON-like value has no inherited enumerable keys, so it sees what Object.keys does).
 */
export function sameValue(actual: unknown, expected: unknown): boolean {
  if (Object.is(actual, expected)) return true;
  if (
    typeof actual !== "object" ||
    typeof expected !== "object" ||
    actual === null ||
    expected === null
  )
    return false;
  if (Array.isArray(actual) && Array.isArray(expected) && actual.length === expected.length) {
    for (let i = 0; i < actual.length; i++) if (!sameValue(actual[i], expected[i])) return false;
    return true;
  }
  const a = actual as Record<string, unknown>;
  const b = expected as Record<string, unknown>;
  for (const key in a) if (!sameValue(a[key], b[key])) return false;
  // A key only `expected` has differs unless its value is undefined (as `a[key]` reads it).
  for (const key in b) if (!(key in a) && !sameValue(undefined, b[key])) return false;
  return true;
}

/** Paths where two JSON-like values differ, e.g. "classes[2].pools: 3 ≠ 4" (sameValue first). */
export function differences(actual: unknown, expected: unknown, path = ""): string[] {
  if (path === "" && sameValue(actual, expected)) return [];
  return differencesAt(actual, expected, path);
}

/** The generic walk of `differences`, run once the values are known to differ. */
function differencesAt(actual: unknown, expected: unknown, path: string): string[] {
  if (Object.is(actual, expected)) return [];
  if (
    typeof actual !== "object" ||
    typeof expected !== "object" ||
    actual === null ||
    expected === null
  ) {
    return [`${path || "value"}: ${JSON.stringify(actual)} ≠ expected ${JSON.stringify(expected)}`];
  }
  const keys = new Set([...Object.keys(actual), ...Object.keys(expected)]);
  return [...keys].flatMap((key) =>
    differencesAt(
      (actual as Record<string, unknown>)[key],
      (expected as Record<string, unknown>)[key],
      Array.isArray(actual) ? `${path}[${key}]` : path ? `${path}.${key}` : key,
    ),
  );
}

export const accounting: Invariant = defineInvariant({
  number: 7,
  title: "accounting: stats() equals a recount from the shadow heap",
  inapplicable: (subject, geometry) =>
    needs(subject, geometry, "geometry", "addressSpace", "stats"),
  check: ({ subject, shadow, geometry }) => ({
    invariant: 7,
    afterStep() {
      const { layout: _, ...actual } = subject.stats!();
      const wrong = differences(actual, expectedStats(shadow, geometry!));
      if (wrong.length > 0)
        throw violation(
          7,
          `stats() disagrees with the shadow heap: ${wrong.slice(0, 6).join("; ")}`,
        );
    },
  }),
});
