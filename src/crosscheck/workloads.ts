/**
 * The cross-check workloads: data, run the same way by the probe (pymalloc_probe.py, on the real
 * pymalloc through ctypes) and by the model (predict.ts). Each is a list of phases; stats are
 * compared after every phase. Operations act on a table of pointer slots:
 *
 *   malloc        slots[slot … slot+count) = malloc(size)
 *   malloc-cycle  slots[slot + i] = malloc(sizes[i mod len]) for i < count
 *   free          free(slots[i]) for i in range(start, stop, step); the slot becomes NULL
 *                 (freeing a NULL slot is free(NULL): nothing)
 *   realloc       slots[i] = realloc(slots[i], size) for i in range(start, stop, step)
 *   script        [1, slot, size]: malloc into the slot; [0, slot, 0]: free the slot
 *
 * Sizes stay in classes 6 and up (112 bytes and more): the interpreter's own short-lived objects
 * during a ctypes call (a 32-byte int result, a 64-byte argument object) are in classes 1 and 3,
 * and must not share pools with the workload.
 */
import { mulberry32 } from "../core/random.ts";

export type WorkloadOp =
  | { readonly op: "malloc"; readonly size: number; readonly slot: number; readonly count: number }
  | {
      readonly op: "malloc-cycle";
      readonly sizes: readonly number[];
      readonly slot: number;
      readonly count: number;
    }
  | { readonly op: "free"; readonly start: number; readonly stop: number; readonly step: number }
  | {
      readonly op: "realloc";
      readonly start: number;
      readonly stop: number;
      readonly step: number;
      readonly size: number;
    }
  | { readonly op: "script"; readonly steps: readonly (readonly [0 | 1, number, number])[] };

export interface WorkloadPhase {
  /** ASCII only: it is written as a marker into the C stderr. */
  readonly name: string;
  readonly ops: readonly WorkloadOp[];
}

export interface Workload {
  readonly name: string;
  readonly description: string;
  /** Size of the pointer table. */
  readonly slots: number;
  readonly phases: readonly WorkloadPhase[];
}

const malloc = (size: number, count: number, slot = 0): WorkloadOp => ({
  op: "malloc",
  size,
  slot,
  count,
});
const free = (start: number, stop: number, step = 1): WorkloadOp => ({
  op: "free",
  start,
  stop,
  step,
});
const realloc = (start: number, stop: number, size: number): WorkloadOp => ({
  op: "realloc",
  start,
  stop,
  step: 1,
  size,
});

/** Frees every slot in [0, n) except every k-th (slots 0, k, 2k, … stay). */
const freeAllButEvery = (n: number, k: number): WorkloadOp[] =>
  Array.from({ length: k - 1 }, (_, r) => free(r + 1, n, k));

/** A seeded malloc/free script over `slots` slots: a live slot is freed, an empty one filled. */
function churnScript(
  seed: number,
  slots: number,
  steps: number,
  sizes: readonly number[],
): [0 | 1, number, number][] {
  const random = mulberry32(seed);
  const live = new Uint8Array(slots);
  const script: [0 | 1, number, number][] = [];
  for (let i = 0; i < steps; i++) {
    const slot = Math.floor(random() * slots);
    if (live[slot] === 1) {
      script.push([0, slot, 0]);
      live[slot] = 0;
    } else {
      script.push([1, slot, sizes[Math.floor(random() * sizes.length)]!]);
      live[slot] = 1;
    }
  }
  return script;
}

const CHURN_SIZES = [112, 130, 160, 200, 240, 250, 300, 330, 400, 470, 500, 512];

