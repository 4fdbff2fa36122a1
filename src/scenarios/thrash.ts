/**
 * A loop on an arena boundary: ints fill the heap until exactly one lands in a new arena, then
 * the loop frees that int and makes another, again and again. Under CPython 3.8's rule the new
 * arena is wholly empty after each free and goes back to the OS, and the next int maps it again:
 * two OS calls per iteration. 3.9+ keeps one empty arena (bpo-37257, spec/policy.md §2.6), so the
 * loop makes none. The scenario runs the loop on the chosen geometry and on its twin with the
 * other rule, and counts the map/unmap events of each (spec/stats.md §4).
 */
import type { Allocator } from "../core/allocator.ts";
import { defineGeometry, type Geometry } from "../core/geometry.ts";
import { count } from "../core/format.ts";
import { INT_OBJECT_SIZE } from "./cpython-objects.ts";
import { Recorder } from "./recorder.ts";
import { scaled, type Scenario } from "./scenario.ts";

const ITERATIONS = 1000;

interface ThrashRun {
  /** Ints made before one landed in a new arena (that one included). */
  readonly filled: number;
  /** Arena map and unmap events during the loop. */
  readonly events: number;
}

const arenaEvents = (allocator: Allocator, from: number) =>
  allocator.addressSpace
    .events(from)
    .filter((e) => e.kind === "map-arena" || e.kind === "unmap-arena").length;

function thrash(heap: Recorder, iterations: number, afterFill?: () => void): ThrashRun {
  const space = heap.allocator.addressSpace;
  let arenasMapped = 0;
  let p = 0;
  let filled = 0;
  while (arenasMapped < 2) {
    const seen = space.eventsLogged;
    p = heap.malloc(INT_OBJECT_SIZE);
    filled++;
    if (space.eventsLogged !== seen)
      arenasMapped += space.events(seen).filter((e) => e.kind === "map-arena").length;
  }
  afterFill?.();
  const loopStart = space.eventsLogged;
  for (let i = 0; i < iterations; i++) {
    heap.free(p, INT_OBJECT_SIZE);
    p = heap.malloc(INT_OBJECT_SIZE);
  }
  return { filled, events: arenaEvents(heap.allocator, loopStart) };
}

/** The 3.8 rule or the 3.9+ rule, in words. */
export function emptyArenaRule(g: Geometry): string {
  return g.keepEmptyArena ? "keep one empty arena (3.9+)" : "release every empty arena (3.8)";
}

export const thrashScenario: Scenario = {
  name: "thrash",
  summary: "a loop across an arena boundary: map/unmap churn under the 3.8 rule, none under 3.9+",
  python:
    "live = [1_000_000 + i for i in range(k)]   # k: the next int lands in a new arena\nfor _ in range(1000):\n    x = 1_000_000 + k                        # the only block of that arena\n    del x",
  estimateSteps: (scale) => 40_000 + 2 * scaled(ITERATIONS, scale),
  run(heap, { geometry, scale, create }) {
    const iterations = scaled(ITERATIONS, scale);
    const here = thrash(heap, iterations, () => heap.phase("one int in a new arena"));
    heap.phase(`${count(iterations)} × free and malloc that int`);
    const twinGeometry = defineGeometry({ ...geometry, keepEmptyArena: !geometry.keepEmptyArena });
    const twin = thrash(new Recorder(create(twinGeometry), Number.MAX_SAFE_INTEGER), iterations);
    // The twin of a 3.10+ preset is no preset: name it after the preset it flips.
    const twinName = twinGeometry.name.startsWith("custom(")
      ? `${geometry.name}, keepEmptyArena: ${twinGeometry.keepEmptyArena}`
      : twinGeometry.name;
    const rows: [string, Geometry, ThrashRun][] = [
      [geometry.name, geometry, here],
      [twinName, twinGeometry, twin],
    ];
    const width = Math.max(...rows.map(([name]) => name.length));
    return {
      lines: [
        `${count(here.filled - 1)} ints fill the first arena; the loop frees and remakes the one int in the next, ${count(iterations)} times`,
        ...rows.map(
          ([name, g, run]) =>
            `${name.padEnd(width)}  ${emptyArenaRule(g).padEnd(31)} ${count(run.events).padStart(7)} arena map/unmap events in the loop`,
        ),
      ],
      figures: {
        iterations,
        filled: here.filled,
        events: here.events,
        twinEvents: twin.events,
        eventsKeepRule: geometry.keepEmptyArena ? here.events : twin.events,
        eventsReleaseRule: geometry.keepEmptyArena ? twin.events : here.events,
      },
    };
  },
};
