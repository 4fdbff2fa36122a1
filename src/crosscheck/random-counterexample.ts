/**
 * A divergence of the random cross-check as a file (spec/cpython-model.md §7.6):
 * `reports/counterexamples/crosscheck-random--<model>--<seed>.json` holds the shrunk sequence, its
 * calls, and both sides' answers; `allocheck replay <file>` runs it again on a fresh interpreter
 * and on the model and prints the two side by side (formatSideBySide).
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  fileNamePart,
  geometryOptionsOf,
  CounterexampleError,
} from "../../properties/run/counterexample.ts";
import { COUNTEREXAMPLE_DIR } from "../../properties/run/paths.ts";
import { defineGeometry, type Geometry, type GeometryOptions } from "../core/geometry.ts";
import type { ComparisonRow } from "./crosscheck.ts";
import { LIVE_OP, type CallBatch } from "./live-pymalloc.ts";
import { LiveSession } from "./live-session.ts";
import { formatName } from "./normalise-address.ts";
import { CPYTHON_MODEL, type ModelFactory } from "./predict.ts";
import { compareSequence, diverges, type SequenceComparison } from "./compare-sequence.ts";
import type { RandomSequence, SequenceShape } from "./random-sequence.ts";

export const RANDOM_COUNTEREXAMPLE = "crosscheck-random-counterexample";

export interface RandomCounterexample {
  readonly allocheck: typeof RANDOM_COUNTEREXAMPLE;
  readonly version: 1;
  /** The model's name: "cpython", or what a test put in its place. */
  readonly model: string;
  readonly python: string;
  readonly pythonVersion: string;
  readonly geometry: GeometryOptions & { readonly name: string };
  readonly classes: readonly number[];
  readonly checkpointEvery: number;
  readonly seed: number;
  readonly path: string;
  readonly sequence: RandomSequence;
  /** Whether the shrunk sequence diverged again in a fresh interpreter. */
  readonly reproduced: boolean;
  /** What diverged, in one line. */
  readonly message: string;
  readonly replay: string;
  readonly created: string;
}

/** A divergence the property found, shrunk. */
export interface RandomDivergence {
  readonly sequence: RandomSequence;
  readonly comparison: SequenceComparison;
  /** Whether the shrunk sequence diverges again in a fresh interpreter. */
  readonly reproduced: boolean;
  readonly seed: number;
  readonly path: string;
}

export function divergenceMessage(c: SequenceComparison, poolSize: number): string {
  if (c.modelError !== undefined) return `the model threw at ${c.modelError}`;
  if (c.firstCall !== -1)
    return `call ${c.firstCall} (${formatCall(c.calls, c.firstCall)}): the model gives ${formatName(c.model[c.firstCall]!, poolSize)}, pymalloc ${formatName(c.real[c.firstCall]!, poolSize)}`;
  const k = c.checkpoints[c.firstCheckpoint]!;
  const bad = k.rows.filter((r) => !r.ok && r.os !== true);
  return `checkpoint at call ${k.call}: ${bad.map((r) => `${r.quantity} predicted ${r.predicted}, observed ${r.observed}`).join("; ")}`;
}

export function writeRandomCounterexample(
  divergence: RandomDivergence,
  info: {
    readonly model: string;
    readonly python: string;
    readonly pythonVersion: string;
    readonly shape: SequenceShape;
    readonly checkpointEvery: number;
  },
  dir: string = COUNTEREXAMPLE_DIR,
): string {
  const file = join(
    dir,
    `crosscheck-random--${fileNamePart(info.model)}--${divergence.seed >>> 0}.json`,
  );
  const c: RandomCounterexample = {
    allocheck: RANDOM_COUNTEREXAMPLE,
    version: 1,
    model: info.model,
    python: info.python,
    pythonVersion: info.pythonVersion,
    geometry: geometryOptionsOf(info.shape.geometry),
    classes: info.shape.classes,
    checkpointEvery: info.checkpointEvery,
    seed: divergence.seed,
    path: divergence.path,
    sequence: divergence.sequence,
    reproduced: divergence.reproduced,
    message: divergenceMessage(divergence.comparison, info.shape.geometry.poolSize),
    replay: `npx allocheck replay ${file}`,
    created: new Date().toISOString(),
  };
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, `${JSON.stringify(c, null, 1)}\n`);
  } catch (error) {
    throw new CounterexampleError(
      "unwritable",
      `cannot write ${file}: ${(error as Error).message}`,
    );
  }
  return file;
}

/** The file's counterexample when it is one of the random cross-check's, else undefined. */
export function readRandomCounterexample(file: string): RandomCounterexample | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, "utf8"));
  } catch {
    return undefined;
  }
  const c = parsed as Partial<RandomCounterexample> | null;
  if (c === null || typeof c !== "object" || c.allocheck !== RANDOM_COUNTEREXAMPLE)
    return undefined;
  if (c.version !== 1 || typeof c.sequence !== "object" || c.geometry === undefined)
    throw new CounterexampleError(
      "not-a-counterexample",
      `${file}: a random cross-check counterexample of an unknown version or without its sequence`,
    );
  return c as RandomCounterexample;
}

export type ReplayedRandom =
  | { readonly status: "skipped"; readonly reason: string }
  | { readonly status: "ran"; readonly comparison: SequenceComparison; readonly diverges: boolean };

