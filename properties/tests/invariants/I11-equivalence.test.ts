/** Invariant 11 (spec/invariants.md) on every allocator and geometry family. */
import { propertySuite } from "../support/property-suite.ts";

propertySuite("I11-equivalence");
