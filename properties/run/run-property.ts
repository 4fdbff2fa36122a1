/**
 * Runs one property against one allocator factory with fast-check: generated geometry, generated
 * commands (fc.commands + fc.modelRun), the property's invariant checked at every call and step,
 * reachability tallied over the runs and compared with the property's targets. On failure the
 * shrunk counterexample is captured (and written when a directory is given).
 *
 * In parts: `observedProperty` builds the fast-check property whose executions (`driverFor`) add
 * to the `Observations`; `reachFigures` and `unmetTargets` judge the reach; `failureOf` and
 * `counterexampleOf` turn the last failing execution into the failure.
 */
import fc from "fast-check";
import type { Geometry } from "../../src/core/geometry.ts";
import { commandArbitrary, type RunState } from "../generators/commands.ts";
import { geometryArbitrary, type GeometryFamily } from "../generators/geometry.ts";
import { Driver } from "../model/driver.ts";
import type { ResolvedContract } from "../model/contract.ts";
import type { MisuseKind, Op } from "../model/ops.ts";
import { REACHABLE_STATES, ReachabilityTally } from "../model/reachability.ts";
import type { Subject, SubjectFactory } from "../model/subject.ts";
import { DeadlineExceeded, type DeadlineFinding } from "../model/deadline.ts";
import { setUp } from "../model/unexpected-error.ts";
import { InvariantViolation } from "../model/violation.ts";
import type { Profile } from "../profiles.ts";
import type { PropertyDefinition, ReachTargets } from "../properties.ts";
import {
  geometryOptionsOf,
  recordContract,
  replayCommand,
  writeCounterexample,
  type Counterexample,
} from "./counterexample.ts";

export interface RunPropertyOptions {
  /** The allocator's name in reports and counterexample files. */
  readonly implementation: string;
  readonly profile: Profile;
  readonly family: GeometryFamily;
  readonly seed: number;
  /** Write the counterexample here on failure. */
  readonly counterexampleDir?: string;
  /** Called after every run (progress lines). */
  readonly onRun?: (runsDone: number) => void;
  /** Override the profile's run count. */
  readonly numRuns?: number;
  /** Caps generated sizes (an outside allocator's documented maximum). */
  readonly sizeLimit?: number;
  /** The misuse steps to generate (default all kinds). */
  readonly misuseKinds?: readonly MisuseKind[];
  /** What the allocator promises (spec/invariants.md §Contracts); default DEFAULT_CONTRACT. */
  readonly contract?: ResolvedContract;
  /** Called before every step of every execution (shrinking included), numbered (isolated runs log it). */
  readonly beforeStep?: (op: Op, run: number) => void;
  /**
   * Milliseconds the whole property may take: no step starts after it, and the result is a
   * "deadline" finding with the steps of the execution it stopped in (model/deadline.ts).
   */
  readonly deadlineMs?: number;
}

export interface ReachFigure {
  readonly state: string;
  /** Runs that reached the state at least once, and the fraction of all runs. */
  readonly runs: number;
  readonly fraction: number;
  /** Times it was reached in all runs. */
  readonly total: number;
  readonly target?: number;
}

export interface PropertyFailure {
  readonly message: string;
  readonly invariant: number;
  readonly geometry: Geometry;
  readonly operations: readonly Op[];
  readonly failingStep: number;
  readonly path: string;
  readonly shrinks: number;
  readonly file?: string;
  readonly counterexample: Counterexample;
}

export interface PropertyResult {
  readonly property: string;
  readonly invariant: number;
  readonly implementation: string;
  readonly family: GeometryFamily;
  readonly profile: string;
  readonly seed: number;
  readonly runs: number;
  readonly steps: number;
  /** Primitive allocator calls checked. */
  readonly operations: number;
  readonly reach: readonly ReachFigure[];
  /** Targets not met. */
  readonly unreached: readonly string[];
  readonly verdict: "pass" | "fail";
  readonly failure?: PropertyFailure;
  /** The run did not finish within its deadline (a failure too). */
  readonly deadline?: DeadlineFinding;
  /** An isolated run's child process died without a result: the end of what it printed. */
  readonly crashed?: string;
  readonly seconds: number;
}

/**
 * One property against one factory: the executions are observed while fast-check checks them,
 * then summed up into the figures, the reach, and the failure if there is one.
 */
