/**
 * What an allocator promises, declared by its author (spec/invariants.md §Contracts): whether it
 * detects misuse, how it reports out of memory, and whether freed neighbours coalesce. The
 * properties ask each allocator only what it promises.
 */
import type { AllocatorErrorCode } from "../../src/core/errors.ts";

export interface Contract {
  /**
   * "throws" (default): a bad pointer or size throws, and the heap is unchanged (invariant 9).
   * "undetected": misuse is undefined behaviour (most C allocators); no run issues a misuse call
   * and invariant 9 does not apply.
   */
  readonly misuse?: "throws" | "undetected";
  /** "null" (default): malloc and realloc return null when memory is exhausted; "throws": they throw. */
  readonly outOfMemory?: "null" | "throws";
  /**
   * true (default): a general allocator's free space coalesces, so a request that fits in the
   * largest free run succeeds (invariant 10's general form). false: only what a segregated-fit
   * allocator promises (spec/invariants.md §Contracts).
   */
  readonly coalesces?: boolean;
}

/**
 * Maps an error the allocator throws to allocheck's code, or undefined when it is not misuse.
 * Given, it makes invariant 9 check the codes of every misuse the allocator detects.
 */
export type MisuseCode = (error: unknown) => AllocatorErrorCode | undefined;

/** The choices of each contract member (spec/invariants.md §Contracts). */
export const CONTRACT_CHOICES: Readonly<Record<keyof Contract, readonly unknown[]>> = {
  misuse: ["throws", "undetected"],
  outOfMemory: ["null", "throws"],
  coalesces: [true, false],
};

/** A contract with every choice made. */
export interface ResolvedContract {
  readonly misuse: "throws" | "undetected";
  readonly outOfMemory: "null" | "throws";
  readonly coalesces: boolean;
  /**
   * Present when the allocator's errors can be mapped to codes: then the codes are checked too.
   * Absent, an AllocatorError's code is still checked, and any other error counts as detection.
   */
  readonly misuseCode?: MisuseCode;
}

/**
 * What an allocator promises unless it declares otherwise, and what allocheck's own allocators
 * promise: misuse throws (theirs an AllocatorError, whose code is checked), out of memory is null,
 * free space is reused as a coalescing allocator reuses it. The driver's default.
 */
export const DEFAULT_CONTRACT: ResolvedContract = {
  misuse: "throws",
  outOfMemory: "null",
  coalesces: true,
};

/** A declared contract with the defaults of DEFAULT_CONTRACT filled in. */
export function resolveContract(contract?: Contract, misuseCode?: MisuseCode): ResolvedContract {
  return {
    misuse: contract?.misuse ?? DEFAULT_CONTRACT.misuse,
    outOfMemory: contract?.outOfMemory ?? DEFAULT_CONTRACT.outOfMemory,
    coalesces: contract?.coalesces ?? DEFAULT_CONTRACT.coalesces,
    ...(misuseCode !== undefined ? { misuseCode } : {}),
  };
}
