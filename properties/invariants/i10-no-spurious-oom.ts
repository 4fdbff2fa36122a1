/**
 * Invariant 10, no spurious out of memory: null only when the request truly cannot be served (a
 * small request: no free block of its class, no empty pool, the arena limit reached; a raw one:
 * the raw limit), and a null changes nothing. Under the contract `outOfMemory: "throws"` a throw
 * of a valid malloc or realloc is its null, judged the same way (spec/invariants.md §Contracts).
 *
 * A general allocator with a region: null is spurious when the region, as the shadow heap sees
 * it, still has a gap that fits the request with its header, with `GENERAL_SLACK` bytes to spare
 * for per-block rounding the shadow cannot see; one that does not coalesce (`coalesces: false`)
 * promises only reuse of a same-size free block and the untouched tail (nonCoalescingCheck).
 */
import type { Stats } from "../../src/core/allocator.ts";
import { hex } from "../../src/core/errors.ts";
import { MAX_MAPPING_BYTES } from "../../src/core/address-space.ts";
import type { Call } from "../model/call.ts";
import { formatError } from "../model/format-call.ts";
import type { CheckEnv, InvariantCheck } from "../model/invariant-check.ts";
import { differences } from "./i07-accounting.ts";
import type { ShadowFacts, ShadowHeap } from "../model/shadow-heap.ts";
import type { Region } from "../model/subject.ts";
import { violation } from "../model/violation.ts";
import { defineInvariant, needsPymallocStyleOrRegion, type Invariant } from "./invariant.ts";

/** Bytes a general allocator may round a block up by, beyond its alignment (spec/invariants.md §Contracts). */
export const GENERAL_SLACK = 64;

const roundUp = (n: number, a: number) => Math.ceil(n / a) * a;

/** The end a general allocator's region may grow to: a null is judged against it. */
export const regionLimit = (region: Region): number => region.limit ?? region.end;

/** The largest gap between live blocks (headers included) in a general allocator's region. */
export function largestGap(shadow: ShadowHeap, region: Region): { start: number; size: number } {
  const extents = shadow.live
    .map(
      (b) =>
        [
          b.address - region.blockOverhead,
          b.address + roundUp(Math.max(b.n, 1), region.alignment),
        ] as const,
    )
    .sort((a, b) => a[0] - b[0]);
  let best = { start: region.start, size: 0 };
  let cursor = region.start;
  const end = regionLimit(region);
  for (const [from, to] of [...extents, [end, end] as const]) {
    if (from - cursor > best.size) best = { start: cursor, size: from - cursor };
    cursor = Math.max(cursor, to);
  }
  return best;
}

/** How a null (or, under `outOfMemory: "throws"`, a throw) is named in a message. */
function failedWith(call: Call): string {
  return call.outOfMemoryError === undefined
    ? "returned null"
    : `threw ${formatError(call.outOfMemoryError)}`;
}

/** The calls whose null invariant 10 judges: a valid malloc or realloc that failed. */
function failedAllocation(call: Call): boolean {
  return (
    (call.kind === "malloc" || call.kind === "realloc") &&
    call.expectedError === undefined &&
    call.result === null
  );
}

/** Bytes a request of n needs in a general allocator's region: header, alignment and slack. */
function neededInRegion(n: number, region: Region): number {
  return roundUp(n + region.blockOverhead, region.alignment) + GENERAL_SLACK;
}

/** A coalescing general allocator: null is spurious while a gap between live blocks fits. */
function coalescingCheck({ subject, shadow }: CheckEnv): InvariantCheck {
  const region = subject.region!;
  return {
    invariant: 10,
    after(call) {
      if (!failedAllocation(call)) return;
      const n = call.n!;
      const needed = neededInRegion(n, region);
      const gap = largestGap(shadow, region);
      if (n > 0 && gap.size >= needed) {
        throw violation(
          10,
          `${call.kind}(…, ${n}) ${failedWith(call)} although [${hex(gap.start)}, ${hex(gap.start + gap.size)}) is free: ${gap.size} bytes, ${needed} needed with header and slack`,
        );
      }
    },
  };
}

/**
 * A general allocator that does not coalesce (contract `coalesces: false`) promises less
 * (spec/invariants.md §Contracts): a request of n succeeds while a block freed after a request of
 * the same n is still wholly free (no block handed out since overlaps it), and while the region's
 * untouched tail, above every block ever handed out, holds it with header and slack.
 */
