/**
 * The seeded-bug catalogue (spec/audit.md §1): allocators with exactly one bug each, of the bug
 * classes of spec/references.md §1, each citing the real bug it imitates (or saying
 * honestly that spec/references.md names only the class). The kill matrix
 * (properties/tests/kill-matrix.test.ts, and `npm run audit` for the full matrix) runs the ci
 * profile's properties against every entry; every one must be killed.
 *
 * `families`: the geometry families in which the bug's trigger exists at all (e.g. a pool of one
 * block, an arena that is not pool-aligned, a pool of more than 32 blocks); the gate looks for a
 * kill only there, the full matrix in every family. `suspects`: the properties the gate tries
 * first (the ones the bug class is about); it then tries the rest, in PROPERTIES order.
 */
import { AddressSpace } from "../../../src/core/address-space.ts";
import type { Allocator } from "../../../src/core/allocator.ts";
import type { Geometry } from "../../../src/core/geometry.ts";
import type { GeometryFamily } from "../../generators/geometry.ts";
import * as arenas from "./bitmap-arenas.ts";
import * as free from "./bitmap-free.ts";
import * as placement from "./bitmap-placement.ts";
import * as realloc from "./bitmap-realloc.ts";
import * as reference from "./reference.ts";

/** The bug classes of the issue (spec/references.md §1 names the real-world ones). */
export const BUG_CLASSES = [
  "block handed out twice",
  "misalignment",
  "off-by-one size class",
  "wrong class on free",
  "undetected double free",
  "interior pointer accepted",
  "bitmap/count desync",
  "leaked pool",
  "premature arena release",
  "missing arena release",
  "wrong empty-arena rule",
  "realloc loses data / frees on failure",
  "stats drift",
  "spurious out of memory",
  "wrong block choice",
  "raw/small path mix-up",
] as const;

export type BugClass = (typeof BUG_CLASSES)[number];

export interface SeededBug {
  /** "bitmap/taken-pool-stays-empty": allocator, then the mistake. */
  readonly id: string;
  readonly allocator: "bitmap" | "reference";
  readonly bugClass: BugClass;
  /** The mistake, in one line. */
  readonly mistake: string;
  /** The real-world bug it imitates, with its source. */
  readonly imitates: string;
  /** The file (under properties/audit/seeded-bugs/) and class. */
  readonly where: string;
  readonly families: readonly GeometryFamily[];
  readonly suspects: readonly string[];
  readonly make: (geometry: Geometry) => Allocator;
}

type Ctor = new (geometry: Geometry, space: AddressSpace) => Allocator;
const ALL: readonly GeometryFamily[] = ["tiny", "wide", "presets"];

function bug(
  file: string,
  Class: Ctor,
  entry: Omit<SeededBug, "make" | "where" | "families"> & { families?: readonly GeometryFamily[] },
): SeededBug {
  return {
    ...entry,
    families: entry.families ?? ALL,
    where: `${file}: ${Class.name}`,
    make: (g) => new Class(g, new AddressSpace(g)),
  };
}

// Sources, as spec/references.md §1 (and spec/cpython-facts.md for CPython) give them.
const ASTERIUS_215 =
  "tweag/asterius #215: the mega-block allocator could hand out the same block twice (https://github.com/tweag/asterius/issues/215); taichi #8705: the first two allocations were duplicates (https://github.com/taichi-dev/taichi/pull/8705)";
const MIMALLOC_ALIGN =
  "mimalloc #206: mi_malloc_aligned(8,16) returned 8-aligned pointers (https://github.com/microsoft/mimalloc/issues/206); #700, a size-vs-word-size constant mix-up (https://github.com/microsoft/mimalloc/issues/700)";
const BPO_27987 =
  "CPython bpo-27987 (GH-12850): pymalloc aligned to 8 bytes on 64-bit until 3.8, where the ABI promises 16 (spec/cpython-facts.md §1, §9)";
