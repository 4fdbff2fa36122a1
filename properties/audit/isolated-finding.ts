/**
 * One property of an outside allocator, run in a child process with a deadline (run/isolated.ts),
 * as the audit records it: pass, fail (with the invariant and the shrunk steps), hang (with the
 * steps that led to it) or crash, and how long it took. The MemPool audit (outside-allocator.ts)
 * and the production allocators (real-allocators.ts, which also tells a trap from a failure) both
 * record their findings this way.
 */
import type { Op } from "../model/ops.ts";
import { describeHang, runIsolated, type IsolatedRequest } from "../run/isolated.ts";

export interface IsolatedFinding {
  readonly property: string;
  readonly verdict: "pass" | "fail" | "hang" | "crash";
  readonly invariant?: number;
  readonly message?: string;
  readonly operations?: readonly Op[];
  readonly runs?: number;
  readonly checked?: number;
  readonly seconds: number;
}

/** Runs `request` (a property run: `property` is set) in a child and records its finding. */
export function isolatedFinding(
  request: IsolatedRequest & { readonly property: string },
  deadlineMs: number,
): IsolatedFinding {
  const { property } = request;
  const started = performance.now();
  const outcome = runIsolated(request, deadlineMs);
  const seconds = (performance.now() - started) / 1000;
  if (outcome.kind === "hang")
    return {
      property,
      verdict: "hang",
      message: describeHang(outcome),
      operations: outcome.operations,
      seconds,
    };
  if (outcome.kind === "crash")
    return { property, verdict: "crash", message: outcome.message, seconds };
  const r = outcome.result;
  const failure = r.failure;
  return {
    property,
    verdict: r.verdict,
    runs: r.runs,
    checked: r.operations,
    seconds,
    ...(failure !== undefined
      ? { invariant: failure.invariant, message: failure.message, operations: failure.operations }
      : r.unreached.length > 0
        ? { message: `target states too rare: ${r.unreached.join("; ")}` }
        : {}),
  };
}
