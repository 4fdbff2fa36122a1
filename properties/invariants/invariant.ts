/**
 * The shape of one invariant's check (spec/invariants.md): its number, what a subject must offer
 * for the check to apply, and the check itself, which reads only the shadow heap, the call
 * outcomes and the event log.
 */
import type { Geometry } from "../../src/core/geometry.ts";
import type { CheckFactory } from "../model/invariant-check.ts";
import type { Subject } from "../model/subject.ts";

export interface Invariant {
  readonly number: number;
  readonly title: string;
  /** Whether the check applies to this subject (an outside allocator has fewer members). */
  applies(subject: Subject, geometry: Geometry | undefined): boolean;
  readonly check: CheckFactory;
}

/** The subject follows a pymalloc geometry and runs over the simulated address space. */
export const isPymallocStyle = (subject: Subject, geometry: Geometry | undefined): boolean =>
  geometry !== undefined && subject.addressSpace !== undefined;
