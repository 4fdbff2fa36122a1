/**
 * Operations: the steps of every run, counterexample and replay.
 *
 * An operation names its block by `pick`, an index into the shadow's live blocks (taken modulo
 * their number), never by address: that keeps a sequence meaningful on any geometry and under
 * shrinking, and makes a counterexample file replayable as it stands. Sizes are concrete bytes.
 * Macro steps reach deep states in one step (a full pool, a full arena, a drained heap), so a
 * shrunk counterexample stays a handful of lines.
 */

export type MisuseKind =
  | "double-free" // free a block freed earlier (errors.md rows 2, 4, 5, 9)
  | "use-after-free" // usableSize / realloc of a block freed earlier
  | "interior" // a pointer into a live block, not at its start
  | "header" // a pointer into a used pool's header
  | "released-arena" // a pointer into an arena that was unmapped
  | "unknown" // not a block address: never mapped, arena slack or guard, NaN, negative, not a number
  | "bad-size"; // malloc / realloc with an invalid size

export const MISUSE_KINDS: readonly MisuseKind[] = [
  "double-free",
  "use-after-free",
  "interior",
  "header",
  "released-arena",
  "unknown",
  "bad-size",
];

/** Invalid sizes that `bad-size` cycles through (spec/errors.md §1); "16" is not a number at all. */
export const BAD_SIZES: readonly number[] = [
  -1,
  1.5,
  NaN,
  Infinity,
  -Infinity,
  Number.MAX_SAFE_INTEGER + 1,
  2 ** 64,
  -0.5,
  "16" as unknown as number,
];

export type Op =
  | { readonly op: "malloc"; readonly n: number }
  /** free a live block; pick null is free(null), which must change nothing */
  | { readonly op: "free"; readonly pick: number | null }
  | { readonly op: "realloc"; readonly pick: number | null; readonly n: number }
  | { readonly op: "misuse"; readonly kind: MisuseKind; readonly pick: number }
  /** malloc(n) as many times as a pool of its class has blocks */
  | { readonly op: "fill-pool"; readonly n: number }
  /** malloc(n) as many times as an arena has blocks of its class (capped, macros.ts) */
  | { readonly op: "fill-arena"; readonly n: number }
  | { readonly op: "free-all" }
  /** free every k-th live block (keep: false), or all but every k-th (keep: true, the seed's pinning) */
  | { readonly op: "free-every"; readonly k: number; readonly keep: boolean }
  /** malloc(n) until it returns null (out of memory), at most the macro limit */
  | { readonly op: "exhaust"; readonly n: number }
  /** `steps` times: free a live block and malloc another, from a seeded stream */
  | { readonly op: "churn"; readonly steps: number; readonly seed: number }
  /** malloc(n); free; malloc(n) must return the same address (invariant 5) */
  | { readonly op: "round-trip"; readonly n: number };

export type OpName = Op["op"];

/** One line per operation, as counterexamples and replays print them. */
export function formatOp(op: Op): string {
  switch (op.op) {
    case "malloc":
    case "fill-pool":
    case "fill-arena":
    case "exhaust":
    case "round-trip":
      return `${op.op}(${op.n})`;
    case "free":
      return op.pick === null ? "free(null)" : `free(#${op.pick})`;
    case "realloc":
      return `realloc(${op.pick === null ? "null" : `#${op.pick}`}, ${op.n})`;
    case "misuse":
      return `misuse(${op.kind}, #${op.pick})`;
    case "free-all":
      return "free-all()";
    case "free-every":
      return `free-every(${op.k}, ${op.keep ? "keep" : "free"})`;
    case "churn":
      return `churn(${op.steps}, seed ${op.seed})`;
  }
}

/** JSON cannot hold NaN or ±Infinity; sizes are the only numbers that may be those. */
export function opToJson(op: Op): unknown {
  return JSON.parse(
    JSON.stringify(op, (_, value: unknown) =>
      typeof value === "number" && !Number.isFinite(value) ? String(value) : value,
    ),
  );
}

export function opFromJson(value: unknown): Op {
  const revive = (x: unknown) =>
    x === "NaN" ? NaN : x === "Infinity" ? Infinity : x === "-Infinity" ? -Infinity : x;
  const raw = value as Record<string, unknown>;
  const op = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, revive(v)])) as Op;
  if (typeof op !== "object" || op === null || typeof op.op !== "string")
    throw new TypeError(`not an operation: ${JSON.stringify(value)}`);
  return op;
}
