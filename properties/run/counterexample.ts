/**
 * Counterexample files (reports/counterexamples/*.json): everything needed to see, replay and
 * keep a failure of any allocator, allocheck's own or an outside one. The operations are the
 * shrunk ones, concrete (sizes in bytes, blocks by pick), so the file replays without fast-check;
 * beside it, `<name>.regression.ts` is a vitest test to move into the user's tests
 * (regression-test.ts).
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative, resolve, isAbsolute } from "node:path";
import type { Geometry, GeometryOptions } from "../../src/core/geometry.ts";
import type { Contract, ResolvedContract } from "../model/contract.ts";
import { opToJson, type Op } from "../model/ops.ts";
import { isBuiltInAllocator } from "./built-in-allocators.ts";
import { CounterexampleError } from "./counterexample-error.ts";
import { validateCounterexample } from "./counterexample-schema.ts";
import { regressionTest } from "./regression-test.ts";

export {
  COUNTEREXAMPLE_ERROR_CODES,
  CounterexampleError,
  type CounterexampleErrorCode,
} from "./counterexample-error.ts";

export interface Counterexample {
  readonly allocheck: "counterexample";
  readonly version: 1;
  readonly property: string;
  /** The invariant that failed, or 0 (UNEXPECTED_ERROR) when the allocator threw. */
  readonly invariant: number;
  /** The allocator kind, as createAllocator knows it, or an outside allocator's name. */
  readonly implementation: string;
  readonly geometry: GeometryOptions & { readonly name: string };
  readonly operations: readonly Op[];
  /** Index of the failing step in `operations`. */
  readonly failingStep: number;
  readonly message: string;
  readonly seed: number;
  readonly path: string;
  readonly profile: string;
  readonly replay: string;
  readonly created: string;
  /**
   * What the allocator promised when it failed (spec/invariants.md §Contracts); replay holds it
   * to the same promise. Absent: DEFAULT_CONTRACT. A `misuseCode` mapping is code, not data: the
   * file only says whether one was given (replay takes it from the adapter).
   */
  readonly contract?: RecordedContract;
}

/** A contract as a counterexample file keeps it. */
export interface RecordedContract extends Required<Contract> {
  /** True when the allocator's errors were mapped to codes by a `misuseCode` function. */
  readonly misuseCode: boolean;
}

export function recordContract(contract: ResolvedContract): RecordedContract {
  return {
    misuse: contract.misuse,
    outOfMemory: contract.outOfMemory,
    coalesces: contract.coalesces,
    misuseCode: contract.misuseCode !== undefined,
  };
}

export function geometryOptionsOf(g: Geometry): GeometryOptions & { name: string } {
  const {
    name,
    alignment,
    smallThreshold,
    poolSize,
    arenaSize,
    poolOverhead,
    poolAlignedArenas,
    maxArenas,
    keepEmptyArena,
    maxRequest,
  } = g;
  return {
    name,
    alignment,
    smallThreshold,
    poolSize,
    arenaSize,
    poolOverhead,
    poolAlignedArenas,
    maxArenas,
    keepEmptyArena,
    maxRequest,
  };
}

/** Longest a name part of a file name may be, so that the whole stays well under 255 bytes. */
const MAX_NAME_PART = 60;

/**
 * A name (an allocator's or a property's, chosen by whoever calls verifyAllocator) as a part of a
 * file name: letters, digits, `.`, `_`, `+`, `-` kept, every other run of characters (path
 * separators, control characters, spaces) one `-`, no `..`, no leading dot or dash, at most
 * MAX_NAME_PART characters; never empty. "mine (buggy)" gives "mine-buggy"; "/../../x" gives "x".
 */
export function fileNamePart(name: string): string {
  const part = name
    .normalize("NFKC")
    .replace(/[^\p{L}\p{N}._+-]+/gu, "-")
    .replace(/\.{2,}/g, ".")
    .replace(/^[.-]+|[.-]+$/g, "")
    .slice(0, MAX_NAME_PART)
    .replace(/[.-]+$/g, "");
  return part === "" ? "unnamed" : part;
}

/** `<property>--<allocator>--<seed>`: the seed and property keep it unique per run. */
export function counterexampleStem(
  c: Pick<Counterexample, "property" | "implementation" | "seed">,
): string {
  return `${fileNamePart(c.property)}--${fileNamePart(c.implementation)}--${c.seed >>> 0}`;
}

export function counterexampleFileName(
  c: Pick<Counterexample, "property" | "implementation" | "seed">,
): string {
  return `${counterexampleStem(c)}.json`;
}

/** The regression test written beside a counterexample file (outside vitest's default glob). */
export function regressionFileOf(file: string): string {
  return file.replace(/\.json$/, ".regression.ts");
}

/** The one command that replays `file`: an outside allocator's needs its adapter module. */
export function replayCommand(file: string, implementation: string): string {
  const quoted = /^[\w./+-]+$/.test(file) ? file : JSON.stringify(file);
  if (isBuiltInAllocator(implementation)) return `npx allocheck replay ${quoted}`;
  // A module of `allocheck verify --wasm` (src/cli/wasm-target.ts): replay finds it by the name.
  if (implementation.startsWith("wasm:"))
    return `npx allocheck replay ${quoted} [the --wasm flags]`;
  return `npx allocheck replay ${quoted} --adapter <module whose default export is the factory>`;
}

/**
 * Writes `<stem>.json` and, beside it, `<stem>.regression.ts` in `dir` (made when missing);
 * returns the JSON's path. Whatever the names, both files land directly in `dir`.
 */
export function writeCounterexample(dir: string, c: Counterexample): string {
  const file = join(dir, counterexampleFileName(c));
  const inside = relative(resolve(dir), resolve(file));
  if (inside.startsWith("..") || isAbsolute(inside) || inside.includes("/"))
    throw new CounterexampleError("unwritable", `${file}: would be written outside ${dir}`);
  try {
    mkdirSync(dir, { recursive: true });
    const kept = { ...c, replay: replayCommand(file, c.implementation) };
    writeFileSync(
      file,
      JSON.stringify({ ...kept, operations: c.operations.map(opToJson) }, null, 2) + "\n",
    );
    writeFileSync(regressionFileOf(file), regressionTest(kept));
  } catch (error) {
    throw new CounterexampleError(
      "unwritable",
      `cannot write the counterexample to ${dir}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  return file;
}

/** Reads a counterexample file; a CounterexampleError says what is wrong with it. */
export function readCounterexample(file: string): Counterexample {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new CounterexampleError(
      "unreadable",
      `${file}: not a readable JSON file (${error instanceof Error ? error.message : String(error)})`,
    );
  }
  try {
    return parseCounterexample(parsed);
  } catch (error) {
    throw error instanceof CounterexampleError
      ? new CounterexampleError(error.code, `${file}: ${error.message}`, error.field)
      : error;
  }
}

/**
 * A counterexample from its JSON form (a file's content, or the copy in a regression test),
 * checked against the schema (counterexample-schema.ts) before anything runs.
 */
export function parseCounterexample(parsed: unknown): Counterexample {
  return validateCounterexample(parsed);
}