/** Runs the counterexample again: a fresh interpreter against the model (the CPython model by default). */
export function replayRandomCounterexample(
  c: RandomCounterexample,
  python: string,
  model: ModelFactory = CPYTHON_MODEL,
): ReplayedRandom {
  const session = LiveSession.start(python);
  if ("skip" in session) return { status: "skipped", reason: session.skip };
  try {
    const geometry: Geometry = defineGeometry(c.geometry, c.geometry.name);
    const comparison = compareSequence(
      session,
      c.sequence,
      { geometry, classes: c.classes, maxSteps: c.sequence.steps.length },
      c.checkpointEvery,
      model,
    );
    return { status: "ran", comparison, diverges: diverges(comparison) };
  } finally {
    session.close();
  }
}

export function formatCall(calls: CallBatch, i: number): string {
  const slot = `#${calls.slot(i)}`;
  switch (calls.op(i)) {
    case LIVE_OP.malloc:
      return `${slot} = malloc(${calls.size(i)})`;
    case LIVE_OP.free:
      return `free(${slot})`;
    case LIVE_OP.realloc:
      return `${slot} = realloc(${slot}, ${calls.size(i)})`;
    default:
      return "checkpoint: sys._debugmallocstats()";
  }
}

/** A step as one line: "fill-pool (96 B)", "drain (oldest first)", … */
export function formatStep(step: RandomSequence["steps"][number]): string {
  switch (step.op) {
    case "malloc":
    case "realloc-null":
    case "fill-pool":
    case "fill-arena":
      return `${step.op} (${step.size.from} size, pick ${step.size.pick}, slack ${step.size.slack})`;
    case "free-last":
      return "free the newest block";
    case "free":
      return `free live block ${step.pick} (mod the live count)`;
    case "realloc":
      return `realloc live block ${step.pick} (mod the live count): ${step.to}`;
    case "drain":
      return `drain: free every block, ${step.newestFirst ? "newest" : "oldest"} first`;
    case "free-every":
      return `free every ${step.k}th block from ${step.from % step.k}`;
  }
}

/**
 * Step by step, each call with the model's answer and the real one (normalised), ✗ where they
 * differ, and each checkpoint's quantities that differ; a step of many calls shows its first and
 * last two unless the first divergence is in it.
 */
export function formatSideBySide(
  c: SequenceComparison,
  steps: RandomSequence["steps"],
  poolSize: number,
): string {
  const width = 36;
  const lines = [`  ${"call".padEnd(width)}  ${"model".padEnd(18)}  pymalloc`];
  const divergent =
    c.firstCall !== -1
      ? c.firstCall
      : c.firstCheckpoint !== -1
        ? c.checkpoints[c.firstCheckpoint]!.call
        : -1;
  let checkpoint = 0;
  const callLine = (i: number) => {
    const call = formatCall(c.calls, i);
    if (c.calls.op(i) === LIVE_OP.snapshot) {
      const k = c.checkpoints[checkpoint++]!;
      const bad = k.rows.filter((r: ComparisonRow) => !r.ok && r.os !== true);
      lines.push(
        `  ${call.padEnd(width)}  ${bad.length === 0 ? `${k.rows.length} quantities equal` : "✗"}`,
      );
      for (const r of bad)
        lines.push(`      ${r.quantity}: model ${r.predicted}, pymalloc ${r.observed}  ✗`);
      return;
    }
    const free = c.calls.op(i) === LIVE_OP.free;
    const m = free ? "" : formatName(c.model[i]!, poolSize);
    const r = free ? "" : formatName(c.real[i]!, poolSize);
    lines.push(`  ${call.padEnd(width)}  ${m.padEnd(18)}  ${r.padEnd(18)}${m === r ? "" : "  ✗"}`);
  };
  steps.forEach((step, s) => {
    const from = c.stepStart[s]!;
    const to = Math.min(c.stepStart[s + 1]!, c.model.length);
    if (from >= c.model.length) return;
    lines.push(`step ${s}: ${formatStep(step)}`);
    const holds = divergent >= from && divergent < to;
    const whole = to - from <= 6;
    for (let i = from; i < to; i++) {
      if (
        !whole &&
        holds &&
        (i < divergent - 3 || i > divergent + 3) &&
        i !== from &&
        i !== to - 1
      ) {
        // Around the divergence: its neighbours; the rest of the step is counted.
        const end = i < divergent ? divergent - 3 : to - 1;
        for (let j = i; j < end; j++) if (c.calls.op(j) === LIVE_OP.snapshot) checkpoint++;
        lines.push(`  … ${end - i} more calls${i < divergent ? ", all equal" : ""}`);
        i = end - 1;
        continue;
      }
      if (!whole && !holds && i === from + 2) {
        const skip = to - 2 - i;
        // Checkpoints in the skipped part are counted, not shown.
        for (let j = i; j < to - 2; j++) if (c.calls.op(j) === LIVE_OP.snapshot) checkpoint++;
        lines.push(`  … ${skip} more calls, all equal`);
        i = to - 3;
        continue;
      }
      callLine(i);
    }
  });
  if (c.modelError !== undefined) lines.push(`the model threw at ${c.modelError}`);
  lines.push("(a block is #slot; an address is (pool, in order of first use) + offset)");
  return lines.map((line) => line.trimEnd()).join("\n");
}
