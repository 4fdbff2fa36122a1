/**
 * Verifies an outside allocator, @thi.ng/malloc's MemPool, with the properties that apply to a
 * general allocator (no overlap, containment, alignment, payload integrity, misuse, no spurious
 * out of memory), each in a child process with a deadline (isolated.ts: a hang is a finding).
 *
 * One bug can hide the next: once a run corrupts the heap, every property fails on that first.
 * So the audit runs in rounds, each keeping the generators inside a limit the previous round's
 * findings suggest, and reports every round:
 *   1. as it comes: every size and every misuse;
 *   2. sizes up to 2^30 and no invalid sizes (MemPool's size arithmetic is 32-bit and signed);
 *   3. the same, and no misuse at all: only the API used as documented.
 */
import type { MisuseKind } from "../model/ops.ts";
import { MISUSE_KINDS } from "../model/ops.ts";
import { PROPERTIES } from "../properties.ts";
import { seedFor, type Profile } from "../profiles.ts";
import type { IsolatedTarget } from "../run/isolated.ts";
import { isolatedFinding, type IsolatedFinding } from "./isolated-finding.ts";
import type { MemPoolOptions } from "./adapters/thing-mempool.ts";

/** The invariants a general allocator without usableSize, stats or check() can be held to. */
export const GENERAL_PROPERTIES = [
  "I01-disjoint",
  "I02-contained",
  "I03-aligned",
  "I08-payload-integrity",
  "I09-misuse-rejected",
  "I10-no-spurious-oom",
] as const;

export interface AuditRound {
  readonly name: string;
  readonly description: string;
  readonly sizeLimit?: number;
  readonly misuseKinds?: readonly MisuseKind[];
}

export const ROUNDS: readonly AuditRound[] = [
  {
    name: "as it comes",
    description: "every size the generators make (up to 2^40) and every kind of misuse",
  },
  {
    name: "30-bit sizes",
    description: "sizes up to 2^30, no invalid sizes (NaN, ±Infinity, fractions, negatives)",
    sizeLimit: 2 ** 30,
    misuseKinds: MISUSE_KINDS.filter((k) => k !== "bad-size"),
  },
  {
    name: "documented use",
    description: "sizes up to 2^30 and no misuse at all",
    sizeLimit: 2 ** 30,
    misuseKinds: [],
  },
];

/** A finding of the MemPool audit: one property in one round. */
export type OutsideFinding = IsolatedFinding;

export interface OutsideAudit {
  readonly allocator: string;
  readonly options: MemPoolOptions;
  readonly rounds: readonly {
    readonly round: AuditRound;
    readonly findings: readonly OutsideFinding[];
  }[];
}

export const MEMPOOL_OPTIONS: MemPoolOptions = {
  size: 1 << 16,
  align: 8,
  compact: true,
  split: true,
};

export function auditMemPool(
  profile: Profile,
  baseSeed: number,
  deadlineMs: number,
  options: MemPoolOptions = MEMPOOL_OPTIONS,
): OutsideAudit {
  const target: IsolatedTarget = {
    module: "../audit/adapters/thing-mempool.ts",
    factory: "memPoolFactory",
    options,
    name: "thi.ng-mempool",
  };
  const rounds = ROUNDS.map((round) => ({
    round,
    // Misuse rejection needs misuse steps: not in a round without them.
    findings: GENERAL_PROPERTIES.filter(
      (id) =>
        PROPERTIES.some((p) => p.id === id) &&
        !(id === "I09-misuse-rejected" && round.misuseKinds?.length === 0),
    ).map((property): OutsideFinding =>
      isolatedFinding(
        {
          target,
          property,
          profile,
          family: "tiny",
          seed: seedFor(baseSeed, `${property}/${target.name}/${round.name}`),
          ...(round.sizeLimit !== undefined ? { sizeLimit: round.sizeLimit } : {}),
          ...(round.misuseKinds !== undefined ? { misuseKinds: round.misuseKinds } : {}),
        },
        deadlineMs,
      ),
    ),
  }));
  return { allocator: "@thi.ng/malloc MemPool", options, rounds };
}
