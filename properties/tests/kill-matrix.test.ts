/**
 * The kill matrix's gate (spec/audit.md §2): the ci profile's properties against every seeded
 * bug of properties/audit/seeded-bugs/. For each bug, in each geometry family its trigger exists
 * in, the properties run in the bug's order (its suspects first) until the first one kills it,
 * shrinking on. A bug that no property kills in any family survived, and fails the test. Seeds
 * are fixed: `seedFor(ALLOCHECK_SEED, "kill/<bug>/<property>/<family>")`, printed per cell.
 * `npm run audit` runs the full matrix (every property in every family) into reports/audit.md.
 */
import { afterAll, describe, expect, test } from "vitest";
import { killBug, median, type BugResult } from "../audit/kill-matrix.ts";
import { SEEDED_BUGS } from "../audit/seeded-bugs/catalogue.ts";
import { baseSeedFromEnv, PROFILES } from "../profiles.ts";

const base = baseSeedFromEnv();
const results: BugResult[] = [];

describe(`seeded bugs, ci profile, base seed ${base}`, () => {
  for (const bug of SEEDED_BUGS) {
    test(`${bug.id} (${bug.bugClass}) is killed`, () => {
      const result = killBug(bug, { mode: "gate", profile: PROFILES.ci, baseSeed: base });
      results.push(result);
      const lines = result.cells.map((c) =>
        c.killed
          ? `  ${c.family}: ${c.property} (seed ${c.seed}) killed it after ${c.runs} run(s), ${(c.secondsToFailure! * 1000).toFixed(0)} ms` +
            (c.how === "violation"
              ? `; invariant ${c.invariant}, shrunk to ${c.shrunkLength} step(s): ${c.counterexample!.join(", ")}`
              : `; target states too rare: ${c.message}`)
          : `  ${c.family}: ${c.property} (seed ${c.seed}) passed ${c.runs} runs`,
      );
      const missed = bug.families.filter(
        (f) => !result.cells.some((c) => c.family === f && c.killed),
      );
      if (missed.length > 0) lines.push(`  not killed in: ${missed.join(", ")}`);
      console.log(
        `${bug.id}: ${result.killed ? "killed" : "SURVIVED"} (${result.seconds.toFixed(1)} s)\n${lines.join("\n")}`,
      );
      expect(
        result.killed,
        `${bug.id} survived every property in ${bug.families.join(", ")}:\n${lines.join("\n")}`,
      ).toBe(true);
    });
  }
});

afterAll(() => {
  const firsts = results.flatMap((r) => (r.first ? [r.first] : []));
  const shrunk = firsts.flatMap((c) => (c.shrunkLength !== undefined ? [c.shrunkLength] : []));
  console.log(
    `kill matrix (gate): ${firsts.length}/${results.length} seeded bugs killed; first kill per bug: ` +
      `median ${median(firsts.map((c) => c.runs))} run(s), ${(median(firsts.map((c) => c.secondsToFailure!)) * 1000).toFixed(0)} ms to the first failure, ` +
      `shrunk to a median of ${median(shrunk)} step(s)`,
  );
});
