/** Invariant 07 (spec/invariants.md) on every allocator and geometry family. */
import { propertySuite } from "../support/property-suite.ts";

propertySuite("I07-accounting");
