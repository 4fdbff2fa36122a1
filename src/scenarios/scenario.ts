/**
 * A scenario is data plus one function of the heap: what Python it models, roughly how many
 * allocator calls it makes (to size the time series), and `run`, which makes the calls through a
 * Recorder and returns its own figures. `runScenario` runs one on an allocator and gathers the
 * phases, the time series and the end state for the printout and the pictures.
 */
import type { Allocator } from "../core/allocator.ts";
import type { Geometry } from "../core/geometry.ts";
import { Recorder, type Phase, type SeriesPoint } from "./recorder.ts";

export interface ScenarioContext {
  readonly geometry: Geometry;
  /** Multiplies the seed's sizes (1: the real numbers; tests use 0.1). */
  readonly scale: number;
  /** Seed of the scenarios that draw random numbers. */
  readonly seed: number;
  /** A fresh allocator of the same kind on another geometry (thrash compares two rules). */
  readonly create: (geometry: Geometry) => Allocator;
}

/** What a scenario reports beyond its phases: lines for the printout and named figures for tests. */
export interface ScenarioReport {
  readonly lines: readonly string[];
  readonly figures: Readonly<Record<string, number>>;
}

export interface Scenario {
  readonly name: string;
  /** One line for `allocheck scenario --help`. */
  readonly summary: string;
  /** The Python the allocation trace models. */
  readonly python: string;
  /** About how many allocator calls `run` makes at this scale (sizes the time series). */
  readonly estimateSteps: (scale: number) => number;
  readonly run: (heap: Recorder, context: ScenarioContext) => ScenarioReport;
}

export interface ScenarioResult extends ScenarioReport {
  readonly scenario: Scenario;
  readonly geometry: Geometry;
  readonly scale: number;
  /** The allocator in the scenario's end state. */
  readonly allocator: Allocator;
  /** The marked points; the first is the start, the last the end state. */
  readonly phases: readonly Phase[];
  readonly series: readonly SeriesPoint[];
  /** Steps per series point. */
  readonly bucket: number;
  readonly steps: number;
}

/** About this many points per time series. */
const SERIES_POINTS = 600;

/** n · scale, rounded, at least 1. */
export function scaled(n: number, scale: number): number {
  return Math.max(1, Math.round(n * scale));
}

export interface RunOptions {
  readonly scale?: number;
  readonly seed?: number;
  readonly create?: (geometry: Geometry) => Allocator;
}

export function runScenario(
  scenario: Scenario,
  allocator: Allocator,
  options: RunOptions = {},
): ScenarioResult {
  const scale = options.scale ?? 1;
  const bucket = Math.ceil(scenario.estimateSteps(scale) / SERIES_POINTS);
  const heap = new Recorder(allocator, bucket);
  const context: ScenarioContext = {
    geometry: allocator.geometry,
    scale,
    seed: options.seed ?? 1,
    create:
      options.create ??
      (() => {
        throw new Error(
          `scenario ${scenario.name} needs a second allocator: pass create to runScenario`,
        );
      }),
  };
  heap.phase("start");
  const report = scenario.run(heap, context);
  if (heap.phases[heap.phases.length - 1]!.step !== heap.steps) heap.phase("end");
  return {
    scenario,
    geometry: allocator.geometry,
    scale,
    allocator,
    phases: heap.phases,
    series: heap.series,
    bucket: heap.bucket,
    steps: heap.steps,
    ...report,
  };
}

/** The last phase: the end state. */
export function endOf(result: ScenarioResult): Phase {
  return result.phases[result.phases.length - 1]!;
}
