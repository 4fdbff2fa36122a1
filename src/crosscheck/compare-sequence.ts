/**
 * One sequence of the random cross-check on both sides (spec/cpython-model.md §7.6): the live
 * interpreter and the model start from the same canonical state (live-session.ts), run the same
 * calls, and every address is compared after normalisation (normalise-address.ts), every
 * checkpoint's change since the start with comparePhase (crosscheck.ts).
 */
import { AddressSpace } from "../core/address-space.ts";
import { comparePhase, type ComparisonRow } from "./crosscheck.ts";
import { LIVE_OP, type CallBatch } from "./live-pymalloc.ts";
import type { LiveSession } from "./live-session.ts";
import { AddressNames, RAW } from "./normalise-address.ts";
import { CPYTHON_MODEL, type ModelFactory } from "./predict.ts";
import { expandSequence, type RandomSequence, type SequenceShape } from "./random-sequence.ts";

/** One sequence on both sides: the names each call's address got, and the checkpoints. */
export interface SequenceComparison {
  readonly calls: CallBatch;
  readonly stepStart: readonly number[];
  readonly model: readonly number[];
  readonly real: readonly number[];
  readonly checkpoints: readonly {
    readonly call: number;
    readonly rows: readonly ComparisonRow[];
  }[];
  /** The first call whose names differ, or −1. */
  readonly firstCall: number;
  /** The first checkpoint with a row that differs, or −1. */
  readonly firstCheckpoint: number;
  /** The states pymalloc reached in the sequence (REACHABLE), seen on the real side. */
  readonly reached: readonly Reached[];
  /** What the model threw, if it threw. */
  readonly modelError?: string;
}

/** The states a sequence can reach, as the real answers and snapshots show them. */
export const REACHABLE = [
  "realloc in place",
  "realloc moves to a smaller class",
  "realloc moves to a larger class",
  "realloc to the raw path",
  "raw block stays raw",
  "two or more arenas",
  "arena released",
] as const;
export type Reached = (typeof REACHABLE)[number];

export const diverges = (c: SequenceComparison): boolean =>
  c.firstCall !== -1 || c.firstCheckpoint !== -1 || c.modelError !== undefined;

/** The quantities a checkpoint compares (all but the OS's row). */
export const modelRows = (rows: readonly ComparisonRow[]) => rows.filter((r) => r.os !== true);

/** Runs one sequence on the session's interpreter and on a fresh model. */
export function compareSequence(
  session: LiveSession,
  sequence: RandomSequence,
  shape: SequenceShape,
  checkpointEvery: number,
  model: ModelFactory = CPYTHON_MODEL,
): SequenceComparison {
  const { calls, stepStart, slots } = expandSequence(sequence, shape, checkpointEvery);
  const baseline = session.reset();
  const real = session.run(calls, slots);
  const g = session.geometry;
  const realNames = new AddressNames(g.poolSize, session.inArena);
  const a = model(g);
  // The model's canonical state (live-session.ts): one ballast block in a fresh arena, freed.
  a.free(a.malloc(g.smallThreshold));
  const modelBaseline = a.stats();
  // Every allocheck allocator lays out its simulated space alike (spec/model.md §2).
  const rawBase = new AddressSpace(g).rawBase;
  const modelNames = new AddressNames(g.poolSize, (address) => address < rawBase);
  const modelSlots = new Array<number | null>(slots).fill(null);
  const modelOut: number[] = [];
  const realOut: number[] = [];
  const checkpoints: { call: number; rows: ComparisonRow[] }[] = [];
  let firstCall = -1;
  let firstCheckpoint = -1;
  let modelError: string | undefined;
  const reached = new Set<Reached>();
  const realSlots = new Float64Array(slots);
  const realSizes = new Float64Array(slots);
  for (let i = 0; i < calls.length; i++) {
    const op = calls.op(i);
    const s = calls.slot(i);
    let address: number | null = null;
    try {
      if (op === LIVE_OP.malloc) address = modelSlots[s] = a.malloc(calls.size(i));
      else if (op === LIVE_OP.realloc)
        address = modelSlots[s] = a.realloc(modelSlots[s] ?? null, calls.size(i));
      else if (op === LIVE_OP.free) {
        a.free(modelSlots[s] ?? null);
        modelSlots[s] = null;
      }
    } catch (error) {
      modelError = `call ${i}: ${(error as Error).message}`;
      break;
    }
    if (op === LIVE_OP.snapshot) {
      const observed = real.snapshots[checkpoints.length]!;
      const rows = comparePhase(a.stats(), observed, baseline, session.classes, g, modelBaseline);
      if (firstCheckpoint === -1 && modelRows(rows).some((r) => !r.ok))
        firstCheckpoint = checkpoints.length;
      checkpoints.push({ call: i, rows });
      if (observed.arenasCurrent - baseline.arenasCurrent >= 1) reached.add("two or more arenas");
      if (observed.arenasAllocatedTotal - observed.arenasCurrent > baseline.arenasReclaimed)
        reached.add("arena released");
      modelOut.push(0);
      realOut.push(0);
      continue;
    }
    const m = op === LIVE_OP.free ? 0 : modelNames.name(address);
    const r = op === LIVE_OP.free ? 0 : realNames.name(real.addresses[i]!);
    modelOut.push(m);
    realOut.push(r);
    if (op === LIVE_OP.realloc && realSlots[s] !== 0) {
      const before = realNames.name(realSlots[s]!);
      if (before === RAW) {
        if (r === RAW && calls.size(i) >= 1 && calls.size(i) <= g.smallThreshold)
          reached.add("raw block stays raw");
      } else if (r === RAW) reached.add("realloc to the raw path");
      else if (r === before) reached.add("realloc in place");
      else
        reached.add(
          calls.size(i) < realSizes[s]!
            ? "realloc moves to a smaller class"
            : "realloc moves to a larger class",
        );
    }
    if (op !== LIVE_OP.free) {
      realSlots[s] = real.addresses[i]!;
      realSizes[s] = calls.size(i);
    } else realSlots[s] = 0;
    if (firstCall === -1 && m !== r) firstCall = i;
  }
  return {
    calls,
    stepStart,
    model: modelOut,
    real: realOut,
    checkpoints,
    firstCall,
    firstCheckpoint,
    reached: [...reached],
    ...(modelError !== undefined ? { modelError } : {}),
  };
}
