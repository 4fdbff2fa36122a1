/**
 * The kill matrix (spec/audit.md §2): the ci profile's properties against the seeded bugs.
 *
 *   killBug(bug, { mode: "gate" })   per family the bug can show in, the properties in the bug's
 *                                    order (its suspects first) until the first one kills it
 *   killBug(bug, { mode: "full" })   every property in every family: the full matrix
 *
 * Every cell is one runProperty with fast-check's shrinking on (endOnFailure off), a fixed seed
 * (`seedFor(base, "kill/<bug>/<property>/<family>")`), no counterexample file. A cell kills when
 * the property fails: an invariant violated (with the shrunk counterexample), or its target states
 * reached too rarely (no counterexample: the bug kept the runs from the states they must reach).
 */
import { GEOMETRY_FAMILIES, type GeometryFamily } from "../generators/geometry.ts";
import { formatOp } from "../model/ops.ts";
import { PROFILES, seedFor, type Profile } from "../profiles.ts";
import { PROPERTIES, type PropertyDefinition } from "../properties.ts";
import { runProperty } from "../run/run-property.ts";
import type { SeededBug } from "./seeded-bugs/catalogue.ts";

export interface KillCell {
  readonly property: string;
  readonly family: GeometryFamily;
  readonly seed: number;
  readonly killed: boolean;
  /** "violation": an invariant failed; "reach": its target states were too rare. */
  readonly how?: "violation" | "reach";
  /** Runs up to and including the first failing one (all runs when not killed). */
  readonly runs: number;
  /** Wall time from the start of the property to its first failing run (before shrinking). */
  readonly secondsToFailure?: number;
  /** Wall time of the whole cell, shrinking included. */
  readonly seconds: number;
  readonly invariant?: number;
  readonly shrunkLength?: number;
  readonly shrinks?: number;
  readonly counterexample?: readonly string[];
  readonly geometry?: string;
  readonly message?: string;
}

export interface BugResult {
  readonly bug: string;
  readonly cells: readonly KillCell[];
  readonly killed: boolean;
  /** The first kill found (in search order): the gate's figures. */
  readonly first?: KillCell;
  readonly seconds: number;
}

export interface KillOptions {
  readonly mode: "gate" | "full";
  readonly profile?: Profile;
  readonly baseSeed: number;
  /** Families to run (default: the bug's, in the gate; all, in the full matrix). */
  readonly families?: readonly GeometryFamily[];
  readonly onCell?: (cell: KillCell) => void;
}

/** The bug's search order: its suspects, then every other property in PROPERTIES order. */
export function propertyOrder(bug: SeededBug): PropertyDefinition[] {
  const suspects = bug.suspects.map((id) => PROPERTIES.find((p) => p.id === id)!);
  return [...suspects, ...PROPERTIES.filter((p) => !bug.suspects.includes(p.id))];
}

export function killSeed(
  baseSeed: number,
  bug: SeededBug,
  property: string,
  family: GeometryFamily,
): number {
  return seedFor(baseSeed, `kill/${bug.id}/${property}/${family}`);
}

export function runCell(
  bug: SeededBug,
  definition: PropertyDefinition,
  family: GeometryFamily,
  profile: Profile,
  baseSeed: number,
): KillCell {
  const seed = killSeed(baseSeed, bug, definition.id, family);
  // The factory runs first in every execution: the start of execution runs + 1 (the first shrink)
  // is the moment the first failure was seen.
  const started = performance.now();
  const calls: number[] = [];
  const result = runProperty(definition, (g) => (calls.push(performance.now()), bug.make(g)), {
    implementation: bug.id,
    profile,
    family,
    seed,
  });
  const failed = result.verdict === "fail";
  const f = result.failure;
  const seconds = (performance.now() - started) / 1000;
  if (!failed)
    return { property: definition.id, family, seed, killed: false, runs: result.runs, seconds };
  if (f === undefined) {
    return {
      property: definition.id,
      family,
      seed,
      killed: true,
      how: "reach",
      runs: result.runs,
      secondsToFailure: seconds,
      seconds,
      message: result.unreached.join("; "),
    };
  }
  const atFailure = calls[result.runs] ?? performance.now();
  return {
    property: definition.id,
    family,
    seed,
    killed: true,
    how: "violation",
    runs: result.runs,
    secondsToFailure: (atFailure - started) / 1000,
    seconds,
    invariant: f.invariant,
    shrunkLength: f.operations.length,
    shrinks: f.shrinks,
    counterexample: f.operations.map(formatOp),
    geometry: f.geometry.name,
    message: f.message.split("\n")[0]!.slice(0, 300),
  };
}

export function killBug(bug: SeededBug, options: KillOptions): BugResult {
  const started = performance.now();
  const profile = options.profile ?? PROFILES.ci;
  const families =
    options.families ??
    (options.mode === "gate"
      ? GEOMETRY_FAMILIES.filter((f) => bug.families.includes(f))
      : GEOMETRY_FAMILIES);
  const order = options.mode === "gate" ? propertyOrder(bug) : [...PROPERTIES];
  const cells: KillCell[] = [];
  for (const family of families) {
    for (const definition of order) {
      const cell = runCell(bug, definition, family, profile, options.baseSeed);
      cells.push(cell);
      options.onCell?.(cell);
      if (cell.killed && options.mode === "gate") break;
    }
  }
  const kills = cells.filter((c) => c.killed);
  return {
    bug: bug.id,
    cells,
    killed: kills.length > 0,
    ...(kills[0] !== undefined ? { first: kills[0] } : {}),
    seconds: (performance.now() - started) / 1000,
  };
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