export function runProperty(
  definition: PropertyDefinition,
  factory: SubjectFactory,
  options: RunPropertyOptions,
): PropertyResult {
  const started = performance.now();
  const observed = new Observations();
  if (options.deadlineMs !== undefined) observed.endBy = started + options.deadlineMs;
  const details = fc.check(observedProperty(definition, factory, options, observed), {
    seed: options.seed,
    numRuns: options.numRuns ?? options.profile.numRuns,
    // Under Stryker, the first failure is enough to kill a mutant: no shrinking.
    endOnFailure: process.env.STRYKER_MUTATOR_WORKER !== undefined,
    ...(options.deadlineMs !== undefined ? { interruptAfterTimeLimit: options.deadlineMs } : {}),
  });
  const deadline =
    observed.deadline ??
    (details.interrupted && !details.failed && options.deadlineMs !== undefined
      ? { kind: "deadline" as const, deadlineMs: options.deadlineMs, execution: 0, operations: [] }
      : undefined);
  const reach = reachFigures(observed.tally, reachTargets(definition, options.family, observed));
  const unreached = details.failed || deadline ? [] : unmetTargets(reach);
  const failure =
    details.failed && deadline === undefined
      ? failureOf(definition, options, details, observed)
      : undefined;
  return {
    property: definition.id,
    invariant: definition.invariant.number,
    implementation: options.implementation,
    family: options.family,
    profile: options.profile.name,
    seed: options.seed,
    runs: details.numRuns,
    steps: observed.steps,
    operations: observed.operations,
    reach,
    unreached,
    verdict: details.failed || deadline || unreached.length > 0 ? "fail" : "pass",
    ...(failure !== undefined ? { failure } : {}),
    ...(deadline !== undefined ? { deadline } : {}),
    seconds: (performance.now() - started) / 1000,
  };
}

/** What fast-check generates for one execution, and its report of the whole check. */
type Generated = [geometry: Geometry, commands: Iterable<fc.Command<RunState, RunState>>];
type RunDetails = fc.RunDetails<Generated>;

/** An execution that threw: its generated geometry, the steps it ran, and what it threw. */
interface FailedExecution {
  readonly geometry: Geometry;
  readonly operations: readonly Op[];
  readonly error: unknown;
}

/** What the executions of one property add up to, shrinking attempts included. */
class Observations {
  readonly tally = new ReachabilityTally();
  operations = 0;
  steps = 0;
  /** Executions that passed (progress). */
  runsDone = 0;
  /** Every execution, shrinking attempts included; numbers them for `beforeStep`. */
  executions = 0;
  /** The last execution that threw: after shrinking, the shrunk counterexample. */
  lastFailure: FailedExecution | undefined;
  /** The subject is a general allocator (no geometry): pymalloc's states mean nothing to it. */
  general = false;
  /** performance.now() after which no step starts (RunPropertyOptions.deadlineMs). */
  endBy: number | undefined;
  /** Set when the deadline stopped an execution; every later execution (shrinking) is skipped. */
  deadline: DeadlineFinding | undefined;
  /** The subject has no realloc: the realloc states cannot be reached and have no target. */
  withoutRealloc = false;
}

/** The fast-check property: a generated geometry and command list, executed and observed. */
function observedProperty(
  definition: PropertyDefinition,
  factory: SubjectFactory,
  options: RunPropertyOptions,
  observed: Observations,
): fc.IProperty<Generated> {
  return fc.property(
    geometryArbitrary(options.family),
    fc.commands([commandArbitrary(definition.mix, options.misuseKinds, options.contract)], {
      size: options.profile.size,
    }),
    (generated, commands) => {
      if (observed.deadline !== undefined) return;
      const execution = ++observed.executions;
      const driver = setUp(() =>
        driverFor(definition, factory(generated), options, execution, observed.endBy),
      );
      observed.general = driver.geometry === undefined;
      observed.withoutRealloc = driver.subject.realloc === undefined;
      const state: RunState = {
        driver,
        geometry: driver.geometry,
        ...(options.sizeLimit !== undefined ? { sizeLimit: options.sizeLimit } : {}),
      };
      try {
        fc.modelRun(() => ({ model: state, real: state }), commands);
        driver.finish();
      } catch (error) {
        if (error instanceof DeadlineExceeded && options.deadlineMs !== undefined)
          observed.deadline = {
            kind: "deadline",
            deadlineMs: options.deadlineMs,
            execution,
            operations: [...driver.executed],
            next: error.next,
          };
        observed.lastFailure = { geometry: generated, operations: [...driver.executed], error };
        throw error;
      } finally {
        observed.operations += driver.callCount;
        observed.steps += driver.steps;
      }
      observed.tally.add(driver.reach);
      options.onRun?.(++observed.runsDone);
    },
  );
}

