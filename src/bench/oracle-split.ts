/**
 * Where the oracle's time goes, per invariant: each property of the ci profile (one invariant's
 * check, properties.ts) is run twice on every geometry family with the same seed, once with its
 * check and once with the check's hooks removed. Both runs generate and execute the same
 * sequences (a passing check only reads: it never feeds the generator), so the CPU time without
 * the check is the driver, the shadow heap, the allocator and fast-check, and the difference is
 * the check's own cost. The two runs of a pair alternate which goes first, and each
 * property × family is timed separately (process.cpuUsage, user + system).
 *
 * Invariant 11's check includes the reference allocator it drives beside the subject.
 * `measureOracleSplit` runs this file in a child process, as oracle.ts does.
 */
import { fileURLToPath } from "node:url";
import { GEOMETRY_FAMILIES } from "../../properties/generators/geometry.ts";
import { seedFor, DEFAULT_BASE_SEED, PROFILES } from "../../properties/profiles.ts";
import { PROPERTIES, type PropertyDefinition } from "../../properties/properties.ts";
import { runProperty } from "../../properties/run/run-property.ts";
import { createAllocator } from "../allocators/create-allocator.ts";
import { runJsonChild } from "./json-child.ts";
import { cpuNow } from "./timing.ts";

export interface OracleSplitRow {
  readonly property: string;
  readonly invariant: number;
  /** Allocator calls of the property's runs, all families (the same with and without the check). */
  readonly operations: number;
  /** CPU seconds with the check, all families. */
  readonly cpuWithCheck: number;
  /** CPU seconds with the check's hooks removed: driver, shadow heap, allocator, fast-check. */
  readonly cpuWithoutCheck: number;
}

/** The property with an inert check: same invariant number, no hooks. */
function withoutCheck(definition: PropertyDefinition): PropertyDefinition {
  const number = definition.invariant.number;
  return {
    ...definition,
    invariant: { ...definition.invariant, check: () => ({ invariant: number }) },
  };
}

function cpuSeconds(run: () => number): { seconds: number; operations: number } {
  const start = cpuNow();
  const operations = run();
  return { seconds: (cpuNow() - start) / 1e9, operations };
}

function split(): OracleSplitRow[] {
  const profile = PROFILES.ci;
  let pair = 0;
  return PROPERTIES.map((definition) => {
    const bare = withoutCheck(definition);
    let operations = 0;
    let cpuWithCheck = 0;
    let cpuWithoutCheck = 0;
    for (const family of GEOMETRY_FAMILIES) {
      const seed = seedFor(DEFAULT_BASE_SEED, `${definition.id}/bitmap/${family}`);
      const runWith = (d: PropertyDefinition) => () =>
        runProperty(d, (g) => createAllocator("bitmap", g), {
          implementation: "bitmap",
          profile,
          family,
          seed,
        }).operations;
      const order = pair++ % 2 === 0 ? [definition, bare] : [bare, definition];
      for (const d of order) {
        const { seconds, operations: ops } = cpuSeconds(runWith(d));
        if (d === definition) {
          cpuWithCheck += seconds;
          operations += ops;
        } else cpuWithoutCheck += seconds;
      }
    }
    return {
      property: definition.id,
      invariant: definition.invariant.number,
      operations,
      cpuWithCheck,
      cpuWithoutCheck,
    };
  });
}

const SELF = fileURLToPath(import.meta.url);

export function measureOracleSplit(): OracleSplitRow[] {
  return runJsonChild<OracleSplitRow[]>(SELF);
}

if (process.argv[1] === SELF) console.log(JSON.stringify(split()));
