/** The invariant checks, by number (spec/invariants.md). Equivalence needs a twin: see i11. */
export { disjoint } from "./i01-disjoint.ts";
export { contained } from "./i02-contained.ts";
export { aligned } from "./i03-aligned.ts";
export { sized } from "./i04-sized.ts";
export { reuseBeforeGrowth } from "./i05-reuse-before-growth.ts";
export { arenaRelease } from "./i06-arena-release.ts";
export { accounting, expectedStats, differences } from "./i07-accounting.ts";
export { payloadIntegrity } from "./i08-payload-integrity.ts";
export { misuseRejected } from "./i09-misuse-rejected.ts";
export { noSpuriousOutOfMemory } from "./i10-no-spurious-oom.ts";
export { equivalence, equivalenceWith } from "./i11-equivalence.ts";
export { selfCheck } from "./i12-self-check.ts";
export type { Invariant } from "./invariant.ts";
export { defineInvariant, inapplicableReason, needs, type SubjectMember } from "./invariant.ts";
