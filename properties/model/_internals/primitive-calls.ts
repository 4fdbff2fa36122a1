/**
 * The primitive calls: malloc, free, realloc and a misuse call, each made on the subject with the
 * checks around it and the shadow heap, reachability and event log kept in step:
 *
 *   before(call) ──► subject ──► maps read ──► shadow updated ──► unmaps read ──► after(call)
 *
 * A valid call that throws is an unexpected error (unexpected-error.ts), except a malloc or
 * realloc under a contract whose out of memory throws: that is the call's null (invariant 10).
 */
import { NO_EVENTS, type Call, type CallKind, type PlannedCall } from "../call.ts";
import { CALLS_SHOWN } from "../format-call.ts";
import type { ResolvedContract } from "../contract.ts";
import type { InvariantCheck } from "../invariant-check.ts";
import type { MisuseKind } from "../ops.ts";
import type { Reachability } from "../reachability.ts";
import type { ShadowBlock, ShadowHeap } from "../shadow-heap.ts";
import type { Subject } from "../subject.ts";
import { allocatorThrew } from "../unexpected-error.ts";
import { InvariantViolation } from "../violation.ts";
import type { EventLogReader } from "./event-log-reader.ts";

/**
 * A call before it runs, with every field of Call present (one shape for all calls; call.ts):
 * the arguments given, the outcome `undefined` until the call has run.
 */
function newCall(
  kind: CallKind,
  n: number | undefined,
  p: number | null | undefined,
  target: ShadowBlock | undefined,
  expectedError: PlannedCall["expectedError"],
): Call {
  return {
    kind,
    n,
    p,
    target,
    expectedError,
    result: undefined,
    error: undefined,
    outOfMemoryError: undefined,
    events: NO_EVENTS,
    created: undefined,
    inPlace: undefined,
    newPool: undefined,
  };
}

export class PrimitiveCalls {
  /** The calls of the current step kept (beginStep starts a new list; Step.calls says which). */
  private stepCalls: Call[] = [];
  /** The calls of the current step, kept or not. */
  private stepCallCount = 0;
  /** Primitive calls made so far (the "operations checked" count). */
  count = 0;

  constructor(
    private readonly subject: Subject,
    private readonly shadow: ShadowHeap,
    private readonly reach: Reachability,
    private readonly events: EventLogReader,
    private readonly checks: readonly InvariantCheck[],
    private readonly contract: ResolvedContract,
    /** Keep every call of a step, not only the first CALLS_SHOWN (Step.calls). */
    private readonly keepEveryCall: boolean,
  ) {}

  /** Starts a step: the calls made from now on are its calls. */
  beginStep(): void {
    this.stepCalls = [];
    this.stepCallCount = 0;
  }

  /** The calls of the current step so far that are kept (Step.calls). */
  get calls(): readonly Call[] {
    return this.stepCalls;
  }

  /** How many calls the current step has made so far. */
  get callsInStep(): number {
    return this.stepCallCount;
  }

  malloc(n: number): number | null {
    const call = newCall("malloc", n, undefined, undefined, undefined);
    this.before(call);
    try {
      call.result = this.subject.malloc(n);
    } catch (error) {
      this.outOfMemoryOrThrow(call, error);
    }
    this.events.read(call, "map");
    if (call.result !== null) {
      call.created = this.shadow.add(call.result!, n);
      call.newPool = this.tookEmptyPool(call.created);
      this.reach.allocated(this.shadow, call.created);
    } else this.reach.outOfMemory();
    this.events.read(call, "unmap");
    this.shadow.settle();
    this.after(call);
    return call.result!;
  }

  free(block: ShadowBlock): void {
    const call = newCall("free", undefined, block.address, block, undefined);
    this.before(call);
    try {
      this.subject.free(block.address);
    } catch (error) {
      throw allocatorThrew(call, error);
    }
    this.shadow.remove(block);
    this.events.read(call, "all");
    this.reach.freed(this.shadow, block, call.events);
    this.shadow.settle();
    this.after(call);
  }

  /** free(null) does nothing (spec/model.md §5); the step's checks see that nothing changed. */
  freeNull(): void {
    const call = newCall("free", undefined, null, undefined, undefined);
    this.before(call);
    try {
      this.subject.free(null);
    } catch (error) {
      throw allocatorThrew(call, error);
    }
    this.events.read(call, "all");
    this.after(call);
  }

  realloc(block: ShadowBlock | null, n: number): void {
    const call = newCall("realloc", n, block?.address ?? null, block ?? undefined, undefined);
    this.before(call);
    try {
      call.result = this.subject.realloc!(block?.address ?? null, n);
    } catch (error) {
      this.outOfMemoryOrThrow(call, error);
    }
    this.events.read(call, "map");
    if (call.result === null) this.reach.outOfMemory();
    else if (block !== null && call.result === block.address) {
      call.inPlace = true;
      this.shadow.resize(block, n);
      this.reach.count("realloc in place");
    } else {
      call.created = this.shadow.add(call.result!, n, block?.raw ?? false);
      call.newPool = this.tookEmptyPool(call.created);
      this.reach.allocated(this.shadow, call.created);
      if (block !== null) {
        this.shadow.remove(block);
        this.reach.count("realloc moved");
      }
    }
    this.events.read(call, "unmap");
    if (block !== null && call.result !== null && !call.inPlace)
      this.reach.freed(this.shadow, block, call.events);
    this.shadow.settle();
    this.after(call);
  }

  /** A misuse call (misuse-targets.ts): what it throws is its outcome, for invariant 9. */
  misuse(planned: PlannedCall, kind: MisuseKind): void {
    const call = newCall(planned.kind, planned.n, planned.p, planned.target, planned.expectedError);
    this.before(call);
    try {
      if (call.kind === "malloc") call.result = this.subject.malloc(call.n!);
      else if (call.kind === "free") this.subject.free(call.p!);
      else if (call.kind === "realloc") call.result = this.subject.realloc!(call.p!, call.n!);
      else if (call.kind === "usableSize") call.result = this.subject.usableSize!(call.p!);
      else call.result = this.subject.bytes!(call.p!).length;
    } catch (error) {
      call.error = error;
    }
    this.events.read(call, "all");
    this.reach.count(`misuse ${kind}`);
    this.after(call);
  }

  /**
   * What a valid malloc or realloc threw: its null when the contract says out of memory throws,
   * else an unexpected error (a valid free that throws is one always).
   */
  private outOfMemoryOrThrow(call: Call, error: unknown): void {
    if (this.contract.outOfMemory !== "throws" || error instanceof InvariantViolation)
      throw allocatorThrew(call, error);
    call.result = null;
    call.outOfMemoryError = error;
  }

  private tookEmptyPool(block: ShadowBlock): boolean {
    return !block.raw && this.shadow.pool(block.pool)?.live === 1;
  }

  private before(call: Call): void {
    for (const check of this.checks) check.before?.(call);
  }

  private after(call: Call): void {
    if (this.keepEveryCall || this.stepCallCount < CALLS_SHOWN) this.stepCalls.push(call);
    this.stepCallCount++;
    this.count++;
    for (const check of this.checks) check.after?.(call);
  }
}
