/**
 * The verification plan: every run `verifyAllocator` makes of one allocator, as a value. Each
 * applicable property × geometry family with its seed, each property that does not apply with
 * its reason (the missing members named, or the contract), and the bounded-exhaustive mode. The
 * entries run one at a time (`runPlanned`), so a test runner can give each its own test, and
 * each has a name that depends only on the options (the same in every process: shards, filters).
 */
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { Geometry } from "../../src/core/geometry.ts";
import { exhaustiveChecks, runExhaustive, type ExhaustiveResult } from "../exhaustive/bounded.ts";
import { TINY_GEOMETRIES, type GeometryFamily } from "../generators/geometry.ts";
import { inapplicableReason } from "../invariants/index.ts";
import type { ResolvedContract } from "../model/contract.ts";
import type { Subject, SubjectFactory } from "../model/subject.ts";
import { seedFor, type Profile } from "../profiles.ts";
import type { PropertyDefinition } from "../properties.ts";
import { recordContract } from "../run/counterexample.ts";
import { runIsolated } from "../run/isolated.ts";
import { runProperty, type PropertyResult } from "../run/run-property.ts";
import { VerifyOptionsError } from "./verify-options-error.ts";
import {
  resolveVerifyOptions,
  type ResolvedVerifyOptions,
  type VerifyOptions,
  type VerifyProgress,
} from "./verify-options.ts";

/** One property on one geometry family, with its seed. */
export interface PlannedProperty {
  readonly kind: "property";
  /** "I01-disjoint, tiny geometries, seed 1184040593". */
  readonly name: string;
  readonly definition: PropertyDefinition;
  readonly family: GeometryFamily;
  readonly seed: number;
  /** Its place among the plan's property runs, from 0 (progress: "3/27"). */
  readonly index: number;
}

/** A property that does not apply to the allocator, and why. */
export interface SkippedProperty {
  readonly kind: "skipped";
  /** "I12-self-check (not applicable: needs `check`)". */
  readonly name: string;
  readonly property: string;
  readonly reason: string;
}

/** The bounded-exhaustive mode, checking every applicable property's invariant at once. */
export interface PlannedExhaustive {
  readonly kind: "exhaustive";
  /** "bounded-exhaustive, every sequence of up to 3 steps on 4 tiny geometries". */
  readonly name: string;
  readonly length: number;
  readonly geometries: readonly Geometry[];
  readonly definitions: readonly PropertyDefinition[];
}

export type PlannedRun = PlannedProperty | SkippedProperty | PlannedExhaustive;

export interface VerificationPlan {
  readonly implementation: string;
  readonly profile: Profile;
  readonly baseSeed: number;
  readonly contract: ResolvedContract;
  /** Absent: no counterexample files. */
  readonly counterexampleDir?: string;
  /** Milliseconds each run may take (model/deadline.ts); absent: no deadline. */
  readonly deadlineMs?: number;
  /** Absent: property runs in process; present: each in a child process (run/isolated.ts). */
  readonly adapterModule?: string;
  readonly factory: SubjectFactory;
  /** Properties in PROPERTIES' order, each on every family; then the bounded-exhaustive mode. */
  readonly entries: readonly PlannedRun[];
  /** How many entries are property runs. */
  readonly propertyRuns: number;
  readonly onProgress?: (event: VerifyProgress) => void;
}

/**
 * Plans the verification of the allocator `factory` makes; throws VerifyOptionsError on bad
 * options, and when no property applies (a report never says pass with zero properties run).
 * Applicability is judged on a subject made for the first tiny geometry, with the geometry it
 * claims and the declared contract; when making or reading that subject throws, every property
 * is planned, so that each run reports the throw as its failure.
 */
