/**
 * The cross-check against this machine's CPython (spec/cpython-model.md §7, issue 8): every
 * workload, run on the real pymalloc through ctypes and on the model, must match in every
 * compared quantity; the 20,000 × 496 B workload must show +625 pools and 9 of 10 arenas
 * reclaimed. Skipped, with the reason, when python3 is missing or does not run pymalloc.
 * And the comparison is not vacuous: the address-ordered policy and the 3.8 release rule, put in
 * the model's place, mispredict the same observations.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { createAllocator } from "../../src/allocators/create-allocator.ts";
import { defineGeometry } from "../../src/core/geometry.ts";
import {
  compareRun,
  compareRunOn,
  crosscheck,
  formatReport,
  type CrosscheckReport,
  type WorkloadResult,
} from "../../src/crosscheck/crosscheck.ts";
import { observedGeometry } from "../../src/crosscheck/predict.ts";
import { WORKLOADS } from "../../src/crosscheck/workloads.ts";
import { runCrosscheck } from "../../src/cli/crosscheck.ts";

let report: CrosscheckReport;

beforeAll(() => {
  report = crosscheck();
  console.log(formatReport(report));
}, 120_000);

const ran = () => (report.status === "ran" ? report : undefined);
const result = (name: string): WorkloadResult =>
  ran()!.results.find((r) => r.workload.name === name)!;

describe("crosscheck: the CPython model against this machine's python3", () => {
  it("every workload matches, quantity for quantity", (ctx) => {
    if (report.status === "skipped") ctx.skip(report.reason);
    const r = ran()!;
    expect(r.results.length).toBeGreaterThanOrEqual(6);
    const bad = r.results.flatMap((w) =>
      w.phases.flatMap((p) =>
        p.rows
          .filter((row) => !row.ok)
          .map(
            (row) =>
              `${w.workload.name} / ${p.phase} / ${row.quantity}: predicted ${row.predicted}, observed ${row.observed}`,
          ),
      ),
    );
    expect(bad).toEqual([]);
    expect(r.results.map((w) => [w.workload.name, w.verdict, w.preconditions])).toEqual(
      r.results.map((w) => [w.workload.name, "pass", []]),
    );
    expect(r.ok).toBe(true);
  });

  it("20,000 × 496 B: +625 pools for the class, then 9 of the 10 new arenas reclaimed", (ctx) => {
    if (report.status === "skipped") ctx.skip(report.reason);
    const w = result("20000x496");
    const value = (phase: number, quantity: string) =>
      w.phases[phase]!.rows.find((r) => r.quantity === quantity)!.observed;
    expect(value(0, "class 30 (496 B) pools")).toBe(625);
    expect(value(0, "class 30 (496 B) blocks in use")).toBe(20_000);
    expect(value(0, "arenas allocated")).toBe(10);
    expect(value(1, "arenas allocated")).toBe(10);
    expect(value(1, "arenas reclaimed")).toBe(9);
    expect(value(1, "arenas current")).toBe(1);
  });

  it("the comparison tells policies apart: the address-ordered policy and the 3.8 rule mispredict", (ctx) => {
    if (report.status === "skipped") ctx.skip(report.reason);
    const results = ran()!.results;
    const mismatches = (make: (w: WorkloadResult) => ReturnType<typeof compareRun>) =>
      results
        .map(make)
        .filter((x) => x.phases.some((p) => p.rows.some((row) => !row.ok && row.os !== true)))
        .map((x) => x.workload.name);
    const addressOrdered = mismatches((w) =>
      compareRun(w.probe, w.workload, (g) => createAllocator("bitmap", g)),
    );
    expect(addressOrdered.length).toBeGreaterThan(0);
    const rule38 = mismatches((w) => {
      const g = observedGeometry(
        w.probe.environment,
        w.probe.snapshots[1]!.stats,
        w.probe.osArena?.poolAligned,
      );
      return compareRunOn(
        w.probe,
        w.workload,
        defineGeometry({ ...g, keepEmptyArena: !g.keepEmptyArena }),
      );
    });
    expect(rule38).toContain("20000x496");
    console.log(
      `mispredicted by the address-ordered policy: ${addressOrdered.join(", ")}; by the other empty-arena rule: ${rule38.join(", ")}`,
    );
  });

  it("allocheck crosscheck prints a table per workload and exits 0 (or skips with exit 0)", () => {
    const lines: string[] = [];
    const log = console.log;
    console.log = (...args: unknown[]) => void lines.push(args.join(" "));
    let code: number;
    try {
      code = runCrosscheck(["--workload", "bursts,20000x496"]);
    } finally {
      console.log = log;
    }
    const text = lines.join("\n");
    expect(code).toBe(0);
    if (report.status === "skipped") {
      expect(text).toMatch(/skipped: /);
      return;
    }
    expect(text).toMatch(/20000x496: 20,000 blocks of 496 bytes/);
    expect(text).toMatch(/class 30 \(496 B\) pools\s+625\s+625\s+✓/);
    expect(text).not.toMatch(/✗/);
  });

  it("skips, saying why, when there is no such python", () => {
    expect(crosscheck({ python: "/nonexistent/python3" })).toEqual({
      status: "skipped",
      reason: "/nonexistent/python3 was not found",
    });
  });

  it("knows its workloads", () => {
    expect(WORKLOADS.map((w) => w.name)).toEqual([
      "bursts",
      "free-all",
      "free-every-kth",
      "interleaved",
      "realloc-growth",
      "20000x496",
      "release-order",
      "churn",
    ]);
    expect(() => runCrosscheck(["--workload", "nope"])).toThrow(/unknown workload "nope"/);
  });
});
