/**
 * Reads the simulated OS's event log (spec/stats.md) into the shadow heap as calls cause events:
 * a call's maps are read before the block it created is recorded, its unmaps after, so the
 * shadow always knows the arena a new block lies in (invariant 2) and which arena went away.
 * `eventsSeen` is this reader's cursor: the log keeps only a window of its last events
 * (spec/model.md §2 "Event log"), and a call causes at most two, so reading after every call
 * loses none (were one dropped, `events` would throw `events-trimmed`, never skip it).
 */
import type { Geometry } from "../../../src/core/geometry.ts";
import type { Call } from "../call.ts";
import type { Reachability } from "../reachability.ts";
import type { ShadowHeap } from "../shadow-heap.ts";
import type { Subject } from "../subject.ts";

/** Which of a call's fresh events to read now. */
export type EventsToRead = "map" | "unmap" | "all";

export class EventLogReader {
  /** Events of the log read so far. */
  private eventsSeen = 0;

  constructor(
    private readonly subject: Subject,
    private readonly shadow: ShadowHeap,
    private readonly reach: Reachability,
    private readonly geometry: Geometry | undefined,
  ) {}

  /** Reads the events the call caused into the shadow: maps before new blocks, unmaps after. */
  read(call: Call, which: EventsToRead): void {
    const space = this.subject.addressSpace;
    if (space === undefined || space.eventsLogged === this.eventsSeen) return;
    const fresh = space.events(this.eventsSeen);
    for (const event of fresh) {
      const isMap = event.kind === "map-arena" || event.kind === "map-raw";
      if (which === "map" && !isMap) break;
      this.eventsSeen++;
      call.events = [...call.events, event];
      this.shadow.applyEvent(event);
      if (event.kind === "unmap-arena") this.reach.count("arena released");
      if (event.kind === "map-arena") this.reach.arenaMapped(this.shadow, this.geometry);
    }
  }
}
