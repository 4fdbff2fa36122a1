/**
 * The driver: runs operations against a subject, keeps the shadow heap in step, and hands every
 * primitive call to the enabled invariant checks. fast-check runs, bounded-exhaustive runs,
 * counterexample replays and regression tests all go through it, so they check the same things.
 *
 *   op ──► primitive calls (malloc / free / realloc / misuse) ──► subject
 *              │ before(call)                        after(call) │   (checks)
 *              └──────── shadow heap updated from results and the event log
 *   after each op: afterStep(step) for every check; at the end: finish()
 */
import type { AddressSpaceEvent } from "../../src/core/address-space.ts";
import {
  AllocatorError,
  hex,
  IntegrityError,
  type AllocatorErrorCode,
} from "../../src/core/errors.ts";
import type { Geometry } from "../../src/core/geometry.ts";
import { BAD_SIZES, formatOp, type MisuseKind, type Op } from "./ops.ts";
import { Reachability } from "./reachability.ts";
import { mulberry32 } from "../../src/core/random.ts";
import { sizeFromStream } from "./random.ts";
import { expectedPointerError } from "./expected-errors.ts";
import { ShadowHeap, type ShadowBlock } from "./shadow-heap.ts";
import type { Subject } from "./subject.ts";
import { InvariantViolation, violation } from "./violation.ts";

export type CallKind = "malloc" | "free" | "realloc" | "usableSize" | "bytes";

/** One primitive call: its arguments before it runs, its outcome after. */
export interface Call {
  readonly kind: CallKind;
  readonly n?: number;
  readonly p?: number | null;
  /** The live shadow block p names (free, realloc). */
  readonly target?: ShadowBlock;
  /** Misuse only: the code spec/errors.md expects ("any" when the subject has no geometry). */
  readonly expectedError?: AllocatorErrorCode | "any";
  /** Outcome: the address (malloc, realloc), the size (usableSize), the length (bytes). */
  result?: number | null;
  error?: unknown;
  /** Address-space events the call caused. */
  events: AddressSpaceEvent[];
  /** The shadow block the call created (malloc, realloc). */
  created?: ShadowBlock;
  /** realloc kept the block in place. */
  inPlace?: boolean;
  /** The created small block is the first live block of its pool (an empty pool was taken). */
  newPool?: boolean;
}

export interface Step {
  readonly index: number;
  readonly op: Op;
  readonly calls: readonly Call[];
}

/** What a check sees of the run. */
export interface CheckEnv {
  readonly subject: Subject;
  readonly shadow: ShadowHeap;
  readonly geometry: Geometry | undefined;
  /** The step count so far. */
  readonly steps: () => number;
}

export interface InvariantCheck {
  readonly invariant: number;
  before?(call: Call): void;
  after?(call: Call): void;
  /** malloc(n); free; malloc(n) of a small n: the two addresses. */
  roundTrip?(first: number | null, second: number | null): void;
  afterStep?(step: Step): void;
  /** After the whole sequence (and after a free-all step, `drained` is true). */
  finish?(drained: boolean): void;
}

export type CheckFactory = (env: CheckEnv) => InvariantCheck;

export interface DriverOptions {
  readonly geometry: Geometry | undefined;
  readonly checks: readonly CheckFactory[];
  /** Called after each step with a one-line summary (replay). */
  readonly onStep?: (step: Step, summary: string) => void;
  /** Called before each step runs (an isolated run logs it, so a hang names its step). */
  readonly beforeStep?: (op: Op) => void;
  /** Upper bound on primitive calls a macro step may make. */
  readonly macroLimit?: number;
}

export class Driver {
  readonly subject: Subject;
  readonly shadow: ShadowHeap;
  readonly reach = new Reachability();
  readonly geometry: Geometry | undefined;
  private readonly checks: InvariantCheck[];
  private readonly options: DriverOptions;
  private stepIndex = 0;
  private eventsSeen = 0;
  private calls: Call[] = [];
  /** Primitive calls made so far (the "operations checked" count). */
  callCount = 0;
  /** The operations applied so far, in order (a counterexample's steps). */
  readonly executed: Op[] = [];

  constructor(subject: Subject, options: DriverOptions) {
    this.subject = subject;
    this.options = options;
    this.geometry = options.geometry;
    this.shadow = new ShadowHeap(options.geometry);
    const env: CheckEnv = {
      subject,
      shadow: this.shadow,
      geometry: options.geometry,
      steps: () => this.stepIndex,
    };
    this.checks = options.checks.map((make) => make(env));
  }

