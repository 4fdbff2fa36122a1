/**
 * `verifyAllocator(factory, options)`: puts any allocator with allocheck's interface (or an
 * adapter to it) through every property that applies to it, over the geometry families, plus the
 * bounded-exhaustive mode; equivalence with the reference is included when the allocator claims
 * the address-ordered policy. Returns the figures `npm run verify` writes to reports/.
 */
import type { Geometry } from "../src/core/geometry.ts";
import { runExhaustive, type ExhaustiveResult } from "./exhaustive/bounded.ts";
import { GEOMETRY_FAMILIES, TINY_GEOMETRIES, type GeometryFamily } from "./generators/geometry.ts";
import type { Subject, SubjectFactory } from "./model/subject.ts";
import {
  baseSeedFromEnv,
  profileFromEnv,
  PROFILES,
  seedFor,
  type Profile,
  type ProfileName,
} from "./profiles.ts";
import { PROPERTIES, type PropertyDefinition } from "./properties.ts";
import { runProperty, type PropertyResult } from "./run/run-property.ts";

export interface VerifyOptions {
  /** The allocator's name in reports and counterexample files. */
  readonly name: string;
  /** Default: ALLOCHECK_PROFILE, else ci. */
  readonly profile?: ProfileName | Profile;
  /** Base seed. Default: ALLOCHECK_SEED, else 20261125. */
  readonly seed?: number;
  readonly families?: readonly GeometryFamily[];
  /** Property ids (or prefixes such as "I06") to run; default all that apply. */
  readonly properties?: readonly string[];
  /** Compare with the reference allocator (invariant 11). Default: when the subject has a geometry. */
  readonly addressOrdered?: boolean;
  /** Run the bounded-exhaustive mode too. Default true. */
  readonly exhaustive?: boolean;
  readonly counterexampleDir?: string;
  readonly onProgress?: (event: VerifyProgress) => void;
}

export type VerifyProgress =
  | {
      readonly kind: "property-start";
      readonly property: string;
      readonly family: GeometryFamily;
      readonly index: number;
      readonly total: number;
    }
  | {
      readonly kind: "run";
      readonly property: string;
      readonly family: GeometryFamily;
      readonly runs: number;
      readonly of: number;
    }
  | { readonly kind: "property-end"; readonly result: PropertyResult }
  | { readonly kind: "exhaustive-end"; readonly result: ExhaustiveResult };

export interface VerifyReport {
  readonly implementation: string;
  readonly profile: string;
  readonly baseSeed: number;
  readonly results: readonly PropertyResult[];
  /** Properties that do not apply to this allocator, and why. */
  readonly skipped: readonly { readonly property: string; readonly reason: string }[];
  readonly exhaustive?: ExhaustiveResult;
  readonly operations: number;
  readonly verdict: "pass" | "fail";
  readonly seconds: number;
}

/** Which properties apply, judged on a subject made for a tiny geometry. */
function applicable(
  factory: SubjectFactory,
  options: VerifyOptions,
): { run: PropertyDefinition[]; skipped: { property: string; reason: string }[] } {
  const sample: Subject = factory(TINY_GEOMETRIES[0]!);
  const run: PropertyDefinition[] = [];
  const skipped: { property: string; reason: string }[] = [];
  for (const definition of PROPERTIES) {
    if (
      options.properties !== undefined &&
      !options.properties.some((id) => definition.id.toLowerCase().startsWith(id.toLowerCase()))
    )
      continue;
    if (definition.invariant.number === 11 && options.addressOrdered === false) {
      skipped.push({
        property: definition.id,
        reason: "the allocator does not claim the address-ordered policy",
      });
    } else if (!definition.invariant.applies(sample, sample.geometry)) {
      skipped.push({
        property: definition.id,
        reason: `${sample.kind} lacks what invariant ${definition.invariant.number} needs (see properties/invariants/)`,
      });
    } else run.push(definition);
  }
  return { run, skipped };
}

export function verifyAllocator(factory: SubjectFactory, options: VerifyOptions): VerifyReport {
  const started = performance.now();
  const profile =
    typeof options.profile === "string"
      ? PROFILES[options.profile]
      : (options.profile ?? profileFromEnv());
  const baseSeed = options.seed ?? baseSeedFromEnv();
  const families = options.families ?? GEOMETRY_FAMILIES;
  const { run, skipped } = applicable(factory, options);
  const results: PropertyResult[] = [];
  const total = run.length * families.length;
  for (const definition of run) {
    for (const family of families) {
      options.onProgress?.({
        kind: "property-start",
        property: definition.id,
        family,
        index: results.length,
        total,
      });
      const result = runProperty(definition, factory, {
        implementation: options.name,
        profile,
        family,
        seed: seedFor(baseSeed, `${definition.id}/${options.name}/${family}`),
        ...(options.counterexampleDir !== undefined
          ? { counterexampleDir: options.counterexampleDir }
          : {}),
        onRun: (runs) =>
          options.onProgress?.({
            kind: "run",
            property: definition.id,
            family,
            runs,
            of: profile.numRuns,
          }),
      });
      results.push(result);
      options.onProgress?.({ kind: "property-end", result });
    }
  }
  let exhaustive: ExhaustiveResult | undefined;
  if (options.exhaustive !== false) {
    const checks = (subject: Subject, g: Geometry) =>
      run.filter((d) => d.invariant.applies(subject, g)).map((d) => d.invariant.check);
    exhaustive = runExhaustive(factory, TINY_GEOMETRIES, profile.exhaustiveLength, checks);
    options.onProgress?.({ kind: "exhaustive-end", result: exhaustive });
  }
  const failed = results.some((r) => r.verdict === "fail") || exhaustive?.failure !== undefined;
  return {
    implementation: options.name,
    profile: profile.name,
    baseSeed,
    results,
    skipped,
    ...(exhaustive !== undefined ? { exhaustive } : {}),
    operations: results.reduce((sum, r) => sum + r.operations, 0) + (exhaustive?.operations ?? 0),
    verdict: failed ? "fail" : "pass",
    seconds: (performance.now() - started) / 1000,
  };
}
