/**
 * Invariant 10, no spurious out of memory: null only when the request truly cannot be served (a
 * small request: no free block of its class, no empty pool, the arena limit reached; a raw one:
 * the raw limit), and a null changes nothing. (A valid call that throws is reported under this
 * invariant by the driver.)
 */
import type { Stats } from "../../src/allocator.ts";
import { differences } from "./i07-accounting.ts";
import type { ShadowFacts } from "../model/shadow-heap.ts";
import { violation } from "../model/violation.ts";
import { isPymallocStyle, type Invariant } from "./invariant.ts";

export const noSpuriousOutOfMemory: Invariant = {
  number: 10,
  title: "no spurious out of memory: null only when the request cannot be served, and it changes nothing",
  applies: isPymallocStyle,
  check: ({ subject, shadow, geometry }) => {
    const g = geometry!;
    let facts: ShadowFacts | undefined;
    let stats: Stats | undefined;
    return {
      invariant: 10,
      before(call) {
        const allocates = (call.kind === "malloc" || call.kind === "realloc") && call.expectedError === undefined;
        facts = allocates ? shadow.facts(call.n!) : undefined;
        // Only worth a stats() when a null is possible: near the arena or raw limit.
        stats = facts !== undefined && (facts.arenasMapped >= g.maxArenas - 1 || facts.rawLiveBytes + Math.max(call.n!, 1) > g.rawLimit / 2) ? subject.stats?.() : undefined;
      },
      after(call) {
        if (facts === undefined || call.result !== null) return;
        const n = call.n!;
        // A raw block reallocated stays raw whatever n is (spec/policy.md §4).
        const raw = shadow.classFor(n) === -1 || call.target?.raw === true;
        const why = raw
          ? facts.rawLiveBytes + Math.max(n, 1) > g.rawLimit ? undefined : `${facts.rawLiveBytes} raw bytes are live and the limit is ${g.rawLimit}`
          : facts.partlyUsedPool ? `a pool of class ${shadow.classFor(n)} has a free block`
          : facts.arenaWithEmptyPool ? "a mapped arena has an empty pool"
          : facts.arenasMapped < g.maxArenas ? `only ${facts.arenasMapped} of ${g.maxArenas} arenas are mapped`
          : undefined;
        if (why !== undefined) throw violation(10, `${call.kind}(…, ${n}) returned null although ${why}`);
        if (call.events.length > 0) throw violation(10, `${call.kind} returned null but mapped or unmapped memory`);
        if (stats !== undefined) {
          const changed = differences(subject.stats!(), stats);
          if (changed.length > 0) throw violation(10, `${call.kind} returned null but changed stats: ${changed.slice(0, 4).join("; ")}`);
        }
      },
    };
  },
};