function nonCoalescingCheck({ subject }: CheckEnv): InvariantCheck {
  const region = subject.region!;
  /** Blocks freed and still wholly free: address → the size they were asked for. */
  const stillFree = new Map<number, number>();
  /** One past the highest byte of any block handed out so far: where the untouched tail starts. */
  let untouchedFrom = region.start;
  const extentEnd = (address: number, n: number) =>
    address + roundUp(Math.max(n, 1), region.alignment);
  const handedOut = (address: number, n: number) => {
    untouchedFrom = Math.max(untouchedFrom, extentEnd(address, n));
    const from = address - region.blockOverhead;
    const to = extentEnd(address, n);
    for (const [freed, freedN] of stillFree) {
      // Generous to the allocator: a freed block counts as touched a slack's width early.
      const overlaps =
        freed - region.blockOverhead < to && from < extentEnd(freed, freedN) + GENERAL_SLACK;
      if (overlaps) stillFree.delete(freed);
    }
  };
  return {
    invariant: 10,
    after(call) {
      const freedTarget =
        call.target !== undefined &&
        call.expectedError === undefined &&
        ((call.kind === "free" && call.error === undefined) || call.created !== undefined);
      if (freedTarget) stillFree.set(call.target!.address, call.target!.n);
      if (call.created !== undefined) handedOut(call.created.address, call.created.n);
      if (call.inPlace === true) handedOut(call.target!.address, call.target!.n);
      if (!failedAllocation(call) || call.n! === 0) return;
      const n = call.n!;
      for (const [freed, freedN] of stillFree) {
        if (freedN === n)
          throw violation(
            10,
            `${call.kind}(…, ${n}) ${failedWith(call)} although the block ${hex(freed)}, freed after a request of the same ${n} bytes, is still free`,
          );
      }
      const tail = regionLimit(region) - untouchedFrom;
      const needed = neededInRegion(n, region);
      if (tail >= needed)
        throw violation(
          10,
          `${call.kind}(…, ${n}) ${failedWith(call)} although the region's untouched tail [${hex(untouchedFrom)}, ${hex(regionLimit(region))}) holds ${tail} bytes, ${needed} needed with header and slack`,
        );
    },
  };
}

export const noSpuriousOutOfMemory: Invariant = defineInvariant({
  number: 10,
  title:
    "no spurious out of memory: null only when the request cannot be served, and it changes nothing",
  inapplicable: needsPymallocStyleOrRegion,
  check: (env) => {
    if (env.geometry === undefined)
      return env.contract.coalesces ? coalescingCheck(env) : nonCoalescingCheck(env);
    const { subject, shadow } = env;
    const g = env.geometry;
    let facts: ShadowFacts | undefined;
    let stats: Stats | undefined;
    return {
      invariant: 10,
      before(call) {
        const allocates =
          (call.kind === "malloc" || call.kind === "realloc") && call.expectedError === undefined;
        facts = allocates ? shadow.facts(call.n!) : undefined;
        // Only worth a stats() when a null is possible: near the arena or raw limit.
        stats =
          facts !== undefined &&
          (facts.arenasMapped >= g.maxArenas - 1 ||
            facts.rawLiveBytes + Math.max(call.n!, 1) > g.rawLimit / 2)
            ? subject.stats?.()
            : undefined;
      },
      after(call) {
        if (facts === undefined || call.result !== null) return;
        const n = call.n!;
        // A raw block reallocated stays raw whatever n is (spec/policy.md §4).
        const raw = shadow.classFor(n) === -1 || call.target?.raw === true;
        const why = raw
          ? facts.rawLiveBytes + Math.max(n, 1) > g.rawLimit || n > MAX_MAPPING_BYTES
            ? undefined
            : `${facts.rawLiveBytes} raw bytes are live and the limit is ${g.rawLimit}`
          : facts.partlyUsedPool
            ? `a pool of class ${shadow.classFor(n)} has a free block`
            : facts.arenaWithEmptyPool
              ? "a mapped arena has an empty pool"
              : facts.arenasMapped < g.maxArenas
                ? `only ${facts.arenasMapped} of ${g.maxArenas} arenas are mapped`
                : undefined;
        if (why !== undefined)
          throw violation(10, `${call.kind}(…, ${n}) ${failedWith(call)} although ${why}`);
        if (call.events.length > 0)
          throw violation(10, `${call.kind} ${failedWith(call)} but mapped or unmapped memory`);
        if (stats !== undefined) {
          const changed = differences(subject.stats!(), stats);
          if (changed.length > 0)
            throw violation(
              10,
              `${call.kind} ${failedWith(call)} but changed stats: ${changed.slice(0, 4).join("; ")}`,
            );
        }
      },
    };
  },
});
