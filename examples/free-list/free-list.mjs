// @ts-check
/**
 * A first-fit free-list allocator over one ArrayBuffer: the worked example of README.md
 * "Verify your own allocator". It is an allocheck Subject as it stands (no adapter): addresses are
 * byte offsets into its buffer, and it declares the region it manages, so allocheck judges
 * containment, alignment and out of memory against it (invariants 2, 3 and 10 of spec/invariants.md).
 *
 * Layout: blocks tile the region [start, end). Each block starts with an 8-byte header, its size
 * (header included, a multiple of the alignment) and an allocated flag; the caller's address is
 * the first byte after the header. Free blocks are also linked into a list in address order, the
 * link stored in the first word of their payload:
 *
 *   start                                                                          end
 *   | size | used | payload ...  | size | free | next | ...  | size | used | payload |
 *
 * malloc takes the first free block that fits and splits off the rest when it can hold a block;
 * free links the block back in address order and coalesces it with free neighbours, so free space
 * never stays cut into adjacent pieces (contract `coalesces: true`).
 *
 * Misuse (a bad size, a pointer that is not a live block) throws a FreeListError with a code of
 * this allocator's own; misuseCode maps them to allocheck's codes.
 */

const HEADER = 8;
const SIZE = 0; // header word: the block's size in bytes, header included
const USED = 4; // header word: 1 allocated, 0 free
const NEXT = HEADER; // a free block's first payload word: the next free block, or NONE
const NONE = 0xffffffff;

const roundUp = (/** @type {number} */ n, /** @type {number} */ a) => Math.ceil(n / a) * a;

/** @typedef {import("allocheck").Subject} Subject */
/** @typedef {"bad-size" | "bad-pointer" | "double-free" | "use-after-free"} FreeListErrorCode */

/** This allocator's error for misuse; the heap is unchanged when it is thrown. */
export class FreeListError extends Error {
  /**
   * @param {FreeListErrorCode} code
   * @param {string} message
   */
  constructor(code, message) {
    super(`${code}: ${message}`);
    this.name = "FreeListError";
    /** @readonly */
    this.code = code;
  }
}

/**
 * allocheck's code for each of ours (the `misuseCode` option of verifyAllocator and
 * describeAllocator); undefined for anything that is not misuse.
 * @param {unknown} error
 * @returns {import("allocheck").AllocatorErrorCode | undefined}
 */
export function misuseCode(error) {
  if (!(error instanceof FreeListError)) return undefined;
  if (error.code === "bad-size") return "invalid-size";
  if (error.code === "double-free") return "double-free";
  return "invalid-pointer";
}

/**
 * What this allocator promises (README "Verify your own allocator", contracts): it throws on
 * misuse, returns null when out of memory, and coalesces free neighbours. Exported with
 * `misuseCode` and the default factory, so the module is a complete adapter for
 * `allocheck verify --adapter examples/free-list/free-list.mjs`.
 * @type {import("allocheck").Contract}
 */
export const contract = { misuse: "throws", outOfMemory: "null", coalesces: true };

/** @implements {Subject} */
export class FreeList {
  kind = "free-list";

  /** @param {{ size?: number, alignment?: number }} [options] */
  constructor({ size = 64 * 1024, alignment = 8 } = {}) {
    if (!(Number.isInteger(Math.log2(alignment)) && alignment >= HEADER))
      throw new RangeError(`alignment ${alignment}: use a power of two of at least ${HEADER}`);
    this.memory = new Uint8Array(new ArrayBuffer(size));
    this.words = new DataView(this.memory.buffer);
    // The first header sits so that the first address (header + 8) is aligned.
    const start = roundUp(HEADER, alignment) - HEADER;
    const end = start + Math.floor((size - start) / alignment) * alignment;
    if (end - start < 2 * alignment) throw new RangeError(`size ${size}: too small for one block`);
    /** The region allocheck judges blocks against (invariants 2, 3, 10). */
    this.region = { start, end, alignment, blockOverhead: HEADER };
    /** The smallest block: a header and, once free, its link. */
    this.minBlock = roundUp(HEADER + 4, alignment);
    this.#setHeader(start, end - start, false);
    this.#setNext(start, NONE);
    this.freeHead = start;
  }

