/**
 * wasmSubject(options): any WebAssembly allocator as allocheck's Subject (spec/wasm.md). The
 * options name the exports (malloc, free, realloc, usable size, memory) and say where the heap
 * starts, which alignment C owes each request, and what the allocator promises (its contract).
 * The result is a SubjectFactory, as verifyAllocator takes it, that hands each run a subject over
 * a reset instance:
 *
 *   run 1: the first instance ──► run 2: restored snapshot, or a fresh instance ──► …
 *
 * Each call re-reads memory.buffer (memory.grow detaches the old one), and pointers come back as
 * unsigned numbers (`>>> 0`: wasm's i32 results are signed in JavaScript). A trap (or an error an
 * import throws) propagates to the property, which reports it with the shrunk steps; the instance
 * is then suspect, so the next run gets a fresh one when the options can make one.
 */
import type { Geometry } from "../../src/core/geometry.ts";
import { AllocatorError } from "../../src/core/errors.ts";
import type { Contract, MisuseCode } from "../../properties/model/contract.ts";
import type { Region, Subject, SubjectFactory } from "../../properties/model/subject.ts";
import { cMallocAlignment, WASM32_FUNDAMENTAL_ALIGNMENT } from "./alignment.ts";
import { MemorySnapshot } from "./memory-snapshot.ts";
import { WASM32_MAX_MEMORY_BYTES } from "./module-facts.ts";
import { WasmSubjectError } from "./wasm-subject-error.ts";
import {
  WebAssemblyApi,
  type WasmImports,
  type WasmInstance,
  type WasmMemory,
  type WasmModule,
} from "./webassembly.ts";

/** An instance's exports, or anything holding the allocator's functions by name. */
export type WasmExports = Readonly<Record<string, unknown>>;
/** An instance, or its exports. */
export type WasmInstanceLike = WasmInstance | WasmExports;

export interface WasmSubjectOptions {
  /**
   * Where instances come from; give exactly one. `module`: a compiled module, instantiated with
   * `imports` for every fresh instance. `instantiate`: a function returning a fresh instance.
   * `instance`: one instance to reuse, reset by restoring a snapshot of its memory.
   */
  readonly module?: WasmModule;
  readonly imports?: WasmImports;
  readonly instantiate?: () => WasmInstanceLike;
  readonly instance?: WasmInstanceLike;
  /** Export names; defaults "malloc", "free". */
  readonly malloc?: string;
  readonly free?: string;
  /** Default "realloc" when exported; false: none (no realloc steps). */
  readonly realloc?: string | false;
  /** `size_t f(void *p)`; default "malloc_usable_size" when exported; false: none. */
  readonly usableSize?: string | false;
  /** The memory: an export name (default "memory") or the Memory itself. */
  readonly memory?: string | WasmMemory;
  /**
   * The heap's first byte, or a function reading it from an instance's exports; default the value
   * of the `__heap_base` export, else 0.
   */
  readonly heapStart?: number | ((exports: WasmExports) => number);
  /** Bytes the memory may grow to; default WASM32_MAX_MEMORY_BYTES (see declaredMemoryMaximum). */
  readonly memoryLimit?: number;
  /**
   * The alignment owed to a request of n bytes: a number is the fundamental alignment of C's rule
   * (cMallocAlignment; default 16, wasm32 clang's max_align_t), a function any other rule.
   */
  readonly alignment?: number | ((n: number) => number);
  /** Bytes of header each block has just below its address (containment, invariant 2); default 0. */
  readonly blockOverhead?: number;
  /**
   * How a run after the first starts from the first one's state (spec/wasm.md §3). "instantiate"
   * (the default with `module` or `instantiate`): a fresh instance. "restore": the snapshot taken
   * of the first instance before any call, restored; a run after a trap or a memory.grow still
   * gets a fresh instance when one can be made. With `instance`, only "restore" is possible.
   */
  readonly reset?: "instantiate" | "restore";
  /**
   * Called on every new instance before its first run and before the snapshot is taken: e.g. to
   * make an allocator that initialises lazily into an unexported global do it now, so that a
   * restored snapshot finds that global as it was (spec/wasm.md §3).
   */
  readonly prepare?: (exports: WasmExports) => void;
  /** What the allocator promises (spec/invariants.md §Contracts); default WASM_DEFAULT_CONTRACT. */
  readonly contract?: Contract;
  readonly misuseCode?: MisuseCode;
  /** The subject's name in reports; default "wasm". */
  readonly kind?: string;
}