export function planVerification(
  factory: SubjectFactory,
  options: VerifyOptions,
): VerificationPlan {
  const resolved = resolveVerifyOptions(options);
  const sample = attempt(() => factory(TINY_GEOMETRIES[0]!));
  const entries: PlannedRun[] = [];
  const applicable: PropertyDefinition[] = [];
  let propertyRuns = 0;
  for (const definition of resolved.definitions) {
    const reason =
      sample === undefined ? undefined : attempt(() => skipReason(definition, sample, resolved));
    if (reason !== undefined) {
      entries.push({
        kind: "skipped",
        name: `${definition.id} (not applicable: ${reason})`,
        property: definition.id,
        reason,
      });
      continue;
    }
    applicable.push(definition);
    for (const family of resolved.families) {
      const seed = seedFor(resolved.baseSeed, `${definition.id}/${resolved.name}/${family}`);
      entries.push({
        kind: "property",
        name: `${definition.id}, ${family} geometries, seed ${seed}`,
        definition,
        family,
        seed,
        index: propertyRuns++,
      });
    }
  }
  if (propertyRuns === 0)
    throw new VerifyOptionsError(
      "nothing-to-run",
      `no property applies to ${resolved.name} with these options: ${entries.map((e) => e.name).join("; ")}`,
    );
  if (resolved.exhaustive) {
    const length = resolved.profile.exhaustiveLength;
    entries.push({
      kind: "exhaustive",
      name: `bounded-exhaustive, every sequence of up to ${length} steps on ${TINY_GEOMETRIES.length} tiny geometries`,
      length,
      geometries: TINY_GEOMETRIES,
      definitions: applicable,
    });
  }
  return {
    implementation: resolved.name,
    profile: resolved.profile,
    baseSeed: resolved.baseSeed,
    contract: resolved.contract,
    ...(resolved.counterexampleDir !== undefined
      ? { counterexampleDir: resolved.counterexampleDir }
      : {}),
    ...(resolved.deadlineMs !== undefined ? { deadlineMs: resolved.deadlineMs } : {}),
    ...(resolved.adapterModule !== undefined ? { adapterModule: resolved.adapterModule } : {}),
    factory,
    entries,
    propertyRuns,
    ...(resolved.onProgress !== undefined ? { onProgress: resolved.onProgress } : {}),
  };
}

/** What `work` returns, or undefined when it throws (the runs report the throw). */
function attempt<T>(work: () => T): T | undefined {
  try {
    return work();
  } catch {
    return undefined;
  }
}

/** Why `definition` does not apply to `sample` under the options, or undefined when it does. */
function skipReason(
  definition: PropertyDefinition,
  sample: Subject,
  options: ResolvedVerifyOptions,
): string | undefined {
  if (definition.invariant.number === 11 && options.addressOrdered === false)
    return "the allocator does not claim the address-ordered policy";
  return inapplicableReason(definition.invariant, sample, sample.geometry, options.contract);
}

/** Runs one entry of the plan, reporting progress to the plan's `onProgress`. */
export function runPlanned(plan: VerificationPlan, entry: PlannedProperty): PropertyResult;
export function runPlanned(plan: VerificationPlan, entry: PlannedExhaustive): ExhaustiveResult;
export function runPlanned(
  plan: VerificationPlan,
  entry: PlannedProperty | PlannedExhaustive,
): PropertyResult | ExhaustiveResult;
export function runPlanned(
  plan: VerificationPlan,
  entry: PlannedProperty | PlannedExhaustive,
): PropertyResult | ExhaustiveResult {
  return entry.kind === "property"
    ? runPlannedProperty(plan, entry)
    : runPlannedExhaustive(plan, entry);
}

function runPlannedProperty(plan: VerificationPlan, entry: PlannedProperty): PropertyResult {
  const { definition, family } = entry;
  const property = definition.id;
  plan.onProgress?.({
    kind: "property-start",
    property,
    family,
    index: entry.index,
    total: plan.propertyRuns,
  });
  const result =
    plan.adapterModule !== undefined
      ? runPlannedIsolated(plan, entry, plan.adapterModule)
      : runProperty(definition, plan.factory, {
          implementation: plan.implementation,
          profile: plan.profile,
          family,
          seed: entry.seed,
          contract: plan.contract,
          ...(plan.counterexampleDir !== undefined
            ? { counterexampleDir: plan.counterexampleDir }
            : {}),
          ...(plan.deadlineMs !== undefined ? { deadlineMs: plan.deadlineMs } : {}),
          onRun: (runs) =>
            plan.onProgress?.({ kind: "run", property, family, runs, of: plan.profile.numRuns }),
        });
  plan.onProgress?.({ kind: "property-end", result });
  return result;
}

