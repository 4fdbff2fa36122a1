/**
 * The interface between the driver and the invariants: what a check sees of the run, and the
 * hooks the driver calls around every primitive call and step (driver.ts shows when).
 */
import type { Geometry } from "../../src/core/geometry.ts";
import type { Call, Step } from "./call.ts";
import type { ResolvedContract } from "./contract.ts";
import type { ShadowHeap } from "./shadow-heap.ts";
import type { Subject } from "./subject.ts";

/** What a check sees of the run. */
export interface CheckEnv {
  readonly subject: Subject;
  readonly shadow: ShadowHeap;
  readonly geometry: Geometry | undefined;
  /** What the subject promises (spec/invariants.md §Contracts). */
  readonly contract: ResolvedContract;
  /** The step count so far. */
  readonly steps: () => number;
}

export interface InvariantCheck {
  readonly invariant: number;
  before?(call: Call): void;
  after?(call: Call): void;
  /** malloc(n); free; malloc(n) of a small n: the two addresses. */
  roundTrip?(first: number | null, second: number | null): void;
  afterStep?(step: Step): void;
  /** After the whole sequence (and after a free-all step, `drained` is true). */
  finish?(drained: boolean): void;
}

export type CheckFactory = (env: CheckEnv) => InvariantCheck;
