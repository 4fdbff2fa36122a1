// The free-list allocator under the consumer's own vitest: one test per property and geometry
// family that applies to it, plus the bounded-exhaustive mode; the rest are listed as skipped,
// with the reason. ALLOCHECK_PROFILE=quick|ci|deep and ALLOCHECK_SEED choose the runs.
//
//   npx vitest run free-list
import { describeAllocator } from "allocheck/vitest";
import { contract, freeListFactory, misuseCode } from "./free-list.mjs";

describeAllocator("free-list", freeListFactory, {
  contract,
  misuseCode,
});