  /**
   * @param {number} n
   * @returns {number | null}
   */
  malloc(n) {
    this.#checkSize(n);
    const need = this.#blockSizeFor(n);
    if (need === undefined) return null;
    let previous = NONE;
    for (let block = this.freeHead; block !== NONE; block = this.#next(block)) {
      if (this.#size(block) >= need) {
        this.#unlink(previous, block);
        this.#setHeader(block, this.#size(block), true);
        this.#splitOff(block, need);
        return block + HEADER;
      }
      previous = block;
    }
    return null;
  }

  /** @param {number | null} p */
  free(p) {
    if (p === null) return;
    this.#release(this.#liveBlock(p, "free"));
  }

  /**
   * Grows or shrinks in place when it can (the next block is free and large enough), else moves
   * the block and keeps its first min(old size, n) bytes. null leaves the block as it was.
   * @param {number | null} p
   * @param {number} n
   * @returns {number | null}
   */
  realloc(p, n) {
    if (p === null) return this.malloc(n);
    this.#checkSize(n);
    const block = this.#liveBlock(p, "realloc");
    const need = this.#blockSizeFor(n);
    if (need === undefined) return null;
    const next = block + this.#size(block);
    if (this.#size(block) < need && next < this.region.end && !this.#used(next)) {
      if (this.#size(block) + this.#size(next) >= need) {
        this.#unlink(this.#freeBefore(next), next);
        this.#setHeader(block, this.#size(block) + this.#size(next), true);
      }
    }
    if (this.#size(block) >= need) {
      this.#splitOff(block, need);
      return p;
    }
    const q = this.malloc(n);
    if (q === null) return null;
    this.memory.copyWithin(q, p, p + Math.min(this.usableSize(p), n));
    this.#release(block);
    return q;
  }

  /**
   * @param {number} p
   * @returns {number}
   */
  usableSize(p) {
    return this.#size(this.#liveBlock(p, "usableSize")) - HEADER;
  }

  /**
   * The block's usable bytes, a live view (allocheck checks payload integrity through it).
   * @param {number} p
   * @returns {Uint8Array}
   */
  bytes(p) {
    return this.memory.subarray(p, p + this.usableSize(p));
  }

  /** Walks the heap and the free list; throws if they disagree (allocheck's invariant 12). */
  check() {
    const problems = [];
    const { start, end, alignment } = this.region;
    const free = new Set();
    let block = start;
    let previousFree = false;
    while (block < end) {
      const size = this.#size(block);
      if (size < this.minBlock || size % alignment !== 0 || block + size > end) {
        problems.push(`block ${block}: size ${size} is not a block size inside the region`);
        break;
      }
      if (!this.#used(block)) {
        if (previousFree) problems.push(`block ${block}: free beside a free block, not coalesced`);
        free.add(block);
      }
      previousFree = !this.#used(block);
      block += size;
    }
    let listed = 0;
    for (let b = this.freeHead, last = -1; b !== NONE; b = this.#next(b), listed++) {
      if (!free.has(b)) problems.push(`free list: ${b} is not a free block`);
      if (b <= last) problems.push(`free list: ${b} after ${last}, not in address order`);
      if (listed > free.size) break;
      last = b;
    }
    if (listed !== free.size)
      problems.push(`free list has ${listed} blocks, the heap ${free.size} free blocks`);
    if (problems.length > 0) throw new Error(`free-list check failed: ${problems.join("; ")}`);
  }

  // ── internals ─────────────────────────────────────────────────────────────────────────

