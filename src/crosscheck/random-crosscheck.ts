/**
 * The random cross-check (spec/cpython-model.md §7.6): "the model is the real pymalloc". fast-check
 * generates sequences (random-sequence.ts); each runs on the live interpreter (live-session.ts)
 * and on the model from the same canonical state; every address a call returns must be equal
 * after normalisation (normalise-address.ts), and at every checkpoint the model's change since
 * the start must equal the change `sys._debugmallocstats()` reports (crosscheck.ts's
 * comparePhase: per class pools, blocks, avail; arenas allocated, reclaimed, current; unused
 * pools). A divergence shrinks, is confirmed in a fresh interpreter, and is written as a
 * counterexample (random-counterexample.ts) that `allocheck replay` shows side by side.
 */
import fc from "fast-check";
import type { Geometry } from "../core/geometry.ts";
import {
  compareSequence,
  diverges,
  modelRows,
  REACHABLE,
  type Reached,
  type SequenceComparison,
} from "./compare-sequence.ts";
import type { LiveEnvironment } from "./live-pymalloc.ts";
import { InconclusiveError, LiveSession } from "./live-session.ts";
import { CPYTHON_MODEL, type ModelFactory } from "./predict.ts";
import { writeRandomCounterexample, type RandomDivergence } from "./random-counterexample.ts";
import { sequenceArbitrary, type RandomSequence, type SequenceShape } from "./random-sequence.ts";

export const DEFAULT_RANDOM_SEED = 20261125;
export const DEFAULT_MAX_STEPS = 40;
/** Steps between two checkpoints (each costs about 1 ms: §7.6). */
export const DEFAULT_CHECKPOINT_EVERY = 10;

export interface RandomCrosscheckOptions {
  /** The interpreter: default $ALLOCHECK_PYTHON, else python3. */
  readonly python?: string;
  readonly runs?: number;
  readonly seed?: number;
  readonly maxSteps?: number;
  readonly checkpointEvery?: number;
  /** The model; tests put other allocators in its place to show that divergences are found. */
  readonly model?: ModelFactory;
  /** The model's name in a counterexample file's name. Default "cpython". */
  readonly modelName?: string;
  /** Where a divergence is written (default reports/counterexamples); false: nowhere. */
  readonly counterexampleDir?: string | false;
  readonly onSequence?: (done: number, runs: number) => void;
}

export type RandomCrosscheckReport =
  | { readonly status: "skipped"; readonly reason: string }
  | {
      readonly status: "ran";
      readonly python: string;
      readonly environment: LiveEnvironment;
      readonly geometry: Geometry;
      readonly shape: SequenceShape;
      readonly checkpointEvery: number;
      readonly seed: number;
      readonly runs: number;
      /** Sequences run, shrinking included. */
      readonly sequences: number;
      readonly realCalls: number;
      /** Seconds the real calls took through the pipe (checkpoints included): realCalls / liveSeconds per second. */
      readonly liveSeconds: number;
      readonly checkpoints: number;
      /** Addresses compared (calls that return one) and checkpoint quantities compared. */
      readonly addressesCompared: number;
      readonly quantitiesCompared: number;
      /** Per state, the sequences that reached it (compare-sequence.ts REACHABLE). */
      readonly reached: Readonly<Record<Reached, number>>;
      /** "inconclusive": the interpreter's own allocations reached the compared heap. */
      readonly verdict: "pass" | "fail" | "inconclusive";
      readonly inconclusive?: string;
      readonly divergence?: RandomDivergence;
      /** The counterexample file written for the divergence. */
      readonly file?: string;
      readonly seconds: number;
    };

