/**
 * The schema of a counterexample file, checked before anything replays it: every field with its
 * type and range, every operation and every field of it, the geometry through defineGeometry
 * (spec/model.md §1), the property known. A bad file is a CounterexampleError that names the
 * field (`operations[3].n`) and says what is allowed; nothing of it runs. Whether the
 * implementation is one of allocheck's, or needs an adapter, is replay's question (replay.ts).
 */
import { defineGeometry, GeometryError, type Geometry } from "../../src/core/geometry.ts";
import { CONTRACT_CHOICES } from "../model/contract.ts";
import { MISUSE_KINDS, type Op, type OpName } from "../model/ops.ts";
import { PROFILES } from "../profiles.ts";
import { PROPERTIES, PROPERTY_IDS } from "../properties.ts";
import { CounterexampleError } from "./counterexample-error.ts";
import type { Counterexample } from "./counterexample.ts";

/** Longest sequence a file may hold: fast-check's largest command list (size "xlarge") is 10^4. */
export const MAX_OPERATIONS = 10_000;

/**
 * Most steps a churn may take, and largest k of free-every: the largest macro limit of a profile
 * (a macro step never makes more primitive calls in a run, properties/profiles.ts).
 */
export const MAX_MACRO_STEPS = Math.max(...Object.values(PROFILES).map((p) => p.macroLimit));

/** A field's rule: undefined when `value` is allowed, else what is allowed. */
type Rule = (value: unknown) => string | undefined;

const isInteger = (v: unknown, min: number, max: number): boolean =>
  typeof v === "number" && Number.isSafeInteger(v) && v >= min && v <= max;

const integer =
  (min: number, max: number, what = "an integer"): Rule =>
  (v) =>
    isInteger(v, min, max) ? undefined : `${what} from ${min} to ${max}`;

const string: Rule = (v) => (typeof v === "string" ? undefined : "a string");
const nonEmptyString: Rule = (v) =>
  typeof v === "string" && v.trim() !== "" ? undefined : "a non-empty string";
const boolean: Rule = (v) => (typeof v === "boolean" ? undefined : "true or false");
const oneOf =
  (choices: readonly unknown[]): Rule =>
  (v) =>
    choices.includes(v) ? undefined : `one of ${choices.map((c) => JSON.stringify(c)).join(", ")}`;
const orNull =
  (rule: Rule): Rule =>
  (v) =>
    v === null ? undefined : rule(v) && `${rule(v)}, or null`;

/** A block by pick: any safe non-negative integer (taken modulo the live blocks, ops.ts). */
const pick = integer(0, Number.MAX_SAFE_INTEGER, "a pick, an integer");

/**
 * The fields of each operation (ops.ts), sizes bounded by the geometry's maxRequest: a size above
 * it is invalid-size (spec/errors.md §1), which only a misuse step may ask for.
 */
function opRules(geometry: Geometry): Record<OpName, Record<string, Rule>> {
  const size = integer(0, geometry.maxRequest, "a size, an integer");
  return {
    malloc: { n: size },
    free: { pick: orNull(pick) },
    realloc: { pick: orNull(pick), n: size },
    misuse: { kind: oneOf(MISUSE_KINDS), pick },
    "fill-pool": { n: size },
    "fill-arena": { n: size },
    "free-all": {},
    "free-every": { k: integer(1, MAX_MACRO_STEPS), keep: boolean },
    exhaust: { n: size },
    churn: { steps: integer(1, MAX_MACRO_STEPS), seed: integer(0, 2 ** 32 - 1) },
    "round-trip": { n: size },
  };
}

const INVARIANTS = [0, ...new Set(PROPERTIES.map((p) => p.invariant.number))];

/** The top-level fields; `undefined`-able ones may be left out. */
const FIELDS: Record<string, { readonly rule: Rule; readonly optional?: true }> = {
  allocheck: { rule: oneOf(["counterexample"]) },
  version: { rule: oneOf([1]) },
  property: { rule: string },
  invariant: { rule: oneOf(INVARIANTS) },
  implementation: { rule: nonEmptyString },
  geometry: { rule: () => undefined },
  operations: { rule: () => undefined },
  failingStep: { rule: () => undefined },
  message: { rule: string },
  seed: { rule: integer(Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER) },
  path: { rule: string, optional: true },
  profile: { rule: oneOf(Object.keys(PROFILES)), optional: true },
  replay: { rule: string, optional: true },
  created: { rule: string, optional: true },
  contract: { rule: () => undefined, optional: true },
};

