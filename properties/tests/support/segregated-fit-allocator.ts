/**
 * A segregated-fit allocator that never coalesces: one LIFO free list per size class (multiples
 * of 16), new blocks carved one at a time from the untouched tail of its region, a freed block
 * reused only for a request of its own class. It keeps the promise of invariant 10's
 * non-coalescing form (spec/invariants.md §Contracts) and breaks the coalescing one: freed
 * neighbours never merge, so a large request can fail beside a long run of free bytes.
 *
 * Two bugs, each breaking one of those promises: `LosesLargeFreedBlocks` never puts a freed block
 * of a class of 64 bytes or more back on its free list, so it is never reused; `StopsShortOfTheEnd`
 * stops carving 512 bytes before the end of its region.
 */
import type { Region, Subject } from "../../model/subject.ts";

const ALIGNMENT = 8;
const HEADER = 8;
const CLASS_GRANULE = 16;

const roundUp = (n: number, a: number) => Math.ceil(n / a) * a;

export class SegregatedFitAllocator implements Subject {
  readonly kind: string = "segregated-fit";
  readonly region: Region;
  private readonly memory: Uint8Array;
  /** Class size → addresses of its free blocks, last freed first. */
  private readonly freeLists = new Map<number, number[]>();
  /** Live blocks: address → class size. */
  private readonly live = new Map<number, number>();
  /** Start of the untouched tail. */
  private top: number;

  constructor(size = 16384, base = 4096) {
    this.memory = new Uint8Array(size);
    this.region = { start: base, end: base + size, alignment: ALIGNMENT, blockOverhead: HEADER };
    this.top = base;
  }

  malloc(n: number): number | null {
    if (!(Number.isSafeInteger(n) && n >= 0)) throw new Error(`bad size ${String(n)}`);
    const size = roundUp(Math.max(n, 1), CLASS_GRANULE);
    const p = this.freeLists.get(size)?.pop() ?? this.carve(size);
    if (p !== null) this.live.set(p, size);
    return p;
  }

  free(p: number | null): void {
    if (p === null) return;
    const size = this.classOf(p);
    this.live.delete(p);
    if (this.keepsFreed(size)) {
      const list = this.freeLists.get(size) ?? [];
      list.push(p);
      this.freeLists.set(size, list);
    }
  }

  realloc(p: number | null, n: number): number | null {
    if (p === null) return this.malloc(n);
    const size = this.classOf(p);
    if (!(Number.isSafeInteger(n) && n >= 0)) throw new Error(`bad size ${String(n)}`);
    if (roundUp(Math.max(n, 1), CLASS_GRANULE) === size) return p;
    const q = this.malloc(n);
    if (q === null) return null;
    const from = p - this.region.start;
    this.memory.copyWithin(q - this.region.start, from, from + Math.min(size, n));
    this.free(p);
    return q;
  }

  usableSize(p: number): number {
    return this.classOf(p);
  }

  bytes(p: number): Uint8Array {
    const from = p - this.region.start;
    return this.memory.subarray(from, from + this.classOf(p));
  }

  /** Whether a freed block of this class goes back on its free list (always, when correct). */
  protected keepsFreed(_size: number): boolean {
    return true;
  }

  /** Where carving must stop: the region's end, when correct. */
  protected carvingLimit(): number {
    return this.region.end;
  }

  private carve(size: number): number | null {
    if (this.top + HEADER + size > this.carvingLimit()) return null;
    const p = this.top + HEADER;
    this.top = p + size;
    return p;
  }

  private classOf(p: number): number {
    const size = this.live.get(p);
    if (size === undefined) throw new Error(`${String(p)} is not a live block`);
    return size;
  }
}

export class LosesLargeFreedBlocks extends SegregatedFitAllocator {
  override readonly kind = "segregated-fit losing large freed blocks";
  protected override keepsFreed(size: number): boolean {
    return size < 64;
  }
}

export class StopsShortOfTheEnd extends SegregatedFitAllocator {
  override readonly kind = "segregated-fit stopping short of the end";
  protected override carvingLimit(): number {
    return this.region.end - 512;
  }
}
