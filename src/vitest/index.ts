/**
 * allocheck/vitest: the property library as vitest tests. `describeAllocator(name, factory,
 * options)` plans the verification of an allocator (properties/verify/plan.ts) and registers,
 * inside `describe(name)`, one test per entry of the plan: one per applicable property × geometry
 * family, named with its seed; one for the bounded-exhaustive mode; and, skipped, one per
 * property that does not apply, named with the reason. The names depend only on the options, so
 * `vitest --shard`, `-t` filters and reporters such as junit see the same tests in every process.
 * (vitest shards by file: to spread one allocator over shards, call describeAllocator from several
 * files, each with some of the `families` or `properties`.)
 * A failing test's message is the shrunk counterexample as describeResult writes it: the
 * invariant, the steps, the seed and the replay command.
 */
import { describe, expect, test, type TaskMeta } from "vitest";
import "./task-meta.ts";
import { exhaustiveFailed } from "../../properties/exhaustive/bounded.ts";
import { describeExhaustive } from "../../properties/exhaustive/describe-exhaustive.ts";
import type { SubjectFactory } from "../../properties/model/subject.ts";
import { describeResult } from "../../properties/run/describe-result.ts";
import {
  isolatedKillAfter,
  planVerification,
  runPlanned,
  VerifyOptionsError,
  type PlannedExhaustive,
  type PlannedProperty,
  type VerificationPlan,
  type VerifyOptions,
} from "../../properties/verify-allocator.ts";

export { PROPERTY_IDS } from "../../properties/properties.ts";
export {
  VerifyOptionsError,
  VERIFY_OPTIONS_ERROR_CODES,
  type VerifyOptions,
  type VerifyOptionsErrorCode,
  type VerifyProgress,
} from "../../properties/verify-allocator.ts";
export type { Contract, MisuseCode } from "../../properties/model/contract.ts";
export type { Region, Subject, SubjectFactory } from "../../properties/model/subject.ts";
export type { GeometryFamily } from "../../properties/generators/geometry.ts";
export type { Profile, ProfileName } from "../../properties/profiles.ts";

/**
 * verifyAllocator's options (the name is describeAllocator's first argument: `deadline` and
 * `adapterModule` bound each test's run as they bound verifyAllocator's), and a timeout.
 */
export interface DescribeAllocatorOptions extends Omit<VerifyOptions, "name"> {
  /**
   * Milliseconds each test may take. Default: DEFAULT_TEST_TIMEOUT, or more where the run's
   * deadline needs it (the deep profile's 600 s): a run that reaches its deadline still reports a
   * finding with its steps, so vitest must not stop the test first. A timeout shorter than the
   * deadline and the time to report after it is refused (invalid-timeout). vitest's own default
   * (5 s) is too short for a property at the ci profile on a loaded machine.
   */
  readonly timeout?: number;
}

export const DEFAULT_TEST_TIMEOUT = 120_000;

/** The least timeout that lets a run with this deadline report its own finding. */
function leastTimeout(plan: VerificationPlan): number {
  return isolatedKillAfter(plan.deadlineMs) ?? 0;
}

/**
 * Registers the verification of the allocator `factory` makes as vitest tests inside
 * `describe(name)`. Throws VerifyOptionsError on bad options, before registering anything.
 */
export function describeAllocator(
  name: string,
  factory: SubjectFactory,
  options: DescribeAllocatorOptions = {},
): void {
  const { timeout: given, ...verifyOptions } = options;
  if (given !== undefined && (typeof given !== "number" || !Number.isFinite(given) || given <= 0))
    throw new VerifyOptionsError(
      "invalid-timeout",
      `timeout ${String(given)}: give the milliseconds each test may take`,
    );
  const plan = planVerification(factory, { ...verifyOptions, name });
  const least = leastTimeout(plan);
  if (given !== undefined && given < least)
    throw new VerifyOptionsError(
      "invalid-timeout",
      `timeout ${given} ms is shorter than the deadline of each run and the time to report after it (${least} ms): give at least that, a shorter deadline, or deadline: false`,
    );
  const timeout = given ?? Math.max(DEFAULT_TEST_TIMEOUT, least);
  describe(name, () => {
    for (const entry of plan.entries) {
      if (entry.kind === "skipped") test.skip(entry.name, () => {});
      else if (entry.kind === "property")
        test(entry.name, ({ task }) => expectPropertyPasses(plan, entry, task.meta), timeout);
      else test(entry.name, ({ task }) => expectExhaustivePasses(plan, entry, task.meta), timeout);
    }
  });
}

function expectPropertyPasses(
  plan: VerificationPlan,
  entry: PlannedProperty,
  meta: TaskMeta,
): void {
  const result = runPlanned(plan, entry);
  meta.operations = result.operations;
  if (result.verdict === "fail") expect.fail(describeResult(result));
}

function expectExhaustivePasses(
  plan: VerificationPlan,
  entry: PlannedExhaustive,
  meta: TaskMeta,
): void {
  const result = runPlanned(plan, entry);
  meta.operations = result.operations;
  if (exhaustiveFailed(result)) expect.fail(describeExhaustive(plan.implementation, result));
}