const shown = (value: unknown): string => {
  if (value === undefined) return "nothing";
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
};

function invalid(field: string, allowed: string, value: unknown): CounterexampleError {
  return new CounterexampleError(
    "invalid-field",
    `${field}: use ${allowed}; got ${shown(value)}`,
    field,
  );
}

function checkField(field: string, rule: Rule, value: unknown): void {
  const allowed = rule(value);
  if (allowed !== undefined) throw invalid(field, allowed, value);
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** Fields of `record` not in `known`: each is refused, naming the known ones. */
function refuseUnknown(record: Record<string, unknown>, known: readonly string[], at: string) {
  const extra = Object.keys(record).find((k) => !known.includes(k));
  if (extra !== undefined)
    throw new CounterexampleError(
      "invalid-field",
      `${at}${extra}: no such field; fields: ${known.join(", ") || "none"}`,
      `${at}${extra}`,
    );
}

/**
 * A counterexample from its JSON form (a file's content, or the copy a regression test holds),
 * checked against the schema; throws CounterexampleError naming the first bad field.
 */
export function validateCounterexample(value: unknown): Counterexample {
  if (!isObject(value) || value.allocheck !== "counterexample")
    throw new CounterexampleError(
      "not-a-counterexample",
      `not an allocheck counterexample: an object with "allocheck": "counterexample" (got ${shown(value)})`,
    );
  refuseUnknown(value, Object.keys(FIELDS), "");
  for (const [field, { rule, optional }] of Object.entries(FIELDS))
    if (!(optional && value[field] === undefined)) checkField(field, rule, value[field]);
  if (!PROPERTY_IDS.includes(value.property as string))
    throw new CounterexampleError(
      "unknown-property",
      `property: unknown property ${shown(value.property)}; properties: ${PROPERTY_IDS.join(", ")}`,
      "property",
    );
  const geometry = checkedGeometry(value.geometry);
  const operations = checkedOperations(value.operations, geometry);
  checkField("failingStep", integer(-1, operations.length), value.failingStep);
  if (value.contract !== undefined) checkContract(value.contract);
  return { ...(value as unknown as Counterexample), operations };
}

function checkedGeometry(value: unknown): Geometry {
  if (!isObject(value)) throw invalid("geometry", "an object of geometry options", value);
  checkField("geometry.name", nonEmptyString, value.name);
  const { name, ...options } = value;
  try {
    return defineGeometry(options as never, name as string);
  } catch (error) {
    if (!(error instanceof GeometryError)) throw error;
    throw new CounterexampleError("invalid-geometry", `geometry: ${error.message}`, "geometry");
  }
}

function checkedOperations(value: unknown, geometry: Geometry): Op[] {
  if (!Array.isArray(value) || value.length > MAX_OPERATIONS)
    throw invalid("operations", `an array of at most ${MAX_OPERATIONS} operations`, value);
  const rules = opRules(geometry);
  return value.map((op: unknown, i) => {
    const at = `operations[${i}]`;
    if (!isObject(op)) throw invalid(at, "an operation object", op);
    const name = op.op;
    if (typeof name !== "string" || !Object.hasOwn(rules, name))
      throw invalid(`${at}.op`, `one of ${Object.keys(rules).join(", ")}`, name);
    const fields = rules[name as OpName];
    refuseUnknown(op, ["op", ...Object.keys(fields)], `${at}.`);
    for (const [field, rule] of Object.entries(fields))
      checkField(`${at}.${field}`, rule, op[field]);
    return op as unknown as Op;
  });
}

function checkContract(value: unknown): void {
  if (!isObject(value)) throw invalid("contract", "an object", value);
  const members = { ...CONTRACT_CHOICES, misuseCode: [true, false] };
  refuseUnknown(value, Object.keys(members), "contract.");
  for (const [member, choices] of Object.entries(members))
    checkField(`contract.${member}`, oneOf(choices), value[member]);
}
