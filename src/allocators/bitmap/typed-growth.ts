/**
 * Transitional re-export: typed-growth moved to src/core/typed-growth.ts (so the property library
 * can use it without importing a bitmap-allocator module). bitmap-allocator.ts still imports
 * `doubledCapacity` from here; once its import names ../../core/typed-growth.ts, delete this file.
 */
export { doubledCapacity } from "../../core/typed-growth.ts";
