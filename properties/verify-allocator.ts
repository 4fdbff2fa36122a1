/**
 * `verifyAllocator(factory, options)`: puts any allocator with allocheck's interface (or an
 * adapter to it) through every property that applies to it, over the geometry families, plus the
 * bounded-exhaustive mode; equivalence with the reference is included when the allocator claims
 * the address-ordered policy. It plans the runs (verify/plan.ts), then runs every entry of the
 * plan in order, and returns the figures `npm run verify` writes to reports/.
 */
import { exhaustiveFailed, type ExhaustiveResult } from "./exhaustive/bounded.ts";
import type { SubjectFactory } from "./model/subject.ts";
import type { PropertyResult } from "./run/run-property.ts";
import { planVerification, runPlanned } from "./verify/plan.ts";
import type { VerifyOptions } from "./verify/verify-options.ts";

export {
  isolatedKillAfter,
  planVerification,
  runPlanned,
  type PlannedExhaustive,
  type PlannedProperty,
  type PlannedRun,
  type SkippedProperty,
  type VerificationPlan,
} from "./verify/plan.ts";
export {
  DEFAULT_DEADLINE_MS,
  type VerifyOptions,
  type VerifyProgress,
} from "./verify/verify-options.ts";
export { describeDeadline, type DeadlineFinding } from "./model/deadline.ts";
export {
  VerifyOptionsError,
  VERIFY_OPTIONS_ERROR_CODES,
  type VerifyOptionsErrorCode,
} from "./verify/verify-options-error.ts";

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

/**
 * Plans, then runs every entry of the plan; throws VerifyOptionsError on bad options. What the
 * factory or its subjects throw, and a run past its deadline, are failures in the report.
 */
export function verifyAllocator(factory: SubjectFactory, options: VerifyOptions): VerifyReport {
  const started = performance.now();
  const plan = planVerification(factory, options);
  const results: PropertyResult[] = [];
  const skipped: { property: string; reason: string }[] = [];
  let exhaustive: ExhaustiveResult | undefined;
  for (const entry of plan.entries) {
    if (entry.kind === "skipped") skipped.push({ property: entry.property, reason: entry.reason });
    else if (entry.kind === "property") results.push(runPlanned(plan, entry));
    else exhaustive = runPlanned(plan, entry);
  }
  const failed =
    results.some((r) => r.verdict === "fail") ||
    (exhaustive !== undefined && exhaustiveFailed(exhaustive));
  return {
    implementation: plan.implementation,
    profile: plan.profile.name,
    baseSeed: plan.baseSeed,
    results,
    skipped,
    ...(exhaustive !== undefined ? { exhaustive } : {}),
    operations: results.reduce((sum, r) => sum + r.operations, 0) + (exhaustive?.operations ?? 0),
    verdict: failed ? "fail" : "pass",
    seconds: (performance.now() - started) / 1000,
  };
}
