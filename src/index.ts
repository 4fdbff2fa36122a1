/**
 * allocheck's public API (spec/README.md): stable, the CLI, the property suite and outside
 * checks build on it.
 */
export { createAllocator, ALLOCATOR_KINDS, type AllocatorKind } from "./create-allocator.ts";
export {
  defineGeometry,
  geometries,
  resolveGeometry,
  sizeClassOf,
  GeometryError,
  PRESET_OPTIONS,
  type Geometry,
  type GeometryOptions,
  type GeometryInput,
  type PresetName,
} from "./geometry.ts";
export { AllocatorError, IntegrityError, ALLOCATOR_ERROR_CODES, type AllocatorErrorCode } from "./errors.ts";
export { formatDebugMallocStats } from "./debug-malloc-stats.ts";
export type { AddressSpaceEvent, AddressSpaceEventKind, MappedBytes } from "./address-space.ts";
export type {
  Allocator,
  AddressSpaceView,
  Stats,
  ClassStats,
  HeapSnapshot,
  ArenaSnapshot,
  PoolSnapshot,
  RawSnapshot,
  BlockEntry,
} from "./allocator.ts";
