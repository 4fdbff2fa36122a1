/**
 * The production allocators through the properties (issue 17): SQLite's dlmalloc, mimalloc and
 * dlmalloc in Pyodide, and AssemblyScript's TLSF, each adapted by wasmSubject (audit/adapters/), each property in a child
 * process with a deadline (run/isolated.ts: a hang is a finding), tiny family. Two rounds:
 *
 *   1. documented use: the allocator's declared contract, C's malloc (misuse is undefined
 *      behaviour: no run makes a misuse call);
 *   2. misuse, as if it were detected: double free, interior pointer and use after free, with
 *      the contract `misuse: "throws"`. A C allocator promises no detection, so each finding
 *      here records what the allocator does with undefined behaviour; it is not a bug.
 *
 * Verdicts: pass, fail (an invariant), trap (a WebAssembly trap, or Emscripten's abort, on a
 * call: the unexpected-error failure with a RuntimeError), hang (no answer by the deadline),
 * crash (the child died).
 */
import type { MisuseKind } from "../model/ops.ts";
import { resolveContract, type Contract } from "../model/contract.ts";
import { recordContract } from "../run/counterexample.ts";
import { UNEXPECTED_ERROR } from "../model/violation.ts";
import { tlsfContract } from "./adapters/assemblyscript-tlsf.ts";
import { DLMALLOC_CONTRACT, MIMALLOC_CONTRACT } from "./adapters/contracts.ts";
import { seedFor, type Profile } from "../profiles.ts";
import type { IsolatedTarget } from "../run/isolated.ts";
import { isolatedFinding, type IsolatedFinding } from "./isolated-finding.ts";

/** One production allocator: where its adapter is, and what it has and promises. */
export interface RealAllocator {
  readonly name: string;
  /** The allocator and the package it comes from, pinned. */
  readonly label: string;
  /** The adapter module, relative to run/isolated.ts, and its export: () => the factory. */
  readonly module: string;
  readonly factory: string;
  /** The JSON options its factory export takes. */
  readonly options: unknown;
  /** What it promises (adapters/contracts.ts, which its adapter declares too). */
  readonly contract: Contract;
  /** Whether its adapter has a usable size (invariant 4 applies). */
  readonly usableSize: boolean;
}

export const REAL_ALLOCATORS: readonly RealAllocator[] = [
  {
    name: "sqlite-dlmalloc",
    label: "dlmalloc in SQLite (@sqlite.org/sqlite-wasm 3.54.1-build1)",
    module: "../audit/adapters/sqlite-dlmalloc.ts",
    factory: "sqliteDlmallocFactory",
    options: null,
    contract: DLMALLOC_CONTRACT,
    usableSize: false,
  },
  {
    name: "pyodide-mimalloc",
    label: "mimalloc in CPython 3.14 (pyodide 314.0.8, PYTHONMALLOC=mimalloc)",
    module: "../audit/adapters/pyodide-mimalloc.ts",
    factory: "pyodideMimallocFactory",
    options: null,
    contract: MIMALLOC_CONTRACT,
    usableSize: false,
  },
  {
    name: "pyodide-dlmalloc",
    label: "dlmalloc in Pyodide (pyodide 314.0.8, C malloc)",
    module: "../audit/adapters/pyodide-dlmalloc.ts",
    factory: "pyodideDlmallocFactory",
    options: null,
    contract: DLMALLOC_CONTRACT,
    usableSize: true,
  },
  {
    name: "assemblyscript-tlsf",
    label: "AssemblyScript's TLSF (assemblyscript 0.28.20, release build)",
    module: "../audit/adapters/assemblyscript-tlsf.ts",
    factory: "tlsfFactory",
    options: "release",
    contract: tlsfContract("release"),
    usableSize: true,
  },
];

/** The misuse a C program can commit with a pointer it got from malloc. */
export const C_MISUSE_KINDS: readonly MisuseKind[] = ["double-free", "interior", "use-after-free"];

export interface RealRound {
  readonly name: string;
  readonly description: string;
  /** Overrides the allocator's declared contract. */
  readonly contract?: Contract;
  readonly misuseKinds: readonly MisuseKind[];
}

export const REAL_ROUNDS: readonly RealRound[] = [
  {
    name: "documented use",
    description: "the declared contract: C's malloc, no misuse call",
    misuseKinds: [],
  },
  {
    name: "misuse as if detected",
    description: `${C_MISUSE_KINDS.join(", ")} with the contract misuse: "throws" (undefined behaviour in C: recorded, not a bug)`,
    contract: { misuse: "throws" },
    misuseKinds: C_MISUSE_KINDS,
  },
];

/** The properties a general allocator can be held to (invariant 4 only with a usable size). */
export function realProperties(allocator: RealAllocator, round: RealRound): string[] {
  return [
    "I01-disjoint",
    "I02-contained",
    "I03-aligned",
    ...(allocator.usableSize ? ["I04-sized"] : []),
    "I08-payload-integrity",
    ...(round.misuseKinds.length > 0 ? ["I09-misuse-rejected"] : []),
    "I10-no-spurious-oom",
  ];
}

export type RealVerdict = "pass" | "fail" | "trap" | "hang" | "crash";

/** A finding of the production allocators' audit: an isolated finding, a trap told apart. */
export interface RealFinding extends Omit<IsolatedFinding, "verdict"> {
  readonly verdict: RealVerdict;
  readonly seed: number;
}

export interface RealAllocatorsAudit {
  readonly profile: string;
  readonly deadlineMs: number;
  readonly allocators: readonly {
    readonly allocator: RealAllocator;
    readonly rounds: readonly { readonly round: RealRound; readonly findings: RealFinding[] }[];
  }[];
}

/** A failure is a trap when the allocator threw a WebAssembly RuntimeError on a valid call. */
export function isTrap(invariant: number | undefined, message: string | undefined): boolean {
  return invariant === UNEXPECTED_ERROR && /RuntimeError/.test(message ?? "");
}

export function runRealProperty(
  allocator: RealAllocator,
  round: RealRound,
  property: string,
  profile: Profile,
  seed: number,
  deadlineMs: number,
): RealFinding {
  const target: IsolatedTarget = {
    module: allocator.module,
    factory: allocator.factory,
    options: allocator.options,
    name: allocator.name,
  };
  const finding = isolatedFinding(
    {
      target,
      property,
      profile,
      family: "tiny",
      seed,
      misuseKinds: round.misuseKinds,
      contract: recordContract(resolveContract({ ...allocator.contract, ...round.contract })),
    },
    deadlineMs,
  );
  const trap = finding.verdict === "fail" && isTrap(finding.invariant, finding.message);
  return { ...finding, verdict: trap ? "trap" : finding.verdict, seed };
}

export function auditRealAllocators(
  profile: Profile,
  baseSeed: number,
  deadlineMs: number,
  onFinding: (line: string) => void = () => {},
): RealAllocatorsAudit {
  return {
    profile: profile.name,
    deadlineMs,
    allocators: REAL_ALLOCATORS.map((allocator) => ({
      allocator,
      rounds: REAL_ROUNDS.map((round) => ({
        round,
        findings: realProperties(allocator, round).map((property) => {
          const seed = seedFor(baseSeed, `${property}/${allocator.name}/${round.name}`);
          const finding = runRealProperty(allocator, round, property, profile, seed, deadlineMs);
          onFinding(
            `  ${allocator.name}, ${round.name}, ${property}: ${finding.verdict} (${finding.seconds.toFixed(1)} s)`,
          );
          return finding;
        }),
      })),
    })),
  };
}
