/**
 * allocheck's public API (spec/README.md): stable, the CLI, the property suite and outside
 * checks build on it.
 */
export {
  createAllocator,
  ALLOCATOR_KINDS,
  type AllocatorKind,
} from "./allocators/create-allocator.ts";
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
} from "./core/geometry.ts";
export {
  AllocatorError,
  IntegrityError,
  ALLOCATOR_ERROR_CODES,
  type AllocatorErrorCode,
} from "./core/errors.ts";
export { CodedError } from "./core/coded-error.ts";
export { formatDebugMallocStats } from "./core/debug-malloc-stats.ts";
export type {
  AddressSpaceEvent,
  AddressSpaceEventKind,
  MappedBytes,
} from "./core/address-space.ts";
export { EventLogError, type EventLogErrorCode } from "./core/event-log.ts";
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
} from "./core/allocator.ts";

// The property library: put any allocator with this interface (or an adapter) through the suite.
export {
  verifyAllocator,
  planVerification,
  runPlanned,
  VerifyOptionsError,
  VERIFY_OPTIONS_ERROR_CODES,
  DEFAULT_DEADLINE_MS,
  describeDeadline,
  type DeadlineFinding,
  type VerifyOptions,
  type VerifyOptionsErrorCode,
  type VerifyReport,
  type VerifyProgress,
  type VerificationPlan,
  type PlannedRun,
  type PlannedProperty,
  type PlannedExhaustive,
  type SkippedProperty,
} from "../properties/verify-allocator.ts";
export { PROPERTY_IDS } from "../properties/properties.ts";
export type { Contract, MisuseCode } from "../properties/model/contract.ts";
export type { Subject, SubjectFactory, Region } from "../properties/model/subject.ts";
export type { PropertyResult } from "../properties/run/run-property.ts";
export { describeResult } from "../properties/run/describe-result.ts";

// Counterexamples of any allocator: replay one on the allocator its factory makes (the CLI's
// `allocheck replay FILE --adapter MODULE`); generated regression tests call this.
export {
  replayCounterexample,
  ReplayError,
  type CounterexampleReplay,
  type CounterexampleReplayOptions,
} from "../properties/run/replay.ts";
export {
  COUNTEREXAMPLE_ERROR_CODES,
  CounterexampleError,
  type CounterexampleErrorCode,
  type Counterexample,
  type RecordedContract,
} from "../properties/run/counterexample.ts";

// The CPython-faithful model (spec/cpython-model.md): pymalloc's own choices, and its internals.
export { ADDRESS_ORDERED_KINDS } from "./allocators/create-allocator.ts";
export { CPythonAllocator } from "./allocators/cpython/cpython-allocator.ts";
export type {
  PymallocInternals,
  ArenaInternals,
  PoolInternals,
} from "./allocators/cpython/internals.ts";
