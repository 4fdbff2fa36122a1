/**
 * Node module hooks for the in-process Stryker runner (in-process-runner.ts registers them in its
 * child process; spec/audit.md §3). Plain JavaScript: hooks run in Node's loader thread.
 *
 *   resolve  the test files' `vitest` import is vitest-shim.ts (collects tests, Vitest's expect);
 *   load     in each source Stryker instrumented, coverage counting stops while a mutant is
 *            active. Stryker's helper `cover()` counts every statement's mutants in a dictionary,
 *            and it runs in mutant runs too, where nothing reads the counts: measured on the
 *            mutation test set, 124 s with it and 18 s without (spec/audit.md §3). The dry run,
 *            which has no active mutant, counts as before (Stryker derives hit limits from it).
 *            Instead, a mutant run counts statements down to the runner's deadline check
 *            (in-process-runner.ts, DEADLINE_FACTOR).
 */

/** The start of Stryker's coverage helper (@stryker-mutator/instrumenter 9.6, syntax-helpers.js). */
const COVER_ENTRY = /function cover\(\)\s*\{/;
const COVER_SKIP =
  "if (ns.activeMutant !== undefined) { if (--ns.ticksLeft < 0) ns.onTicks(); return; }";
const INSTRUMENTED = "function stryCov_9fa48(";

let shimUrl = "";
const decoder = new globalThis.TextDecoder();

export function initialize(data) {
  shimUrl = data.shimUrl;
}

export async function resolve(specifier, context, next) {
  return specifier === "vitest" ? { url: shimUrl, shortCircuit: true } : next(specifier, context);
}

export async function load(url, context, next) {
  const result = await next(url, context);
  if (result.source === undefined || result.source === null) return result;
  const text = typeof result.source === "string" ? result.source : decoder.decode(result.source);
  if (!text.includes(INSTRUMENTED)) return result;
  const patched = text.replace(COVER_ENTRY, (entry) => `${entry} ${COVER_SKIP}`);
  if (patched === text)
    throw new Error(
      `${url}: Stryker's coverage helper is not in the form loader-hooks.mjs expects (COVER_ENTRY)`,
    );
  return { ...result, source: patched };
}
