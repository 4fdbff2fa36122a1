/**
 * The verification plan: every run `verifyAllocator` makes of one allocator, as a value. Each
 * applicable property × geometry family with its seed, each property that does not apply with
 * its reason (the missing members named, or the contract), and the bounded-exhaustive mode. The
 * entries run one at a time (`runPlanned`), so a test runner can give each its own test, and
 * each has a name that depends only on the options (the same in every process: shards, filters).
 */
import type { Geometry } from "../../src/core/geometry.ts";
import { runExhaustive, type ExhaustiveResult } from "../exhaustive/bounded.ts";
import { TINY_GEOMETRIES, type GeometryFamily } from "../generators/geometry.ts";
import { inapplicableReason } from "../invariants/index.ts";
import type { ResolvedContract } from "../model/contract.ts";
import type { Subject, SubjectFactory } from "../model/subject.ts";
import { seedFor, type Profile } from "../profiles.ts";
import type { PropertyDefinition } from "../properties.ts";
import { runProperty, type PropertyResult } from "../run/run-property.ts";
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
  readonly factory: SubjectFactory;
  /** Properties in PROPERTIES' order, each on every family; then the bounded-exhaustive mode. */
  readonly entries: readonly PlannedRun[];
  /** How many entries are property runs. */
  readonly propertyRuns: number;
  readonly onProgress?: (event: VerifyProgress) => void;
}

/**
 * Plans the verification of the allocator `factory` makes; throws VerifyOptionsError on bad
 * options. Applicability is judged on a subject made for the first tiny geometry, with the
 * geometry it claims and the declared contract.
 */
export function planVerification(
  factory: SubjectFactory,
  options: VerifyOptions,
): VerificationPlan {
  const resolved = resolveVerifyOptions(options);
  const sample = factory(TINY_GEOMETRIES[0]!);
  const entries: PlannedRun[] = [];
  const applicable: PropertyDefinition[] = [];
  let propertyRuns = 0;
  for (const definition of resolved.definitions) {
    const reason = skipReason(definition, sample, resolved);
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
    factory,
    entries,
    propertyRuns,
    ...(resolved.onProgress !== undefined ? { onProgress: resolved.onProgress } : {}),
  };
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
  const result = runProperty(definition, plan.factory, {
    implementation: plan.implementation,
    profile: plan.profile,
    family,
    seed: entry.seed,
    contract: plan.contract,
    ...(plan.counterexampleDir !== undefined ? { counterexampleDir: plan.counterexampleDir } : {}),
    onRun: (runs) =>
      plan.onProgress?.({ kind: "run", property, family, runs, of: plan.profile.numRuns }),
  });
  plan.onProgress?.({ kind: "property-end", result });
  return result;
}

/**
 * The bounded-exhaustive mode with the invariants of the applicable properties, each judged on
 * the subject made for each geometry, with the geometry that subject claims (none for a general
 * allocator) and the contract.
 */
function runPlannedExhaustive(plan: VerificationPlan, entry: PlannedExhaustive): ExhaustiveResult {
  const checks = (subject: Subject) =>
    entry.definitions
      .filter((d) => d.invariant.applies(subject, subject.geometry, plan.contract))
      .map((d) => d.invariant.check);
  const result = runExhaustive(plan.factory, entry.geometries, entry.length, checks, plan.contract);
  plan.onProgress?.({ kind: "exhaustive-end", result });
  return result;
}
