/**
 * Invariant 11 (equivalence), deterministically: the bitmap allocator and the reference allocator
 * are driven side by side through the same random operations, and must agree after every one:
 * the same address / null / error code and message, the same stats(); the same snapshot() and
 * address-space event log every SNAPSHOT_EVERY operations and at the end; check() (invariant 12)
 * passes on both at intervals and at the end. Byte patterns written into blocks must survive,
 * identically in both, and realloc must copy their prefix (invariant 8).
 *
 * The workload is steady-state churn in phases: each phase picks a target live-set size (0 to drain
 * and release arenas, above capacity to reach out of memory on the tiny geometries) and a size mix
 * (every class, class edges, large classes only, raw). The PRNG is mulberry32 with fixed seeds,
 * printed with the operation counts, so any failure is replayable from its geometry and seed.
 * The bitmap allocator runs twice: as shipped (its fast paths, spec/bitmap.md §3.1), and with the
 * fast paths off (the generic steps that every seeded bug overrides one of) on a quarter of the
 * operations.
 */
import { describe, expect, it } from "vitest";
import type { Allocator } from "../../src/core/allocator.ts";
import { createAllocator } from "../../src/allocators/create-allocator.ts";
import { AllocatorError } from "../../src/core/errors.ts";
import { defineGeometry, geometries, type Geometry } from "../../src/core/geometry.ts";
import { mulberry32 } from "../../src/core/random.ts";
import { profileFromEnv } from "../profiles.ts";
import { PathCountingBitmap } from "./support/path-counting-bitmap.ts";
import { THREE_LEVEL_POOLS } from "./support/three-level-geometry.ts";

// ── PRNG ─────────────────────────────────────────────────────────────────────────────────────

// ── cases ────────────────────────────────────────────────────────────────────────────────────

interface Case {
  readonly geometry: Geometry;
  readonly seed: number;
  readonly ops: number;
  /** Largest phase target for the live set. */
  readonly maxLive: number;
  /** Chance that a phase allocates mostly from the two largest classes (many pools, many arenas). */
  readonly largeShare: number;
}

const tiny = (name: string, options: Parameters<typeof defineGeometry>[0]): Geometry =>
  defineGeometry(options, name);

const TINY: readonly Geometry[] = [
  tiny("tiny-a8-p128-keep", {
    alignment: 8,
    smallThreshold: 32,
    poolSize: 128,
    arenaSize: 512,
    poolOverhead: 16,
    poolAlignedArenas: true,
    maxArenas: 4,
    keepEmptyArena: true,
  }),
  tiny("tiny-a16-p256-unaligned-keep0", {
    alignment: 16,
    smallThreshold: 64,
    poolSize: 256,
    arenaSize: 1024,
    poolOverhead: 16,
    poolAlignedArenas: false,
    maxArenas: 3,
    keepEmptyArena: false,
  }),
  tiny("tiny-a8-p256-h0-keep0", {
    alignment: 8,
    smallThreshold: 128,
    poolSize: 256,
    arenaSize: 2048,
    poolOverhead: 0,
    poolAlignedArenas: true,
    maxArenas: 6,
    keepEmptyArena: false,
    maxRequest: 5000,
  }),
  tiny("tiny-a16-p128-unaligned-keep", {
    alignment: 16,
    smallThreshold: 112,
    poolSize: 128,
    arenaSize: 512,
    poolOverhead: 16,
    poolAlignedArenas: false,
    maxArenas: 2,
    keepEmptyArena: true,
  }),
  tiny("tiny-a4-p64-keep", {
    alignment: 4,
    smallThreshold: 32,
    poolSize: 64,
    arenaSize: 256,
    poolOverhead: 8,
    poolAlignedArenas: true,
    maxArenas: 5,
    keepEmptyArena: true,
  }),
  tiny("tiny-a8-p128-h0-unaligned-keep", {
    alignment: 8,
    smallThreshold: 64,
    poolSize: 128,
    arenaSize: 1024,
    poolOverhead: 0,
    poolAlignedArenas: false,
    maxArenas: 3,
    keepEmptyArena: true,
    maxRequest: 2000,
  }),
  // One pool per arena: every pool that empties empties its arena.
  tiny("tiny-one-pool-arenas", {
    alignment: 8,
    smallThreshold: 64,
    poolSize: 128,
    arenaSize: 128,
    poolOverhead: 16,
    poolAlignedArenas: true,
    maxArenas: 6,
    keepEmptyArena: true,
  }),
  THREE_LEVEL_POOLS,
  // T/4 > 255: the requested sizes need a Uint16Array.
  tiny("small-t2048-keep0", {
    alignment: 16,
    smallThreshold: 2048,
    poolSize: 4096,
    arenaSize: 16384,
    poolOverhead: 48,
    poolAlignedArenas: true,
    maxArenas: 4,
    keepEmptyArena: false,
  }),
];