export const WORKLOADS: readonly Workload[] = [
  {
    name: "bursts",
    description: "a burst per class: 3,000 × 176 B, 2,000 × 304 B, 1,200 × 432 B, 2,500 × 160 B",
    slots: 8700,
    phases: [
      { name: "3000 x 176", ops: [malloc(176, 3000, 0)] },
      { name: "2000 x 304", ops: [malloc(304, 2000, 3000)] },
      { name: "1200 x 432", ops: [malloc(432, 1200, 5000)] },
      { name: "2500 x 160", ops: [malloc(160, 2500, 6200)] },
    ],
  },
  {
    name: "free-all",
    description:
      "5,000 × 208 B and 3,000 × 368 B, freed in allocation order; again, freed in reverse order",
    slots: 8000,
    phases: [
      { name: "allocate", ops: [malloc(208, 5000, 0), malloc(368, 3000, 5000)] },
      { name: "free all in order", ops: [free(0, 8000)] },
      { name: "allocate again", ops: [malloc(208, 5000, 0), malloc(368, 3000, 5000)] },
      { name: "free all in reverse", ops: [free(7999, -1, -1)] },
    ],
  },
  {
    name: "free-every-kth",
    description:
      "9,000 × 240 B; free every 3rd; 2,000 more (reusing freed blocks, LIFO); free all but every 50th; free the rest",
    slots: 11000,
    phases: [
      { name: "9000 x 240", ops: [malloc(240, 9000, 0)] },
      { name: "free every 3rd", ops: [free(0, 9000, 3)] },
      { name: "2000 x 240 more", ops: [malloc(240, 2000, 9000)] },
      { name: "free all but every 50th", ops: freeAllButEvery(11000, 50) },
      { name: "free the rest", ops: [free(0, 11000)] },
    ],
  },
  {
    name: "interleaved",
    description:
      "12,000 blocks cycling 144/272/400/496 B; free every 3rd; 6,000 cycling 176/144/400 B; free all",
    slots: 18000,
    phases: [
      {
        name: "cycle 144 272 400 496",
        ops: [{ op: "malloc-cycle", sizes: [144, 272, 400, 496], slot: 0, count: 12000 }],
      },
      { name: "free every 3rd", ops: [free(0, 12000, 3)] },
      {
        name: "cycle 176 144 400",
        ops: [{ op: "malloc-cycle", sizes: [176, 144, 400], slot: 12000, count: 6000 }],
      },
      { name: "free all", ops: [free(0, 18000)] },
    ],
  },
  {
    name: "realloc-growth",
    description:
      "5,000 × 100 B grown by realloc to 112 (in place), 200, 300, 500 (moved), shrunk to 400 (in place) and 200 (moved), grown to 1000 (raw); free all",
    slots: 5000,
    phases: [
      { name: "5000 x 100", ops: [malloc(100, 5000)] },
      { name: "realloc to 112", ops: [realloc(0, 5000, 112)] },
      { name: "realloc to 200", ops: [realloc(0, 5000, 200)] },
      { name: "realloc to 300", ops: [realloc(0, 5000, 300)] },
      { name: "realloc to 500", ops: [realloc(0, 5000, 500)] },
      { name: "realloc to 400", ops: [realloc(0, 5000, 400)] },
      { name: "realloc to 200 again", ops: [realloc(0, 5000, 200)] },
      { name: "realloc to 1000", ops: [realloc(0, 5000, 1000)] },
      { name: "free all", ops: [free(0, 5000)] },
    ],
  },
  {
    name: "20000x496",
    description: "20,000 blocks of 496 bytes, then free all",
    slots: 20000,
    phases: [
      { name: "20000 x 496", ops: [malloc(496, 20000)] },
      { name: "free all", ops: [free(0, 20000)] },
    ],
  },
  {
    name: "release-order",
    description:
      "7,000 × 464 B (four arenas); free the second third, then the first, then the rest: which emptied arena is kept",
    slots: 7000,
    phases: [
      { name: "7000 x 464", ops: [malloc(464, 7000)] },
      { name: "free 2205..4410", ops: [free(2205, 4410)] },
      { name: "free 0..2205", ops: [free(0, 2205)] },
      { name: "free the rest", ops: [free(4410, 7000)] },
    ],
  },
  (() => {
    const steps = churnScript(8, 3000, 60000, CHURN_SIZES);
    return {
      name: "churn",
      description:
        "a seeded script of 60,000 mallocs and frees over 3,000 slots, sizes 112 … 512 B; then free all",
      slots: 3000,
      phases: [
        { name: "churn 1 of 2", ops: [{ op: "script", steps: steps.slice(0, 30000) }] },
        { name: "churn 2 of 2", ops: [{ op: "script", steps: steps.slice(30000) }] },
        { name: "free all", ops: [free(0, 3000)] },
      ],
    } satisfies Workload;
  })(),
];

export function workloadByName(name: string): Workload | undefined {
  return WORKLOADS.find((w) => w.name === name);
}

/** Every request size the workload makes (malloc and realloc). */
export function workloadSizes(workload: Workload): number[] {
  const sizes = new Set<number>();
  for (const phase of workload.phases) {
    for (const op of phase.ops) {
      if (op.op === "malloc" || op.op === "realloc") sizes.add(op.size);
      else if (op.op === "malloc-cycle") op.sizes.forEach((n) => sizes.add(n));
      else if (op.op === "script") op.steps.forEach(([k, , n]) => k === 1 && sizes.add(n));
    }
  }
  return [...sizes].sort((a, b) => a - b);
}
