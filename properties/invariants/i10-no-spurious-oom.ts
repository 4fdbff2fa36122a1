/**
 * Invariant 10, no spurious out of memory: null only when the request truly cannot be served (a
 * small request: no free block of its class, no empty pool, the arena limit reached; a raw one:
 * the raw limit), and a null changes nothing. (A valid call that throws is reported under this
 * invariant by the driver.)
 *
 * A general allocator with a region: null is spurious when the region, as the shadow heap sees
 * it, still has a gap that fits the request with its header, with `GENERAL_SLACK` bytes to spare
 * for per-block rounding the shadow cannot see.
 */
import type { Stats } from "../../src/core/allocator.ts";
import { hex } from "../../src/core/errors.ts";
import { differences } from "./i07-accounting.ts";
import type { ShadowFacts, ShadowHeap } from "../model/shadow-heap.ts";
import type { Region } from "../model/subject.ts";
import { violation } from "../model/violation.ts";
import { isPymallocStyle, type Invariant } from "./invariant.ts";

/** Bytes a general allocator may round each neighbour of a gap up by, beyond its alignment. */
export const GENERAL_SLACK = 64;

const roundUp = (n: number, a: number) => Math.ceil(n / a) * a;

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
  for (const [from, to] of [...extents, [region.end, region.end] as const]) {
    if (from - cursor > best.size) best = { start: cursor, size: from - cursor };
    cursor = Math.max(cursor, to);
  }
  return best;
}

function generalCheck({
  subject,
  shadow,
}: Parameters<Invariant["check"]>[0]): ReturnType<Invariant["check"]> {
  const region = subject.region!;
  return {
    invariant: 10,
    after(call) {
      if (
        (call.kind !== "malloc" && call.kind !== "realloc") ||
        call.expectedError !== undefined ||
        call.result !== null
      )
        return;
      const n = call.n!;
      const needed = roundUp(n + region.blockOverhead, region.alignment) + GENERAL_SLACK;
      const gap = largestGap(shadow, region);
      if (n > 0 && gap.size >= needed) {
        throw violation(
          10,
          `${call.kind}(…, ${n}) returned null although [${hex(gap.start)}, ${hex(gap.start + gap.size)}) is free: ${gap.size} bytes, ${needed} needed with header and slack`,
        );
      }
    },
  };
}

export const noSpuriousOutOfMemory: Invariant = {
  number: 10,
  title:
    "no spurious out of memory: null only when the request cannot be served, and it changes nothing",
  applies: (subject, geometry) =>
    isPymallocStyle(subject, geometry) || subject.region !== undefined,
  check: (env) => {
    if (env.geometry === undefined) return generalCheck(env);
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
          ? facts.rawLiveBytes + Math.max(n, 1) > g.rawLimit
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
          throw violation(10, `${call.kind}(…, ${n}) returned null although ${why}`);
        if (call.events.length > 0)
          throw violation(10, `${call.kind} returned null but mapped or unmapped memory`);
        if (stats !== undefined) {
          const changed = differences(subject.stats!(), stats);
          if (changed.length > 0)
            throw violation(
              10,
              `${call.kind} returned null but changed stats: ${changed.slice(0, 4).join("; ")}`,
            );
        }
      },
    };
  },
};