const TLSF_INDEX =
  "VulkanMemoryAllocator #231: TLSF list index computed ≥ the list count (https://github.com/GPUOpen-LibrariesAndSDKs/VulkanMemoryAllocator/issues/231); mimalloc #700 at a class boundary";
const SIZED_FREE =
  "Srekel/the-debuginator #9: alloc checked num_bytes, free marked the full element size (https://github.com/Srekel/the-debuginator/pull/9); hardened_malloc checks sized-delete sizes for this reason (spec/references.md §1)";
const DOUBLE_FREE =
  "DieHard #12: a double free of large chunks returned the same address to two owners (https://github.com/emeryberger/DieHard/issues/12); glibc's tcache first had no double-free check (https://kallus.org/blog_tcache_key.html)";
const FOREIGN_POINTER =
  "unified-memory-framework #1161: freeing a pointer that belongs to another pool (https://github.com/oneapi-src/unified-memory-framework/pull/1161); CPython's address_in_range had to decide ownership by reading memory (spec/cpython-facts.md §5.1)";
const DESYNC =
  "FreeRTOS-Amiga #14: splitting a free block did not update its size (https://github.com/cahirwpz/FreeRTOS-Amiga/pull/14); VulkanMemoryAllocator #230: a TLSF free list held an invalid next (https://github.com/GPUOpen-LibrariesAndSDKs/VulkanMemoryAllocator/issues/230)";
const LOST_MEMORY =
  "linked_list_allocator #66: padding too small to be a hole was lost on every free until the heap was exhausted (https://github.com/rust-osdev/linked-list-allocator/issues/66); ocaml-multicore #268: space leaks caught by stat asserts (https://github.com/ocaml-multicore/ocaml-multicore/pull/268)";
const PREMATURE =
  "OpenModelica #307: resetting a pool's used counter discarded live allocations (https://github.com/OpenModelica/OpenModelica/pull/307); Genode #4334: use-after-free inside Heap::free() (https://github.com/genodelabs/genode/issues/4334)";
const NTOTALPOOLS =
  "CPython frees an arena when nfreepools == ntotalpools, which is 64 or 63 when the arena is not pool-aligned (obmalloc.c new_arena's excess; spec/cpython-facts.md §4, §5.3)";
const MISSING_RELEASE =
  "class from spec/references.md §1 (pool/arena leak): CPython before 2.5 never freed arenas (spec/cpython-facts.md §5.1)";
const BPO_37257 =
  "CPython bpo-37257 (3.9): keep one wholly empty arena, the last in usable_arenas; 3.8 frees every one (spec/cpython-facts.md §5.3, §9)";
const UMM_11 =
  "umm_malloc #11: realloc freed the old block even when the new allocation failed (https://github.com/rhempel/umm_malloc/issues/11)";
const REALLOC_DATA =
  "class from spec/references.md §1 (realloc semantics: llvm-mos-sdk #314's realloc returned an overlapping region, https://github.com/llvm-mos/llvm-mos-sdk/issues/314); no known example of a lost copy";
const STATS =
  "class from spec/references.md §1 (metadata desync); ocaml-multicore #268 found its leaks through stat asserts (https://github.com/ocaml-multicore/ocaml-multicore/pull/268)";
const TLSF_REALLOC =
  "espressif/tlsf #2 and sysprog21/tlsf-bsd #4: a freed block sat in the wrong list, so the same size could not be allocated again (https://github.com/espressif/tlsf/pull/2)";
const BLOCK_CHOICE =
  "class from spec/references.md §1 (the policy is specified: lowest free block); no known real example. ctz vs clz: the Go runtime's allocCache and MDN Math.clz32 (spec/references.md §2)";
const RAW_BOUNDARY =
  "class from spec/references.md §1 (size-class boundary, as mimalloc #700); CPython routes by `nbytes - 1 < SMALL_REQUEST_THRESHOLD` (spec/cpython-facts.md §2, §6)";
