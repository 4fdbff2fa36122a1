/**
 * Runs one property in a child process with a deadline. An outside allocator is code we do not
 * control: a corrupted free list can make one of its calls loop forever, and a synchronous loop
 * cannot be interrupted in-process. The child logs every step before it runs it, so when the
 * deadline passes the parent knows the execution and the step that hung, and reports that as a
 * finding ("hang"), with the steps that led to it.
 *
 * The allocator comes from a module and an export (a factory of factories, given JSON options),
 * since a function cannot cross a process boundary.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { formatOp, opFromJson, type MisuseKind, type Op } from "../model/ops.ts";
import type { ResolvedContract } from "../model/contract.ts";
import type { Profile } from "../profiles.ts";
import type { GeometryFamily } from "../generators/geometry.ts";
import type { PropertyResult } from "./run-property.ts";

export interface IsolatedTarget {
  /** Path of the module, relative to this file or absolute. */
  readonly module: string;
  /** Its export: (options) => SubjectFactory. */
  readonly factory: string;
  readonly options: unknown;
  readonly name: string;
}

export interface IsolatedRequest {
  readonly target: IsolatedTarget;
  readonly property: string;
  readonly profile: Profile;
  readonly family: GeometryFamily;
  readonly seed: number;
  readonly sizeLimit?: number;
  readonly misuseKinds?: readonly MisuseKind[];
  /** What the allocator promises (spec/invariants.md §Contracts); default DEFAULT_CONTRACT. */
  readonly contract?: ResolvedContract;
}

export type IsolatedOutcome =
  | { readonly kind: "done"; readonly result: PropertyResult }
  | {
      readonly kind: "hang";
      readonly seconds: number;
      readonly execution: number;
      readonly operations: readonly Op[];
    }
  | { readonly kind: "crash"; readonly message: string };

const CHILD = fileURLToPath(new URL("./isolated-child.ts", import.meta.url));

export function runIsolated(request: IsolatedRequest, deadlineMs: number): IsolatedOutcome {
  const started = performance.now();
  const child = spawnSync(process.execPath, ["--import", "tsx", CHILD, JSON.stringify(request)], {
    encoding: "utf8",
    timeout: deadlineMs,
    maxBuffer: 1 << 30,
  });
  const lines = child.stdout.split("\n");
  const result = lines.find((line) => line.startsWith("RESULT "));
  if (result !== undefined)
    return { kind: "done", result: JSON.parse(result.slice(7)) as PropertyResult };
  if (child.error !== undefined && (child.error as NodeJS.ErrnoException).code === "ETIMEDOUT") {
    // "OP <execution> <json>": the steps of the last execution, the hanging one last.
    const steps = lines
      .filter((line) => line.startsWith("OP "))
      .map((line) => {
        const [, execution, ...json] = line.split(" ");
        return { execution: Number(execution), op: json.join(" ") };
      });
    const last = steps.at(-1)?.execution ?? 0;
    const operations = steps
      .filter((step) => step.execution === last)
      .map((step) => opFromJson(JSON.parse(step.op)));
    return {
      kind: "hang",
      seconds: (performance.now() - started) / 1000,
      execution: last,
      operations,
    };
  }
  return {
    kind: "crash",
    message: (child.stderr || String(child.error ?? `exit ${child.status}`))
      .trim()
      .split("\n")
      .slice(-5)
      .join("\n"),
  };
}

export function describeHang(outcome: Extract<IsolatedOutcome, { kind: "hang" }>): string {
  return `no answer within ${outcome.seconds.toFixed(0)} s: execution ${outcome.execution} hung in step ${outcome.operations.length - 1} (${formatOp(outcome.operations.at(-1)!)}) after ${outcome.operations.slice(0, -1).map(formatOp).join(", ")}`;
}
