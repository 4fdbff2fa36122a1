/** Invariant 01 (spec/invariants.md) on every allocator and geometry family. */
import { propertySuite } from "../support/property-suite.ts";

propertySuite("I01-disjoint");