/**
 * A C allocator's promises unless declared otherwise: misuse is undefined behaviour (no run makes
 * a misuse call), malloc returns null when memory is exhausted (C17 7.22.3), free space coalesces.
 */
export const WASM_DEFAULT_CONTRACT: Contract = {
  misuse: "undetected",
  outOfMemory: "null",
  coalesces: true,
};

/** How the runs so far were started: the figures of spec/wasm.md §3. */
export interface WasmResetCounts {
  instantiated: number;
  restored: number;
  /** Runs that ended in a trap (or an import's throw). */
  trapped: number;
}

/** The factory verifyAllocator takes, with what to pass it beside: the contract. */
export interface WasmSubjectFactory extends SubjectFactory {
  readonly kind: string;
  readonly contract: Contract;
  readonly misuseCode?: MisuseCode;
  readonly resets: Readonly<WasmResetCounts>;
}

/** The largest request a wasm32 size_t can express. */
const MAX_SIZE_T = 2 ** 32 - 1;

/** The exports of one instance, resolved and checked. */
interface Bound {
  readonly exports: WasmExports;
  readonly malloc: (n: number) => unknown;
  readonly free: (p: number) => unknown;
  readonly realloc: ((p: number, n: number) => unknown) | undefined;
  readonly usableSize: ((p: number) => unknown) | undefined;
  readonly memory: WasmMemory;
  readonly heapStart: number;
}

export function wasmSubject(options: WasmSubjectOptions): WasmSubjectFactory {
  const sources = [options.module, options.instantiate, options.instance].filter(
    (s) => s !== undefined,
  );
  if (sources.length !== 1)
    throw new WasmSubjectError(
      "no-instance",
      `give exactly one of module, instantiate or instance (${sources.length} given)`,
    );
  const kind = options.kind ?? "wasm";
  if (typeof kind !== "string" || kind === "")
    throw new WasmSubjectError("invalid-option", "kind must be a non-empty string");
  const alignmentFor = alignmentRule(options.alignment);
  const fundamental = alignmentFor(Number.MAX_SAFE_INTEGER);
  const memoryLimit = options.memoryLimit ?? WASM32_MAX_MEMORY_BYTES;
  if (!Number.isSafeInteger(memoryLimit) || memoryLimit <= 0)
    throw new WasmSubjectError(
      "invalid-option",
      `memoryLimit ${String(memoryLimit)} is not a byte count`,
    );
  const blockOverhead = options.blockOverhead ?? 0;
  if (!Number.isSafeInteger(blockOverhead) || blockOverhead < 0)
    throw new WasmSubjectError(
      "invalid-option",
      `blockOverhead ${String(blockOverhead)} is not a byte count`,
    );

  const fresh: (() => WasmInstanceLike) | undefined =
    options.module !== undefined
      ? () => new WebAssemblyApi.Instance(options.module!, options.imports ?? {})
      : options.instantiate;
  const reset = options.reset ?? (fresh !== undefined ? "instantiate" : "restore");
  if (reset !== "instantiate" && reset !== "restore")
    throw new WasmSubjectError(
      "invalid-option",
      `reset ${String(reset)}: "instantiate" or "restore"`,
    );
  if (reset === "instantiate" && fresh === undefined)
    throw new WasmSubjectError(
      "invalid-option",
      `reset "instantiate" needs module or instantiate, not instance`,
    );

  const bind = (source: WasmInstanceLike): Bound => {
    const bound = bindExports(source, options);
    options.prepare?.(bound.exports);
    return bound;
  };
  const snapshotOf = (bound: Bound) =>
    reset === "restore" ? new MemorySnapshot(bound.memory, bound.exports) : undefined;
  let current = bind(fresh !== undefined ? fresh() : options.instance!);
  // The snapshot is of the current instance: a new instance gets its own.
  let snapshot = snapshotOf(current);
  const resets: WasmResetCounts = { instantiated: 1, restored: 0, trapped: 0 };
  let previous: WasmSubject | undefined;

  const factory = (_geometry: Geometry): Subject => {
    if (previous !== undefined) {
      if (previous.trapped) resets.trapped++;
      const grew = current.memory.buffer.byteLength !== snapshot?.byteLength;
      if (fresh !== undefined && (snapshot === undefined || previous.trapped || grew)) {
        current = bind(fresh());
        snapshot = snapshotOf(current);
        resets.instantiated++;
      } else {
        snapshot!.restore();
        resets.restored++;
      }
    }
    previous = new WasmSubject(
      kind,
      current,
      alignmentFor,
      fundamental,
      memoryLimit,
      blockOverhead,
    );
    return previous;
  };
  const contract = options.contract ?? WASM_DEFAULT_CONTRACT;
  return Object.assign(factory, {
    kind,
    contract,
    ...(options.misuseCode !== undefined ? { misuseCode: options.misuseCode } : {}),
    resets,
  });
}

