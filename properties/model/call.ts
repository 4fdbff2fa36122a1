/**
 * One primitive call (malloc, free, realloc, usableSize, bytes) as the driver made it, and one
 * step: an operation (ops.ts) with the calls it made. Checks (invariant-check.ts) read both.
 */
import type { AddressSpaceEvent } from "../../src/core/address-space.ts";
import type { AllocatorErrorCode } from "../../src/core/errors.ts";
import type { Op } from "./ops.ts";
import type { ShadowBlock } from "./shadow-heap.ts";

export type CallKind = "malloc" | "free" | "realloc" | "usableSize" | "bytes";

/**
 * One primitive call: its arguments before it runs, its outcome after. The driver makes every
 * call with all of these fields present (`undefined` until known; primitive-calls.ts), so calls
 * share one shape and the checks that read them after every call stay monomorphic.
 */
export interface Call {
  readonly kind: CallKind;
  readonly n?: number | undefined;
  readonly p?: number | null | undefined;
  /** The live shadow block p names (free, realloc). */
  readonly target?: ShadowBlock | undefined;
  /** Misuse only: the code spec/errors.md expects ("any" when the subject has no geometry). */
  readonly expectedError?: AllocatorErrorCode | "any" | undefined;
  /** Outcome: the address (malloc, realloc), the size (usableSize), the length (bytes). */
  result?: number | null | undefined;
  /** Misuse only: what the subject threw (its detection of the misuse). */
  error?: unknown;
  /**
   * A valid malloc or realloc threw this, and the contract says out of memory throws
   * (contract.ts): the call's `result` is null, judged as a null by invariant 10.
   */
  outOfMemoryError?: unknown;
  /** Address-space events the call caused: NO_EVENTS until the first (most calls cause none). */
  events: readonly AddressSpaceEvent[];
  /** The shadow block the call created (malloc, realloc). */
  created?: ShadowBlock | undefined;
  /** realloc kept the block in place. */
  inPlace?: boolean | undefined;
  /** The created small block is the first live block of its pool (an empty pool was taken). */
  newPool?: boolean | undefined;
}

/** The events of a call that caused none: one shared, frozen, empty list. */
export const NO_EVENTS: readonly AddressSpaceEvent[] = Object.freeze([]);

/** A call before it runs: what a misuse operation is about to do (misuse-targets.ts). */
export type PlannedCall = Omit<Call, "events">;

export interface Step {
  readonly index: number;
  readonly op: Op;
  /**
   * The step's calls: all of them when the driver reports its steps (`onStep`: replays, the
   * CLI), else the first CALLS_SHOWN (format-call.ts), which is what a step's summary shows. A
   * property run does not keep a long step's thousands of calls alive to the step's end.
   */
  readonly calls: readonly Call[];
  /** How many calls the step made. */
  readonly callCount: number;
}