/** Runs the property; "skipped" when there is no suitable CPython to run it against. */
export function randomCrosscheck(options: RandomCrosscheckOptions = {}): RandomCrosscheckReport {
  const started = performance.now();
  const python = options.python ?? process.env.ALLOCHECK_PYTHON ?? "python3";
  const runs = options.runs ?? 100;
  const seed = options.seed ?? DEFAULT_RANDOM_SEED;
  const checkpointEvery = options.checkpointEvery ?? DEFAULT_CHECKPOINT_EVERY;
  const model = options.model ?? CPYTHON_MODEL;
  let session = LiveSession.start(python);
  if ("skip" in session) return { status: "skipped", reason: session.skip };
  const environment = session.live.environment;
  const shape: SequenceShape = {
    geometry: session.geometry,
    classes: session.classes,
    maxSteps: options.maxSteps ?? DEFAULT_MAX_STEPS,
  };
  let sequences = 0;
  let realCalls = 0;
  let liveSeconds = 0;
  let checkpoints = 0;
  let addressesCompared = 0;
  let quantitiesCompared = 0;
  let inconclusive: string | undefined;
  const reached = Object.fromEntries(REACHABLE.map((r) => [r, 0])) as Record<Reached, number>;
  const count = (c: SequenceComparison) => {
    sequences++;
    for (const r of c.reached) reached[r]++;
    checkpoints += c.checkpoints.length;
    addressesCompared += c.model.filter((m) => m !== 0).length;
    quantitiesCompared += c.checkpoints.reduce((n, k) => n + modelRows(k.rows).length, 0);
  };
  const live = () => session as LiveSession;
  let lastFailure: SequenceComparison | undefined;
  const property = fc.property(sequenceArbitrary(shape), (sequence) => {
    if (inconclusive !== undefined) return true;
    let comparison: SequenceComparison;
    try {
      comparison = compareSequence(live(), sequence, shape, checkpointEvery, model);
    } catch (error) {
      if (!(error instanceof InconclusiveError)) throw error;
      // Once more in a fresh interpreter: noise is rare, and not the model's.
      realCalls += live().live.realCalls;
      liveSeconds += live().live.runSeconds;
      live().close();
      const fresh = LiveSession.start(python);
      if ("skip" in fresh) throw new InconclusiveError(fresh.skip);
      session = fresh;
      try {
        comparison = compareSequence(live(), sequence, shape, checkpointEvery, model);
      } catch (again) {
        if (!(again instanceof InconclusiveError)) throw again;
        inconclusive = again.message;
        return true;
      }
    }
    count(comparison);
    options.onSequence?.(sequences, runs);
    if (diverges(comparison)) lastFailure = comparison;
    return !diverges(comparison);
  });
  const details = fc.check(property, { seed, numRuns: runs });
  realCalls += live().live.realCalls;
  liveSeconds += live().live.runSeconds;
  live().close();
  let divergence: RandomDivergence | undefined;
  if (details.failed && details.counterexample !== null && lastFailure !== undefined) {
    const [sequence] = details.counterexample;
    divergence = {
      sequence,
      comparison: lastFailure,
      reproduced: reproduces(python, sequence, shape, checkpointEvery, model),
      seed,
      path: details.counterexamplePath ?? "",
    };
  } else if (
    details.failed &&
    details.errorInstance !== null &&
    !(details.errorInstance instanceof InconclusiveError)
  ) {
    throw details.errorInstance;
  }
  const file =
    divergence !== undefined && options.counterexampleDir !== false
      ? writeRandomCounterexample(
          divergence,
          {
            model: options.modelName ?? "cpython",
            python,
            pythonVersion: environment.version,
            shape,
            checkpointEvery,
          },
          options.counterexampleDir,
        )
      : undefined;
  const verdict =
    inconclusive !== undefined ? "inconclusive" : divergence !== undefined ? "fail" : "pass";
  return {
    status: "ran",
    python,
    environment,
    geometry: shape.geometry,
    shape,
    checkpointEvery,
    seed,
    runs,
    sequences,
    realCalls,
    liveSeconds,
    checkpoints,
    addressesCompared,
    quantitiesCompared,
    reached,
    verdict,
    ...(inconclusive !== undefined ? { inconclusive } : {}),
    ...(divergence !== undefined ? { divergence } : {}),
    ...(file !== undefined ? { file } : {}),
    seconds: (performance.now() - started) / 1000,
  };
}

/** Whether `sequence` diverges in a fresh interpreter too. */
export function reproduces(
  python: string,
  sequence: RandomSequence,
  shape: SequenceShape,
  checkpointEvery: number,
  model: ModelFactory = CPYTHON_MODEL,
): boolean {
  const session = LiveSession.start(python);
  if ("skip" in session) return false;
  try {
    return diverges(compareSequence(session, sequence, shape, checkpointEvery, model));
  } finally {
    session.close();
  }
}
