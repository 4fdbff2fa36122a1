/**
 * Invariant 6, arena release: no arena holding a live block is unmapped; after every operation
 * at most the rule's number of wholly empty arenas is mapped; after freeing everything, mapped
 * memory is back to the floor (one arena when the rule keeps one and any was mapped, else none).
 * The unmaps are each call's own events (`call.events`), read as the call returns
 * (event-log-reader.ts), so the log's window (spec/model.md §2 "Event log") never hides one.
 */
import { hex } from "../../src/core/errors.ts";
import { violation } from "../model/violation.ts";
import { defineInvariant, needs, type Invariant } from "./invariant.ts";

export const arenaRelease: Invariant = defineInvariant({
  number: 6,
  title:
    "arena release: never with a live block, at most the rule's empty arenas, back to the floor",
  inapplicable: (subject, geometry) => needs(subject, geometry, "geometry", "addressSpace"),
  check: ({ shadow, geometry }) => {
    const g = geometry!;
    return {
      invariant: 6,
      after(call) {
        for (const event of call.events) {
          if (event.kind !== "unmap-arena") continue;
          for (const pool of shadow.pools.values()) {
            if (pool.arena === event.address) {
              throw violation(
                6,
                `arena ${hex(event.address)} was unmapped while pool ${hex(pool.address)} holds ${pool.live} live block(s)`,
              );
            }
          }
        }
      },
      afterStep() {
        const empty = shadow.whollyEmptyArenas();
        const allowed = g.keepEmptyArena ? 1 : 0;
        if (empty.length > allowed) {
          throw violation(
            6,
            `${empty.length} wholly empty arenas are mapped (${empty.map((a) => hex(a.start)).join(", ")}); the rule allows ${allowed}`,
          );
        }
      },
      finish(drained) {
        if (!drained) return;
        const floor = g.keepEmptyArena && shadow.arenasMappedTotal > 0 ? g.arenaSize : 0;
        if (shadow.mappedBytes !== floor) {
          throw violation(
            6,
            `after freeing everything ${shadow.mappedBytes} bytes are mapped (${shadow.arenas.size} arenas, ${shadow.rawMappings.size} raw); the floor is ${floor}`,
          );
        }
      },
    };
  },
});
