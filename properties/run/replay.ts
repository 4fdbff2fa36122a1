/**
 * Replays operations (a counterexample's, or a regression test's) through the driver with the
 * property's checks, step by step, on any allocator: one of allocheck's own by name, or a subject
 * made by an outside allocator's factory. Used by `allocheck replay`, replayCounterexample and
 * generated regression tests.
 */
import { ALLOCATOR_KINDS } from "../../src/allocators/create-allocator.ts";
import { defineGeometry, type Geometry } from "../../src/core/geometry.ts";
import type { Step } from "../model/call.ts";
import {
  resolveContract,
  type Contract,
  type MisuseCode,
  type ResolvedContract,
} from "../model/contract.ts";
import { Driver } from "../model/driver.ts";
import { formatError } from "../model/format-call.ts";
import { formatOp, opFromJson, type Op } from "../model/ops.ts";
import type { Subject, SubjectFactory } from "../model/subject.ts";
import { InvariantViolation } from "../model/violation.ts";
import { PROPERTIES, propertyById } from "../properties.ts";
import { builtInFactory } from "./built-in-allocators.ts";
import { parseCounterexample, readCounterexample, type Counterexample } from "./counterexample.ts";

export interface ReplayResult {
  readonly subject: Subject;
  readonly driver: Driver;
  readonly violation: InvariantViolation | undefined;
  /** Steps that ran (the failing one included). */
  readonly steps: number;
}

/** Why a replay could not start; `code` is stable. */
export class ReplayError extends Error {
  override readonly name = "ReplayError";
  constructor(
    readonly code: "needs-adapter" | "factory-threw",
    message: string,
  ) {
    super(message);
  }
}

function needsAdapter(implementation: string): ReplayError {
  return new ReplayError(
    "needs-adapter",
    `"${implementation}" is not one of allocheck's allocators (${ALLOCATOR_KINDS.join(", ")}): replay it with its factory (replayCounterexample(file, factory), or allocheck replay FILE --adapter MODULE)`,
  );
}

export function subjectFor(implementation: string, geometry: Geometry): Subject {
  const factory = builtInFactory(implementation);
  if (factory === undefined) throw needsAdapter(implementation);
  return factory(geometry);
}

export interface ReplayOptions {
  /** Check every applicable invariant, not only the property's. */
  readonly allInvariants?: boolean;
  readonly onStep?: (step: Step, summary: string) => void;
  /** What the allocator promises (spec/invariants.md §Contracts); default DEFAULT_CONTRACT. */
  readonly contract?: ResolvedContract;
}

/**
 * `implementation` is an allocator kind, or a subject already made for `geometry`. The driver
 * judges the subject by the geometry it claims (none for a general allocator), as runProperty does.
 */
export function replayOperations(
  implementation: string | Subject,
  geometry: Geometry,
  propertyId: string,
  operations: readonly unknown[],
  options: ReplayOptions = {},
): ReplayResult {
  const subject =
    typeof implementation === "string" ? subjectFor(implementation, geometry) : implementation;
  const claimed = subject.geometry;
  const invariants = options.allInvariants
    ? PROPERTIES.map((p) => p.invariant)
    : [propertyById(propertyId).invariant];
  const checks = invariants
    .filter((inv) => inv.applies(subject, claimed, options.contract))
    .map((inv) => inv.check);
  const driver = new Driver(subject, {
    geometry: claimed,
    checks,
    ...(options.contract ? { contract: options.contract } : {}),
    ...(options.onStep ? { onStep: options.onStep } : {}),
  });
  const ops: Op[] = operations.map(opFromJson);
  try {
    for (const op of ops) driver.apply(op);
    driver.finish();
    return { subject, driver, violation: undefined, steps: driver.steps };
  } catch (error) {
    if (error instanceof InvariantViolation)
      return { subject, driver, violation: error, steps: driver.steps };
    throw error;
  }
}

export interface CounterexampleReplayOptions {
  /** Check every applicable invariant, not only the counterexample's property. */
  readonly allInvariants?: boolean;
  /** Stop after this step (0-based). */
  readonly step?: number;
  /** What the allocator promises; default the contract the counterexample recorded. */
  readonly contract?: Contract;
  /** Maps the allocator's errors to allocheck's codes (the file can only say one was given). */
  readonly misuseCode?: MisuseCode;
  readonly onStep?: (step: Step, summary: string) => void;
}

export interface CounterexampleReplay extends ReplayResult {
  readonly counterexample: Counterexample;
  readonly geometry: Geometry;
  /**
   * "passes": no checked invariant fails now; "same-failure": the recorded invariant (or, for 0,
   * an unexpected error) fails again; "other-failure": another one does.
   */
  readonly outcome: "passes" | "same-failure" | "other-failure";
  /** Every step that ran, "3: free(#0): free(0x1010)", the failing one last with its message. */
  readonly log: readonly string[];
}

/**
 * Replays a counterexample (a file's path, or its JSON content as a regression test holds it) on
 * the allocator `factory` makes; without a factory, on the built-in allocator it names. Throws
 * CounterexampleError for a bad file (its geometry included), ReplayError when an
 * outside allocator's file comes without a factory or the factory throws.
 */
export function replayCounterexample(
  source: string | object,
  factory?: SubjectFactory,
  options: CounterexampleReplayOptions = {},
): CounterexampleReplay {
  const c = typeof source === "string" ? readCounterexample(source) : parseCounterexample(source);
  const { name, ...geometryOptions } = c.geometry;
  const geometry = defineGeometry(geometryOptions, name);
  const make = factory ?? builtInFactory(c.implementation);
  if (make === undefined) throw needsAdapter(c.implementation);
  let subject: Subject;
  try {
    subject = make(geometry);
  } catch (error) {
    throw new ReplayError(
      "factory-threw",
      `the factory threw ${formatError(error)} when called with ${geometry.name}`,
    );
  }
  const contract = resolveContract(options.contract ?? c.contract, options.misuseCode);
  const operations =
    options.step === undefined ? c.operations : c.operations.slice(0, options.step + 1);
  const log: string[] = [];
  const result = replayOperations(subject, geometry, c.property, operations, {
    ...(options.allInvariants !== undefined ? { allInvariants: options.allInvariants } : {}),
    contract,
    onStep: (step, summary) => {
      log.push(`${step.index}: ${summary}`);
      options.onStep?.(step, summary);
    },
  });
  const v = result.violation;
  if (v !== undefined) log.push(`${v.step}: ${v.op ? formatOp(v.op) : "end"} ✗ ${v.message}`);
  return {
    ...result,
    counterexample: c,
    geometry,
    outcome:
      v === undefined ? "passes" : v.invariant === c.invariant ? "same-failure" : "other-failure",
    log,
  };
}
