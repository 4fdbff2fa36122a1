/**
 * The production allocators through the properties (issue 17), in npm test: SQLite's dlmalloc at
 * the ci profile (it loads in under a second and resets in 0.4 ms), mimalloc and dlmalloc in
 * Pyodide at the quick profile (each load takes 3–9 s and a reset 3–10 ms), AssemblyScript's TLSF
 * (release build) at quick, tiny family, each by
 * its declared contract (audit/adapters/contracts.ts). A runtime that cannot load gives one
 * skipped test with the reason. The rounds with misuse, and their findings, are the audit's
 * (audit/real-allocators.ts) and real-allocator-findings.test.ts pins them.
 */
import { describe, test } from "vitest";
import { describeAllocator } from "../../src/vitest/index.ts";
import type { WasmSubjectFactory } from "../../src/wasm/index.ts";
import type { ProfileName } from "../profiles.ts";

interface RealEntry {
  readonly name: string;
  readonly load: () => Promise<WasmSubjectFactory>;
  readonly profile: ProfileName;
  /** The bounded-exhaustive mode: off where a reset costs 10 ms (840 sequences would take 15 s). */
  readonly exhaustive: boolean;
}

const ENTRIES: readonly RealEntry[] = [
  {
    name: "sqlite-dlmalloc",
    load: async () => (await import("../audit/adapters/sqlite-dlmalloc.ts")).sqliteDlmalloc,
    profile: "ci",
    exhaustive: true,
  },
  {
    name: "pyodide-mimalloc",
    load: async () => (await import("../audit/adapters/pyodide-mimalloc.ts")).pyodideMimalloc,
    profile: "quick",
    exhaustive: false,
  },
  {
    name: "pyodide-dlmalloc",
    load: async () => (await import("../audit/adapters/pyodide-dlmalloc.ts")).pyodideDlmalloc,
    profile: "quick",
    exhaustive: true,
  },
  {
    // Its own test (wasm-tlsf.test.ts) runs both builds at ci and pins its findings.
    name: "assemblyscript-tlsf",
    load: async () => {
      const { tlsfFactory } = await import("../audit/adapters/assemblyscript-tlsf.ts");
      return tlsfFactory("release");
    },
    profile: "quick",
    exhaustive: true,
  },
];

for (const entry of ENTRIES) {
  const loaded = await entry.load().then(
    (factory) => ({ factory }),
    (error: unknown) => ({ error: error instanceof Error ? error.message : String(error) }),
  );
  if ("error" in loaded) {
    describe(entry.name, () => {
      test.skip(`cannot load: ${loaded.error}`, () => {});
    });
    continue;
  }
  describeAllocator(entry.name, loaded.factory, {
    profile: entry.profile,
    families: ["tiny"],
    exhaustive: entry.exhaustive,
    // Documented use: no misuse call, whatever the allocator detects (TLSF's release build
    // aborts on some misuse; wasm-tlsf.test.ts and the audit's second round judge that).
    contract: { ...loaded.factory.contract, misuse: "undetected" },
    counterexampleDir: false,
    timeout: 60_000,
  });
}
