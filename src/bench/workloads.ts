/**
 * What `npm run bench` measures: the contenders and the cells (a workload at one size). Plain
 * data, shared by the parent process and the per-contender child processes.
 *
 * A contender is left out of a cell only when one run would take far too long or its API cannot
 * do the workload; `skipped` says which and why, and the report prints it.
 */

export const GEOMETRY = "cpython-3.12" as const;

export const CONTENDERS = [
  "bitmap",
  "reference",
  "mempool",
  "uint8array",
  "slot-loop",
  "sqlite-dlmalloc",
  "pyodide-mimalloc",
  "pyodide-dlmalloc",
] as const;
export type ContenderName = (typeof CONTENDERS)[number];

export const CONTENDER_LABELS: Readonly<Record<ContenderName, string>> = {
  bitmap: "bitmap",
  reference: "reference",
  mempool: "@thi.ng/malloc MemPool",
  uint8array: "new Uint8Array(n)",
  "slot-loop": "slot loop",
  "sqlite-dlmalloc": "dlmalloc (SQLite wasm)",
  "pyodide-mimalloc": "mimalloc (Pyodide wasm)",
  "pyodide-dlmalloc": "dlmalloc (Pyodide wasm)",
};

export type WorkloadKind = "churn" | "mixed" | "free-all" | "pinned" | "list" | "lists";

export interface Cell {
  readonly id: string;
  readonly kind: WorkloadKind;
  /** Live blocks (churn, mixed), blocks (free-all, pinned), items (list) or arrays (lists). */
  readonly n: number;
  /** Churn: the frees pick among only the first `hot` live blocks (the control cell); else n. */
  readonly hot: number;
  readonly title: string;
  readonly contenders: readonly ContenderName[];
  readonly skipped: readonly { readonly contender: ContenderName; readonly reason: string }[];
  /** The slot loop's one block size (every request of the cell must fit). */
  readonly slotSize: number;
  /** The MemPool's ArrayBuffer. */
  readonly memPoolBytes: number;
}

/** Request size of the seed patterns: a Python int of one digit (28 bytes, the 32-byte class). */
export const INT_SIZE = 28;
/** allocateThenPin keeps every KEEP_EVERY-th block. */
export const KEEP_EVERY = 1000;
/** The `lists` cell: each array grows to this many items (64 pointers = 512 bytes: small). */
export const SMALL_LIST_ITEMS = 64;
/** The mixed cells: this share of requests is uniform in T+1 … LARGE_MAX (the raw path). */
export const LARGE_SHARE = 0.1;
export const LARGE_MAX = 4096;

const pow = (n: number): string => `10^${Math.round(Math.log10(n))}`;

const REFERENCE_CHURN =
  "O(pools) per malloc (a scan, by design): at 10^6 live blocks filling the heap takes ~30 s and churn ~27 µs/op";
const MEMPOOL_CHURN =
  "free walks its used-block list, O(live): ~3.5 ms/op at 10^5 live blocks, and reaching a steady state would take hours";
const REFERENCE_SEED = "O(pools) per malloc: a million 28-byte blocks take ~11 s per run";
const MEMPOOL_PIN =
  "frees first to last: each free walks its used list from the newest block, O(live), 10^10 steps at 10^5 blocks";
const MEMPOOL_LISTS =
  "realloc walks its used list to find the block, O(live): ~110 µs per call with 10^4 arrays, 10 s per run";
/** The production allocators (wasm-heaps.ts) are measured on churn and the seed patterns. */
const WASM_ELSEWHERE = "issue 17 measures the production allocators on churn and the seed patterns";
const NOT_WASM = {
  "sqlite-dlmalloc": WASM_ELSEWHERE,
  "pyodide-mimalloc": WASM_ELSEWHERE,
  "pyodide-dlmalloc": WASM_ELSEWHERE,
};
const SLOT_LIST =
  "one fixed slot size: a growing array outgrows any slot (the other cells fit theirs)";

function cell(
  kind: WorkloadKind,
  n: number,
  title: string,
  skip: Partial<Record<ContenderName, string>>,
  slotSize = 512,
  hot = n,
): Cell {
  const skipped = CONTENDERS.filter((c) => skip[c] !== undefined).map((contender) => ({
    contender,
    reason: skip[contender]!,
  }));
  return {
    id: `${kind}-1e${Math.round(Math.log10(n))}${hot === n ? "" : `-hot1e${Math.round(Math.log10(hot))}`}`,
    kind,
    n,
    hot,
    title,
    contenders: CONTENDERS.filter((c) => skip[c] === undefined),
    skipped,
    slotSize,
    memPoolBytes: 256 * 2 ** 20,
  };
}

export function benchCells(): Cell[] {
  const cells: Cell[] = [];
  for (const n of [1e3, 1e4, 1e5, 1e6]) {
    cells.push(
      cell("churn", n, `churn, ${pow(n)} live`, {
        ...(n > 1e5 ? { reference: REFERENCE_CHURN } : {}),
        ...(n > 1e4 ? { mempool: MEMPOOL_CHURN } : {}),
      }),
    );
  }
  // The control: a 10^6-block heap whose churn touches only 10^3 of its blocks. Its cost against
  // the 10^3 cell's is the work that grows with the heap; the rest of the 10^6 cell's is memory.
  const control = "the control is about the bitmap allocator and the floor under it";
  cells.push(
    cell(
      "churn",
      1e6,
      "churn, 10^6 live, 10^3 of them churned (control)",
      { reference: control, mempool: control, uint8array: control, ...NOT_WASM },
      512,
      1e3,
    ),
  );
  for (const n of [1e4, 1e5]) {
    cells.push(
      cell(
        "mixed",
        n,
        `mixed (10% > 512 B), ${pow(n)} live`,
        { ...(n > 1e4 ? { mempool: MEMPOOL_CHURN } : {}), ...NOT_WASM },
        LARGE_MAX,
      ),
    );
  }
  for (const n of [1e5, 1e6]) {
    cells.push(
      cell(
        "free-all",
        n,
        `${pow(n)} allocated, all freed`,
        n > 1e5 ? { reference: REFERENCE_SEED } : {},
      ),
    );
  }
  for (const n of [1e5, 1e6]) {
    cells.push(
      cell("pinned", n, `${pow(n)} allocated, all but every 1000th freed`, {
        mempool: MEMPOOL_PIN,
        ...(n > 1e5 ? { reference: REFERENCE_SEED } : {}),
      }),
    );
  }
  cells.push(
    cell("list", 1e6, "one list grown to 10^6 items by realloc", {
      "slot-loop": SLOT_LIST,
      ...NOT_WASM,
    }),
  );
  cells.push(
    cell("lists", 1e4, `10^4 lists grown to ${SMALL_LIST_ITEMS} items side by side`, {
      mempool: MEMPOOL_LISTS,
      ...NOT_WASM,
    }),
  );
  return cells;
}
