/**
 * Subjects for the contract tests (spec/invariants.md §Contracts): wrappers that count what
 * reaches an allocator, make it throw on a valid call, or give its misuse errors codes of their
 * own. Each adds one behaviour to the allocator it wraps and hides nothing else.
 */
import type { Allocator } from "../../../src/core/allocator.ts";
import { AllocatorError, type AllocatorErrorCode } from "../../../src/core/errors.ts";
import type { MisuseCode } from "../../model/contract.ts";
import type { Subject } from "../../model/subject.ts";

/** The calls a subject received, judged by the wrapper's own record of live blocks. */
export interface CallTally {
  calls: number;
  /** Calls with a pointer that is not a live block or a size that is not a size: misuse. */
  misuseCalls: number;
}

const validSize = (n: number) => Number.isSafeInteger(n) && n >= 0;

/** `inner`, with every call it receives counted into `tally`. */
export function countingCalls(inner: Subject, tally: CallTally): Subject {
  const live = new Set<number>();
  const count = (misuse: boolean) => {
    tally.calls++;
    if (misuse) tally.misuseCalls++;
  };
  const isLive = (p: number) => live.has(p);
  return {
    kind: `${inner.kind}, counted`,
    ...(inner.region !== undefined ? { region: inner.region } : {}),
    malloc(n) {
      count(!validSize(n));
      const p = inner.malloc(n);
      if (p !== null) live.add(p);
      return p;
    },
    free(p) {
      count(p !== null && !isLive(p));
      inner.free(p);
      if (p !== null) live.delete(p);
    },
    realloc(p, n) {
      count(!validSize(n) || (p !== null && !isLive(p)));
      const q = inner.realloc!(p, n);
      if (q !== null) {
        if (p !== null) live.delete(p);
        live.add(q);
      }
      return q;
    },
    usableSize(p) {
      count(!isLive(p));
      return inner.usableSize!(p);
    },
    bytes(p) {
      count(!isLive(p));
      return inner.bytes!(p);
    },
  };
}

/** `inner`, except that malloc(0), a valid call, throws a TypeError. */
export function throwsOnMallocOfZero(inner: Subject): Subject {
  return {
    kind: `${inner.kind} throwing on malloc(0)`,
    ...(inner.region !== undefined ? { region: inner.region } : {}),
    malloc(n) {
      if (n === 0) throw new TypeError("cannot allocate 0 bytes");
      return inner.malloc(n);
    },
    free: (p) => inner.free(p),
    realloc: (p, n) => inner.realloc!(p, n),
    bytes: (p) => inner.bytes!(p),
  };
}

/** An allocator's own misuse error, with its own name for each case. */
export class HeapMisuse extends Error {
  override readonly name = "HeapMisuse";
  constructor(
    readonly reason: "bad-size" | "not-a-block" | "freed-twice",
    message: string,
  ) {
    super(message);
  }
}

const REASONS: Record<AllocatorErrorCode, HeapMisuse["reason"]> = {
  "invalid-size": "bad-size",
  "invalid-pointer": "not-a-block",
  "double-free": "freed-twice",
};

/** The misuseCode that maps HeapMisuse's reasons back to allocheck's codes. */
export const heapMisuseCode: MisuseCode = (error) => {
  if (!(error instanceof HeapMisuse)) return undefined;
  const code = (Object.keys(REASONS) as AllocatorErrorCode[]).find(
    (c) => REASONS[c] === error.reason,
  );
  return code;
};

/**
 * One of allocheck's allocators whose misuse errors are HeapMisuse, not AllocatorError.
 * `mislabelsDoubleFree`: the bug of calling a double free "not-a-block".
 */
export function withHeapMisuseErrors(inner: Allocator, mislabelsDoubleFree = false): Subject {
  const translated = <T>(run: () => T): T => {
    try {
      return run();
    } catch (error) {
      if (!(error instanceof AllocatorError)) throw error;
      const reason =
        mislabelsDoubleFree && error.code === "double-free" ? "not-a-block" : REASONS[error.code];
      throw new HeapMisuse(reason, error.message);
    }
  };
  return {
    kind: `${inner.kind} with HeapMisuse errors${mislabelsDoubleFree ? ", double free mislabelled" : ""}`,
    geometry: inner.geometry,
    addressSpace: inner.addressSpace,
    malloc: (n) => translated(() => inner.malloc(n)),
    free: (p) => translated(() => inner.free(p)),
    realloc: (p, n) => translated(() => inner.realloc(p, n)),
    usableSize: (p) => translated(() => inner.usableSize(p)),
    bytes: (p) => translated(() => inner.bytes(p)),
    stats: () => inner.stats(),
    snapshot: () => inner.snapshot(),
    check: () => inner.check(),
  };
}
