/**
 * The pymalloc section of `sys._debugmallocstats()` as numbers: the same reading as
 * pymalloc_probe.py's parse_stats(), done here for the live subject, whose interpreter must not
 * parse its own snapshots (a parse allocates; spec/cpython-model.md §7.6).
 */
import type { ObservedClass, ObservedStats } from "./probe.ts";

const LABELS: Readonly<Record<string, keyof ObservedStats>> = {
  "# arenas allocated total": "arenasAllocatedTotal",
  "# arenas reclaimed": "arenasReclaimed",
  "# arenas highwater mark": "arenasHighwater",
  "# arenas allocated current": "arenasCurrent",
  "# bytes in allocated blocks": "bytesInAllocatedBlocks",
  "# bytes in available blocks": "bytesInAvailableBlocks",
  "# bytes lost to pool headers": "bytesLostToPoolHeaders",
  "# bytes lost to quantization": "bytesLostToQuantization",
  "# bytes lost to arena alignment": "bytesLostToArenaAlignment",
};

const isDigits = (s: string) => /^\d+$/.test(s);

export function parseDebugMallocStats(text: string): ObservedStats {
  const out: Record<string, unknown> = {};
  const classes: Record<string, ObservedClass> = {};
  let inTable = false;
  for (const line of text.split("\n")) {
    const s = line.trim();
    if (s.startsWith("Small block threshold")) {
      // "Small block threshold = 512, in 32 size classes."
      const words = s.replace(/,/g, " ").split(/\s+/);
      out.threshold = Number(words[4]);
      out.sizeClasses = Number(words[6]);
      continue;
    }
    if (s.startsWith("class") && s.includes("size")) {
      inTable = true;
      continue;
    }
    if (inTable) {
      if (s.startsWith("-----")) continue;
      const words = s.split(/\s+/);
      if (words.length === 5 && words.every(isDigits)) {
        const [c, size, pools, blocks, avail] = words.map(Number) as [
          number,
          number,
          number,
          number,
          number,
        ];
        classes[String(c)] = { size, pools, blocks, avail };
        continue;
      }
      inTable = false;
    }
    const eq = s.indexOf("=");
    if (eq === -1) continue;
    const label = s.slice(0, eq).trim();
    const value = s
      .slice(eq + 1)
      .trim()
      .replace(/,/g, "");
    if (!isDigits(value)) continue;
    if (label.endsWith("bytes/arena")) {
      // "14 arenas * 1048576 bytes/arena"
      out.arenaSize = Number(label.split("*")[1]!.trim().split(/\s+/)[0]);
    } else if (label.includes("unused pools")) {
      // "25 unused pools * 16384 bytes"
      out.unusedPools = Number(label.split(/\s+/)[0]);
      out.poolSize = Number(label.split("*")[1]!.trim().split(/\s+/)[0]);
    } else {
      const key = LABELS[label];
      // The pymalloc section comes first; later sections reuse no label, but stay safe.
      if (key !== undefined && !(key in out)) out[key] = Number(value);
    }
  }
  return { ...out, classes } as unknown as ObservedStats;
}