/**
 * The driver of one execution: the property's invariant checked when it applies to this subject
 * under the contract (spec/invariants.md §Contracts), steps reported to `beforeStep` under the
 * execution's number.
 */
function driverFor(
  definition: PropertyDefinition,
  subject: Subject,
  options: RunPropertyOptions,
  execution: number,
  deadline: number | undefined,
): Driver {
  const geometry = subject.geometry;
  const beforeStep = options.beforeStep;
  return new Driver(subject, {
    ...(deadline !== undefined ? { deadline } : {}),
    geometry,
    checks: definition.invariant.applies(subject, geometry, options.contract)
      ? [definition.invariant.check]
      : [],
    macroLimit: options.profile.macroLimit,
    ...(options.contract ? { contract: options.contract } : {}),
    ...(beforeStep ? { beforeStep: (op: Op) => beforeStep(op, execution) } : {}),
  });
}

/** The reach targets that apply: the family's, or the general allocator's. */
function reachTargets(
  definition: PropertyDefinition,
  family: GeometryFamily,
  observed: Observations,
): ReachTargets {
  const targets = (observed.general ? definition.generalReach : definition.reach[family]) ?? {};
  if (!observed.withoutRealloc) return targets;
  const { "realloc in place": _inPlace, "realloc moved": _moved, ...rest } = targets;
  return rest;
}

/** Every state reached, or with a target, with how often the runs reached it. */
function reachFigures(tally: ReachabilityTally, targets: ReachTargets): ReachFigure[] {
  return REACHABLE_STATES.filter((state) => tally.totals.has(state) || state in targets).map(
    (state) => ({
      state,
      runs: tally.runsReaching.get(state) ?? 0,
      fraction: tally.fraction(state),
      total: tally.totals.get(state) ?? 0,
      ...(targets[state] !== undefined ? { target: targets[state] } : {}),
    }),
  );
}

/** The targets the runs fell short of, as "state: 12% of runs, target 30%". */
function unmetTargets(reach: readonly ReachFigure[]): string[] {
  return reach
    .filter((r) => r.target !== undefined && r.fraction < r.target)
    .map(
      (r) =>
        `${r.state}: ${(r.fraction * 100).toFixed(0)}% of runs, target ${(r.target! * 100).toFixed(0)}%`,
    );
}

/** The shrunk failure: its counterexample, written when a directory is given. */
function failureOf(
  definition: PropertyDefinition,
  options: RunPropertyOptions,
  details: RunDetails,
  observed: Observations,
): PropertyFailure {
  const unwritten = counterexampleOf(definition, options, details, observed.lastFailure);
  const dir = options.counterexampleDir;
  const file = dir === undefined ? undefined : writeCounterexample(dir, unwritten);
  const counterexample =
    file === undefined
      ? unwritten
      : { ...unwritten, replay: replayCommand(file, unwritten.implementation) };
  return {
    message: counterexample.message,
    invariant: counterexample.invariant,
    geometry: observed.lastFailure?.geometry ?? details.counterexample![0],
    operations: counterexample.operations,
    failingStep: counterexample.failingStep,
    path: counterexample.path,
    shrinks: details.numShrinks,
    counterexample,
    ...(file !== undefined ? { file } : {}),
  };
}

/**
 * The counterexample of the last failing execution: its steps, the step and invariant that
 * failed (an InvariantViolation says; another error is blamed on the last step and the property's
 * invariant), the seed and fast-check's path.
 */
function counterexampleOf(
  definition: PropertyDefinition,
  options: RunPropertyOptions,
  details: RunDetails,
  last: FailedExecution | undefined,
): Counterexample {
  const error = last?.error ?? details.errorInstance;
  const violation = error instanceof InvariantViolation ? error : undefined;
  const geometry = last?.geometry ?? details.counterexample![0];
  const operations = last?.operations ?? [];
  return {
    allocheck: "counterexample",
    version: 1,
    property: definition.id,
    invariant: violation?.invariant ?? definition.invariant.number,
    implementation: options.implementation,
    geometry: geometryOptionsOf(geometry),
    operations,
    failingStep: violation?.step ?? operations.length - 1,
    message: error instanceof Error ? error.message : String(error),
    seed: options.seed,
    path: details.counterexamplePath ?? "",
    profile: options.profile.name,
    replay: "",
    created: new Date().toISOString(),
    ...(options.contract !== undefined ? { contract: recordContract(options.contract) } : {}),
  };
}
