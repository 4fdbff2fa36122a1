/**
 * The options `scenario` and `stats` share: which scenario, on which geometry preset and
 * allocator kind (ALLOCATOR_KINDS, so a kind added there is accepted here), at which scale and
 * seed; and running it.
 */
import {
  ALLOCATOR_KINDS,
  createAllocator,
  type AllocatorKind,
} from "../allocators/create-allocator.ts";
import { geometries, type PresetName } from "../core/geometry.ts";
import { integerFlag, UsageError, type ParsedArgs } from "./args.ts";
import { ScenarioOutOfMemory } from "../scenarios/recorder.ts";
import {
  runScenario,
  scenarioByName,
  SCENARIO_NAMES,
  type Scenario,
  type ScenarioResult,
} from "../scenarios/index.ts";

export const DEFAULT_GEOMETRY: PresetName = "cpython-3.11";
export const DEFAULT_ALLOCATOR: AllocatorKind = "bitmap";
export const PRESET_NAMES = Object.keys(geometries) as PresetName[];

export const SCENARIO_FLAGS = {
  geometry: PRESET_NAMES,
  allocator: [...ALLOCATOR_KINDS],
  scale: undefined,
  seed: undefined,
} as const;

export const SCENARIO_OPTIONS_HELP = `  --geometry PRESET  ${PRESET_NAMES.join(", ")} (default ${DEFAULT_GEOMETRY})
  --allocator KIND   ${ALLOCATOR_KINDS.join(", ")} (default ${DEFAULT_ALLOCATOR})
  --scale F          multiply the seed's sizes by F, e.g. 0.1 (default 1: the real numbers)
  --seed N           seed of the random choices (churn; default 1)`;

export interface ScenarioChoice {
  readonly scenario: Scenario;
  readonly geometry: PresetName;
  readonly kind: AllocatorKind;
  readonly scale: number;
  readonly seed: number;
}

/** The scenario `name` with the flags of `args`; bad names and values are UsageErrors. */
export function scenarioChoice(
  args: ParsedArgs,
  name: string | undefined,
  command: string,
): ScenarioChoice {
  if (name === undefined)
    throw new UsageError(
      `${command}: name a scenario: ${SCENARIO_NAMES.join(", ")} (allocheck ${command} --help)`,
    );
  const scenario = scenarioByName(name);
  if (scenario === undefined)
    throw new UsageError(
      `${command}: unknown scenario "${name}"; scenarios: ${SCENARIO_NAMES.join(", ")}`,
    );
  const rawScale = args.flags.scale;
  const scale = rawScale === undefined ? 1 : Number(rawScale);
  if (!(Number.isFinite(scale) && scale > 0 && scale <= 10))
    throw new UsageError(
      `${command}: --scale ${rawScale}: use a number above 0 and at most 10, e.g. 0.1`,
    );
  return {
    scenario,
    geometry: (args.flags.geometry as PresetName | undefined) ?? DEFAULT_GEOMETRY,
    kind: (args.flags.allocator as AllocatorKind | undefined) ?? DEFAULT_ALLOCATOR,
    scale,
    seed: integerFlag(args, "seed", command) ?? 1,
  };
}

export function runChosenScenario(choice: ScenarioChoice, command: string): ScenarioResult {
  const allocator = createAllocator(choice.kind, choice.geometry);
  try {
    return runScenario(choice.scenario, allocator, {
      scale: choice.scale,
      seed: choice.seed,
      create: (g) => createAllocator(choice.kind, g),
    });
  } catch (error) {
    if (error instanceof ScenarioOutOfMemory)
      throw new UsageError(
        `${command}: ${choice.scenario.name} ran ${error.message}; use a smaller --scale`,
      );
    throw error;
  }
}
