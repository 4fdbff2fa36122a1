/**
 * Replays operations (a counterexample's, or a regression test's) through the driver with the
 * property's checks, step by step. Used by `npm run replay` and by generated regression tests.
 */
import {
  ALLOCATOR_KINDS,
  createAllocator,
  type AllocatorKind,
} from "../../src/allocators/create-allocator.ts";
import type { Geometry } from "../../src/core/geometry.ts";
import type { Step } from "../model/call.ts";
import type { ResolvedContract } from "../model/contract.ts";
import { Driver } from "../model/driver.ts";
import { opFromJson, type Op } from "../model/ops.ts";
import type { Subject } from "../model/subject.ts";
import { InvariantViolation } from "../model/violation.ts";
import { PROPERTIES, propertyById } from "../properties.ts";

export interface ReplayResult {
  readonly subject: Subject;
  readonly driver: Driver;
  readonly violation: InvariantViolation | undefined;
  /** Steps that ran (the failing one included). */
  readonly steps: number;
}

export function subjectFor(implementation: string, geometry: Geometry): Subject {
  if (!(ALLOCATOR_KINDS as readonly string[]).includes(implementation)) {
    throw new Error(
      `cannot replay on "${implementation}": known allocators are ${ALLOCATOR_KINDS.join(", ")}`,
    );
  }
  return createAllocator(implementation as AllocatorKind, geometry);
}

export interface ReplayOptions {
  /** Check every applicable invariant, not only the property's. */
  readonly allInvariants?: boolean;
  readonly onStep?: (step: Step, summary: string) => void;
  /** What the allocator promises (spec/invariants.md §Contracts); default DEFAULT_CONTRACT. */
  readonly contract?: ResolvedContract;
}

/** `implementation` is an allocator kind, or a subject already made for `geometry`. */
export function replayOperations(
  implementation: string | Subject,
  geometry: Geometry,
  propertyId: string,
  operations: readonly unknown[],
  options: ReplayOptions = {},
): ReplayResult {
  const subject =
    typeof implementation === "string" ? subjectFor(implementation, geometry) : implementation;
  const invariants = options.allInvariants
    ? PROPERTIES.map((p) => p.invariant)
    : [propertyById(propertyId).invariant];
  const checks = invariants
    .filter((inv) => inv.applies(subject, geometry, options.contract))
    .map((inv) => inv.check);
  const driver = new Driver(subject, {
    geometry,
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