  /** @param {number} n */
  #checkSize(n) {
    if (!(Number.isSafeInteger(n) && n >= 0))
      throw new FreeListError("bad-size", `${String(n)} is not a size in bytes`);
  }

  /**
   * The block size a request of n bytes needs, or undefined when no block of the region could be
   * that large (out of memory, before any arithmetic could overflow the 32-bit header).
   * @param {number} n
   */
  #blockSizeFor(n) {
    if (n > this.region.end - this.region.start) return undefined;
    return Math.max(roundUp(n + HEADER, this.region.alignment), this.minBlock);
  }

  /**
   * The header of the live block whose address p is; throws FreeListError for anything else.
   * @param {number} p
   * @param {string} use
   */
  #liveBlock(p, use) {
    if (Number.isSafeInteger(p)) {
      for (let block = this.region.start; block < this.region.end; block += this.#size(block)) {
        if (block + HEADER > p) break;
        if (block + HEADER !== p) continue;
        if (this.#used(block)) return block;
        throw use === "free"
          ? new FreeListError("double-free", `free(${p}): the block is already free`)
          : new FreeListError("use-after-free", `${use}(${p}): the block was freed`);
      }
    }
    throw new FreeListError("bad-pointer", `${use}(${String(p)}): not the address of a block`);
  }

  /**
   * Cuts a used block down to `need` bytes when the rest can be a block of its own, and frees the
   * rest.
   * @param {number} block
   * @param {number} need
   */
  #splitOff(block, need) {
    const rest = this.#size(block) - need;
    if (rest < this.minBlock) return;
    this.#setHeader(block, need, true);
    this.#setHeader(block + need, rest, true);
    this.#release(block + need);
  }

  /**
   * Marks a block free, links it in address order and merges it with free neighbours.
   * @param {number} block
   */
  #release(block) {
    this.#setHeader(block, this.#size(block), false);
    const previous = this.#freeBefore(block);
    const next = previous === NONE ? this.freeHead : this.#next(previous);
    this.#setNext(block, next);
    if (previous === NONE) this.freeHead = block;
    else this.#setNext(previous, block);
    if (next !== NONE && block + this.#size(block) === next) {
      this.#setHeader(block, this.#size(block) + this.#size(next), false);
      this.#setNext(block, this.#next(next));
    }
    if (previous !== NONE && previous + this.#size(previous) === block) {
      this.#setHeader(previous, this.#size(previous) + this.#size(block), false);
      this.#setNext(previous, this.#next(block));
    }
  }

  /**
   * The last free block below `block`, or NONE.
   * @param {number} block
   */
  #freeBefore(block) {
    let previous = NONE;
    for (let b = this.freeHead; b !== NONE && b < block; b = this.#next(b)) previous = b;
    return previous;
  }

  /**
   * Takes `block` out of the free list; `previous` is the free block before it, or NONE.
   * @param {number} previous
   * @param {number} block
   */
  #unlink(previous, block) {
    if (previous === NONE) this.freeHead = this.#next(block);
    else this.#setNext(previous, this.#next(block));
  }

  /** @param {number} block */
  #size(block) {
    return this.words.getUint32(block + SIZE, true);
  }

  /** @param {number} block */
  #used(block) {
    return this.words.getUint32(block + USED, true) === 1;
  }

  /** @param {number} block */
  #next(block) {
    return this.words.getUint32(block + NEXT, true);
  }

  /**
   * @param {number} block
   * @param {number} size
   * @param {boolean} used
   */
  #setHeader(block, size, used) {
    this.words.setUint32(block + SIZE, size, true);
    this.words.setUint32(block + USED, used ? 1 : 0, true);
  }

  /**
   * @param {number} block
   * @param {number} next
   */
  #setNext(block, next) {
    this.words.setUint32(block + NEXT, next, true);
  }
}

/**
 * The allocheck subject factory: a fresh 64 KiB heap for every run. allocheck passes the run's
 * pymalloc geometry, which a general allocator ignores. The default export, so the module also
 * serves `allocheck verify --adapter` and `allocheck replay FILE --adapter`.
 * @type {import("allocheck").SubjectFactory}
 */
export const freeListFactory = () => new FreeList({ size: 64 * 1024 });

export default freeListFactory;
