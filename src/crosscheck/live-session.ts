/**
 * The live subject made comparable with the model (spec/cpython-model.md §7.6): the canonical
 * start, and a reset to it before every sequence, both checked on the interpreter's own
 * snapshots.
 *
 * Canonical state: no arena has a free pool and no allowed class a partly used pool, except one
 * wholly free arena K (3.9+ keeps it: cpython-facts.md §5.4), which the OS mapped last and whose
 * first pool served one ballast block (the largest class) and is empty again. That is exactly the
 * model after `malloc(T); free(p)` on an empty heap, so both start alike.
 *
 *   start:  fill the avail blocks of the allowed classes (counts from a snapshot), then ballast
 *           until a block lands in the arena the OS maps next (pymalloc_live.py NEW_ARENA); free it.
 *   reset:  free every slot (the sequence's arenas go, but for the one kept, L), then ballast of
 *           L's unused pools × blocks per pool + 1: L fills, the last block opens a new arena K',
 *           freed first (kept: the only usable arena), then L's (L is released: K' follows it).
 *
 * A snapshot that breaks the canonical state, or a noise run that changes it, means the
 * interpreter's own allocations reached the heap the check uses: InconclusiveError.
 */
import { sizeClassOf, type Geometry } from "../core/geometry.ts";
import { CallBatch, LIVE_OP, LivePymalloc } from "./live-pymalloc.ts";
import { observedGeometry } from "./predict.ts";
import type { ObservedStats } from "./probe.ts";

/**
 * The smallest request the random sequences make: the classes below hold the interpreter's own
 * transient objects (ints, 32 B; ctypes arguments and the batch loop's iterators, 64 B; an
 * 80-byte one of the ctypes call, which takes an emptied pool of another class when its own class
 * has no partly used pool).
 */
export const SMALLEST_REQUEST = 81;

export class InconclusiveError extends Error {
  override readonly name = "InconclusiveError";
}

export class LiveSession {
  /** Slots the last sequence used. */
  private slotsUsed = 0;
  readonly geometry: Geometry;
  /** The classes the sequences use. */
  readonly classes: readonly number[];
  private readonly ballast: number;
  private readonly canonicalArenas: number;

  private constructor(readonly live: LivePymalloc) {
    live.snapshot();
    const [start] = live.takeSnapshots();
    const env = live.environment;
    this.geometry = observedGeometry(env, start!, env.nextArena! % start!.poolSize === 0);
    const g = this.geometry;
    const first = sizeClassOf(g, SMALLEST_REQUEST);
    this.classes = Array.from({ length: g.sizeClasses - first }, (_, i) => first + i);
    this.ballast = g.smallThreshold;
    live.fill(
      this.classes
        .map((c) => [g.classSizes[c]!, start!.classes[String(c)]?.avail ?? 0] as const)
        .filter(([, n]) => n > 0),
    );
    const perPool = g.blocksPerPool[g.sizeClasses - 1]!;
    const opened = live.newArena(this.ballast, (start!.unusedPools + 2) * perPool + 100_000);
    if (!(opened.address >= env.nextArena! && opened.address < env.nextArena! + g.arenaSize))
      throw new InconclusiveError(
        `canonical start: the ballast reached no new arena at the pinned place (${opened.blocks} blocks)`,
      );
    live.snapshot();
    const [canonical] = live.takeSnapshots();
    this.check(canonical!, "canonical start");
    // Noise: the call machinery, allocating nothing, between two snapshots taken inside a batch
    // (the loop itself holds a few 64-byte objects, so one outside a batch differs in class 3).
    const noise = new CallBatch();
    noise.push(LIVE_OP.snapshot, 0, 0);
    for (let i = 0; i < 64; i++) {
      noise.push(LIVE_OP.free, 0, 0);
      noise.push(LIVE_OP.realloc, 0, 0);
      noise.push(LIVE_OP.free, 0, 0);
    }
    noise.push(LIVE_OP.snapshot, 0, 0);
    live.run(noise);
    const [before, after] = live.takeSnapshots();
    this.check(before!, "noise");
    if (JSON.stringify(after) !== JSON.stringify(before))
      throw new InconclusiveError(
        "noise: the interpreter's own allocations changed pymalloc's state between two snapshots",
      );
    this.canonicalArenas = canonical!.arenasCurrent;
  }

  /** Starts a process and brings it to the canonical state; a reason when it cannot run. */
  static start(python: string): LiveSession | { readonly skip: string } {
    const live = LivePymalloc.start(python);
    if ("skip" in live) return live;
    try {
      return new LiveSession(live);
    } catch (error) {
      live.close();
      throw error;
    }
  }

  /**
   * Back to the canonical state; its snapshot, the baseline of the next sequence. The kept arena
   * must end in the top slot of the pinned stretch, where K was: Linux maps an arena at the top
   * of the highest free gap, which is the model's lowest free slot only while the used slots
   * are the same on both sides (§7.6). When the arena the sequence kept sat in the top slot, the
   * first cycle's new arena goes below it, and a second cycle moves it back up.
   */
  reset(): ObservedStats {
    const g = this.geometry;
    this.live.freeAll(this.slotsUsed);
    let [before] = this.live.takeSnapshots();
    const perPool = g.blocksPerPool[g.sizeClasses - 1]!;
    const top = this.live.environment.nextArena!;
    for (let cycles = 1; ; cycles++) {
      const kept = this.live.cycle(this.ballast, before!.unusedPools * perPool + 1);
      const [after] = this.live.takeSnapshots();
      this.check(after!, "reset");
      if (after!.arenasCurrent !== this.canonicalArenas)
        throw new InconclusiveError(
          `reset: ${after!.arenasCurrent} arenas, the canonical start had ${this.canonicalArenas}`,
        );
      if (after!.arenasAllocatedTotal !== before!.arenasAllocatedTotal + 1)
        throw new InconclusiveError("reset: the ballast did not open exactly one new arena");
      if (kept >= top && kept < top + g.arenaSize) return after!;
      if (cycles === 2)
        throw new InconclusiveError("reset: the kept arena did not come back to the top slot");
      before = after;
    }
  }

  /** Runs a sequence's calls; the addresses, and the snapshots its checkpoints took. */
  run(calls: CallBatch, slots: number): { addresses: Float64Array; snapshots: ObservedStats[] } {
    this.slotsUsed = Math.max(this.slotsUsed, slots);
    const addresses = this.live.run(calls);
    return { addresses, snapshots: this.live.takeSnapshots() };
  }

  /** Whether an address lies among the arenas (the pinned stretch), not on the raw path. */
  inArena = (address: number): boolean => {
    const region = this.live.environment.arenaRegion!;
    return address >= region[0] && address < region[1];
  };

  close(): void {
    this.live.close();
  }

  private check(s: ObservedStats, when: string): void {
    const g = this.geometry;
    const kept = g.keepEmptyArena ? g.poolsPerArena : 0;
    if (s.unusedPools !== kept)
      throw new InconclusiveError(`${when}: ${s.unusedPools} unused pools, expected ${kept}`);
    for (const c of this.classes) {
      const avail = s.classes[String(c)]?.avail ?? 0;
      if (avail !== 0)
        throw new InconclusiveError(`${when}: class ${c} has ${avail} avail blocks, expected 0`);
    }
  }
}
