/**
 * `--wasm FILE.wasm` for `allocheck verify` and `allocheck replay` (spec/wasm.md §4): a standalone
 * WebAssembly allocator (no imports, or only abort-style functions, which are stubbed and named)
 * as the allocator under test, through allocheck/wasm. The export names and the contract come from
 * flags; every way the file can be wrong (missing, not wasm, an import that cannot be stubbed, a
 * named export missing) is a UsageError: one line, exit code 2.
 *
 * Its counterexamples name the allocator `wasm:<FILE>`, so that `allocheck replay` finds the
 * module again without --wasm (with the default export names: repeat the flags otherwise).
 */
import { readFileSync } from "node:fs";
import type { Contract } from "../../properties/model/contract.ts";
import { standaloneWasmSubject, WasmSubjectError, type WasmSubjectFactory } from "../wasm/index.ts";
import { UsageError, type ParsedArgs } from "./args.ts";
import type { Adapter } from "./load-adapter.ts";

/** The flags, for parseArgs: the module, its export names, its contract. */
export const WASM_FLAGS = {
  wasm: undefined,
  malloc: undefined,
  free: undefined,
  realloc: undefined,
  "usable-size": undefined,
  misuse: ["undetected", "throws"],
  coalesces: ["yes", "no"],
} as const;

/** The switch that stubs every imported function (standalone.ts StandaloneOptions). */
export const WASM_SWITCHES = ["stub-imports"] as const;

export const WASM_HELP = `  --wasm FILE        a standalone WebAssembly allocator instead of allocheck's own: no imports, or
                     only abort-style functions (abort, __assert_fail, …), stubbed: a call traps
  --malloc NAME      its exports (defaults malloc, free, realloc and malloc_usable_size when
  --free NAME        exported); the memory is the export "memory", the heap starts at the
  --realloc NAME     "__heap_base" export (else 0), and each block must be aligned as C's
  --usable-size NAME malloc owes it (16 for n >= 16, else the largest power of two <= n)
  --misuse undetected|throws   whether it promises to detect misuse (default undetected: no run
                     frees a bad pointer)
  --coalesces yes|no whether freed neighbours merge (default yes): what invariant 10 may ask
  --stub-imports     stub every imported function, not only abort-style ones (a call traps)`;

/** The prefix of a wasm module's allocator name: `wasm:<file>`. */
export const WASM_IMPLEMENTATION_PREFIX = "wasm:";

export interface WasmTarget extends Adapter {
  readonly name: string;
  readonly factory: WasmSubjectFactory;
  readonly contract: Contract;
  /** The imports stubbed, as "module.name". */
  readonly stubbed: readonly string[];
}

/** The allocator --wasm names, or undefined without --wasm (and without `recorded`, a file). */
export function wasmTarget(
  args: ParsedArgs,
  command: string,
  recorded?: string,
): WasmTarget | undefined {
  const file = args.flags.wasm ?? recorded;
  if (file === undefined) {
    const stray = ["malloc", "free", "realloc", "usable-size", "misuse", "coalesces"].find(
      (f) => args.flags[f] !== undefined,
    );
    if (stray !== undefined)
      throw new UsageError(`${command}: --${stray} describes a --wasm module; give --wasm FILE`);
    return undefined;
  }
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    const why = (error as { code?: string }).code === "ENOENT" ? "does not exist" : String(error);
    throw new UsageError(`${command}: --wasm ${file} ${why}`);
  }
  const contract: Contract = {
    misuse: args.flags.misuse === "throws" ? "throws" : "undetected",
    outOfMemory: "null",
    coalesces: args.flags.coalesces !== "no",
  };
  const name = `${WASM_IMPLEMENTATION_PREFIX}${file}`;
  try {
    const factory = standaloneWasmSubject(bytes, {
      kind: name,
      contract,
      ...(args.switches.has("stub-imports") ? { stubAllFunctions: true } : {}),
      ...(args.flags.malloc !== undefined ? { malloc: args.flags.malloc } : {}),
      ...(args.flags.free !== undefined ? { free: args.flags.free } : {}),
      ...(args.flags.realloc !== undefined ? { realloc: args.flags.realloc } : {}),
      ...(args.flags["usable-size"] !== undefined ? { usableSize: args.flags["usable-size"] } : {}),
    });
    return { name, factory, contract, stubbed: factory.stubbed };
  } catch (error) {
    if (error instanceof WasmSubjectError)
      throw new UsageError(`${command}: --wasm ${file}: ${error.message}`);
    throw error;
  }
}

/** The line that says what was loaded, e.g. "wasm:x.wasm: malloc, free; stubbed env.abort". */
export function describeWasmTarget(target: WasmTarget): string {
  const subject = target.factory(undefined as never);
  const has = ["malloc", "free", "realloc", "usableSize"].filter(
    (m) => (subject as unknown as Record<string, unknown>)[m] !== undefined,
  );
  const region = subject.region!;
  return `${target.name}: ${has.join(", ")}; heap from ${region.start}, memory ${region.end} bytes of at most ${region.limit}; ${
    target.stubbed.length > 0 ? `stubbed ${target.stubbed.join(", ")}` : "no imports"
  }; contract misuse ${target.contract.misuse}, coalesces ${target.contract.coalesces ? "yes" : "no"}`;
}
