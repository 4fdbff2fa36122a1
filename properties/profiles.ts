/**
 * Run profiles, chosen by one environment variable, ALLOCHECK_PROFILE (quick | ci | deep; the
 * default is ci). Seeds are fixed and printed: ALLOCHECK_SEED (default 20261125) is mixed with
 * each property's name, so every property has its own stream and a failure names the seed that
 * replays it.
 */

import { VerifyOptionsError } from "./verify/verify-options-error.ts";

export type ProfileName = "quick" | "ci" | "deep";

export interface Profile {
  readonly name: ProfileName;
  /** Runs per property (fast-check numRuns). */
  readonly numRuns: number;
  /** fc.commands size: how long a run's command list may grow. */
  readonly size: "small" | "medium" | "large";
  /** Longest sequence of the bounded-exhaustive mode. */
  readonly exhaustiveLength: number;
  /** Upper bound on the primitive calls of one macro step. */
  readonly macroLimit: number;
}

export const PROFILES: Readonly<Record<ProfileName, Profile>> = {
  quick: { name: "quick", numRuns: 40, size: "medium", exhaustiveLength: 2, macroLimit: 1024 },
  ci: { name: "ci", numRuns: 140, size: "medium", exhaustiveLength: 3, macroLimit: 4096 },
  deep: { name: "deep", numRuns: 1000, size: "large", exhaustiveLength: 4, macroLimit: 16384 },
};

export function isProfileName(name: unknown): name is ProfileName {
  return typeof name === "string" && Object.hasOwn(PROFILES, name);
}

export function profileFromEnv(
  env: Readonly<Record<string, string | undefined>> = process.env,
): Profile {
  const name = env.ALLOCHECK_PROFILE ?? "ci";
  if (!isProfileName(name))
    throw new VerifyOptionsError(
      "unknown-profile",
      `ALLOCHECK_PROFILE=${name}: use quick, ci or deep`,
    );
  return PROFILES[name];
}

export const DEFAULT_BASE_SEED = 20261125;

export function baseSeedFromEnv(
  env: Readonly<Record<string, string | undefined>> = process.env,
): number {
  const raw = env.ALLOCHECK_SEED;
  if (raw === undefined || raw === "") return DEFAULT_BASE_SEED;
  const seed = Number(raw);
  if (!Number.isSafeInteger(seed))
    throw new VerifyOptionsError("invalid-seed", `ALLOCHECK_SEED=${raw}: use an integer`);
  return seed;
}

/** A 32-bit seed for one property of one subject: FNV-1a of the label, mixed with the base. */
export function seedFor(base: number, label: string): number {
  let h = 0x811c9dc5 ^ (base >>> 0);
  for (let i = 0; i < label.length; i++) h = Math.imul(h ^ label.charCodeAt(i), 0x01000193);
  return h | 0;
}
