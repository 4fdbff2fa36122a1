/**
 * The shape of one invariant's check (spec/invariants.md): its number, what a subject must offer
 * and promise for the check to apply, and the check itself, which reads only the shadow heap, the
 * call outcomes and the event log.
 *
 * Applicability has one source: `inapplicable` says why the check does not apply (naming the
 * subject members it misses, or the contract), and `applies` is derived from it (defineInvariant).
 */
import type { Geometry } from "../../src/core/geometry.ts";
import { DEFAULT_CONTRACT, type ResolvedContract } from "../model/contract.ts";
import type { CheckFactory } from "../model/invariant-check.ts";
import type { Subject } from "../model/subject.ts";

export interface Invariant {
  readonly number: number;
  readonly title: string;
  /**
   * Why the check does not apply to this subject under this contract ("needs `usableSize`",
   * "the contract says misuse is undetected"), or undefined when it applies.
   */
  inapplicable(
    subject: Subject,
    geometry: Geometry | undefined,
    contract: ResolvedContract,
  ): string | undefined;
  /** Whether the check applies: `inapplicable` gives no reason. Default contract: DEFAULT_CONTRACT. */
  applies(subject: Subject, geometry: Geometry | undefined, contract?: ResolvedContract): boolean;
  readonly check: CheckFactory;
}

/** An invariant whose `applies` is derived from its `inapplicable`. */
export function defineInvariant(definition: Omit<Invariant, "applies">): Invariant {
  return {
    ...definition,
    applies: (subject, geometry, contract = DEFAULT_CONTRACT) =>
      definition.inapplicable(subject, geometry, contract) === undefined,
  };
}

/**
 * Why `invariant` does not apply to `subject` (with the geometry it claims) under `contract`,
 * naming the missing members, or undefined when it applies. Verifiers print it as a skip reason.
 */
export function inapplicableReason(
  invariant: Invariant,
  subject: Subject,
  geometry: Geometry | undefined,
  contract: ResolvedContract = DEFAULT_CONTRACT,
): string | undefined {
  return invariant.inapplicable(subject, geometry, contract);
}

/** The subject members an invariant may need; `geometry` is the one the subject claims. */
export type SubjectMember =
  "realloc" | "usableSize" | "bytes" | "stats" | "check" | "addressSpace" | "geometry" | "region";

function has(subject: Subject, geometry: Geometry | undefined, member: SubjectMember): boolean {
  return member === "geometry" ? geometry !== undefined : subject[member] !== undefined;
}

/** "`a`", "`a` and `b`", "`a`, `b` and `c`". */
function listMembers(members: readonly SubjectMember[]): string {
  const quoted = members.map((m) => `\`${m}\``);
  return quoted.length <= 1
    ? quoted.join("")
    : `${quoted.slice(0, -1).join(", ")} and ${quoted[quoted.length - 1]}`;
}

/** The members the subject lacks of `members`, as "needs `x` and `y`", or undefined. */
export function needs(
  subject: Subject,
  geometry: Geometry | undefined,
  ...members: SubjectMember[]
): string | undefined {
  const missing = members.filter((m) => !has(subject, geometry, m));
  return missing.length === 0 ? undefined : `needs ${listMembers(missing)}`;
}

/** The subject follows a pymalloc geometry and runs over the simulated address space. */
export const isPymallocStyle = (subject: Subject, geometry: Geometry | undefined): boolean =>
  needs(subject, geometry, "geometry", "addressSpace") === undefined;

/**
 * For the invariants that judge where blocks lie (2, 10): a pymalloc geometry over the simulated
 * address space, or a general allocator's `region`.
 */
export function needsPymallocStyleOrRegion(
  subject: Subject,
  geometry: Geometry | undefined,
): string | undefined {
  const pymalloc = needs(subject, geometry, "geometry", "addressSpace");
  if (pymalloc === undefined || subject.region !== undefined) return undefined;
  return `${pymalloc}, or \`region\``;
}
