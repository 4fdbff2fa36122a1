/**
 * One contender on one cell, inside that contender's child process: `prepareTrial` builds the
 * heap and the inputs (and, for churn, fills the live set, warms up and calibrates), then each
 * `run()` is one timed repetition. Only the loops of churn.ts, patterns.ts and plain-arrays.ts
 * are timed; fresh heaps and inputs are made outside.
 *
 * Time is the process's CPU time with the wall clock beside it (timing.ts says why).
 */
import { MemPool } from "@thi.ng/malloc";
import type { Allocator } from "../core/allocator.ts";
import { BitmapAllocator } from "../allocators/bitmap/bitmap-allocator.ts";
import { createAllocator } from "../allocators/create-allocator.ts";
import { geometries } from "../core/geometry.ts";
import { Churn, type NumericHeap } from "./churn.ts";
import { bitmapMetadataBytes } from "./metadata-bytes.ts";
import {
  allocateThenFreeAll,
  allocateThenPin,
  growList,
  growLists,
  listArraySizes,
} from "./patterns.ts";
import {
  collectGarbage,
  PlainChurn,
  plainAllocateThenFreeAll,
  plainAllocateThenPin,
  plainGrowList,
  plainGrowLists,
} from "./plain-arrays.ts";
import { randomStreams, type RandomStreams } from "./random-streams.ts";
import { SlotAllocator } from "./slot-allocator.ts";
import { freshWasmHeap } from "./wasm-heaps.ts";
import { cpuNow, settle, timed, warmUp, type Elapsed } from "./timing.ts";
import {
  GEOMETRY,
  INT_SIZE,
  KEEP_EVERY,
  LARGE_MAX,
  LARGE_SHARE,
  SMALL_LIST_ITEMS,
  type Cell,
  type ContenderName,
} from "./workloads.ts";

export interface Trial {
  /** Allocator calls per run (churn: a free and a malloc per step). */
  readonly ops: number;
  /** One timed repetition. */
  run(): Elapsed;
  /** After the last run: the heap's own check(), where it has one (untimed). */
  finish(): void;
  /** Churn of the bitmap allocator: its arenas and typed-array metadata after the warm-up. */
  readonly heap?: { readonly arenas: number; readonly metadataBytes: number };
}

/** Churn runs last about this long (CPU time). */
const CHURN_RUN_MS = 100;
/** Pattern warm-up: at least this long and two runs. */
const PATTERN_WARM_UP_MS = 300;
const SEED = 0xbe7c4;

function numericHeap(contender: ContenderName, cell: Cell): NumericHeap {
  switch (contender) {
    case "bitmap":
    case "reference":
      return createAllocator(contender, GEOMETRY);
    case "mempool":
      return new MemPool({ size: cell.memPoolBytes });
    case "slot-loop":
      return new SlotAllocator(cell.slotSize);
    case "sqlite-dlmalloc":
    case "pyodide-mimalloc":
    case "pyodide-dlmalloc":
      return freshWasmHeap(contender);
    case "uint8array":
      throw new Error("unreachable: plain arrays have no numeric heap");
  }
}

function checkHeap(heap: NumericHeap | undefined): void {
  if (heap !== undefined && "check" in heap) (heap as Allocator).check();
}

export function streamsFor(cell: Cell): RandomStreams {
  const T = geometries[GEOMETRY].smallThreshold;
  return randomStreams(
    SEED + cell.n,
    T,
    cell.hot,
    cell.kind === "mixed" ? { share: LARGE_SHARE, max: LARGE_MAX } : undefined,
  );
}

function churnTrial(contender: ContenderName, cell: Cell): Trial {
  const streams = streamsFor(cell);
  if (contender === "uint8array") {
    const churn = new PlainChurn(cell.n, streams);
    churn.fill();
    const steps = Math.max(
      64,
      Math.round((CHURN_RUN_MS * 1e6) / warmUp(cell.n, (count) => churn.steps(count))),
    );
    const run = (): Elapsed => {
      settle();
      return timed(() => churn.steps(steps));
    };
    return { ops: 2 * steps, run, finish: () => undefined };
  }
  const heap = numericHeap(contender, cell);
  const churn = new Churn(heap, cell.n, streams);
  churn.fill();
  const steps = Math.max(
    64,
    Math.round((CHURN_RUN_MS * 1e6) / warmUp(cell.n, (count) => churn.steps(count))),
  );
  const trial: Trial = {
    ops: 2 * steps,
    run: () => timed(() => churn.steps(steps)),
    finish: () => checkHeap(heap),
  };
  if (!(heap instanceof BitmapAllocator)) return trial;
  return {
    ...trial,
    heap: { arenas: heap.stats().arenas.current, metadataBytes: bitmapMetadataBytes(heap) },
  };
}

/**
 * A seed pattern: every run on a fresh heap, the pattern timed as a whole. The fresh heap is made
 * and the previous one collected before the clock starts (a full gc(), then the GC's helper
 * threads settle), so neither lands in the timed run.
 */
function patternTrial(contender: ContenderName, cell: Cell): Trial {
  const geometry = geometries[GEOMETRY];
  const listSizes = listArraySizes(geometry, cell.kind === "list" ? cell.n : SMALL_LIST_ITEMS);
  const blocks = new Float64Array(cell.n);
  const plainBlocks = new Array<Uint8Array | undefined>(cell.n).fill(undefined);
  let heap: NumericHeap | undefined;
  let ops = 0;
  const numeric = (h: NumericHeap): number => {
    switch (cell.kind) {
      case "free-all":
        return allocateThenFreeAll(h, blocks, INT_SIZE);
      case "pinned":
        return allocateThenPin(h, blocks, INT_SIZE, KEEP_EVERY);
      case "list":
        return growList(h, listSizes);
      default:
        return growLists(h, blocks, listSizes);
    }
  };
  const plain = (): number => {
    switch (cell.kind) {
      case "free-all":
        return plainAllocateThenFreeAll(plainBlocks, INT_SIZE);
      case "pinned":
        return plainAllocateThenPin(plainBlocks, INT_SIZE, KEEP_EVERY);
      case "list":
        return plainGrowList(listSizes);
      default:
        return plainGrowLists(plainBlocks, listSizes);
    }
  };
  const run = (): Elapsed => {
    heap = undefined; // the previous run's heap is garbage now
    const h = contender === "uint8array" ? undefined : numericHeap(contender, cell);
    collectGarbage();
    settle();
    const elapsed = timed(() => {
      ops = h === undefined ? plain() : numeric(h);
    });
    heap = h;
    return elapsed;
  };
  // Warm-up runs (which also count the calls).
  const started = cpuNow();
  for (let runs = 0; runs < 2 || cpuNow() - started < PATTERN_WARM_UP_MS * 1e6; runs++) run();
  return {
    get ops() {
      return ops;
    },
    run,
    finish: () => checkHeap(heap),
  };
}

export function prepareTrial(contender: ContenderName, cell: Cell): Trial {
  return cell.kind === "churn" || cell.kind === "mixed"
    ? churnTrial(contender, cell)
    : patternTrial(contender, cell);
}
