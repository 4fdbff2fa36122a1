/** The scenarios `allocheck scenario` and `allocheck stats` know, by name, in the seed's order. */
import { churn } from "./churn.ts";
import { listOfInts } from "./list-of-ints.ts";
import { pinned } from "./pinned.ts";
import type { Scenario } from "./scenario.ts";
import { strings } from "./strings.ts";
import { thrashScenario } from "./thrash.ts";

export const SCENARIOS: readonly Scenario[] = [listOfInts, strings, pinned, thrashScenario, churn];

export const SCENARIO_NAMES: readonly string[] = SCENARIOS.map((s) => s.name);

export function scenarioByName(name: string): Scenario | undefined {
  return SCENARIOS.find((s) => s.name === name);
}

export {
  runScenario,
  endOf,
  scaled,
  type Scenario,
  type ScenarioResult,
  type ScenarioContext,
  type ScenarioReport,
} from "./scenario.ts";
export type { Phase, SeriesPoint } from "./recorder.ts";
