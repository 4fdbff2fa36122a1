/**
 * The properties: one per invariant, each with the operation mix that drives its runs into the
 * states the invariant is about, and how often its runs must reach those states (per geometry
 * family; a property below a target fails: it would be checking nothing).
 */
import { createAllocator } from "../src/allocators/create-allocator.ts";
import type { OpMix } from "./generators/commands.ts";
import type { GeometryFamily } from "./generators/geometry.ts";
import {
  accounting,
  aligned,
  arenaRelease,
  contained,
  disjoint,
  equivalence,
  misuseRejected,
  noSpuriousOutOfMemory,
  payloadIntegrity,
  reuseBeforeGrowth,
  selfCheck,
  sized,
  type Invariant,
} from "./invariants/index.ts";
import type { ReachableState } from "./model/reachability.ts";

export type ReachTargets = Partial<Record<ReachableState, number>>;

export interface PropertyDefinition {
  /** "I01-disjoint" … "I12-self-check". */
  readonly id: string;
  readonly invariant: Invariant;
  readonly mix: OpMix;
  /** Minimum fraction of runs that must reach each state, per family. */
  readonly reach: Partial<Record<GeometryFamily, ReachTargets>>;
  /** The same for a general allocator (no geometry: pools and arenas mean nothing to it). */
  readonly generalReach?: ReachTargets;
}

/** The everyday mix: allocation-heavy with every kind of step in it. */
export const BASE_MIX: OpMix = {
  malloc: 30,
  free: 18,
  realloc: 10,
  misuse: 3,
  "fill-pool": 5,
  "fill-arena": 2,
  exhaust: 1,
  "free-all": 1,
  "free-every": 3,
  churn: 2,
  "round-trip": 2,
};

const withMix = (changes: OpMix): OpMix => ({ ...BASE_MIX, ...changes });

/** The tiny and wide families have a few arenas each: the same states are reachable, as often. */
const fewArenas = (targets: ReachTargets): Partial<Record<GeometryFamily, ReachTargets>> => ({
  tiny: targets,
  wide: targets,
});

/** The twin every address-ordered allocator is compared with (invariant 11). */
export const referenceTwin = equivalence((geometry) => createAllocator("reference", geometry));

export const PROPERTIES: readonly PropertyDefinition[] = [
  {
    id: "I01-disjoint",
    invariant: disjoint,
    generalReach: { "out of memory": 0.3, "realloc moved": 0.3 },
    mix: withMix({ "fill-pool": 8 }),
    reach: { ...fewArenas({ "full pool": 0.5, "raw block": 0.3 }), presets: { "full pool": 0.3 } },
  },
  {
    id: "I02-contained",
    invariant: contained,
    mix: withMix({ "fill-arena": 5 }),
    reach: {
      ...fewArenas({ "full pool": 0.5, "arena limit": 0.2 }),
      presets: { "full pool": 0.3 },
    },
  },
  {
    id: "I03-aligned",
    invariant: aligned,
    mix: BASE_MIX,
    reach: { ...fewArenas({ "full pool": 0.4, "raw block": 0.3 }), presets: { "raw block": 0.3 } },
  },
  {
    id: "I04-sized",
    invariant: sized,
    mix: withMix({ realloc: 25 }),
    reach: {
      ...fewArenas({ "realloc in place": 0.2, "realloc moved": 0.5, "raw block": 0.4 }),
      presets: { "realloc moved": 0.4 },
    },
  },
  {
    id: "I05-reuse-before-growth",
    invariant: reuseBeforeGrowth,
    mix: withMix({ "round-trip": 12, "free-every": 6 }),
    reach: {
      ...fewArenas({ "full pool": 0.4, "arena released": 0.1 }),
      presets: { "full pool": 0.3 },
    },
  },
  {
    id: "I06-arena-release",
    invariant: arenaRelease,
    mix: withMix({ "fill-arena": 8, "free-all": 4, "free-every": 8, free: 25 }),
    reach: {
      tiny: { "arena released": 0.45, "empty arena kept": 0.2 },
      wide: { "arena released": 0.45, "empty arena kept": 0.2 },
      presets: { "arena released": 0.2, "empty arena kept": 0.3 },
    },
  },
  {
    id: "I07-accounting",
    invariant: accounting,
    mix: withMix({ "fill-arena": 4 }),
    reach: {
      ...fewArenas({ "full pool": 0.5, "arena released": 0.2 }),
      presets: { "full pool": 0.3 },
    },
  },
  {
    id: "I08-payload-integrity",
    invariant: payloadIntegrity,
    generalReach: { "realloc in place": 0.2, "realloc moved": 0.3 },
    mix: withMix({ realloc: 20 }),
    reach: {
      ...fewArenas({ "realloc moved": 0.5, "full pool": 0.3 }),
      presets: { "realloc moved": 0.4 },
    },
  },
  {
    id: "I09-misuse-rejected",
    invariant: misuseRejected,
    generalReach: {
      "misuse double-free": 0.4,
      "misuse interior": 0.4,
      "misuse unknown": 0.4,
      "misuse bad-size": 0.4,
    },
    mix: withMix({ misuse: 30, "fill-arena": 4, "free-every": 6 }),
    reach: {
      ...fewArenas({
        "misuse double-free": 0.4,
        "misuse use-after-free": 0.4,
        "misuse interior": 0.4,
        "misuse header": 0.25,
        "misuse released-arena": 0.08,
        "misuse unknown": 0.4,
        "misuse bad-size": 0.4,
      }),
      presets: {
        "misuse double-free": 0.4,
        "misuse interior": 0.4,
        "misuse header": 0.4,
        "misuse bad-size": 0.4,
      },
    },
  },
  {
    id: "I10-no-spurious-oom",
    invariant: noSpuriousOutOfMemory,
    generalReach: { "out of memory": 0.3 },
    mix: withMix({ "fill-arena": 10, exhaust: 4, malloc: 40 }),
    reach: {
      ...fewArenas({ "out of memory": 0.5, "arena limit": 0.5 }),
      presets: { "out of memory": 0.2 },
    },
  },
  {
    id: "I11-equivalence",
    invariant: referenceTwin,
    mix: withMix({ "fill-arena": 4, "free-every": 5, misuse: 6 }),
    reach: {
      ...fewArenas({ "full pool": 0.5, "arena released": 0.2, "out of memory": 0.1 }),
      presets: { "full pool": 0.3 },
    },
  },
  {
    id: "I12-self-check",
    invariant: selfCheck,
    mix: withMix({ "fill-arena": 4, "free-all": 3 }),
    reach: {
      ...fewArenas({ "full pool": 0.5, "arena released": 0.2 }),
      presets: { "full pool": 0.3 },
    },
  },
];

/** The properties' ids, in order ("I01-disjoint" … "I12-self-check"). */
export const PROPERTY_IDS: readonly string[] = PROPERTIES.map((p) => p.id);

export function propertyById(id: string): PropertyDefinition {
  const found = PROPERTIES.find(
    (p) => p.id === id || p.id.toLowerCase().startsWith(id.toLowerCase()),
  );
  if (found === undefined)
    throw new Error(
      `unknown property "${id}"; properties: ${PROPERTIES.map((p) => p.id).join(", ")}`,
    );
  return found;
}
