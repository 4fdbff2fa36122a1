/**
 * The options of `verifyAllocator` and `planVerification`, checked and resolved: every default
 * filled in (the profile and seed from ALLOCHECK_PROFILE and ALLOCHECK_SEED, every family, every
 * property, the default contract, reports/counterexamples), and bad input refused with a
 * VerifyOptionsError before anything runs.
 */
import { existsSync, statSync } from "node:fs";
import { resolve } from "node:path";
import {
  CONTRACT_CHOICES,
  resolveContract,
  type Contract,
  type MisuseCode,
  type ResolvedContract,
} from "../model/contract.ts";
import type { ExhaustiveResult } from "../exhaustive/bounded.ts";
import { GEOMETRY_FAMILIES, type GeometryFamily } from "../generators/geometry.ts";
import {
  baseSeedFromEnv,
  isProfileName,
  profileFromEnv,
  PROFILES,
  type Profile,
  type ProfileName,
} from "../profiles.ts";
import { PROPERTIES, PROPERTY_IDS, type PropertyDefinition } from "../properties.ts";
import { COUNTEREXAMPLE_DIR } from "../run/paths.ts";
import type { PropertyResult } from "../run/run-property.ts";
import { VerifyOptionsError } from "./verify-options-error.ts";

export interface VerifyOptions {
  /** The allocator's name in reports, test names and counterexample files. */
  readonly name: string;
  /** Default: ALLOCHECK_PROFILE, else ci. */
  readonly profile?: ProfileName | Profile;
  /** Base seed, a safe integer. Default: ALLOCHECK_SEED, else 20261125. */
  readonly seed?: number;
  /** Default: every family (GEOMETRY_FAMILIES). */
  readonly families?: readonly GeometryFamily[];
  /** Property ids (or prefixes such as "I06"; PROPERTY_IDS lists them) to run; default all that apply. */
  readonly properties?: readonly string[];
  /** Compare with the reference allocator (invariant 11). Default: when the subject has a geometry. */
  readonly addressOrdered?: boolean;
  /** Run the bounded-exhaustive mode too. Default true. */
  readonly exhaustive?: boolean;
  /** What the allocator promises (spec/invariants.md §Contracts). Default: DEFAULT_CONTRACT. */
  readonly contract?: Contract;
  /** Maps the allocator's errors to allocheck's codes, so that invariant 9 checks the codes too. */
  readonly misuseCode?: MisuseCode;
  /** Where failures' counterexamples are written; false writes none. Default reports/counterexamples. */
  readonly counterexampleDir?: string | false;
  /**
   * Milliseconds each run (each entry of the plan) may take, or false for none. Default
   * DEFAULT_DEADLINE_MS of the profile. In process a run stops at a step boundary: a "deadline"
   * finding (model/deadline.ts).
   */
  readonly deadline?: number | false;
  /**
   * The module whose default export is the same factory (it may export `contract` and
   * `misuseCode`, as `allocheck verify --adapter` takes it): each property run then runs in a
   * child process that is killed at the deadline, so a step that never returns is a "hang"
   * finding with its steps (run/isolated.ts). The bounded-exhaustive mode stays in process.
   */
  readonly adapterModule?: string;
  readonly onProgress?: (event: VerifyProgress) => void;
}

/** The default deadline of a run, per profile: a property at deep takes minutes. */
export const DEFAULT_DEADLINE_MS: Readonly<Record<ProfileName, number>> = {
  quick: 30_000,
  ci: 30_000,
  deep: 600_000,
};

export type VerifyProgress =
  | {
      readonly kind: "property-start";
      readonly property: string;
      readonly family: GeometryFamily;
      readonly index: number;
      readonly total: number;
    }
  | {
      readonly kind: "run";
      readonly property: string;
      readonly family: GeometryFamily;
      readonly runs: number;
      readonly of: number;
    }
  | { readonly kind: "property-end"; readonly result: PropertyResult }
  | { readonly kind: "exhaustive-end"; readonly result: ExhaustiveResult };

/** VerifyOptions with every choice made. */
export interface ResolvedVerifyOptions {
  readonly name: string;
  readonly profile: Profile;
  readonly baseSeed: number;
  readonly families: readonly GeometryFamily[];
  /** The properties asked for, in PROPERTIES' order (applicability is judged later). */
  readonly definitions: readonly PropertyDefinition[];
  readonly addressOrdered?: boolean;
  readonly exhaustive: boolean;
  readonly contract: ResolvedContract;
  /** Absent: no counterexample files. */
  readonly counterexampleDir?: string;
  /** Absent: no deadline. */
  readonly deadlineMs?: number;
  /** Absolute path; absent: runs in process. */
  readonly adapterModule?: string;
  readonly onProgress?: (event: VerifyProgress) => void;
}

/** Checks `options` and fills in the defaults; throws VerifyOptionsError on bad input. */
export function resolveVerifyOptions(options: VerifyOptions): ResolvedVerifyOptions {
  if (typeof options.name !== "string" || options.name.trim() === "")
    throw new VerifyOptionsError(
      "empty-name",
      "name the allocator (it names its reports and tests)",
    );
  const counterexampleDir = resolveCounterexampleDir(options.counterexampleDir);
  const profile = resolveProfile(options.profile);
  const deadlineMs = resolveDeadline(options.deadline, profile);
  const adapterModule = resolveAdapterModule(options.adapterModule);
  return {
    name: options.name,
    profile,
    baseSeed: resolveSeed(options.seed),
    families: resolveFamilies(options.families),
    definitions: selectProperties(options.properties),
    ...(options.addressOrdered !== undefined ? { addressOrdered: options.addressOrdered } : {}),
    exhaustive: options.exhaustive !== false,
    contract: checkedContract(options.contract, options.misuseCode),
    ...(counterexampleDir !== undefined ? { counterexampleDir } : {}),
    ...(deadlineMs !== undefined ? { deadlineMs } : {}),
    ...(adapterModule !== undefined ? { adapterModule } : {}),
    ...(options.onProgress !== undefined ? { onProgress: options.onProgress } : {}),
  };
}