  get steps(): number {
    return this.stepIndex;
  }

  /** Runs one operation and the checks; throws InvariantViolation naming the step. */
  apply(op: Op): void {
    this.calls = [];
    this.executed.push(op);
    this.options.beforeStep?.(op);
    try {
      this.run(op);
      const step: Step = { index: this.stepIndex, op, calls: this.calls };
      for (const check of this.checks) check.afterStep?.(step);
      if (op.op === "free-all") for (const check of this.checks) check.finish?.(true);
      this.options.onStep?.(step, this.summarize(step));
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

  /** Whether `op` can run now (fast-check skips commands whose precondition fails). */
  canRun(op: Op): boolean {
    switch (op.op) {
      case "free":
        return op.pick === null || this.shadow.live.length > 0;
      case "realloc":
        return (
          this.subject.realloc !== undefined && (op.pick === null || this.shadow.live.length > 0)
        );
      case "misuse":
        return this.misuseTarget(op.kind, op.pick) !== undefined;
      default:
        return true;
    }
  }

  // ── operations ─────────────────────────────────────────────────────────────────────────

  private run(op: Op): void {
    switch (op.op) {
      case "malloc":
        this.malloc(op.n);
        return;
      case "free": {
        if (op.pick === null) {
          this.freeNull();
          return;
        }
        const block = this.shadow.pick(op.pick);
        if (block !== undefined) this.free(block);
        return;
      }
      case "realloc": {
        if (this.subject.realloc === undefined) return;
        if (op.pick === null) this.realloc(null, op.n);
        else {
          const block = this.shadow.pick(op.pick);
          if (block !== undefined) this.realloc(block, op.n);
        }
        return;
      }
      case "misuse":
        this.misuse(op.kind, op.pick);
        return;
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
          this.free(this.shadow.live[this.shadow.live.length - 1]!);
        return;
      case "free-every": {
        const chosen = this.shadow.live.filter((_, i) => (i % op.k === 0) !== op.keep);
        for (const block of chosen.slice(0, this.macroLimit)) this.free(block);
        return;
      }
      case "churn": {
        const random = mulberry32(op.seed);
        for (let i = 0; i < op.steps; i++) {
          const victim = this.shadow.pick(Math.floor(random() * 2 ** 31));
          if (victim !== undefined && random() < 0.5) this.free(victim);
          this.malloc(sizeFromStream(this.geometry, random));
        }
        return;
      }
      case "round-trip": {
        const first = this.malloc(op.n);
        if (first === null) return;
        this.free(this.shadow.byAddress.get(first)!);
        const second = this.malloc(op.n);
        if (this.shadow.classFor(op.n) !== -1)
          for (const check of this.checks) check.roundTrip?.(first, second);
        return;
      }
    }
  }

  private get macroLimit(): number {
    return this.options.macroLimit ?? 4096;
  }

  private repeatMalloc(n: number, times: number): void {
    for (let i = 0; i < Math.min(times, this.macroLimit); i++) if (this.malloc(n) === null) return;
  }

  // ── primitive calls ────────────────────────────────────────────────────────────────────

  private malloc(n: number): number | null {
    const call: Call = { kind: "malloc", n, events: [] };
    this.before(call);
    try {
      call.result = this.subject.malloc(n);
    } catch (error) {
      throw this.rejected(call, error);
    }
    this.absorbEvents(call, "map");
    if (call.result !== null) {
      call.created = this.shadow.add(call.result, n);
      call.newPool = this.tookEmptyPool(call.created);
      this.reach.allocated(this.shadow, call.created);
    } else this.reach.outOfMemory();
    this.absorbEvents(call, "unmap");
    this.shadow.settle();
    this.after(call);
    return call.result;
  }

  private free(block: ShadowBlock): void {
    const call: Call = { kind: "free", p: block.address, target: block, events: [] };
    this.before(call);
    try {
      this.subject.free(block.address);
    } catch (error) {
      throw this.rejected(call, error);
    }
    this.shadow.remove(block);
    this.absorbEvents(call, "all");
    this.reach.freed(this.shadow, block, call.events);
    this.shadow.settle();
    this.after(call);
  }

  /** free(null) does nothing (spec/model.md §5); the step's checks see that nothing changed. */
  private freeNull(): void {
    const call: Call = { kind: "free", p: null, events: [] };
    this.before(call);
    try {
      this.subject.free(null);
    } catch (error) {
      throw this.rejected(call, error);
    }
    this.absorbEvents(call, "all");
    this.after(call);
  }

  private realloc(block: ShadowBlock | null, n: number): void {
    const call: Call =
      block === null
        ? { kind: "realloc", p: null, n, events: [] }
        : { kind: "realloc", p: block.address, target: block, n, events: [] };
    this.before(call);
    try {
      call.result = this.subject.realloc!(block?.address ?? null, n);
    } catch (error) {
      throw this.rejected(call, error);
    }
    this.absorbEvents(call, "map");
    if (call.result === null) this.reach.outOfMemory();
    else if (block !== null && call.result === block.address) {
      call.inPlace = true;
      this.shadow.resize(block, n);
      this.reach.count("realloc in place");
    } else {
      call.created = this.shadow.add(call.result, n, block?.raw ?? false);
      call.newPool = this.tookEmptyPool(call.created);
      this.reach.allocated(this.shadow, call.created);
      if (block !== null) {
        this.shadow.remove(block);
        this.reach.count("realloc moved");
      }
    }
    this.absorbEvents(call, "unmap");
    if (block !== null && call.result !== null && !call.inPlace)
      this.reach.freed(this.shadow, block, call.events);
    this.shadow.settle();
    this.after(call);
  }

  private misuse(kind: MisuseKind, pick: number): void {
    const target = this.misuseTarget(kind, pick);
    if (target === undefined) return;
    const call: Call = { ...target, events: [] };
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
    this.absorbEvents(call, "all");
    this.reach.count(`misuse ${kind}`);
    this.after(call);
  }

  /**
   * The call a misuse operation makes, and the error errors.md expects; undefined if none fits.
   * A candidate pointer that happens to be a live block (an arena's first byte is block 0 when
   * H = 0) is no misuse, so the operation does not run.
   */
  private misuseTarget(kind: MisuseKind, pick: number): Omit<Call, "events"> | undefined {
    const target = this.misuseCandidate(kind, pick);
    // (A bad size is misuse whatever the pointer; realloc(live block, NaN) is the point of it.)
    const liveTarget =
      kind !== "bad-size" && target?.p != null && this.shadow.byAddress.has(target.p);
    return liveTarget ? undefined : target;
  }

  private misuseCandidate(kind: MisuseKind, pick: number): Omit<Call, "events"> | undefined {
    const g = this.geometry;
    const pointer = (kind: CallKind, p: number, n?: number): Omit<Call, "events"> =>
      n === undefined
        ? { kind, p, expectedError: expectedPointerError(this.shadow, p, kind) }
        : { kind, p, n, expectedError: expectedPointerError(this.shadow, p, kind) };
    const live = this.shadow.pick(pick);
    switch (kind) {
      case "double-free": {
        const p = this.shadow.freed[pick % Math.max(1, this.shadow.freed.length)];
        return p === undefined ? undefined : pointer("free", p);
      }
      case "use-after-free": {
        const p = this.shadow.freed[pick % Math.max(1, this.shadow.freed.length)];
        if (p === undefined) return undefined;
        return pick % 2 === 0 || this.subject.realloc === undefined
          ? this.optionalPointerCall(p)
          : pointer("realloc", p, 8);
      }
      case "interior": {
        if (live === undefined) return undefined;
        const offset = 1 + (pick % Math.max(1, live.usable - 1));
        return pointer(
          pick % 3 === 0 ? "free" : pick % 3 === 1 && this.subject.realloc ? "realloc" : "free",
          live.address + offset,
          pick % 3 === 1 ? 8 : undefined,
        );
      }
      case "header": {
        if (g === undefined || g.poolOverhead === 0) return undefined;
        const small = this.shadow.live.find((b) => !b.raw);
        return small === undefined
          ? undefined
          : pointer("free", small.pool + (pick % (g.poolOverhead / g.alignment)) * g.alignment);
      }
      case "released-arena": {
        if (g === undefined) return undefined;
        const start =
          this.shadow.releasedArenas[pick % Math.max(1, this.shadow.releasedArenas.length)];
        if (start === undefined) return undefined;
        const firstPool = Math.ceil(start / g.poolSize) * g.poolSize;
        return pointer("free", firstPool + g.poolOverhead);
      }
      case "unknown":
        if (pick % 5 === 2 && this.subject.realloc !== undefined)
          return pointer("realloc", this.unknownPointer(pick), 8);
        return pointer(
          pick % 5 === 1 && this.subject.usableSize !== undefined ? "usableSize" : "free",
          this.unknownPointer(pick),
        );
      case "bad-size": {
        const n = BAD_SIZES[pick % BAD_SIZES.length]!;
        if (pick % 2 === 0 || this.subject.realloc === undefined || live === undefined)
          return { kind: "malloc", n, expectedError: "invalid-size" };
        return { kind: "realloc", p: live.address, n, expectedError: "invalid-size" };
      }
    }
  }

  /**
   * Something that is not a block address: never mapped, an arena's slack before its first pool
   * (misaligned arenas) or the guard space after it, or not an address at all.
   */
  private unknownPointer(pick: number): number {
    const g = this.geometry;
    const arenas = [...this.shadow.arenas.keys()];
    const arena = arenas[pick % Math.max(1, arenas.length)];
    const candidates: number[] = [
      0,
      8,
      2 ** 50 + 16 * (pick % 1000),
      NaN,
      -16,
      1.5,
      "0x10" as unknown as number,
    ];
    if (g !== undefined && arena !== undefined)
      candidates.push(arena, arena + g.arenaSize + g.alignment);
    return candidates[Math.floor(pick / 5) % candidates.length]!;
  }

  private optionalPointerCall(p: number): Omit<Call, "events"> {
    const kind: CallKind = this.subject.usableSize !== undefined ? "usableSize" : "free";
    return { kind, p, expectedError: expectedPointerError(this.shadow, p, kind) };
  }

  // ── plumbing ───────────────────────────────────────────────────────────────────────────

  private tookEmptyPool(block: ShadowBlock): boolean {
    return !block.raw && this.shadow.pool(block.pool)?.live === 1;
  }

  private before(call: Call): void {
    for (const check of this.checks) check.before?.(call);
  }

  private after(call: Call): void {
    this.calls.push(call);
    this.callCount++;
    for (const check of this.checks) check.after?.(call);
  }

  /** Reads the events the call caused into the shadow: maps before new blocks, unmaps after. */
  private absorbEvents(call: Call, which: "map" | "unmap" | "all"): void {
    const space = this.subject.addressSpace;
    if (space === undefined || space.eventsLogged === this.eventsSeen) return;
    const fresh = space.events(this.eventsSeen);
    for (const event of fresh) {
      const isMap = event.kind === "map-arena" || event.kind === "map-raw";
      if (which === "map" && !isMap) break;
      this.eventsSeen++;
      call.events.push(event);
      this.shadow.applyEvent(event);
      if (event.kind === "unmap-arena") this.reach.count("arena released");
      if (event.kind === "map-arena") this.reach.arenaMapped(this.shadow, this.geometry);
    }
  }

  /** A valid call threw: only misuse may be rejected (invariant 10: no spurious failure). */
  private rejected(call: Call, error: unknown): InvariantViolation {
    if (error instanceof InvariantViolation) return error;
    const args =
      call.kind === "malloc"
        ? `${call.n}`
        : call.kind === "realloc"
          ? `${call.p === null ? "null" : hex(call.p!)}, ${call.n}`
          : hex(call.p!);
    const what =
      error instanceof AllocatorError
        ? `${error.code}: ${error.message}`
        : error instanceof Error
          ? `${error.name}: ${error.message}`
          : String(error);
    return violation(10, `a valid ${call.kind}(${args}) threw ${what}`);
  }

  private locate(error: unknown, op: Op): unknown {
    if (error instanceof InvariantViolation && error.step === -1)
      return error.at(this.stepIndex, op);
    if (error instanceof IntegrityError) return violation(12, error.message).at(this.stepIndex, op);
    if (error instanceof InvariantViolation) return error;
    const wrapped = violation(
      10,
      `unexpected ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`,
    ).at(this.stepIndex, op);
    if (error instanceof Error && error.stack) wrapped.stack = error.stack;
    return wrapped;
  }

  /** "malloc(48) → 0x1030" style lines for replays. */
  private summarize(step: Step): string {
    const shown = step.calls.slice(0, 4).map((call) => {
      const args =
        call.kind === "malloc"
          ? `${call.n}`
          : call.kind === "realloc"
            ? `${call.p == null ? "null" : hex(call.p)}, ${call.n}`
            : hex(call.p!);
      const outcome =
        call.error !== undefined
          ? call.error instanceof AllocatorError
            ? `throws ${call.error.code}`
            : "throws"
          : call.result === undefined
            ? ""
            : call.result === null
              ? "→ null"
              : `→ ${hex(call.result)}`;
      return `${call.kind}(${args}) ${outcome}`.trim();
    });
    const more = step.calls.length > 4 ? ` … (${step.calls.length} calls)` : "";
    return `${formatOp(step.op)}: ${shown.join("; ")}${more}`;
  }
}
