/**
 * The random cross-check (spec/cpython-model.md §7.6, issue 18): "the model is the real
 * pymalloc". At least 100 fast-check sequences run on one live python3 and on the CPython model;
 * every address must be equal after normalisation and every checkpoint's stats equal, and the
 * sequences must reach the states that matter (realloc in place and moved, the raw path, a second
 * arena, an arena released). Not vacuous: the address-ordered bitmap allocator in the model's
 * place diverges, shrinks to a few steps, is written as a counterexample, and replays side by
 * side. Skipped, with the reason, when python3 is not a suitable CPython (the probe's checks).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAllocator } from "../../src/allocators/create-allocator.ts";
import { geometries } from "../../src/core/geometry.ts";
import { formatDebugMallocStats } from "../../src/core/debug-malloc-stats.ts";
import { runCrosscheck } from "../../src/cli/crosscheck.ts";
import { formatRandomReport } from "../../src/cli/crosscheck-random.ts";
import { runReplay } from "../../src/cli/replay.ts";
import { compareSequence, REACHABLE } from "../../src/crosscheck/compare-sequence.ts";
import { LiveSession } from "../../src/crosscheck/live-session.ts";
import {
  AddressNames,
  formatName,
  NULL_ADDRESS,
  RAW,
} from "../../src/crosscheck/normalise-address.ts";
import { parseDebugMallocStats } from "../../src/crosscheck/parse-debug-malloc-stats.ts";
import {
  randomCrosscheck,
  type RandomCrosscheckReport,
} from "../../src/crosscheck/random-crosscheck.ts";
import { readRandomCounterexample } from "../../src/crosscheck/random-counterexample.ts";
import { LIVE_OP } from "../../src/crosscheck/live-pymalloc.ts";
import {
  expandSequence,
  type RandomSequence,
  type SequenceShape,
} from "../../src/crosscheck/random-sequence.ts";

const SEED = 20261125;
const dir = mkdtempSync(join(tmpdir(), "allocheck-random-crosscheck-"));
let report: RandomCrosscheckReport;

beforeAll(() => {
  report = randomCrosscheck({ runs: 100, seed: SEED, counterexampleDir: dir });
  console.log(formatRandomReport(report));
}, 120_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const g311 = geometries["cpython-3.11"];
const shape: SequenceShape = {
  geometry: g311,
  classes: Array.from({ length: 27 }, (_, i) => 5 + i),
  maxSteps: 40,
};
const hot = (pick = 0) => ({ from: "hot" as const, pick, slack: 0 });

describe(`crosscheck --random: the CPython model is the real pymalloc (seed ${SEED})`, () => {
  it("100 sequences, ≥ 10^4 real calls: every address equal after normalisation, every checkpoint equal, under 60 s", (ctx) => {
    if (report.status === "skipped") ctx.skip(report.reason);
    if (report.status !== "ran") return;
    expect(report.inconclusive).toBeUndefined();
    expect(report.divergence && formatRandomReport(report)).toBeUndefined();
    expect(report.verdict).toBe("pass");
    expect(report.sequences).toBeGreaterThanOrEqual(100);
    expect(report.realCalls).toBeGreaterThanOrEqual(10_000);
    expect(report.checkpoints).toBeGreaterThanOrEqual(report.sequences);
    expect(report.seconds).toBeLessThan(60);
  });

  it("the sequences reach every state that matters, in at least 3 of 100", (ctx) => {
    if (report.status === "skipped") ctx.skip(report.reason);
    if (report.status !== "ran") return;
    for (const state of REACHABLE)
      expect([state, report.reached[state] >= 3]).toEqual([state, true]);
  });

  it("is not vacuous: the address-ordered policy in the model's place diverges, shrinks to ≤ 4 steps and replays side by side", (ctx) => {
    if (report.status === "skipped") ctx.skip(report.reason);
    const wrong = randomCrosscheck({
      runs: 100,
      seed: SEED,
      model: (g) => createAllocator("bitmap", g),
      modelName: "bitmap",
      counterexampleDir: dir,
    });
    if (wrong.status !== "ran") throw new Error("the live subject went away");
    expect(wrong.verdict).toBe("fail");
    expect(wrong.divergence!.reproduced).toBe(true);
    expect(wrong.divergence!.sequence.steps.length).toBeLessThanOrEqual(4);
    const c = readRandomCounterexample(wrong.file!)!;
    expect(c.model).toBe("bitmap");
    expect(c.message).toMatch(/the model gives pool \d+ \+ \d+, pymalloc pool \d+ \+ \d+/);
    const lines: string[] = [];
    const log = console.log;
    console.log = (...args: unknown[]) => void lines.push(args.join(" "));
    let code: number | Promise<number>;
    try {
      code = runReplay([wrong.file!]);
    } finally {
      console.log = log;
    }
    const text = lines.join("\n");
    expect(code).toBe(1);
    expect(text).toMatch(/call\s+model\s+pymalloc/);
    expect(text).toMatch(/= malloc\(\d+\)\s+pool \d+ \+ \d+\s+pool \d+ \+ \d+\s+✗/);
    expect(text).toMatch(/still diverge/);
  }, 120_000);

  it("regression (found while building it): a pool emptied and reused keeps its LIFO free list on both sides", (ctx) => {
    // An 80-byte object of the ctypes call took the emptied pool when its own class had no
    // partly used pool, so pymalloc re-initialised it (class 4 is now left out: SMALLEST_REQUEST).
    if (report.status === "skipped") ctx.skip(report.reason);
    const session = LiveSession.start(process.env.ALLOCHECK_PYTHON ?? "python3");
    if ("skip" in session) return ctx.skip(session.skip);
    try {
      const live: SequenceShape = {
        geometry: session.geometry,
        classes: session.classes,
        maxSteps: 8,
      };
      for (const c of [session.classes[0]!, 20]) {
        const sequence: RandomSequence = {
          hot: [c],
          steps: [
            { op: "malloc", size: hot() },
            { op: "malloc", size: hot() },
            { op: "free", pick: 0 },
            { op: "free-every", k: 2, from: 0 },
            { op: "malloc", size: hot() },
          ],
        };
        const r = compareSequence(session, sequence, live, 10);
        const size = session.geometry.classSizes[c]!;
        const offset = (n: number) => r.real[n]! % session.geometry.poolSize;
        // The block freed last (the second) comes back, on both sides.
        expect([offset(4), r.model[4]]).toEqual([48 + size, r.real[4]]);
        expect(r.firstCall).toBe(-1);
        expect(r.firstCheckpoint).toBe(-1);
      }
    } finally {
      session.close();
    }
  });

  it("regression (found at 300 runs): a new arena takes the slot of the one released first on both sides", (ctx) => {
    // Linux maps at the top of the highest free gap, the model at its lowest free slot: the same
    // slot only while both use the same slots. The reset left the kept arena one slot down, so
    // two arenas were mapped out of order and the third reused the other one's slot. The reset now
    // puts the kept arena back in the top slot (live-session.ts).
    if (report.status === "skipped") ctx.skip(report.reason);
    const session = LiveSession.start(process.env.ALLOCHECK_PYTHON ?? "python3");
    if ("skip" in session) return ctx.skip(session.skip);
    try {
      const live: SequenceShape = {
        geometry: session.geometry,
        classes: session.classes,
        maxSteps: 8,
      };
      const sequence: RandomSequence = {
        hot: [session.classes[0]!],
        steps: [
          { op: "fill-arena", size: hot() },
          { op: "fill-arena", size: hot() },
          { op: "malloc", size: hot() },
          { op: "drain", newestFirst: false },
          { op: "fill-pool", size: hot() },
          { op: "fill-arena", size: hot() },
        ],
      };
      for (let round = 0; round < 2; round++) {
        const r = compareSequence(session, sequence, live, 10);
        expect([round, r.firstCall, r.firstCheckpoint]).toEqual([round, -1, -1]);
        expect(r.reached).toContain("arena released");
      }
    } finally {
      session.close();
    }
  });

  it("allocheck crosscheck --random prints sequences, real calls, checkpoints and the verdict", (ctx) => {
    if (report.status === "skipped") ctx.skip(report.reason);
    const lines: string[] = [];
    const log = console.log;
    console.log = (...args: unknown[]) => void lines.push(args.join(" "));
    let code: number;
    try {
      code = runCrosscheck(["--random", "--runs", "10", "--seed", "7"]);
    } finally {
      console.log = log;
    }
    const text = lines.join("\n");
    expect(code).toBe(0);
    expect(text).toMatch(/seed 7/);
    expect(text).toMatch(
      /10 sequences \(10 runs\), [\d,]+ real calls \([\d,]+ per second through the pipe\), [\d,]+ checkpoints compared/,
    );
    expect(text).toMatch(/verdict: pass: every address equal after normalisation/);
    expect(() => runCrosscheck(["--runs", "5"])).toThrow(/--runs goes with --random/);
    expect(() => runCrosscheck(["--random", "--runs", "0"])).toThrow(/positive integer/);
  });

  it("skips, saying why, when there is no such python", () => {
    const r = randomCrosscheck({ python: "/nonexistent/python3", runs: 1 });
    expect(r.status).toBe("skipped");
    expect(r.status === "skipped" && r.reason).toMatch(/\/nonexistent\/python3 could not run/);
  });
});

describe("crosscheck --random: its parts, without python", () => {
  it("normalises addresses: pools in order of first use, (pool, offset), raw, null", () => {
    const names = new AddressNames(16384, (a) => a < 1_000_000);
    expect(names.name(5 * 16384 + 48)).toBe(48);
    expect(names.name(2 * 16384 + 96)).toBe(16384 + 96);
    expect(names.name(5 * 16384 + 144)).toBe(144);
    expect(names.name(2_000_000)).toBe(RAW);
    expect(names.name(null)).toBe(NULL_ADDRESS);
    expect(formatName(16384 + 96, 16384)).toBe("pool 1 + 96");
    expect(formatName(RAW, 16384)).toBe("raw");
  });

  it("parses sys._debugmallocstats() as CPython prints it (formatDebugMallocStats' text of a model heap)", () => {
    const a = createAllocator("cpython", "cpython-3.11");
    for (let i = 0; i < 3000; i++) a.malloc(100 + (i % 300));
    const s = a.stats();
    const parsed = parseDebugMallocStats(formatDebugMallocStats(s));
    expect(parsed.arenasAllocatedTotal).toBe(s.arenas.allocatedTotal);
    expect(parsed.arenasCurrent).toBe(s.arenas.current);
    expect(parsed.unusedPools).toBe(s.bytes.unusedPools / g311.poolSize);
    expect([parsed.threshold, parsed.sizeClasses, parsed.poolSize, parsed.arenaSize]).toEqual([
      512,
      32,
      16384,
      1 << 20,
    ]);
    for (const k of s.classes)
      expect(parsed.classes[String(k.index)]).toEqual({
        size: k.size,
        pools: k.pools,
        blocks: k.blocksInUse,
        avail: k.availBlocks,
      });
  });

  it("expands steps into calls: realloc targets by the 3/4 rule, macro steps, checkpoints every k steps", () => {
    const c = 10; // 176 B
    const e = expandSequence(
      {
        hot: [c],
        steps: [
          { op: "malloc", size: hot() },
          { op: "realloc", pick: 0, to: "least-in-place", size: hot() },
          { op: "realloc", pick: 0, to: "across-three-quarters", size: hot() },
          { op: "realloc", pick: 0, to: "raw", size: hot(3) },
          { op: "realloc", pick: 0, to: "small", size: hot() },
          { op: "fill-pool", size: hot() },
          { op: "free-every", k: 2, from: 1 },
          { op: "drain", newestFirst: true },
        ],
      },
      shape,
      3,
    );
    const calls = Array.from({ length: e.calls.length }, (_, i) => [
      e.calls.op(i),
      e.calls.slot(i),
      e.calls.size(i),
    ]);
    expect(calls.slice(0, 6)).toEqual([
      [LIVE_OP.malloc, 0, 176],
      [LIVE_OP.realloc, 0, 133], // floor(3·176/4) + 1: the smallest that stays
      [LIVE_OP.realloc, 0, 132], // floor(3·176/4): moves down
      [LIVE_OP.snapshot, 0, 0],
      [LIVE_OP.realloc, 0, 516], // raw: T + 1 + pick
      [LIVE_OP.realloc, 0, 176], // a raw block asked for a small size (it stays raw in pymalloc)
    ]);
    const perPool = g311.blocksPerPool[c]!;
    expect(e.stepStart[6]! - e.stepStart[5]!).toBe(perPool + 1); // fill-pool, then a checkpoint
    const live = 1 + perPool;
    expect(e.stepStart[7]! - e.stepStart[6]!).toBe(Math.floor(live / 2));
    expect(calls.at(-1)).toEqual([LIVE_OP.snapshot, 0, 0]);
    expect(calls.filter(([op]) => op === LIVE_OP.free).length).toBe(live);
  });
});
