/**
 * Stats and the debugmallocstats formatter (spec/stats.md), realloc (spec/policy.md §4) and the
 * tracemalloc-style requested bytes, on every allocator kind.
 */
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import {
  ALLOCATOR_KINDS,
  createAllocator,
  defineGeometry,
  formatDebugMallocStats,
  type Stats,
} from "../../src/index.ts";

/** The real CPython's pymalloc section, or undefined when python3 is missing. */
function realDebugMallocStats(): string | undefined {
  try {
    const script = "import sys, os; os.dup2(1, 2); sys._debugmallocstats()"; // it writes to the C stderr
    const out = execFileSync("python3", ["-c", script], { encoding: "utf8" });
    const start = out.indexOf("Small block threshold");
    const end = out.indexOf("\n", out.indexOf("\nTotal", start) + 1);
    return start === -1 ? undefined : out.slice(start, end + 1);
  } catch {
    return undefined;
  }
}

/** Reads the numbers back out of a printed section (the inverse of the formatter). */
function parseDebugMallocStats(text: string): Stats {
  const lines = text.split("\n");
  const value = (label: string) =>
    Number(
      lines
        .find((l) => l.startsWith(label))!
        .split("=")[1]!
        .replaceAll(",", "")
        .trim(),
    );
  const [, threshold, classes] = /threshold = (\d+), in (\d+)/.exec(lines[0]!)!.map(Number);
  const arenaLine = lines.find((l) => /arenas \* \d+ bytes\/arena/.test(l))!;
  const poolLine = lines.find((l) => /unused pools \* \d+ bytes/.test(l))!;
  const [, , arenaSize] = /^(\d+) arenas \* (\d+)/.exec(arenaLine)!.map(Number);
  const [, unused, poolSize] = /^(\d+) unused pools \* (\d+)/.exec(poolLine)!.map(Number);
  const rows = lines
    .filter((l) => /^\s+\d+\s+\d+\s+\d+\s+\d+\s+\d+$/.test(l))
    .map((l) => l.trim().split(/\s+/).map(Number));
  const current = value("# arenas allocated current");
  return {
    layout: {
      smallThreshold: threshold!,
      sizeClasses: classes!,
      poolSize: poolSize!,
      arenaSize: arenaSize!,
    },
    requested: { current: 0, peak: 0 },
    blocks: { small: 0, raw: 0 },
    arenas: {
      current,
      allocatedTotal: value("# arenas allocated total"),
      reclaimed: value("# arenas reclaimed"),
      highwater: value("# arenas highwater mark"),
    },
    mappedBytes: { current: 0, peak: 0 },
    classes: rows.map(([index, size, pools, blocksInUse, availBlocks]) => ({
      index: index!,
      size: size!,
      pools: pools!,
      blocksInUse: blocksInUse!,
      availBlocks: availBlocks!,
    })),
    bytes: {
      inAllocatedBlocks: value("# bytes in allocated blocks"),
      inAvailableBlocks: value("# bytes in available blocks"),
      unusedPools: unused! * poolSize!,
      poolHeaders: value("# bytes lost to pool headers"),
      quantization: value("# bytes lost to quantization"),
      arenaAlignment: value("# bytes lost to arena alignment"),
    },
  };
}

describe("formatDebugMallocStats", () => {
  const real = realDebugMallocStats();
  it.skipIf(real === undefined)(
    "reprints this machine's CPython sys._debugmallocstats() pymalloc section byte for byte",
    () => {
      expect(formatDebugMallocStats(parseDebugMallocStats(real!))).toBe(real);
    },
  );

  it.each(ALLOCATOR_KINDS)(
    "%s: the byte-accounting lines add up to the mapped arena bytes",
    (kind) => {
      const a = createAllocator(kind, "cpython-3.12");
      for (let i = 0; i < 5000; i++) a.malloc(1 + ((i * 37) % 512));
      const stats = a.stats();
      const text = formatDebugMallocStats(stats);
      const total = Number(/^Total\s+=\s+([\d,]+)$/m.exec(text)![1]!.replaceAll(",", ""));
      expect(total).toBe(stats.arenas.current * stats.layout.arenaSize);
      expect(parseDebugMallocStats(text)).toMatchObject({
        classes: stats.classes,
        bytes: stats.bytes,
        arenas: stats.arenas,
      });
    },
  );
});

describe.each(ALLOCATOR_KINDS)("%s: realloc and requested bytes", (kind) => {
  const g = defineGeometry({
    alignment: 16,
    smallThreshold: 64,
    poolSize: 256,
    arenaSize: 1024,
    poolOverhead: 16,
    poolAlignedArenas: true,
    maxArenas: 4,
    keepEmptyArena: true,
  });

  it("stays in place when n <= size and 4n > 3·size, and moves otherwise", () => {
    const a = createAllocator(kind, g);
    const p = a.malloc(64)!;
    expect(a.realloc(p, 49)).toBe(p); // 196 > 192
    expect(a.realloc(p, 64)).toBe(p);
    const q = a.realloc(p, 48)!; // 192 > 192 is false: moves to class 48
    expect(q).not.toBe(p);
    expect(a.usableSize(q)).toBe(48);
    a.check();
  });

  it("allocates the new block before freeing the old, copies min(old usable, n), and keeps raw blocks raw", () => {
    const a = createAllocator(kind, g);
    const p = a.malloc(16)!;
    a.bytes(p).set(Array.from({ length: 16 }, (_, i) => i + 1));
    const q = a.realloc(p, 32)!;
    expect(q).not.toBe(p);
    expect([...a.bytes(q).subarray(0, 16)]).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
    const r = a.realloc(q, 100)!; // to raw
    expect(a.snapshot().raw.map((b) => b.address)).toEqual([r]);
    expect([...a.bytes(r).subarray(0, 16)]).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
    const s = a.realloc(r, 8)!; // a raw block stays raw
    expect(a.snapshot().raw.map((b) => b.address)).toEqual([s]);
    expect([...a.bytes(s)]).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const t = a.malloc(16)!;
    const z = a.realloc(t, 0)!; // realloc(p, 0) moves to a raw block of one byte
    expect(a.usableSize(z)).toBe(1);
    expect(a.snapshot().raw).toHaveLength(2);
    a.check();
  });

  it("counts requested bytes as tracemalloc does: current, and the peak after each operation", () => {
    const a = createAllocator(kind, g);
    const p = a.malloc(10)!;
    const q = a.malloc(0)!;
    expect(a.stats().requested).toEqual({ current: 10, peak: 10 });
    const p2 = a.realloc(p, 60)!; // moves: the old 10 is replaced by 60
    expect(a.stats().requested).toEqual({ current: 60, peak: 60 });
    a.realloc(p2, 50); // in place
    expect(a.stats().requested).toEqual({ current: 50, peak: 60 });
    a.free(q);
    a.free(p2);
    expect(a.stats().requested).toEqual({ current: 0, peak: 60 });
    expect(a.stats().blocks).toEqual({ small: 0, raw: 0 });
  });
});
