/** Invariant 10 (spec/invariants.md) on every allocator and geometry family. */
import { propertySuite } from "../support/property-suite.ts";

propertySuite("I10-no-spurious-oom");
