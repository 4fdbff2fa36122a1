/**
 * Bounded-exhaustive mode: every sequence of up to `length` operations over a small alphabet, on
 * tiny geometries, with every applicable invariant checked at once. Random runs find deep bugs;
 * this finds every shallow one, with no luck involved (the "small scope hypothesis").
 *
 * The alphabet is chosen per geometry so that a few steps reach each interesting state: the
 * smallest and largest class, the raw path and size 0, frees of the oldest and newest block,
 * realloc within and across classes, a full pool, a full arena, draining everything, and misuse.
 */
import type { Geometry } from "../../src/core/geometry.ts";
import type { ResolvedContract } from "../model/contract.ts";
import { Driver } from "../model/driver.ts";
import type { CheckFactory } from "../model/invariant-check.ts";
import type { Op } from "../model/ops.ts";
import type { Subject, SubjectFactory } from "../model/subject.ts";
import type { PropertyDefinition } from "../properties.ts";
import { DeadlineExceeded, type DeadlineFinding } from "../model/deadline.ts";
import { InvariantViolation } from "../model/violation.ts";
import { setUp } from "../model/unexpected-error.ts";

export function alphabet(g: Geometry): Op[] {
  const A = g.alignment;
  const T = g.smallThreshold;
  return [
    { op: "malloc", n: A },
    { op: "malloc", n: T },
    { op: "malloc", n: T + 1 },
    { op: "malloc", n: 0 },
    { op: "free", pick: 0 },
    { op: "free", pick: 1 },
    { op: "realloc", pick: 0, n: Math.min(2 * A, T) },
    { op: "realloc", pick: 0, n: T + 1 },
    { op: "fill-pool", n: A },
    { op: "fill-arena", n: T },
    { op: "free-all" },
    { op: "misuse", kind: "double-free", pick: 0 },
    { op: "misuse", kind: "interior", pick: 0 },
    { op: "round-trip", n: A },
  ];
}

export interface ExhaustiveResult {
  readonly sequences: number;
  readonly operations: number;
  readonly geometries: number;
  readonly length: number;
  readonly failure?: {
    readonly geometry: Geometry;
    readonly operations: readonly Op[];
    readonly violation: ViolationRecord;
  };
  /** The mode did not finish within its deadline (a failure too). */
  readonly deadline?: DeadlineFinding;
  /** An isolated run's child process died without a result: the end of what it printed. */
  readonly crashed?: string;
  readonly seconds: number;
}

/** Whether the mode failed: a violation, its deadline, or its isolated child dying. */
export function exhaustiveFailed(e: ExhaustiveResult): boolean {
  return e.failure !== undefined || e.deadline !== undefined || e.crashed !== undefined;
}

/**
 * A violation as plain data: an Error's message and name are not enumerable, so the violation
 * itself would be `{}` in the JSON report (reports/summary.json); this keeps every field.
 */
export interface ViolationRecord {
  readonly name: string;
  readonly message: string;
  /** The invariant's number, or 0 (UNEXPECTED_ERROR) when an error was thrown where none is expected. */
  readonly invariant: number;
  /** Index of the failing step (-1 at the end-of-sequence checks). */
  readonly step: number;
}

export function violationRecord(v: InvariantViolation): ViolationRecord {
  return { name: v.name, message: v.message, invariant: v.invariant, step: v.step };
}

/**
 * The checks of the bounded-exhaustive mode: the invariants of the given properties that apply to
 * each subject, judged with the geometry it claims (none for a general allocator) and the contract.
 */
export function exhaustiveChecks(
  definitions: readonly PropertyDefinition[],
  contract: ResolvedContract,
): (subject: Subject) => CheckFactory[] {
  return (subject) =>
    definitions
      .filter((d) => d.invariant.applies(subject, subject.geometry, contract))
      .map((d) => d.invariant.check);
}

/** Every sequence of 1 … length letters, in order of length then lexicographically. */
function* sequences(letters: number, length: number): Generator<number[]> {
  for (let n = 1; n <= length; n++) {
    const digits = new Array<number>(n).fill(0);
    for (;;) {
      yield digits;
      let i = n - 1;
      while (i >= 0 && ++digits[i]! === letters) digits[i--] = 0;
      if (i < 0) break;
    }
  }
}

export function runExhaustive(
  factory: SubjectFactory,
  geometries: readonly Geometry[],
  length: number,
  checks: (subject: ReturnType<SubjectFactory>, g: Geometry) => CheckFactory[],
  contract?: ResolvedContract,
  /** Milliseconds the mode may take (model/deadline.ts); default none. */
  deadlineMs?: number,
  /** Called before every step, with the sequence's number from 1 (an isolated run logs it). */
  beforeStep?: (op: Op, sequence: number) => void,
): ExhaustiveResult {
  const started = performance.now();
  const deadline = deadlineMs === undefined ? undefined : started + deadlineMs;
  let count = 0;
  let operations = 0;
  for (const geometry of geometries) {
    const letters = alphabet(geometry);
    for (const digits of sequences(letters.length, length)) {
      const ops = digits.map((d) => letters[d]!);
      count++;
      let driver: Driver | undefined;
      try {
        driver = setUp(() => {
          const subject = factory(geometry);
          return new Driver(subject, {
            geometry: subject.geometry,
            checks: checks(subject, geometry),
            ...(contract ? { contract } : {}),
            ...(deadline !== undefined ? { deadline } : {}),
            ...(beforeStep ? { beforeStep: (op: Op) => beforeStep(op, count) } : {}),
          });
        });
        for (const op of ops) if (driver.canRun(op)) driver.apply(op);
        driver.finish();
      } catch (error) {
        const figures = {
          sequences: count,
          operations: operations + (driver?.callCount ?? 0),
          geometries: geometries.length,
          length,
          seconds: (performance.now() - started) / 1000,
        };
        if (error instanceof DeadlineExceeded && deadlineMs !== undefined)
          return {
            ...figures,
            deadline: {
              kind: "deadline",
              deadlineMs,
              execution: count,
              operations: [...driver!.executed],
              next: error.next,
            },
          };
        if (!(error instanceof InvariantViolation)) throw error;
        const executed = driver?.executed ?? [];
        return {
          ...figures,
          failure: { geometry, operations: executed, violation: violationRecord(error) },
        };
      }
      operations += driver.callCount;
    }
  }
  return {
    sequences: count,
    operations,
    geometries: geometries.length,
    length,
    seconds: (performance.now() - started) / 1000,
  };
}
