/**
 * Runs one property in a child process with a deadline. An outside allocator is code we do not
 * control: a corrupted free list can make one of its calls loop forever, and a synchronous loop
 * cannot be interrupted in-process. The child logs every step before it runs it, so when the
 * deadline passes the parent knows the execution and the step that hung, and reports that as a
 * finding ("hang"), with the steps that led to it.
 *
 * The allocator comes from a module and an export, since a function cannot cross a process
 * boundary: a factory of factories given JSON `options` (the audit's), or, without options, the
 * factory itself (an adapter module: verifyAllocator's `adapterModule`, `allocheck verify
 * --adapter`), whose `misuseCode` export maps its errors when the contract says one was given.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import { formatOp, opFromJson, type MisuseKind, type Op } from "../model/ops.ts";
import type { Profile } from "../profiles.ts";
import type { GeometryFamily } from "../generators/geometry.ts";
import type { RecordedContract } from "./counterexample.ts";
import type { PropertyResult } from "./run-property.ts";

export interface IsolatedTarget {
  /** Path of the module, relative to this file or absolute. */
  readonly module: string;
  /** Its export: (options) => SubjectFactory, or with no `options` the SubjectFactory. */
  readonly factory: string;
  readonly options?: unknown;
  readonly name: string;
}

export interface IsolatedRequest {
  readonly target: IsolatedTarget;
  readonly profile: Profile;
  /** A property run: the property, family and seed. */
  readonly property?: string;
  readonly family?: GeometryFamily;
  readonly seed?: number;
  /** Instead, the bounded-exhaustive mode with these properties' invariants. */
  readonly exhaustive?: { readonly length: number; readonly properties: readonly string[] };
  readonly sizeLimit?: number;
  readonly misuseKinds?: readonly MisuseKind[];
  /** What the allocator promises, as a counterexample records it; default DEFAULT_CONTRACT. */
  readonly contract?: RecordedContract;
  readonly counterexampleDir?: string;
  /** The child's own deadline between steps (model/deadline.ts); the parent's kill comes later. */
  readonly deadlineMs?: number;
}

export type IsolatedOutcome<R = PropertyResult> =
  | { readonly kind: "done"; readonly result: R }
  | {
      readonly kind: "hang";
      readonly seconds: number;
      readonly execution: number;
      readonly operations: readonly Op[];
    }
  | { readonly kind: "crash"; readonly message: string };

/**
 * The child's file: the TypeScript source in this repository (run through tsx), the compiled
 * JavaScript in the built package (run by plain node; tsconfig.build.json builds it).
 */
const CHILD_SOURCE = fileURLToPath(new URL("./isolated-child.ts", import.meta.url));
const CHILD = existsSync(CHILD_SOURCE)
  ? CHILD_SOURCE
  : fileURLToPath(new URL("./isolated-child.js", import.meta.url));
const childLoader = (): string[] => (CHILD.endsWith(".ts") ? ["--import", tsxLoader()] : []);
/**
 * tsx's loader, found from here (the child runs in whatever folder the caller is in); looked up
 * only when a run is isolated, so that a project without tsx can still import the library.
 */
const tsxLoader = () => pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;

/** Runs the request in a child process, killed after `deadlineMs` (undefined: never). */
export function runIsolated<R = PropertyResult>(
  request: IsolatedRequest,
  deadlineMs: number | undefined,
): IsolatedOutcome<R> {
  const started = performance.now();
  const child = spawnSync(process.execPath, [...childLoader(), CHILD, JSON.stringify(request)], {
    encoding: "utf8",
    ...(deadlineMs !== undefined ? { timeout: deadlineMs } : {}),
    maxBuffer: 1 << 30,
  });
  const lines = child.stdout.split("\n");
  const result = lines.find((line) => line.startsWith("RESULT "));
  if (result !== undefined) return { kind: "done", result: JSON.parse(result.slice(7)) as R };
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
