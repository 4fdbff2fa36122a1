/**
 * Runs one property against one allocator factory with fast-check: generated geometry, generated
 * commands (fc.commands + fc.modelRun), the property's invariant checked at every call and step,
 * reachability tallied over the runs and compared with the property's targets. On failure the
 * shrunk counterexample is captured (and written when a directory is given).
 */
import fc from "fast-check";
import type { Geometry } from "../../src/core/geometry.ts";
import { commandArbitrary, type RunState } from "../generators/commands.ts";
import { geometryArbitrary, type GeometryFamily } from "../generators/geometry.ts";
import { Driver } from "../model/driver.ts";
import type { ResolvedContract } from "../model/contract.ts";
import type { MisuseKind, Op } from "../model/ops.ts";
import { REACHABLE_STATES, ReachabilityTally } from "../model/reachability.ts";
import type { SubjectFactory } from "../model/subject.ts";
import { InvariantViolation } from "../model/violation.ts";
import type { Profile } from "../profiles.ts";
import type { PropertyDefinition } from "../properties.ts";
import { geometryOptionsOf, writeCounterexample, type Counterexample } from "./counterexample.ts";

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
  readonly seconds: number;
}

export function runProperty(
  definition: PropertyDefinition,
  factory: SubjectFactory,
  options: RunPropertyOptions,
): PropertyResult {
  const started = performance.now();
  const tally = new ReachabilityTally();
  let operations = 0;
  let steps = 0;
  let runsDone = 0;
  /** Every execution of the property, shrinking attempts included. */
  let predicateCalls = 0;
  let lastFailure: { geometry: Geometry; operations: Op[]; error: unknown } | undefined;
  const stryker = process.env.STRYKER_MUTATOR_WORKER !== undefined;
  /** A general allocator (no geometry): pymalloc's states mean nothing to it. */
  let general = false;

  const property = fc.property(
    geometryArbitrary(options.family),
    fc.commands([commandArbitrary(definition.mix, options.misuseKinds, options.contract)], {
      size: options.profile.size,
    }),
    (generated, commands) => {
      const subject = factory(generated);
      const geometry = subject.geometry;
      general = geometry === undefined;
      const checks = definition.invariant.applies(subject, geometry, options.contract)
        ? [definition.invariant.check]
        : [];
      const run = ++predicateCalls;
      const beforeStep = options.beforeStep;
      const driver = new Driver(subject, {
        geometry,
        checks,
        macroLimit: options.profile.macroLimit,
        ...(options.contract ? { contract: options.contract } : {}),
        ...(beforeStep ? { beforeStep: (op: Op) => beforeStep(op, run) } : {}),
      });
      const state: RunState = {
        driver,
        geometry,
        ...(options.sizeLimit !== undefined ? { sizeLimit: options.sizeLimit } : {}),
      };
      try {
        fc.modelRun(() => ({ model: state, real: state }), commands);
        driver.finish();
      } catch (error) {
        lastFailure = { geometry: generated, operations: [...driver.executed], error };
        throw error;
      } finally {
        operations += driver.callCount;
        steps += driver.steps;
      }
      tally.add(driver.reach);
      options.onRun?.(++runsDone);
    },
  );

  const details = fc.check(property, {
    seed: options.seed,
    numRuns: options.numRuns ?? options.profile.numRuns,
    endOnFailure: stryker,
  });

  const targets = (general ? definition.generalReach : definition.reach[options.family]) ?? {};
  const reach: ReachFigure[] = REACHABLE_STATES.filter(
    (state) => tally.totals.has(state) || state in targets,
  ).map((state) => ({
    state,
    runs: tally.runsReaching.get(state) ?? 0,
    fraction: tally.fraction(state),
    total: tally.totals.get(state) ?? 0,
    ...(targets[state] !== undefined ? { target: targets[state] } : {}),
  }));
  const unreached = details.failed
    ? []
    : reach
        .filter((r) => r.target !== undefined && r.fraction < r.target)
        .map(
          (r) =>
            `${r.state}: ${(r.fraction * 100).toFixed(0)}% of runs, target ${(r.target! * 100).toFixed(0)}%`,
        );

  let failure: PropertyFailure | undefined;
  if (details.failed) {
    const error = lastFailure?.error ?? details.errorInstance;
    const violation = error instanceof InvariantViolation ? error : undefined;
    const geometry = lastFailure?.geometry ?? (details.counterexample?.[0] as Geometry);
    const ops = lastFailure?.operations ?? [];
    const message = error instanceof Error ? error.message : String(error);
    const counterexample: Counterexample = {
      allocheck: "counterexample",
      version: 1,
      property: definition.id,
      invariant: violation?.invariant ?? definition.invariant.number,
      implementation: options.implementation,
      geometry: geometryOptionsOf(geometry),
      operations: ops,
      failingStep: violation?.step ?? ops.length - 1,
      message,
      seed: options.seed,
      path: details.counterexamplePath ?? "",
      profile: options.profile.name,
      replay: "",
      created: new Date().toISOString(),
    };
    const file =
      options.counterexampleDir === undefined
        ? undefined
        : writeCounterexample(options.counterexampleDir, {
            ...counterexample,
            replay: replayCommand(options.counterexampleDir, counterexample),
          });
    failure = {
      message,
      invariant: counterexample.invariant,
      geometry,
      operations: ops,
      failingStep: counterexample.failingStep,
      path: counterexample.path,
      shrinks: details.numShrinks,
      counterexample,
      ...(file !== undefined ? { file } : {}),
    };
  }

  return {
    property: definition.id,
    invariant: definition.invariant.number,
    implementation: options.implementation,
    family: options.family,
    profile: options.profile.name,
    seed: options.seed,
    runs: details.numRuns,
    steps,
    operations,
    reach,
    unreached,
    verdict: details.failed || unreached.length > 0 ? "fail" : "pass",
    ...(failure !== undefined ? { failure } : {}),
    seconds: (performance.now() - started) / 1000,
  };
}

export function replayCommand(
  dir: string,
  c: Pick<Counterexample, "property" | "implementation" | "seed">,
): string {
  return `npm run replay -- ${dir}/${c.property}--${c.implementation}--${c.seed >>> 0}.json`;
}
