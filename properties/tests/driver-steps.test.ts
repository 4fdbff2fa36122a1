/**
 * What a step keeps of its calls (properties/model/call.ts, Step): a property run keeps the first
 * CALLS_SHOWN, which the step's summary shows, and counts the rest; a driver that reports its
 * steps (onStep: replays, the CLI) keeps every call. Both summaries say how many calls there were.
 */
import { describe, expect, it } from "vitest";
import { geometries } from "../../src/core/geometry.ts";
import type { Step } from "../model/call.ts";
import { Driver } from "../model/driver.ts";
import { CALLS_SHOWN, formatStep } from "../model/format-call.ts";
import type { CheckFactory } from "../model/invariant-check.ts";
import { subjectFor } from "../run/replay.ts";

/** A pool of 48-byte blocks filled: one step of many mallocs. */
const FILL = { op: "fill-pool", n: 48 } as const;

function stepsOf(reporting: boolean): { seen: Step[]; reported: Step[]; summaries: string[] } {
  const geometry = geometries["cpython-3.12"];
  const seen: Step[] = [];
  const reported: Step[] = [];
  const summaries: string[] = [];
  const watch: CheckFactory = () => ({ invariant: 0, afterStep: (step) => void seen.push(step) });
  const driver = new Driver(subjectFor("bitmap", geometry), {
    geometry,
    checks: [watch],
    ...(reporting
      ? {
          onStep: (step: Step, summary: string) => {
            reported.push(step);
            summaries.push(summary);
          },
        }
      : {}),
  });
  driver.apply(FILL);
  return { seen, reported, summaries };
}

describe("a step's calls", () => {
  it("a property run keeps the first CALLS_SHOWN and counts them all", () => {
    const { seen, reported } = stepsOf(false);
    const step = seen[0]!;
    expect(reported).toEqual([]);
    expect(step.callCount).toBe(geometries["cpython-3.12"].blocksPerPool[2]);
    expect(step.calls.length).toBe(CALLS_SHOWN);
    expect(step.calls.map((c) => c.kind)).toEqual(Array(CALLS_SHOWN).fill("malloc"));
    expect(formatStep(step)).toMatch(new RegExp(` … \\(${step.callCount} calls\\)$`));
  });

  it("a driver that reports its steps keeps every call, and its summary is the same", () => {
    const { seen, reported, summaries } = stepsOf(true);
    const step = reported[0]!;
    expect(seen[0]).toBe(step);
    expect(step.calls.length).toBe(step.callCount);
    expect(step.callCount).toBeGreaterThan(CALLS_SHOWN);
    expect(summaries[0]).toBe(formatStep(stepsOf(false).seen[0]!));
  });
});
