/**
 * fast-check commands: each wraps one operation (model/ops.ts) described without a geometry and
 * resolved against the run's geometry when it runs. A property's `mix` weights the operation kinds
 * (fast-check ignores bias in fc.commands, so the weights live in one weighted fc.oneof).
 */
import fc from "fast-check";
import type { Geometry } from "../../src/core/geometry.ts";
import { DEFAULT_CONTRACT, type ResolvedContract } from "../model/contract.ts";
import type { Driver } from "../model/driver.ts";
import { formatOp, MISUSE_KINDS, type MisuseKind, type Op, type OpName } from "../model/ops.ts";
import { resolveSize, sizeSpec, smallSizeSpec, type SizeSpec } from "./sizes.ts";

export type OpSpec =
  | {
      readonly op: "malloc" | "fill-pool" | "fill-arena" | "exhaust" | "round-trip";
      readonly size: SizeSpec;
    }
  | { readonly op: "realloc"; readonly pick: number | null; readonly size: SizeSpec }
  | Exclude<
      Op,
      { op: "malloc" | "fill-pool" | "fill-arena" | "exhaust" | "round-trip" | "realloc" }
    >;

export function resolveOp(spec: OpSpec, geometry: Geometry | undefined, sizeLimit?: number): Op {
  switch (spec.op) {
    case "malloc":
    case "fill-pool":
    case "fill-arena":
    case "exhaust":
    case "round-trip":
      return { op: spec.op, n: resolveSize(spec.size, geometry, sizeLimit) };
    case "realloc":
      return { op: "realloc", pick: spec.pick, n: resolveSize(spec.size, geometry, sizeLimit) };
    default:
      return spec;
  }
}

const pick = fc.nat(1 << 20);

/** One arbitrary per operation kind. */
export const OP_ARBITRARIES: Record<OpName, fc.Arbitrary<OpSpec>> = {
  malloc: fc.record({ op: fc.constant("malloc" as const), size: sizeSpec }),
  free: fc.record({
    op: fc.constant("free" as const),
    pick: fc.oneof({ arbitrary: pick, weight: 19 }, { arbitrary: fc.constant(null), weight: 1 }),
  }),
  realloc: fc.record({
    op: fc.constant("realloc" as const),
    pick: fc.oneof({ arbitrary: pick, weight: 9 }, { arbitrary: fc.constant(null), weight: 1 }),
    size: sizeSpec,
  }),
  misuse: fc.record({
    op: fc.constant("misuse" as const),
    kind: fc.constantFrom(...MISUSE_KINDS),
    pick,
  }),
  "fill-pool": fc.record({ op: fc.constant("fill-pool" as const), size: smallSizeSpec }),
  "fill-arena": fc.record({ op: fc.constant("fill-arena" as const), size: smallSizeSpec }),
  exhaust: fc.record({ op: fc.constant("exhaust" as const), size: smallSizeSpec }),
  "free-all": fc.constant({ op: "free-all" as const }),
  "free-every": fc.record({
    op: fc.constant("free-every" as const),
    k: fc.integer({ min: 2, max: 1000 }),
    keep: fc.boolean(),
  }),
  churn: fc.record({
    op: fc.constant("churn" as const),
    steps: fc.integer({ min: 1, max: 64 }),
    seed: fc.nat(),
  }),
  "round-trip": fc.record({ op: fc.constant("round-trip" as const), size: sizeSpec }),
};

export type OpMix = Partial<Record<OpName, number>>;

/** What every run's commands see: the driver and the geometry to resolve sizes against. */
export interface RunState {
  readonly driver: Driver;
  readonly geometry: Geometry | undefined;
  /** Upper bound on generated sizes (see resolveSize). */
  readonly sizeLimit?: number;
}

export class OpCommand implements fc.Command<RunState, RunState> {
  private resolved: Op | undefined;
  constructor(readonly spec: OpSpec) {}

  check(state: Readonly<RunState>): boolean {
    return state.driver.canRun(resolveOp(this.spec, state.geometry, state.sizeLimit));
  }

  run(_: RunState, state: RunState): void {
    this.resolved = resolveOp(this.spec, state.geometry, state.sizeLimit);
    state.driver.apply(this.resolved);
  }

  toString(): string {
    return this.resolved === undefined ? JSON.stringify(this.spec) : formatOp(this.resolved);
  }
}

/**
 * The misuse kinds a run generates: the requested ones, or none when the contract says misuse is
 * undetected (undefined behaviour, not a test; spec/invariants.md §Contracts).
 */
export function generatedMisuseKinds(
  contract: ResolvedContract,
  requested: readonly MisuseKind[] = MISUSE_KINDS,
): readonly MisuseKind[] {
  return contract.misuse === "undetected" ? [] : requested;
}

/**
 * A weighted arbitrary of commands for a mix; `misuseKinds` narrows the misuse steps, and the
 * contract can take them away (generatedMisuseKinds).
 */
export function commandArbitrary(
  mix: OpMix,
  requestedMisuseKinds: readonly MisuseKind[] = MISUSE_KINDS,
  contract: ResolvedContract = DEFAULT_CONTRACT,
): fc.Arbitrary<OpCommand> {
  const misuseKinds = generatedMisuseKinds(contract, requestedMisuseKinds);
  const arbitraries: Record<OpName, fc.Arbitrary<OpSpec>> = misuseKinds.length === 0
    ? OP_ARBITRARIES
    : {
        ...OP_ARBITRARIES,
        misuse: fc.record({
          op: fc.constant("misuse" as const),
          kind: fc.constantFrom(...misuseKinds),
          pick,
        }),
      };
  const parts = (Object.entries(mix) as [OpName, number][])
    .filter(([name, weight]) => weight > 0 && (name !== "misuse" || misuseKinds.length > 0))
    .map(([name, weight]) => ({
      arbitrary: arbitraries[name].map((spec) => new OpCommand(spec)),
      weight,
    }));
  return fc.oneof(...parts);
}