/** Presets with a small arena limit: several arenas, arena choice and out of memory at real sizes. */
const LIMITED: readonly Geometry[] = [
  defineGeometry({ ...geometries["cpython-3.12"], maxArenas: 3 }, "cpython-3.12-arenas3"),
  defineGeometry({ ...geometries["cpython-3.8"], maxArenas: 4 }, "cpython-3.8-arenas4"),
];

/**
 * The share of each case's operations a profile runs: all of them in ci and deep (`npm test`);
 * a tenth in quick, the profile of the mutation test set (spec/audit.md §3), where this file runs
 * against every mutant it covers and a short differential already kills what the long one does.
 */
const OPS_SHARE = { quick: 0.1, ci: 1, deep: 1 }[profileFromEnv().name];
const ops = (n: number) => Math.round(n * OPS_SHARE);
const MIN_TOTAL_OPS = ops(1_000_000);

const CASES: readonly Case[] = [
  ...Object.values(geometries).map((geometry, i): Case => ({
    geometry,
    seed: 0x5eed0000 + i,
    ops: ops(75_000),
    maxLive: 3000,
    largeShare: 0.25,
  })),
  ...LIMITED.map((geometry, i): Case => ({
    geometry,
    seed: 0x11a10000 + i,
    ops: ops(60_000),
    maxLive: 6000,
    largeShare: 0.7,
  })),
  ...TINY.map((geometry, i): Case => ({
    geometry,
    seed: 0x7a1a0000 + i,
    ops: ops(70_000),
    maxLive: geometry.smallThreshold > 512 ? 120 : geometry.poolSize > 4096 ? 3000 : 90,
    largeShare: 0.25,
  })),
];

const SNAPSHOT_EVERY = 500;
const CHECK_EVERY = 2_000;

// ── operations and outcomes ──────────────────────────────────────────────────────────────────

type OpName = "malloc" | "free" | "realloc" | "usableSize" | "bytes";

interface Op {
  readonly name: OpName;
  readonly p?: unknown;
  readonly n?: unknown;
  /** What the generator meant, for failure messages. */
  readonly why: string;
}

type Outcome =
  | { readonly ok: true; readonly value: number | null | undefined }
  | { readonly ok: false; readonly error: string };

function show(x: unknown): string {
  return typeof x === "number" && Number.isSafeInteger(x) && x > 4096
    ? `0x${x.toString(16)}`
    : typeof x === "string"
      ? JSON.stringify(x)
      : String(x);
}

function describeOp(op: Op): string {
  const args =
    op.name === "malloc"
      ? show(op.n)
      : op.name === "realloc"
        ? `${show(op.p)}, ${show(op.n)}`
        : show(op.p);
  return `${op.name}(${args}) [${op.why}]`;
}

function describeOutcome(o: Outcome): string {
  return o.ok ? `returned ${show(o.value)}` : `threw ${o.error}`;
}

function apply(a: Allocator, op: Op): Outcome {
  try {
    switch (op.name) {
      case "malloc":
        return { ok: true, value: a.malloc(op.n as number) };
      case "free":
        a.free(op.p as number | null);
        return { ok: true, value: undefined };
      case "realloc":
        return { ok: true, value: a.realloc(op.p as number | null, op.n as number) };
      case "usableSize":
        return { ok: true, value: a.usableSize(op.p as number) };
      case "bytes":
        return { ok: true, value: a.bytes(op.p as number).length };
    }
  } catch (e) {
    if (e instanceof AllocatorError)
      return { ok: false, error: `AllocatorError ${e.code}: ${e.message}` };
    return { ok: false, error: `${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}` };
  }
}