/**
 * Milliseconds an isolated child gets beyond the run's deadline to start (tsx, the module) and
 * to report its own "deadline" finding, before the parent kills it (a "hang"): the deadline
 * again, at least 5 s, at most 15 s.
 */
export const isolatedKillAfter = (deadlineMs: number | undefined): number | undefined =>
  deadlineMs === undefined ? undefined : deadlineMs + Math.min(15_000, Math.max(5_000, deadlineMs));

/** One property run in a child process on the adapter module's default export (run/isolated.ts). */
function runPlannedIsolated(
  plan: VerificationPlan,
  entry: PlannedProperty,
  module: string,
): PropertyResult {
  const started = performance.now();
  const outcome = runIsolated(
    {
      ...isolatedRequest(plan, module),
      property: entry.definition.id,
      family: entry.family,
      seed: entry.seed,
    },
    isolatedKillAfter(plan.deadlineMs),
  );
  if (outcome.kind === "done") return outcome.result;
  const unfinished = {
    property: entry.definition.id,
    invariant: entry.definition.invariant.number,
    implementation: plan.implementation,
    family: entry.family,
    profile: plan.profile.name,
    seed: entry.seed,
    runs: 0,
    steps: 0,
    operations: 0,
    reach: [],
    unreached: [],
    verdict: "fail" as const,
    seconds: (performance.now() - started) / 1000,
  };
  return outcome.kind === "hang"
    ? {
        ...unfinished,
        deadline: {
          kind: "hang",
          deadlineMs: plan.deadlineMs ?? 0,
          execution: outcome.execution,
          operations: outcome.operations,
        },
      }
    : { ...unfinished, crashed: outcome.message };
}

/**
 * The bounded-exhaustive mode with the invariants of the applicable properties (exhaustiveChecks),
 * in process, or with an adapter module in a child process as the property runs are.
 */
function runPlannedExhaustive(plan: VerificationPlan, entry: PlannedExhaustive): ExhaustiveResult {
  const result =
    plan.adapterModule !== undefined
      ? runExhaustiveIsolated(plan, entry, plan.adapterModule)
      : runExhaustive(
          plan.factory,
          entry.geometries,
          entry.length,
          exhaustiveChecks(entry.definitions, plan.contract),
          plan.contract,
          plan.deadlineMs,
        );
  plan.onProgress?.({ kind: "exhaustive-end", result });
  return result;
}

function runExhaustiveIsolated(
  plan: VerificationPlan,
  entry: PlannedExhaustive,
  module: string,
): ExhaustiveResult {
  const started = performance.now();
  const outcome = runIsolated<ExhaustiveResult>(
    {
      ...isolatedRequest(plan, module),
      exhaustive: { length: entry.length, properties: entry.definitions.map((d) => d.id) },
    },
    isolatedKillAfter(plan.deadlineMs),
  );
  if (outcome.kind === "done") return outcome.result;
  const figures = {
    sequences: 0,
    operations: 0,
    geometries: entry.geometries.length,
    length: entry.length,
    seconds: (performance.now() - started) / 1000,
  };
  if (outcome.kind === "hang")
    return {
      ...figures,
      deadline: {
        kind: "hang",
        deadlineMs: plan.deadlineMs ?? 0,
        execution: outcome.execution,
        operations: outcome.operations,
      },
    };
  return { ...figures, crashed: outcome.message };
}

/** What every isolated run of the plan asks its child: the module, the contract, the folder. */
function isolatedRequest(plan: VerificationPlan, module: string) {
  return {
    target: { module: pathToFileURL(module).href, factory: "default", name: plan.implementation },
    profile: plan.profile,
    contract: recordContract(plan.contract),
    ...(plan.counterexampleDir !== undefined
      ? { counterexampleDir: resolve(plan.counterexampleDir) }
      : {}),
    ...(plan.deadlineMs !== undefined ? { deadlineMs: plan.deadlineMs } : {}),
  };
}
