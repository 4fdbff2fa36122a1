/**
 * What allocheck records on each vitest test it runs: the number of primitive allocator calls the
 * test checked. describeAllocator sets it; allocheck's own suites do too, and their reporter
 * (properties/reporters/operations-reporter.ts) sums it at the end of `npm test`.
 */
declare module "vitest" {
  interface TaskMeta {
    /** Primitive allocator calls a property test checked. */
    operations?: number;
  }
}

export {};