const sameOutcome = (a: Outcome, b: Outcome): boolean =>
  a.ok ? b.ok && Object.is(a.value, b.value) : !b.ok && a.error === b.error;

/** Deep equality of plain data (numbers, strings, booleans, arrays, objects): fast, no diff. */
function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null)
    return Number.isNaN(a) && Number.isNaN(b);
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka)
    if (!deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
      return false;
  return true;
}

/** The first path where two plain values differ, for failure messages. */
function firstDifference(a: unknown, b: unknown, path = "$"): string {
  if (deepEqual(a, b)) return "";
  if (typeof a === "object" && typeof b === "object" && a !== null && b !== null) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) {
      const d = firstDifference(
        (a as Record<string, unknown>)[k],
        (b as Record<string, unknown>)[k],
        `${path}.${k}`,
      );
      if (d !== "") return d;
    }
  }
  const cut = (x: unknown): string => (JSON.stringify(x) ?? String(x)).slice(0, 400);
  return `${path}: reference ${cut(a)} vs bitmap ${cut(b)}`;
}

// ── the driver ───────────────────────────────────────────────────────────────────────────────

interface LiveBlock {
  index: number;
  /** Pattern seed written into the block's bytes, or -1. */
  pattern: number;
  /** Bytes of the pattern from the block's start. */
  patternLength: number;
}

interface RunSummary {
  readonly ops: number;
  readonly errors: number;
  readonly nulls: number;
  readonly arenaReleases: number;
  readonly peakLive: number;
  readonly arenaHighwater: number;
  /** Thrown errors by code (the first word after "AllocatorError"). */
  readonly errorCodes: Readonly<Record<string, number>>;
}

const patternByte = (pattern: number, i: number): number => (pattern + i * 167 + (i >>> 8)) & 0xff;

class Differential {
  private readonly rng: () => number;
  private readonly ref: Allocator;
  private readonly bm: Allocator;
  private readonly g: Geometry;
  private readonly live = new Map<number, LiveBlock>();
  private readonly liveList: number[] = [];
  private readonly freed: number[] = [];
  private readonly released: number[] = [];
  private eventsCompared = 0;
  private target = 0;
  private mix = 0;
  private step = 0;
  private errors = 0;
  private nulls = 0;
  private peakLive = 0;
  private readonly errorCodes: Record<string, number> = {};

  constructor(
    private readonly c: Case,
    bitmap: (g: Geometry) => Allocator = (g) => createAllocator("bitmap", g),
  ) {
    this.rng = mulberry32(c.seed);
    this.g = c.geometry;
    this.ref = createAllocator("reference", c.geometry);
    this.bm = bitmap(c.geometry);
  }

  private fail(what: string): never {
    throw new Error(
      `bitmap ≠ reference on ${this.g.name} (seed 0x${this.c.seed.toString(16)}) at step ${this.step}: ${what}`,
    );
  }

  private int(lo: number, hi: number): number {
    return lo + Math.floor(this.rng() * (hi - lo + 1));
  }

