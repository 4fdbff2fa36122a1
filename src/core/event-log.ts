/**
 * The simulated OS's event log (spec/model.md §2 "Event log", spec/stats.md §4): every map and
 * unmap in order, as a window over the last EVENT_WINDOW events. Positions count every event
 * since the log was made; a consumer keeps the position it has read up to (its cursor) and asks
 * for the events from there. Asking for an event already dropped throws EventLogError
 * `events-trimmed`: a consumer that read too rarely learns it, it never sees a silent gap.
 */

export type AddressSpaceEventKind = "map-arena" | "unmap-arena" | "map-raw" | "unmap-raw";

export interface AddressSpaceEvent {
  readonly kind: AddressSpaceEventKind;
  readonly address: number;
  readonly size: number;
}

/** The events the log keeps at least (spec/model.md §2): 2^16. */
export const EVENT_WINDOW = 1 << 16;

/** The event kinds in the order of their codes in the log. */
const EVENT_KINDS: readonly AddressSpaceEventKind[] = [
  "map-arena",
  "unmap-arena",
  "map-raw",
  "unmap-raw",
];

/** The code the log stores for an event kind: its index in EVENT_KINDS. */
export function eventCode(kind: AddressSpaceEventKind): number {
  return EVENT_KINDS.indexOf(kind);
}

export type EventLogErrorCode = "events-trimmed";

/** A read of the log from a position it no longer holds. */
export class EventLogError extends RangeError {
  override readonly name = "EventLogError";
  readonly code: EventLogErrorCode = "events-trimmed";

  constructor(from: number, trimmed: number) {
    super(
      `events-trimmed: events(${from}) asks for events the log has dropped; it keeps positions ${trimmed} on (spec/model.md §2: a window of the last ${EVENT_WINDOW} events)`,
    );
  }
}

/** Three doubles per event: kind code, address, size. */
const FIELDS = 3;

export class EventLog {
  /** Events held: positions `trimmed` … `logged − 1`, the oldest at index 0. */
  private data = new Float64Array(FIELDS * 64);
  private held = 0;
  private dropped = 0;

  /** Events logged since the log was made (the position after the newest). */
  get logged(): number {
    return this.dropped + this.held;
  }

  /** Events dropped, oldest first: the position of the oldest event held. */
  get trimmed(): number {
    return this.dropped;
  }

  /** Appends an event; holds at most 2 · EVENT_WINDOW, dropping down to EVENT_WINDOW when full. */
  add(code: number, address: number, size: number): void {
    if (FIELDS * (this.held + 1) > this.data.length) this.makeRoom();
    const at = FIELDS * this.held;
    this.data[at] = code;
    this.data[at + 1] = address;
    this.data[at + 2] = size;
    this.held++;
  }

  /** The events from position `from` (default: the oldest held) to the newest, oldest first. */
  events(from = this.dropped): AddressSpaceEvent[] {
    if (from < this.dropped) throw new EventLogError(from, this.dropped);
    const out: AddressSpaceEvent[] = [];
    for (let i = from - this.dropped; i < this.held; i++) {
      out.push({
        kind: EVENT_KINDS[this.data[FIELDS * i]!]!,
        address: this.data[FIELDS * i + 1]!,
        size: this.data[FIELDS * i + 2]!,
      });
    }
    return out;
  }

  /** Doubles the buffer up to 2 · EVENT_WINDOW events, then drops all but the last EVENT_WINDOW. */
  private makeRoom(): void {
    if (this.held < 2 * EVENT_WINDOW) {
      const bigger = new Float64Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
      return;
    }
    const drop = this.held - EVENT_WINDOW;
    this.data.copyWithin(0, FIELDS * drop, FIELDS * this.held);
    this.dropped += drop;
    this.held -= drop;
  }
}
