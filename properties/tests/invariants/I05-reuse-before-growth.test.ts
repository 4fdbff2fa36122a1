/** Invariant 05 (spec/invariants.md) on every allocator and geometry family. */
import { propertySuite } from "../support/property-suite.ts";

propertySuite("I05-reuse-before-growth");