  private pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.rng() * xs.length)]!;
  }

  run(): RunSummary {
    for (this.step = 0; this.step < this.c.ops; this.step++) {
      if (this.step % 1000 === 0 && this.rng() < 0.5) this.newPhase();
      const op = this.nextOp();
      const before =
        op.name === "realloc" && typeof op.p === "number" ? this.live.get(op.p) : undefined;
      const usableBefore = before !== undefined ? this.ref.usableSize(op.p as number) : 0;
      const r = apply(this.ref, op);
      const b = apply(this.bm, op);
      if (!sameOutcome(r, b))
        this.fail(
          `${describeOp(op)}\n  reference ${describeOutcome(r)}\n  bitmap    ${describeOutcome(b)}`,
        );
      this.record(op, r, before, usableBefore);
      const rs = this.ref.stats();
      const bs = this.bm.stats();
      if (!deepEqual(rs, bs))
        this.fail(`stats() after ${describeOp(op)}: ${firstDifference(rs, bs)}`);
      if ((this.step + 1) % SNAPSHOT_EVERY === 0) this.compareHeaps(`after ${describeOp(op)}`);
      if ((this.step + 1) % CHECK_EVERY === 0) this.checkBoth();
    }
    this.compareHeaps("at the end");
    this.checkBoth();
    this.verifyPatterns();
    // Drain: free everything, then compare once more (arena release on the way down).
    const drained = this.liveList.length;
    for (const p of [...this.liveList]) {
      const op: Op = { name: "free", p, why: "final drain" };
      const r = apply(this.ref, op);
      const b = apply(this.bm, op);
      if (!sameOutcome(r, b) || !r.ok)
        this.fail(
          `${describeOp(op)}\n  reference ${describeOutcome(r)}\n  bitmap    ${describeOutcome(b)}`,
        );
      this.record(op, r, undefined, 0);
      const rs = this.ref.stats();
      const bs = this.bm.stats();
      if (!deepEqual(rs, bs))
        this.fail(`stats() after ${describeOp(op)}: ${firstDifference(rs, bs)}`);
    }
    this.compareHeaps("after the final drain");
    this.checkBoth();
    const arenaReleases = this.ref.addressSpace
      .events()
      .filter((e) => e.kind === "unmap-arena").length;
    const arenaHighwater = this.ref.stats().arenas.highwater;
    return {
      ops: this.step + drained,
      errors: this.errors,
      nulls: this.nulls,
      arenaReleases,
      peakLive: this.peakLive,
      arenaHighwater,
      errorCodes: this.errorCodes,
    };
  }

  private newPhase(): void {
    const r = this.rng();
    const max = this.c.maxLive;
    this.target = r < 0.15 ? 0 : r < 0.3 ? max : r < 0.4 ? 2 * max : this.int(0, max);
    this.mix = this.rng() < this.c.largeShare ? 2 : this.pick([0, 1, 3]);
  }

  // ── sizes ──

  private smallSize(): number {
    const { alignment: A, smallThreshold: T } = this.g;
    const classes = T / A;
    if (this.mix === 2 && this.rng() < 0.9) return this.int(Math.max(1, T - 2 * A + 1), T); // the two largest classes: many pools, several arenas
    const r = this.rng();
    if (r < 0.3) return this.int(1, classes) * A; // a class's upper edge
    if (r < 0.5) return this.int(0, classes - 1) * A + 1; // a class's lower edge
    if (r < 0.55) return T;
    return this.int(1, T);
  }

  private rawSize(): number {
    const { smallThreshold: T, rawLimit, maxRequest } = this.g;
    const r = this.rng();
    if (r < 0.2) return 0;
    if (r < 0.4) return T + 1;
    if (r < 0.5) return Math.min(maxRequest, rawLimit + 1 + this.int(0, 1000)); // out of memory (or invalid above maxRequest)
    if (rawLimit <= 1 << 16) return this.int(T + 1, Math.min(maxRequest, Math.floor(rawLimit / 2))); // tiny: live raw bytes reach the limit
    return this.int(T + 1, 4 * T);
  }

  private size(): number {
    const rawShare = this.mix === 3 ? 0.25 : 0.06;
    return this.rng() < rawShare ? this.rawSize() : this.smallSize();
  }

  private badSize(): unknown {
    return this.pick([
      -1,
      1.5,
      NaN,
      Infinity,
      -Infinity,
      this.g.maxRequest + 1,
      this.g.maxRequest + 2 ** 20,
      2 ** 60,
      "8",
      undefined,
      -0.5,
    ]);
  }

  // ── pointers ──

  private randomLive(): number {
    return this.liveList[Math.floor(this.rng() * this.liveList.length)]!;
  }

  private poolStartOf(p: number): number {
    return p - (p % this.g.poolSize); // pools are poolSize-aligned in the simulated address space
  }

  private badPointer(): { p: unknown; why: string } {
    const { alignment: A, poolSize: P, poolOverhead: H } = this.g;
    const r = this.rng();
    const haveLive = this.liveList.length > 0;
    if (r < 0.3 && this.freed.length > 0)
      return { p: this.pick(this.freed), why: "freed block (double free / use after free)" };
    if (r < 0.45 && haveLive) {
      const p = this.randomLive();
      const usable = this.ref.usableSize(p);
      if (usable > 1) return { p: p + this.int(1, usable - 1), why: "interior pointer" };
      return { p: p + 1, why: "one past a 1-byte raw block" };
    }
    if (r < 0.55 && haveLive) {
      const start = this.poolStartOf(this.randomLive());
      return {
        p: start + A * this.int(0, Math.max(0, H / A - 1)),
        why: H > 0 ? "pool header" : "pool start (H = 0)",
      };
    }
    if (r < 0.62 && haveLive)
      return {
        p: this.poolStartOf(this.randomLive()) + P - A,
        why: "last alignment unit of a pool (quantization tail or last block)",
      };
    if (r < 0.75 && this.released.length > 0) {
      const arena = this.pick(this.released);
      return {
        p: arena + A * this.int(0, Math.floor(this.g.arenaSize / A) - 1),
        why: "inside a released arena",
      };
    }
    if (r < 0.8 && haveLive)
      return {
        p: this.poolStartOf(this.randomLive()) + P * this.int(1, 3) + H,
        why: "first block of a neighbouring pool",
      };
    return {
      p: this.pick([
        0,
        1,
        8,
        -16,
        1.5,
        NaN,
        Infinity,
        2 ** 53,
        2 ** 45 + 16,
        2 ** 40 + 8,
        "4096",
        undefined,
        {},
      ]),
      why: "unknown pointer",
    };
  }

  // ── the operation mix ──

  private nextOp(): Op {
    const below = this.liveList.length < this.target;
    const r = this.rng();
    const [mallocShare, freeShare] = below ? [0.62, 0.74] : [0.22, 0.7];
    if (r < mallocShare || this.liveList.length === 0) {
      if (this.rng() < 0.01) return { name: "malloc", n: this.badSize(), why: "bad size" };
      return { name: "malloc", n: this.size(), why: "malloc" };
    }
    if (r < freeShare) {
      if (this.rng() < 0.01) return { name: "free", p: null, why: "free(null)" };
      return { name: "free", p: this.randomLive(), why: "free a live block" };
    }
    if (r < 0.86) return this.reallocOp();
    if (r < 0.9)
      return {
        name: this.rng() < 0.5 ? "usableSize" : "bytes",
        p: this.randomLive(),
        why: "query a live block",
      };
    // Misuse.
    const m = this.rng();
    if (m < 0.15)
      return {
        name: "realloc",
        p: this.rng() < 0.5 ? null : this.randomLive(),
        n: this.badSize(),
        why: "realloc with a bad size",
      };
    const { p, why } = this.badPointer();
    const name: OpName = m < 0.6 ? "free" : m < 0.8 ? "realloc" : m < 0.9 ? "usableSize" : "bytes";
    return name === "realloc" ? { name, p, n: this.size(), why } : { name, p, why };
  }

  private reallocOp(): Op {
    if (this.rng() < 0.05)
      return { name: "realloc", p: null, n: this.size(), why: "realloc(null, n)" };
    const p = this.randomLive();
    const usable = this.ref.usableSize(p);
    const r = this.rng();
    const { smallThreshold: T } = this.g;
    if (r < 0.15)
      return {
        name: "realloc",
        p,
        n: Math.floor((3 * usable) / 4) + 1,
        why: "shrink, just in place",
      };
    if (r < 0.25)
      return {
        name: "realloc",
        p,
        n: Math.floor((3 * usable) / 4),
        why: "shrink, just out of place",
      };
    if (r < 0.35) return { name: "realloc", p, n: usable + 1, why: "grow past the usable size" };
    if (r < 0.4) return { name: "realloc", p, n: 0, why: "to 0 (raw)" };
    if (r < 0.5) return { name: "realloc", p, n: T + this.int(1, 2 * T), why: "to a raw size" };
    if (r < 0.6) return { name: "realloc", p, n: this.int(1, Math.max(1, usable)), why: "shrink" };
    return { name: "realloc", p, n: this.size(), why: "to a random size" };
  }

  // ── bookkeeping ──

  private addLive(p: number, pattern: number, patternLength: number): void {
    if (this.live.has(p)) this.fail(`harness: ${show(p)} returned while already live`);
    this.live.set(p, { index: this.liveList.length, pattern, patternLength });
    this.liveList.push(p);
    if (this.liveList.length > this.peakLive) this.peakLive = this.liveList.length;
  }

  private removeLive(p: number): void {
    const block = this.live.get(p);
    if (block === undefined) this.fail(`harness: ${show(p)} freed but not known to be live`);
    const last = this.liveList.pop()!;
    if (last !== p) {
      this.liveList[block.index] = last;
      this.live.get(last)!.index = block.index;
    }
    this.live.delete(p);
    this.freed.push(p);
    if (this.freed.length > 64) this.freed.splice(0, this.freed.length - 64);
  }

  /** Writes the same pattern into the block in both allocators. */
  private writePattern(p: number): { pattern: number; length: number } {
    const pattern = this.int(0, 255);
    const rb = this.ref.bytes(p);
    const bb = this.bm.bytes(p);
    const length = Math.min(rb.length, 4096);
    for (let i = 0; i < length; i++) rb[i] = bb[i] = patternByte(pattern, i);
    return { pattern, length };
  }

  /** The first `length` bytes at p hold the pattern, in both allocators. */
  private verifyPattern(p: number, pattern: number, length: number, when: string): void {
    const rb = this.ref.bytes(p);
    const bb = this.bm.bytes(p);
    for (let i = 0; i < length; i++) {
      const want = patternByte(pattern, i);
      if (rb[i] !== want || bb[i] !== want) {
        this.fail(
          `payload of ${show(p)} ${when}: byte ${i} is ${rb[i]} (reference) / ${bb[i]} (bitmap), wrote ${want}`,
        );
      }
    }
  }

  private verifyPatterns(): void {
    for (const [p, block] of this.live)
      if (block.pattern !== -1)
        this.verifyPattern(p, block.pattern, block.patternLength, "(integrity sweep)");
  }

  private record(
    op: Op,
    outcome: Outcome,
    before: LiveBlock | undefined,
    usableBefore: number,
  ): void {
    if (!outcome.ok) {
      this.errors++;
      const code = /^AllocatorError ([a-z-]+):/.exec(outcome.error)?.[1] ?? outcome.error;
      this.errorCodes[code] = (this.errorCodes[code] ?? 0) + 1;
      return;
    }
    switch (op.name) {
      case "malloc": {
        if (outcome.value === null) {
          this.nulls++;
          return;
        }
        const q = outcome.value as number;
        if (this.rng() < 0.15) {
          const { pattern, length } = this.writePattern(q);
          this.addLive(q, pattern, length);
        } else this.addLive(q, -1, 0);
        return;
      }
      case "free":
        if (op.p !== null) this.removeLive(op.p as number);
        return;
      case "realloc": {
        if (outcome.value === null) {
          this.nulls++;
          // Out of memory: the old block must be untouched.
          if (before !== undefined && before.pattern !== -1)
            this.verifyPattern(
              op.p as number,
              before.pattern,
              before.patternLength,
              "after a failed realloc",
            );
          return;
        }
        const q = outcome.value as number;
        const n = op.n as number;
        if (op.p === null) {
          this.addLive(q, -1, 0);
          return;
        }
        const p = op.p as number;
        if (before === undefined)
          this.fail(`harness: realloc of ${show(p)} succeeded but it was not live`);
        const copied = Math.min(usableBefore, n, before.patternLength);
        if (before.pattern !== -1)
          this.verifyPattern(q, before.pattern, copied, `after realloc from ${show(p)}`);
        if (q !== p) {
          this.removeLive(p);
          this.addLive(q, before.pattern, copied);
        } else {
          before.patternLength = copied;
        }
        if (before.pattern === -1 && this.rng() < 0.3) {
          const { pattern, length } = this.writePattern(q);
          const block = this.live.get(q)!;
          block.pattern = pattern;
          block.patternLength = length;
        }
        return;
      }
      default:
        return;
    }
  }

  private compareHeaps(when: string): void {
    const rs = this.ref.snapshot();
    const bs = this.bm.snapshot();
    if (!deepEqual(rs, bs)) this.fail(`snapshot() ${when}: ${firstDifference(rs, bs)}`);
    const re = this.ref.addressSpace.events(this.eventsCompared);
    const be = this.bm.addressSpace.events(this.eventsCompared);
    if (!deepEqual(re, be)) this.fail(`address-space events ${when}: ${firstDifference(re, be)}`);
    for (const e of re) if (e.kind === "unmap-arena") this.released.push(e.address);
    if (this.released.length > 32) this.released.splice(0, this.released.length - 32);
    this.eventsCompared += re.length;
  }

  private checkBoth(): void {
    for (const a of [this.ref, this.bm]) {
      try {
        a.check();
      } catch (e) {
        this.fail(`${a.kind}.check(): ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    this.verifyPatterns();
  }
}

// ── the tests ────────────────────────────────────────────────────────────────────────────────

describe("bitmap allocator ≡ reference allocator (invariant 11), deterministic differential", () => {
  const totals = { ops: 0, errors: 0, nulls: 0, arenaReleases: 0 };
  const started = performance.now();

  for (const c of CASES) {
    it(`${c.geometry.name} (seed 0x${c.seed.toString(16)}, ${c.ops} ops)`, () => {
      const t0 = performance.now();
      const summary = new Differential(c).run();
      totals.ops += summary.ops;
      totals.errors += summary.errors;
      totals.nulls += summary.nulls;
      totals.arenaReleases += summary.arenaReleases;
      console.log(
        `[bitmap-differential] ${c.geometry.name} seed=0x${c.seed.toString(16)}: ${summary.ops} ops ` +
          `(${summary.errors} misuse errors ${JSON.stringify(summary.errorCodes)}, ${summary.nulls} nulls, ${summary.arenaReleases} arena releases, peak live ${summary.peakLive}, arena highwater ${summary.arenaHighwater}) ` +
          `in ${((performance.now() - t0) / 1000).toFixed(2)} s`,
      );
    });
  }

  it(`ran at least ${MIN_TOTAL_OPS} operations in all`, () => {
    console.log(
      `[bitmap-differential] total: ${totals.ops} operations over ${CASES.length} geometries ` +
        `(${totals.errors} misuse errors, ${totals.nulls} nulls, ${totals.arenaReleases} arena releases) ` +
        `in ${((performance.now() - started) / 1000).toFixed(1)} s; seeds ${CASES.map((c) => `0x${c.seed.toString(16)}`).join(" ")}`,
    );
    if (totals.ops < MIN_TOTAL_OPS) throw new Error(`only ${totals.ops} operations ran`);
  });
});

describe("the bitmap allocator's generic paths (fast paths off, as in every seeded bug) ≡ reference", () => {
  // The shipped class takes the fast paths (spec/bitmap.md §3.1) for nearly every malloc and free,
  // so the steps a seeded bug overrides run here: a quarter of each case's operations.
  for (const c of CASES) {
    const quarter = { ...c, ops: Math.round(c.ops / 4) };
    it(`${c.geometry.name} (seed 0x${c.seed.toString(16)}, ${quarter.ops} ops)`, () => {
      let generic: PathCountingBitmap | undefined;
      new Differential(quarter, (g) => (generic = new PathCountingBitmap(g, false))).run();
      // It really was the generic path: every small malloc and free went through the steps.
      expect(generic!.takesFastPaths).toBe(false);
      expect(generic!.genericSmallMallocs).toBeGreaterThan(0);
      expect(generic!.genericSmallFrees).toBeGreaterThan(0);
    });
  }
});

describe("snapshot() of a pool of every class of every preset and tiny geometry (invariant 11)", () => {
  // One block in a fresh pool of each class: the snapshot lists that block and every free one.
  // Pools of most classes end in a partial word of bits (1021 blocks of 16 bytes in a 16 KiB
  // pool), whose bits past the last block are neither free nor live.
  for (const g of [...Object.values(geometries), ...TINY]) {
    it(g.name, () => {
      const [ref, bm] = [createAllocator("reference", g), createAllocator("bitmap", g)];
      for (const size of g.classSizes) expect(bm.malloc(size)).toBe(ref.malloc(size));
      expect(bm.snapshot()).toEqual(ref.snapshot());
    });
  }
});
