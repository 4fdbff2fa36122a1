/**
 * The model's side of the cross-check: the geometry the observed interpreter implies, and the
 * workload run on `createAllocator("cpython", geometry)` from an empty heap, with stats after
 * every phase. An empty heap is exactly the observed starting state as far as the workload can
 * tell: the probe's canonical start leaves no arena with a free pool and no partly used pool in
 * the workload's classes, so every pool the workload touches comes from arenas it maps itself.
 */
import type { Allocator, Stats } from "../core/allocator.ts";
import { createAllocator } from "../allocators/create-allocator.ts";
import {
  defineGeometry,
  geometries,
  type Geometry,
  type GeometryOptions,
  type PresetName,
} from "../core/geometry.ts";
import type { ProbeEnvironment } from "./probe.ts";
import type { Workload, WorkloadOp } from "./workloads.ts";

export interface ObservedLayout {
  readonly threshold: number;
  readonly sizeClasses: number;
  readonly poolSize: number;
  readonly arenaSize: number;
}

/**
 * The geometry of the running interpreter: the layout it prints (threshold, classes, pool and
 * arena size), POOL_OVERHEAD for its pointer size, the empty-arena rule of its version (3.8:
 * release every wholly free arena; 3.9+: keep one, bpo-37257), and whether the OS maps its arenas
 * pool-aligned (the probe's finding; otherwise what mmap usually does: page- but not 16 KiB-aligned).
 * Named after the preset when it is one.
 */
export function observedGeometry(
  environment: ProbeEnvironment,
  layout: ObservedLayout,
  poolAligned: boolean | undefined,
): Geometry {
  const [major, minor] = environment.version.split(".").map(Number) as [number, number];
  const alignment = layout.threshold / layout.sizeClasses;
  const pointer = environment.pointerBits / 8;
  // sizeof(struct pool_header): 4 pointers and 4 uints, rounded up to ALIGNMENT.
  const poolOverhead = Math.ceil((4 * pointer + 16) / alignment) * alignment;
  const keepEmptyArena = major > 3 || minor >= 9;
  const options: GeometryOptions = {
    alignment,
    smallThreshold: layout.threshold,
    poolSize: layout.poolSize,
    arenaSize: layout.arenaSize,
    poolOverhead,
    poolAlignedArenas: poolAligned ?? layout.poolSize <= 4096,
    maxArenas: 16384,
    keepEmptyArena,
    ...(environment.pointerBits === 32 ? { maxRequest: 2 ** 31 - 1, maxArenas: 4096 } : {}),
  };
  const preset: string =
    environment.pointerBits === 32
      ? "cpython-32bit"
      : major === 3 && minor >= 8
        ? `cpython-3.${Math.min(minor, 13)}`
        : "";
  const named = (geometries as Record<string, Geometry | undefined>)[preset];
  if (
    named !== undefined &&
    (Object.keys(options) as (keyof GeometryOptions)[]).every((k) => named[k] === options[k])
  )
    return geometries[preset as PresetName];
  return defineGeometry(options);
}

/** Python's range(start, stop, step). */
function* pyRange(start: number, stop: number, step: number): Generator<number> {
  if (step > 0) for (let i = start; i < stop; i += step) yield i;
  else for (let i = start; i > stop; i += step) yield i;
}

/** Runs one op as the probe's run_op does, on the model. */
function apply(a: Allocator, slots: (number | null)[], op: WorkloadOp): void {
  switch (op.op) {
    case "malloc":
      for (let i = op.slot; i < op.slot + op.count; i++) slots[i] = a.malloc(op.size);
      return;
    case "malloc-cycle":
      for (let i = 0; i < op.count; i++)
        slots[op.slot + i] = a.malloc(op.sizes[i % op.sizes.length]!);
      return;
    case "free":
      for (const i of pyRange(op.start, op.stop, op.step)) {
        a.free(slots[i] ?? null);
        slots[i] = null;
      }
      return;
    case "realloc":
      for (const i of pyRange(op.start, op.stop, op.step))
        slots[i] = a.realloc(slots[i] ?? null, op.size);
      return;
    case "script":
      for (const [kind, slot, n] of op.steps) {
        if (kind === 1) slots[slot] = a.malloc(n);
        else {
          a.free(slots[slot] ?? null);
          slots[slot] = null;
        }
      }
      return;
  }
}

export interface Prediction {
  readonly geometry: Geometry;
  /** stats() after each phase. */
  readonly phases: readonly { readonly name: string; readonly stats: Stats }[];
  /** The model in its end state. */
  readonly allocator: Allocator;
}

/** Makes the allocator a prediction runs on: the CPython model unless a test asks for another. */
export type ModelFactory = (geometry: Geometry) => Allocator;

export const CPYTHON_MODEL: ModelFactory = (geometry) => createAllocator("cpython", geometry);

export function predict(
  workload: Workload,
  geometry: Geometry,
  model: ModelFactory = CPYTHON_MODEL,
): Prediction {
  const a = model(geometry);
  const slots = new Array<number | null>(workload.slots).fill(null);
  const phases = workload.phases.map((phase) => {
    for (const op of phase.ops) apply(a, slots, op);
    return { name: phase.name, stats: a.stats() };
  });
  a.check();
  return { geometry, phases, allocator: a };
}