function resolveDeadline(deadline: number | false | undefined, profile: Profile) {
  if (deadline === undefined) return DEFAULT_DEADLINE_MS[profile.name];
  if (deadline === false) return undefined;
  if (typeof deadline !== "number" || !Number.isFinite(deadline) || deadline <= 0)
    throw new VerifyOptionsError(
      "invalid-deadline",
      `deadline ${String(deadline)}: give the milliseconds each run may take, or false for none`,
    );
  return deadline;
}

function resolveAdapterModule(module: string | undefined): string | undefined {
  if (module === undefined) return undefined;
  if (typeof module !== "string" || !existsSync(module) || !statSync(module).isFile())
    throw new VerifyOptionsError(
      "invalid-adapter-module",
      `adapterModule ${JSON.stringify(module)}: give the path of the module whose default export is the factory`,
    );
  return resolve(module);
}

function resolveProfile(profile: VerifyOptions["profile"]): Profile {
  if (profile === undefined) return profileFromEnv();
  if (isProfileName(profile)) return PROFILES[profile];
  if (typeof profile === "object" && profile !== null && isProfileName(profile.name))
    return profile;
  throw new VerifyOptionsError(
    "unknown-profile",
    `profile ${JSON.stringify(profile)}: use ${Object.keys(PROFILES).join(", ")} or a Profile`,
  );
}

function resolveSeed(seed: number | undefined): number {
  if (seed === undefined) return baseSeedFromEnv();
  if (!Number.isSafeInteger(seed))
    throw new VerifyOptionsError("invalid-seed", `seed ${String(seed)}: use a safe integer`);
  return seed;
}

function resolveFamilies(families: readonly GeometryFamily[] | undefined): GeometryFamily[] {
  if (families === undefined) return [...GEOMETRY_FAMILIES];
  if (families.length === 0)
    throw new VerifyOptionsError(
      "no-families",
      `families is empty: give some of ${GEOMETRY_FAMILIES.join(", ")}, or leave it out`,
    );
  for (const family of families) {
    if (!GEOMETRY_FAMILIES.includes(family))
      throw new VerifyOptionsError(
        "unknown-family",
        `family ${JSON.stringify(family)}: use ${GEOMETRY_FAMILIES.join(", ")}`,
      );
  }
  return [...new Set(families)];
}

/** Whether `id` is a property's id or a prefix of one, case aside ("I06", "i06-arena"). */
const selects = (id: string, definition: PropertyDefinition): boolean =>
  id !== "" && definition.id.toLowerCase().startsWith(id.toLowerCase());

function selectProperties(ids: readonly string[] | undefined): readonly PropertyDefinition[] {
  if (ids === undefined) return PROPERTIES;
  if (ids.length === 0)
    throw new VerifyOptionsError("no-properties", "properties is empty: leave it out to run all");
  const unknown = ids.filter(
    (id) => typeof id !== "string" || !PROPERTIES.some((d) => selects(id, d)),
  );
  if (unknown.length > 0)
    throw new VerifyOptionsError(
      "unknown-property",
      `no property ${unknown.map((id) => JSON.stringify(id)).join(", ")}; properties: ${PROPERTY_IDS.join(", ")}`,
    );
  return PROPERTIES.filter((d) => ids.some((id) => selects(id, d)));
}

function checkedContract(
  contract: Contract | undefined,
  misuseCode: MisuseCode | undefined,
): ResolvedContract {
  if (contract !== undefined) {
    if (typeof contract !== "object" || contract === null)
      throw new VerifyOptionsError("invalid-contract", "contract is not an object");
    for (const [member, value] of Object.entries(contract)) {
      const choices = CONTRACT_CHOICES[member as keyof Contract] as readonly unknown[] | undefined;
      if (choices === undefined)
        throw new VerifyOptionsError(
          "invalid-contract",
          `contract.${member}: no such member; members: ${Object.keys(CONTRACT_CHOICES).join(", ")}`,
        );
      if (value !== undefined && !choices.includes(value))
        throw new VerifyOptionsError(
          "invalid-contract",
          `contract.${member} ${JSON.stringify(value)}: use ${choices.map((c) => JSON.stringify(c)).join(" or ")}`,
        );
    }
  }
  if (misuseCode !== undefined && typeof misuseCode !== "function")
    throw new VerifyOptionsError("invalid-contract", "misuseCode is not a function");
  return resolveContract(contract, misuseCode);
}

function resolveCounterexampleDir(dir: string | false | undefined): string | undefined {
  if (dir === undefined) return COUNTEREXAMPLE_DIR;
  if (dir === false) return undefined;
  if (typeof dir !== "string" || dir === "")
    throw new VerifyOptionsError(
      "invalid-counterexample-dir",
      "counterexampleDir: give a directory, or false to write no counterexample files",
    );
  return dir;
}
