/**
 * Invariant 11, equivalence: a second allocator (the twin; the reference when the subject claims
 * the address-ordered policy) is driven call for call beside the subject. Results, error codes and
 * messages are compared after every call, stats after every step, snapshots and event logs every
 * few steps and at the end. A failure names the first diverging step and shows both states.
 */
import type { Geometry } from "../../src/core/geometry.ts";
import { AllocatorError, hex } from "../../src/core/errors.ts";
import type { Call } from "../model/call.ts";
import { formatCallArguments } from "../model/format-call.ts";
import type { CheckFactory } from "../model/invariant-check.ts";
import type { Subject } from "../model/subject.ts";
import { differences } from "./i07-accounting.ts";
import { violation } from "../model/violation.ts";
import { defineInvariant, needs, type Invariant } from "./invariant.ts";

/** Steps between snapshot and event-log comparisons. */
const DEEP_COMPARE_EVERY = 16;

type Outcome = { value: unknown } | { error: string };

function outcome(run: () => unknown): Outcome {
  try {
    const value = run();
    return { value: value instanceof Uint8Array ? value.length : value };
  } catch (error) {
    return {
      error: error instanceof AllocatorError ? `${error.code}: ${error.message}` : String(error),
    };
  }
}

function show(o: Outcome): string {
  return "error" in o
    ? `throws ${o.error}`
    : typeof o.value === "number"
      ? hex(o.value)
      : String(o.value);
}

function mirror(subject: Subject, call: Call): Outcome {
  switch (call.kind) {
    case "malloc":
      return outcome(() => subject.malloc(call.n!));
    case "free":
      return outcome(() => subject.free(call.p!));
    case "realloc":
      return outcome(() => subject.realloc!(call.p!, call.n!));
    case "usableSize":
      return outcome(() => subject.usableSize!(call.p!));
    case "bytes":
      return outcome(() => subject.bytes!(call.p!));
  }
}

/** The equivalence check against a twin made by `makeTwin`. */
export function equivalenceWith(makeTwin: (geometry: Geometry) => Subject): CheckFactory {
  return ({ subject, geometry }) => {
    const twin = makeTwin(geometry!);
    // The position both logs are compared up to: each comparison reads on from there, as the
    // log is a window over its last events (spec/model.md §2 "Event log").
    let eventsCompared = 0;
    const describe = (s: Subject) =>
      JSON.stringify({ stats: s.stats?.(), snapshot: s.snapshot?.() }).slice(0, 4000);
    const compareDeep = (where: string) => {
      const snapshots = differences(subject.snapshot?.(), twin.snapshot?.());
      if (snapshots.length > 0)
        throw violation(
          11,
          `${where}: snapshots differ (${subject.kind} vs ${twin.kind}): ${snapshots.slice(0, 6).join("; ")}`,
        );
      const events = differences(
        subject.addressSpace?.events(eventsCompared),
        twin.addressSpace?.events(eventsCompared),
      );
      if (events.length > 0)
        throw violation(
          11,
          `${where}: event logs differ from event ${eventsCompared} on: ${events.slice(0, 6).join("; ")}`,
        );
      eventsCompared = twin.addressSpace?.eventsLogged ?? 0;
    };
    return {
      invariant: 11,
      after(call) {
        const theirs = mirror(twin, call);
        // The fast path: both returned the same value, as a valid call nearly always does.
        if (call.error === undefined && "value" in theirs && Object.is(call.result, theirs.value))
          return;
        const mine: Outcome =
          call.error !== undefined
            ? {
                error:
                  call.error instanceof AllocatorError
                    ? `${call.error.code}: ${call.error.message}`
                    : String(call.error),
              }
            : { value: call.result };
        if (differences(mine, theirs).length > 0) {
          throw violation(
            11,
            `${formatCallArguments(call)}: ${subject.kind} ${show(mine)}, ${twin.kind} ${show(theirs)}\n  ${subject.kind}: ${describe(subject)}\n  ${twin.kind}: ${describe(twin)}`,
          );
        }
      },
      afterStep(step) {
        const stats = differences(subject.stats?.(), twin.stats?.());
        if (stats.length > 0)
          throw violation(
            11,
            `stats differ (${subject.kind} vs ${twin.kind}): ${stats.slice(0, 6).join("; ")}`,
          );
        if (step.index % DEEP_COMPARE_EVERY === 0) compareDeep("after the step");
      },
      finish() {
        compareDeep("at the end");
        twin.check?.();
      },
    };
  };
}

/** Invariant 11 against a given twin factory; it needs the subject to claim a geometry. */
export function equivalence(makeTwin: (geometry: Geometry) => Subject): Invariant {
  return defineInvariant({
    number: 11,
    title: "equivalence: identical results, errors, stats, snapshots and event logs",
    inapplicable: (subject, geometry) => needs(subject, geometry, "geometry"),
    check: equivalenceWith(makeTwin),
  });
}