function alignmentRule(option: WasmSubjectOptions["alignment"]): (n: number) => number {
  if (typeof option === "function") return option;
  const fundamental = option ?? WASM32_FUNDAMENTAL_ALIGNMENT;
  if (
    !Number.isSafeInteger(fundamental) ||
    fundamental <= 0 ||
    (fundamental & (fundamental - 1)) !== 0
  )
    throw new WasmSubjectError(
      "invalid-option",
      `alignment ${String(fundamental)} is not a power of two`,
    );
  return (n) => cMallocAlignment(n, fundamental);
}

function bindExports(source: WasmInstanceLike, options: WasmSubjectOptions): Bound {
  const exports: WasmExports =
    source instanceof WebAssemblyApi.Instance ? source.exports : (source as WasmExports);
  const fn = (name: string, role: string): ((...args: number[]) => unknown) => {
    const f = exports[name];
    if (typeof f !== "function")
      throw new WasmSubjectError(
        "missing-export",
        `the module has no function export "${name}" (${role}); exports: ${Object.keys(exports).join(", ") || "none"}`,
      );
    return f as (...args: number[]) => unknown;
  };
  const optional = (name: string | false | undefined, fallback: string, role: string) => {
    if (name === false) return undefined;
    if (name === undefined)
      return typeof exports[fallback] === "function" ? fn(fallback, role) : undefined;
    return fn(name, role);
  };
  const memoryOption = options.memory ?? "memory";
  const memory = typeof memoryOption === "string" ? exports[memoryOption] : memoryOption;
  if (!(memory instanceof WebAssemblyApi.Memory))
    throw new WasmSubjectError(
      "no-memory",
      `the module exports no memory "${String(memoryOption)}"; name it with the memory option or pass the Memory`,
    );
  const heapBase = exports.__heap_base;
  const heapStart =
    typeof options.heapStart === "function"
      ? options.heapStart(exports)
      : (options.heapStart ??
        (heapBase instanceof WebAssemblyApi.Global ? Number(heapBase.value) >>> 0 : 0));
  if (!Number.isSafeInteger(heapStart) || heapStart < 0)
    throw new WasmSubjectError(
      "invalid-option",
      `heapStart ${String(heapStart)} is not an address`,
    );
  return {
    exports,
    malloc: fn(options.malloc ?? "malloc", "malloc"),
    free: fn(options.free ?? "free", "free"),
    realloc: optional(options.realloc, "realloc", "realloc"),
    usableSize: optional(options.usableSize, "malloc_usable_size", "usable size"),
    memory,
    heapStart,
  };
}

