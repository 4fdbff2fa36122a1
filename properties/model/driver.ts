/**
 * The driver: interprets operations (ops.ts) as primitive calls on a subject, keeps the shadow
 * heap in step, and hands every call and step to the enabled invariant checks. fast-check runs,
 * bounded-exhaustive runs, counterexample replays and regression tests all go through it, so they
 * check the same things.
 *
 *   op ──► primitive calls (malloc / free / realloc / misuse) ──► subject
 *              │ before(call)                        after(call) │   (checks)
 *              └──────── shadow heap updated from results and the event log
 *   after each op: afterStep(step) for every check; at the end: finish()
 *
 * The pieces: the calls and the shadow bookkeeping (_internals/primitive-calls.ts), the event log
 * (_internals/event-log-reader.ts), the misuse calls (_internals/misuse-targets.ts), errors where
 * none is expected (unexpected-error.ts), and how steps are printed (format-call.ts).
 */
import type { Geometry } from "../../src/core/geometry.ts";
import { mulberry32 } from "../../src/core/random.ts";
import type { PlannedCall, Step } from "./call.ts";
import { DEFAULT_CONTRACT, type ResolvedContract } from "./contract.ts";
import { formatStep } from "./format-call.ts";
import { DeadlineExceeded } from "./deadline.ts";
import type { CheckEnv, CheckFactory, InvariantCheck } from "./invariant-check.ts";
import type { MisuseKind, Op } from "./ops.ts";
import { sizeFromStream } from "./random.ts";
import { Reachability } from "./reachability.ts";
import { ShadowHeap, type ShadowBlock } from "./shadow-heap.ts";
import type { Subject } from "./subject.ts";
import { asViolation } from "./unexpected-error.ts";
import { EventLogReader } from "./_internals/event-log-reader.ts";
import { misuseTarget } from "./_internals/misuse-targets.ts";
import { PrimitiveCalls } from "./_internals/primitive-calls.ts";

export interface DriverOptions {
  readonly geometry: Geometry | undefined;
  readonly checks: readonly CheckFactory[];
  /**
   * What the subject promises (contract.ts, spec/invariants.md §Contracts). Default:
   * DEFAULT_CONTRACT, allocheck's own allocators'.
   */
  readonly contract?: ResolvedContract;
  /** Called after each step with a one-line summary (replay). */
  readonly onStep?: (step: Step, summary: string) => void;
  /** Called before each step runs (an isolated run logs it, so a hang names its step). */
  readonly beforeStep?: (op: Op) => void;
  /** Upper bound on primitive calls a macro step may make. */
  readonly macroLimit?: number;
  /**
   * performance.now() after which no further step starts: apply throws DeadlineExceeded instead
   * (deadline.ts). A step that has started is not interrupted.
   */
  readonly deadline?: number;
}

/** Primitive calls a macro step makes at most when the options give no limit. */
const DEFAULT_MACRO_LIMIT = 4096;

export class Driver {
  readonly subject: Subject;
  readonly shadow: ShadowHeap;
  readonly reach = new Reachability();
  readonly geometry: Geometry | undefined;
  readonly contract: ResolvedContract;
  private readonly checks: InvariantCheck[];
  private readonly options: DriverOptions;
  private readonly primitive: PrimitiveCalls;
  private stepIndex = 0;
  /** The operations applied so far, in order (a counterexample's steps). */
  readonly executed: Op[] = [];

  constructor(subject: Subject, options: DriverOptions) {
    this.subject = subject;
    this.options = options;
    this.geometry = options.geometry;
    this.contract = options.contract ?? DEFAULT_CONTRACT;
    this.shadow = new ShadowHeap(options.geometry);
    const env: CheckEnv = {
      subject,
      shadow: this.shadow,
      geometry: options.geometry,
      contract: this.contract,
      steps: () => this.stepIndex,
    };
    this.checks = options.checks.map((make) => make(env));
    const events = new EventLogReader(subject, this.shadow, this.reach, options.geometry);
    this.primitive = new PrimitiveCalls(
      subject,
      this.shadow,
      this.reach,
      events,
      this.checks,
      this.contract,
      options.onStep !== undefined,
    );
  }

  get steps(): number {
    return this.stepIndex;
  }

  /** Primitive calls made so far (the "operations checked" count). */
  get callCount(): number {
    return this.primitive.count;
  }

  /** Runs one operation and the checks; throws InvariantViolation naming the step. */
  apply(op: Op): void {
    if (this.options.deadline !== undefined && performance.now() > this.options.deadline)
      throw new DeadlineExceeded(op);
    this.primitive.beginStep();
    this.executed.push(op);
    this.options.beforeStep?.(op);
    try {
      this.run(op);
      const step: Step = {
        index: this.stepIndex,
        op,
        calls: this.primitive.calls,
        callCount: this.primitive.callsInStep,
      };
      for (const check of this.checks) check.afterStep?.(step);
      if (op.op === "free-all") for (const check of this.checks) check.finish?.(true);
      this.options.onStep?.(step, formatStep(step));
    } catch (error) {
      throw this.locate(error, op);
    } finally {
      this.stepIndex++;
    }
  }

