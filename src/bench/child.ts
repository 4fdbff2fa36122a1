/**
 * A child process of `npm run bench`: it measures one contender only, so every call site in the
 * timed loops sees one heap class (monomorphic), whatever the other contenders are. The parent
 * sends one request at a time and waits for the answer (runner.ts), so the children never run
 * concurrently and their repetitions interleave.
 *
 *   → { prepare: cell }   ← { ops, heap? }      build the heap, fill, warm up, calibrate
 *   → { run: true }       ← { cpuNs, wallNs, ops }   one timed repetition
 *   → { finish: true }    ← { done: true }      the heap's check(), then drop the trial
 */
import type { Elapsed } from "./timing.ts";
import { prepareTrial, type Trial } from "./trials.ts";
import { isWasmContender, loadWasmHeap } from "./wasm-heaps.ts";
import { CONTENDERS, type Cell, type ContenderName } from "./workloads.ts";

export type ChildRequest =
  { readonly prepare: Cell } | { readonly run: true } | { readonly finish: true };
export type Prepared = Pick<Trial, "ops" | "heap">;
export type ChildAnswer =
  | Prepared
  | (Elapsed & { readonly ops: number })
  | { readonly done: true }
  | { readonly error: string };

const contender = process.argv[2] as ContenderName;
if (!CONTENDERS.includes(contender)) throw new Error(`bench child: unknown contender ${contender}`);
/** A production allocator's runtime loads once, before the first request is answered. */
const ready = isWasmContender(contender) ? loadWasmHeap(contender) : Promise.resolve();
let trial: Trial | undefined;

function answer(request: ChildRequest): ChildAnswer {
  if ("prepare" in request) {
    trial = prepareTrial(contender, request.prepare);
    return trial.heap === undefined ? { ops: trial.ops } : { ops: trial.ops, heap: trial.heap };
  }
  if (trial === undefined) throw new Error("bench child: no prepared trial");
  if ("run" in request) {
    const elapsed = trial.run();
    return { ...elapsed, ops: trial.ops };
  }
  trial.finish();
  trial = undefined;
  return { done: true };
}

process.on("message", (request: ChildRequest) => {
  void ready
    .then(() => answer(request))
    .catch((error: unknown): ChildAnswer => ({
      error: error instanceof Error ? (error.stack ?? error.message) : String(error),
    }))
    .then((reply) => process.send!(reply));
});
