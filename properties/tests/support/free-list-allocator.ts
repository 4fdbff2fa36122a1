/**
 * A correct hand-written general allocator, as an outside user would write one: first fit over an
 * address-ordered free list in one buffer, blocks split and freed neighbours coalesced, an 8-byte
 * header below every block. It detects misuse the way most hand-written allocators do, by
 * throwing a plain `Error` (not allocheck's AllocatorError), and reports out of memory by null,
 * or by throwing `OutOfMemory` when built with `outOfMemory: "throws"`.
 */
import type { Region, Subject } from "../../model/subject.ts";

const ALIGNMENT = 8;
const HEADER = 8;
/** Smallest free remainder worth splitting off: a header and one aligned unit. */
const MIN_SPLIT = HEADER + ALIGNMENT;

const roundUp = (n: number, a: number) => Math.ceil(n / a) * a;

/** A span of the buffer: its header's address and its length, header included. */
interface Span {
  start: number;
  size: number;
}

export class OutOfMemory extends Error {
  override readonly name = "OutOfMemory";
}

export interface FreeListOptions {
  /** Bytes of the region. */
  readonly size?: number;
  /** Where the region starts in the (simulated) address space. */
  readonly base?: number;
  readonly outOfMemory?: "null" | "throws";
}

export class FreeListAllocator implements Subject {
  readonly kind: string = "free-list";
  readonly region: Region;
  private readonly memory: Uint8Array;
  /** Free spans, by address. */
  private readonly freeSpans: Span[];
  /** Live blocks: address → span. */
  private readonly live = new Map<number, Span>();
  private readonly outOfMemory: "null" | "throws";

  constructor({ size = 16384, base = 4096, outOfMemory = "null" }: FreeListOptions = {}) {
    this.memory = new Uint8Array(size);
    this.freeSpans = [{ start: base, size }];
    this.region = { start: base, end: base + size, alignment: ALIGNMENT, blockOverhead: HEADER };
    this.outOfMemory = outOfMemory;
  }

  malloc(n: number): number | null {
    this.validSize(n);
    const need = HEADER + roundUp(Math.max(n, 1), ALIGNMENT);
    const at = this.freeSpans.findIndex((span) => span.size >= need);
    if (at === -1) return this.exhausted(n);
    const span = this.freeSpans[at]!;
    let taken: Span;
    if (span.size - need >= MIN_SPLIT) {
      taken = { start: span.start, size: need };
      span.start += need;
      span.size -= need;
    } else {
      taken = span;
      this.freeSpans.splice(at, 1);
    }
    this.live.set(taken.start + HEADER, taken);
    return taken.start + HEADER;
  }

  free(p: number | null): void {
    if (p === null) return;
    this.giveBack(this.liveSpan(p, "free"));
    this.live.delete(p);
  }

  realloc(p: number | null, n: number): number | null {
    if (p === null) return this.malloc(n);
    this.validSize(n);
    const span = this.liveSpan(p, "realloc");
    const need = HEADER + roundUp(Math.max(n, 1), ALIGNMENT);
    if (need <= span.size) {
      if (span.size - need >= MIN_SPLIT) {
        this.giveBack({ start: span.start + need, size: span.size - need });
        span.size = need;
      }
      return p;
    }
    const q = this.malloc(n);
    if (q === null) return null;
    this.memory.copyWithin(
      q - this.region.start,
      p - this.region.start,
      p - this.region.start + span.size - HEADER,
    );
    this.free(p);
    return q;
  }

  usableSize(p: number): number {
    return this.liveSpan(p, "usableSize").size - HEADER;
  }

  bytes(p: number): Uint8Array {
    const span = this.liveSpan(p, "bytes");
    const from = p - this.region.start;
    return this.memory.subarray(from, from + span.size - HEADER);
  }

  protected exhausted(n: number): null {
    if (this.outOfMemory === "throws") throw new OutOfMemory(`no free span for ${n} bytes`);
    return null;
  }

  private validSize(n: number): void {
    if (!(Number.isSafeInteger(n) && n >= 0)) throw new Error(`bad size ${String(n)}`);
  }

  private liveSpan(p: number, use: string): Span {
    const span = this.live.get(p);
    if (span === undefined) throw new Error(`${use}: ${String(p)} is not a live block`);
    return span;
  }

  /** Returns a span to the free list, coalesced with the free spans on either side. */
  private giveBack(span: Span): void {
    let at = this.freeSpans.findIndex((s) => s.start > span.start);
    if (at === -1) at = this.freeSpans.length;
    const merged = { ...span };
    const after = this.freeSpans[at];
    if (after !== undefined && merged.start + merged.size === after.start) {
      merged.size += after.size;
      this.freeSpans.splice(at, 1);
    }
    const before = this.freeSpans[at - 1];
    if (before !== undefined && before.start + before.size === merged.start) {
      before.size += merged.size;
      return;
    }
    this.freeSpans.splice(at, 0, merged);
  }
}

/** The free-list allocator with one bug: it reports out of memory for any request over 1 KiB. */
export class RefusesLargeRequests extends FreeListAllocator {
  override readonly kind = "free-list refusing large requests";
  override malloc(n: number): number | null {
    return Number.isSafeInteger(n) && n > 1024 ? this.exhausted(n) : super.malloc(n);
  }
}