  /** The end-of-sequence checks. */
  finish(): void {
    const last: Op = { op: "free-all" };
    try {
      for (const check of this.checks) check.finish?.(false);
    } catch (error) {
      throw this.locate(error, last);
    }
  }

  /**
   * Whether `op` can run now (fast-check skips commands whose precondition fails). A misuse
   * operation never runs when the contract says misuse is undetected: it would be undefined
   * behaviour, not a test.
   */
  canRun(op: Op): boolean {
    switch (op.op) {
      case "free":
        return op.pick === null || this.shadow.live.length > 0;
      case "realloc":
        return (
          this.subject.realloc !== undefined && (op.pick === null || this.shadow.live.length > 0)
        );
      case "misuse":
        return this.misuseCall(op.kind, op.pick) !== undefined;
      default:
        return true;
    }
  }

  // ── operations ─────────────────────────────────────────────────────────────────────────

  private run(op: Op): void {
    const calls = this.primitive;
    switch (op.op) {
      case "malloc":
        calls.malloc(op.n);
        return;
      case "free": {
        if (op.pick === null) {
          calls.freeNull();
          return;
        }
        const block = this.shadow.pick(op.pick);
        if (block !== undefined) calls.free(block);
        return;
      }
      case "realloc": {
        if (this.subject.realloc === undefined) return;
        if (op.pick === null) calls.realloc(null, op.n);
        else {
          const block = this.shadow.pick(op.pick);
          if (block !== undefined) calls.realloc(block, op.n);
        }
        return;
      }
      case "misuse": {
        const call = this.misuseCall(op.kind, op.pick);
        if (call !== undefined) calls.misuse(call, op.kind);
        return;
      }
      case "fill-pool": {
        const c = this.shadow.classFor(op.n);
        this.repeatMalloc(op.n, c === -1 ? 4 : this.geometry!.blocksPerPool[c]!);
        return;
      }
      case "fill-arena": {
        const c = this.shadow.classFor(op.n);
        const perArena =
          c === -1 ? 8 : this.geometry!.blocksPerPool[c]! * this.geometry!.poolsPerArena;
        this.repeatMalloc(op.n, perArena);
        return;
      }
      case "exhaust":
        this.repeatMalloc(op.n, Infinity);
        return;
      case "free-all":
        while (this.shadow.live.length > 0)
          calls.free(this.shadow.live[this.shadow.live.length - 1]!);
        return;
      case "free-every": {
        // The first macroLimit chosen blocks, picked before any is freed (free reorders `live`),
        // without a pass over the rest of a large heap.
        const live = this.shadow.live;
        const chosen: ShadowBlock[] = [];
        for (let i = 0; i < live.length && chosen.length < this.macroLimit; i++)
          if ((i % op.k === 0) !== op.keep) chosen.push(live[i]!);
        for (const block of chosen) calls.free(block);
        return;
      }
      case "churn": {
        const random = mulberry32(op.seed);
        for (let i = 0; i < op.steps; i++) {
          const victim = this.shadow.pick(Math.floor(random() * 2 ** 31));
          if (victim !== undefined && random() < 0.5) calls.free(victim);
          calls.malloc(sizeFromStream(this.geometry, random));
        }
        return;
      }
      case "round-trip": {
        const first = calls.malloc(op.n);
        if (first === null) return;
        calls.free(this.shadow.blockAt(first)!);
        const second = calls.malloc(op.n);
        if (this.shadow.classFor(op.n) !== -1)
          for (const check of this.checks) check.roundTrip?.(first, second);
        return;
      }
    }
  }

  /** The misuse call to make, or none: nothing fits, or the contract says misuse is undetected. */
  private misuseCall(kind: MisuseKind, pick: number): PlannedCall | undefined {
    if (this.contract.misuse === "undetected") return undefined;
    return misuseTarget(this, kind, pick);
  }

  private get macroLimit(): number {
    return this.options.macroLimit ?? DEFAULT_MACRO_LIMIT;
  }

  private repeatMalloc(n: number, times: number): void {
    for (let i = 0; i < Math.min(times, this.macroLimit); i++)
      if (this.primitive.malloc(n) === null) return;
  }

  /** The error as a violation that names the step it happened in. */
  private locate(error: unknown, op: Op): unknown {
    const found = asViolation(error);
    return found.step === -1 ? found.at(this.stepIndex, op) : found;
  }
}