const RAW_REALLOC =
  "CPython: a raw block never migrates into pymalloc on realloc, even when n <= 512; obmalloc.c's comment cites bug 1185883 (spec/cpython-facts.md §6)";

export const SEEDED_BUGS: readonly SeededBug[] = [
  bug("bitmap-placement.ts", placement.TakenPoolStaysEmpty, {
    id: "bitmap/taken-pool-stays-empty",
    allocator: "bitmap",
    bugClass: "block handed out twice",
    mistake:
      "removeEmptyPool does not delete the pool it takes from the empty-pool set; the next class gets the same pool",
    imitates: ASTERIUS_215,
    suspects: ["I01-disjoint", "I12-self-check"],
  }),
  bug("bitmap-placement.ts", placement.ClzForCtz, {
    id: "bitmap/clz-for-ctz",
    allocator: "bitmap",
    bugClass: "block handed out twice",
    mistake:
      "a one-level pool returns 31 − clz32(word) (the highest free block) but clears the lowest bit",
    imitates: ASTERIUS_215,
    suspects: ["I01-disjoint", "I11-equivalence"],
  }),
  bug("bitmap-placement.ts", placement.EightByteQuantum, {
    id: "bitmap/eight-byte-quantum",
    allocator: "bitmap",
    bugClass: "misalignment",
    mistake:
      "block k sits at H + k·((c + 1) << 3): the size quantum of ALIGNMENT_SHIFT 3, not the geometry's A",
    imitates: `${BPO_27987}; ${MIMALLOC_ALIGN}`,
    suspects: ["I03-aligned", "I01-disjoint"],
  }),
  bug("bitmap-placement.ts", placement.PoolsNotRoundedUp, {
    id: "bitmap/pools-not-rounded-up",
    allocator: "bitmap",
    bugClass: "misalignment",
    mistake:
      "an arena that is not pool-aligned does not skip its excess: pool i at arenaStart + i·P instead of the next pool boundary",
    imitates: `${MIMALLOC_ALIGN}; CPython's new_arena rounds the first pool up (excess = address & POOL_SIZE_MASK; spec/cpython-facts.md §4)`,
    suspects: ["I03-aligned", "I02-contained"],
  }),
  bug("bitmap-placement.ts", placement.ClassOffByOne, {
    id: "bitmap/class-off-by-one",
    allocator: "bitmap",
    bugClass: "off-by-one size class",
    mistake:
      "class = n >> log2 A instead of (n − 1) >> log2 A: a request of k·A bytes gets class k, and T gets no class",
    imitates: TLSF_INDEX,
    suspects: ["I04-sized", "I11-equivalence"],
  }),
  bug("bitmap-free.ts", free.ClassFromRequestedSize, {
    id: "bitmap/class-from-requested-size",
    allocator: "bitmap",
    bugClass: "wrong class on free",
    mistake:
      "free takes the class of the size the block asked for, not its pool's class (differs after an in-place shrinking realloc)",
    imitates: SIZED_FREE,
    suspects: ["I07-accounting", "I11-equivalence", "I12-self-check"],
  }),
  bug("bitmap-free.ts", free.NoFreeBitTest, {
    id: "bitmap/no-free-bit-test",
    allocator: "bitmap",
    bugClass: "undetected double free",
    mistake:
      "liveBlockAt does not test the block's free bit, so a freed block of a used pool counts as live",
    imitates: DOUBLE_FREE,
    suspects: ["I09-misuse-rejected"],
  }),
  bug("bitmap-free.ts", free.ContainingBlock, {
    id: "bitmap/containing-block",
    allocator: "bitmap",
    bugClass: "interior pointer accepted",
    mistake:
      "liveBlockAt rounds the offset down to a block and never confirms k·size = offset: a pointer inside a block finds it",
    imitates: FOREIGN_POINTER,
    suspects: ["I09-misuse-rejected"],
  }),
  bug("bitmap-free.ts", free.SummaryNotSetOnFree, {
    id: "bitmap/summary-not-set-on-free",
    allocator: "bitmap",
    bugClass: "bitmap/count desync",
    mistake:
      "the two-level release sets the block's bit but not the summary bit of a word that was full",
    imitates: DESYNC,
    suspects: ["I12-self-check", "I11-equivalence", "I05-reuse-before-growth"],
  }),
  bug("bitmap-free.ts", free.EmptiedPoolStaysPartly, {
    id: "bitmap/emptied-pool-stays-partly",
    allocator: "bitmap",
    bugClass: "leaked pool",
    mistake:
      'free tests "was full" before "is empty": an emptied pool of one block goes back to its class, never to its arena',
    imitates: LOST_MEMORY,
    families: ["tiny", "wide"], // no preset has a pool of one block
    suspects: ["I06-arena-release", "I07-accounting", "I12-self-check"],
  }),
  bug("bitmap-arenas.ts", arenas.EmptyAtOnePoolLess, {
    id: "bitmap/empty-at-one-pool-less",
    allocator: "bitmap",
    bugClass: "premature arena release",
    mistake:
      "an arena counts as wholly empty at R/P − 1 empty pools: a pool-aligned arena is released with a pool in use",
    imitates: `${PREMATURE}; ${NTOTALPOOLS}`,
    suspects: ["I06-arena-release", "I02-contained"],
  }),
  bug("bitmap-arenas.ts", arenas.EmptyAtAllPoolsOfAnAlignedArena, {
    id: "bitmap/empty-at-all-pools-of-an-aligned-arena",
    allocator: "bitmap",
    bugClass: "missing arena release",
    mistake:
      "an arena counts as wholly empty at R/P empty pools: an arena that is not pool-aligned (R/P − 1 pools) is never released",
    imitates: `${MISSING_RELEASE}; ${NTOTALPOOLS}`,
    suspects: ["I06-arena-release", "I07-accounting"],
  }),
  bug("bitmap-arenas.ts", arenas.AlwaysKeepsOneEmptyArena, {
    id: "bitmap/always-keeps-one-empty-arena",
    allocator: "bitmap",
    bugClass: "wrong empty-arena rule",
    mistake:
      "the empty-arena rule ignores keepEmptyArena (3.9's rule hard-coded): the 3.8 geometries keep an empty arena",
    imitates: BPO_37257,
    suspects: ["I06-arena-release"],
  }),
  bug("bitmap-arenas.ts", arenas.EmptyArenaCountNotLowered, {
    id: "bitmap/empty-arena-count-not-lowered",
    allocator: "bitmap",
    bugClass: "wrong empty-arena rule",
    mistake:
      "taking a pool from a wholly empty arena does not lower the wholly-empty count; the rule then releases the arena it should keep",
    imitates: BPO_37257,
    suspects: ["I06-arena-release", "I12-self-check"],
  }),
  bug("bitmap-realloc.ts", realloc.CopyWithinLength, {
    id: "bitmap/copy-within-length",
    allocator: "bitmap",
    bugClass: "realloc loses data / frees on failure",
    mistake:
      "realloc's copy within one arena passes a length where copyWithin takes an end: nothing is copied",
    imitates: REALLOC_DATA,
    suspects: ["I08-payload-integrity"],
  }),
  bug("bitmap-realloc.ts", realloc.FreesOldBlockOnFailure, {
    id: "bitmap/frees-old-block-on-failure",
    allocator: "bitmap",
    bugClass: "realloc loses data / frees on failure",
    mistake: "when the new block cannot be allocated, realloc frees the old one and returns null",
    imitates: UMM_11,
    suspects: ["I10-no-spurious-oom", "I08-payload-integrity"],
  }),
  bug("bitmap-realloc.ts", realloc.InPlaceReallocNotCounted, {
    id: "bitmap/in-place-realloc-not-counted",
    allocator: "bitmap",
    bugClass: "stats drift",
    mistake:
      "an in-place realloc updates the block's requested size but not the requested-bytes total",
    imitates: STATS,
    suspects: ["I07-accounting", "I12-self-check"],
  }),
  bug("bitmap-free.ts", free.FullPoolNotReturned, {
    id: "bitmap/full-pool-not-returned",
    allocator: "bitmap",
    bugClass: "spurious out of memory",
    mistake:
      "free compares the new live count with blocksPerPool instead of blocksPerPool − 1: a full pool that gets a block back stays invisible",
    imitates: TLSF_REALLOC,
    suspects: ["I05-reuse-before-growth", "I10-no-spurious-oom"],
  }),
  bug("bitmap-placement.ts", placement.HighestFreeBlock, {
    id: "bitmap/highest-free-block",
    allocator: "bitmap",
    bugClass: "wrong block choice",
    mistake:
      "a one-level pool hands out its highest free block (31 − clz32) instead of its lowest (ctz32)",
    imitates: BLOCK_CHOICE,
    suspects: ["I11-equivalence"],
  }),
  bug("bitmap-placement.ts", placement.ThresholdGoesRaw, {
    id: "bitmap/threshold-goes-raw",
    allocator: "bitmap",
    bugClass: "raw/small path mix-up",
    mistake:
      "malloc takes the raw path for n >= T instead of n > T: a request of exactly T bytes is raw",
    imitates: RAW_BOUNDARY,
    suspects: ["I04-sized", "I11-equivalence"],
  }),
  bug("bitmap-realloc.ts", realloc.RawBlockMovesIntoPool, {
    id: "bitmap/raw-block-moves-into-pool",
    allocator: "bitmap",
    bugClass: "raw/small path mix-up",
    mistake: "realloc of a raw block to a small size allocates it in a pool (raw blocks stay raw)",
    imitates: RAW_REALLOC,
    suspects: ["I04-sized", "I11-equivalence"],
  }),
  bug("reference.ts", reference.ReferenceFreesOnFailedRealloc, {
    id: "reference/frees-on-failed-realloc",
    allocator: "reference",
    bugClass: "realloc loses data / frees on failure",
    mistake:
      "when the new block cannot be allocated, realloc releases the old one and returns null",
    imitates: UMM_11,
    suspects: ["I10-no-spurious-oom", "I08-payload-integrity"],
  }),
  bug("reference.ts", reference.ReferenceInPlaceNotCounted, {
    id: "reference/in-place-not-counted",
    allocator: "reference",
    bugClass: "stats drift",
    mistake:
      "an in-place realloc changes the block's requested size but not the requested-bytes total",
    imitates: STATS,
    suspects: ["I07-accounting", "I12-self-check"],
  }),
  bug("reference.ts", reference.ReferenceCountsItselfAsOtherEmptyArena, {
    id: "reference/counts-itself-as-other-empty-arena",
    allocator: "reference",
    bugClass: "wrong empty-arena rule",
    mistake:
      'the rule\'s "another wholly empty arena" test forgets `other !== arena`: no arena is ever kept',
    imitates: BPO_37257,
    suspects: ["I06-arena-release"],
  }),
  bug("reference.ts", reference.ReferenceLastBlockNeverUsed, {
    id: "reference/last-block-never-used",
    allocator: "reference",
    bugClass: "spurious out of memory",
    mistake:
      "a pool counts as partly used only while live < blocksPerPool − 1: its last block is never handed out",
    imitates: TLSF_REALLOC,
    suspects: ["I05-reuse-before-growth", "I10-no-spurious-oom"],
  }),
  bug("reference.ts", reference.ReferenceContainingBlock, {
    id: "reference/containing-block",
    allocator: "reference",
    bugClass: "interior pointer accepted",
    mistake: "liveBlockAt matches the block that contains p instead of the block that starts at p",
    imitates: FOREIGN_POINTER,
    suspects: ["I09-misuse-rejected"],
  }),
];
