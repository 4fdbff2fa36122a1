/**
 * One round of `oracle-ab.ts --paired`: the property suites of both checkouts in one process, every
 * property × geometry family of the profile run on one side and then the other (the side that goes
 * first alternating pair by pair), with the same seed on both sides, the CPU time of each run
 * summed per side. A noisy neighbour or a slow phase of the host then slows both sides of a pair
 * alike, where two processes run one after the other can differ by a third on this host for the
 * same code (oracle-ab.ts without --paired). The bounded-exhaustive mode is not run (oracle.ts
 * includes it: about 6% of the ci profile's time). Prints one JSON line: per side the operations
 * checked and the CPU seconds.
 *
 *   tsx src/bench/oracle-ab-paired-child.ts before=<checkout> after=<checkout> [profile]
 *
 * Each checkout is imported from its own directory (its properties/ and src/), so both must have
 * the modules and signatures imported below (those of 2026-12-06 and after). The sides may come in
 * either order: oracle-ab.ts alternates it by round, so that neither is always the one loaded and
 * compiled first.
 */
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { Geometry } from "../core/geometry.ts";
import type { Allocator } from "../core/allocator.ts";
import type * as Profiles from "../../properties/profiles.ts";
import type { PropertyDefinition } from "../../properties/properties.ts";
import type { GeometryFamily } from "../../properties/generators/geometry.ts";
import type { runProperty as RunProperty } from "../../properties/run/run-property.ts";
import { cpuNow } from "./timing.ts";

interface Side {
  readonly name: string;
  readonly properties: readonly PropertyDefinition[];
  readonly families: readonly GeometryFamily[];
  readonly profiles: typeof Profiles;
  readonly runProperty: typeof RunProperty;
  readonly createBitmap: (geometry: Geometry) => Allocator;
  operations: number;
  cpuSeconds: number;
}

/** The side `name=checkout`: that checkout's property suite and bitmap allocator. */
async function sideOf(arg: string): Promise<Side> {
  const [name, checkout] = arg.split(/=(.*)/s) as [string, string];
  const from = async <T>(file: string): Promise<T> =>
    (await import(pathToFileURL(path.resolve(checkout, file)).href)) as T;
  const { PROPERTIES } = await from<typeof import("../../properties/properties.ts")>(
    "properties/properties.ts",
  );
  const { GEOMETRY_FAMILIES } = await from<
    typeof import("../../properties/generators/geometry.ts")
  >("properties/generators/geometry.ts");
  const { runProperty } = await from<typeof import("../../properties/run/run-property.ts")>(
    "properties/run/run-property.ts",
  );
  const { createAllocator } = await from<typeof import("../allocators/create-allocator.ts")>(
    "src/allocators/create-allocator.ts",
  );
  return {
    name,
    properties: PROPERTIES,
    families: GEOMETRY_FAMILIES,
    profiles: await from<typeof Profiles>("properties/profiles.ts"),
    runProperty,
    createBitmap: (geometry) => createAllocator("bitmap", geometry),
    operations: 0,
    cpuSeconds: 0,
  };
}

const [first, second, profileName = "ci"] = process.argv.slice(2);
const sides = [await sideOf(first!), await sideOf(second!)];
let pair = 0;
for (let p = 0; p < sides[0]!.properties.length; p++) {
  for (const family of sides[0]!.families) {
    const order = pair++ % 2 === 0 ? sides : [sides[1]!, sides[0]!];
    for (const side of order) {
      const definition = side.properties[p]!;
      const { profiles } = side;
      const seed = profiles.seedFor(
        profiles.DEFAULT_BASE_SEED,
        `${definition.id}/bitmap/${family}`,
      );
      const start = cpuNow();
      const result = side.runProperty(definition, side.createBitmap, {
        implementation: "bitmap",
        profile: profiles.PROFILES[profileName as Profiles.ProfileName],
        family,
        seed,
      });
      side.cpuSeconds += (cpuNow() - start) / 1e9;
      side.operations += result.operations;
    }
  }
}
const of = (name: string) => {
  const side = sides.find((s) => s.name === name)!;
  return { operations: side.operations, cpuSeconds: side.cpuSeconds };
};
console.log(JSON.stringify({ before: of("before"), after: of("after") }));