/** One run's subject over one instance. */
class WasmSubject implements Subject {
  readonly region: Region;
  readonly realloc?: (p: number | null, n: number) => number | null;
  readonly usableSize?: (p: number) => number;
  /** Whether a call of this run trapped: the instance is suspect from then on. */
  trapped = false;
  /** The size each live block was asked for: how many bytes bytes(p) shows without usableSize. */
  private readonly asked = new Map<number, number>();

  constructor(
    readonly kind: string,
    private readonly bound: Bound,
    alignmentFor: (n: number) => number,
    fundamental: number,
    memoryLimit: number,
    blockOverhead: number,
  ) {
    const memory = bound.memory;
    this.region = {
      start: bound.heapStart,
      get end() {
        return memory.buffer.byteLength;
      },
      limit: memoryLimit,
      alignment: fundamental,
      alignmentFor,
      blockOverhead,
    };
    if (bound.realloc !== undefined) this.realloc = (p, n) => this.reallocate(p, n);
    if (bound.usableSize !== undefined) this.usableSize = (p) => this.usable(p);
  }

  malloc(n: number): number | null {
    if (!fitsSizeT(n)) return null;
    const p = this.pointer(this.call(() => this.bound.malloc(n)));
    if (p !== null) this.asked.set(p, n);
    return p;
  }

  free(p: number | null): void {
    if (p === null) return;
    checkPointer(p);
    this.call(() => this.bound.free(p));
    this.asked.delete(p);
  }

  bytes(p: number): Uint8Array {
    const length =
      this.usableSize !== undefined ? this.usableSize(p) : Math.max(this.asked.get(p) ?? 0, 1);
    return new Uint8Array(this.bound.memory.buffer, p, length);
  }

  private reallocate(p: number | null, n: number): number | null {
    if (p !== null) checkPointer(p);
    if (!fitsSizeT(n)) return null;
    const q = this.pointer(this.call(() => this.bound.realloc!(p ?? 0, n)));
    if (q !== null) {
      if (p !== null) this.asked.delete(p);
      this.asked.set(q, n);
    }
    return q;
  }

  private usable(p: number): number {
    checkPointer(p);
    return Number(this.call(() => this.bound.usableSize!(p))) >>> 0;
  }

  /** A wasm i32 pointer as an unsigned address; 0 is null. */
  private pointer(result: unknown): number | null {
    const p = Number(result) >>> 0;
    return p === 0 ? null : p;
  }

  /** Calls into the instance; a trap, or an import's throw, marks the instance suspect. */
  private call<T>(run: () => T): T {
    try {
      return run();
    } catch (error) {
      this.trapped = true;
      throw error;
    }
  }
}

/**
 * Whether n can be passed as a wasm32 size_t. A size that is not a whole number of bytes or is
 * negative cannot be written in C at all: it is an invalid size (spec/errors.md). One above
 * 2^32 − 1 is a request no wasm32 allocator can serve: the subject answers null, as C's malloc
 * answers a request larger than the address space.
 */
function fitsSizeT(n: number): boolean {
  if (!Number.isSafeInteger(n) || n < 0)
    throw new AllocatorError("invalid-size", `${String(n)} is not a size_t`);
  return n <= MAX_SIZE_T;
}

/**
 * A value that is not a wasm32 address (a fraction, a negative number, one of 2^32 or more, not a
 * number) cannot be written as a C pointer: the subject refuses it before the allocator sees it.
 */
function checkPointer(p: number): void {
  if (!Number.isSafeInteger(p) || p < 0 || p > MAX_SIZE_T)
    throw new AllocatorError("invalid-pointer", `${String(p)} is not a wasm32 pointer`);
}
