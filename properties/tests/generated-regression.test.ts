/**
 * The regression test allocheck writes beside an outside allocator's counterexample
 * (`<name>.regression.ts`), used as a user would: one line edited to name the adapter module,
 * moved in as a test, type-checked with tsc and run by vitest in a child process. It imports from
 * "allocheck", which resolves to this repository's sources (vitest.config.ts' PACKAGE_ALIASES,
 * tsconfig.json's paths). On the buggy free list it fails with the steps; on the correct one it
 * passes. The scratch folder is inside the repository (vitest and tsc are found from there), named
 * so that the repository's own test glob never sees it, and removed.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, expect, test } from "vitest";
import { PROFILES } from "../profiles.ts";
import { propertyById } from "../properties.ts";
import { regressionFileOf } from "../run/counterexample.ts";
import { FACTORY_MODULE_PLACEHOLDER } from "../run/regression-test.ts";
import { runProperty } from "../run/run-property.ts";
import { RefusesLargeRequests } from "./support/free-list-allocator.ts";

const SEED = 14;
const scratch = mkdtempSync(resolve(".regression-scratch-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const bin = (name: string) => resolve("node_modules/.bin", name);
const run = (command: string, args: string[]) =>
  spawnSync(command, args, { encoding: "utf8", timeout: 120_000 });

test(`the generated regression test of an outside allocator compiles, fails on the bug and passes on the fix (seed ${SEED})`, () => {
  const result = runProperty(propertyById("I10"), () => new RefusesLargeRequests(), {
    implementation: "mine-buggy",
    profile: PROFILES.quick,
    family: "tiny",
    seed: SEED,
    counterexampleDir: scratch,
  });
  const generated = readFileSync(regressionFileOf(result.failure!.file!), "utf8");
  const lines = generated.split("\n");
  const marked = lines.filter((line) => line.includes("// the allocator under test"));
  expect(marked).toEqual([
    `import factory from "${FACTORY_MODULE_PLACEHOLDER}"; // the allocator under test`,
  ]);
  expect(generated).toMatch(/^import \{ replayCounterexample \} from "allocheck";$/m);

  /** The test as the user keeps it: the marked line names `adapter`. */
  const moveIn = (adapter: string) => {
    const file = join(scratch, "mine-buggy.regression.test.ts");
    const edited = lines.map((line) =>
      line.includes("// the allocator under test")
        ? `import factory from "../properties/tests/support/adapters/${adapter}"; // the allocator under test`
        : line,
    );
    writeFileSync(file, edited.join("\n"));
  };
  writeFileSync(
    join(scratch, "vitest.config.ts"),
    `import { PACKAGE_ALIASES } from "../vitest.config.ts";\n` +
      `export default { resolve: { alias: PACKAGE_ALIASES }, test: { include: ["*.regression.test.ts"] } };\n`,
  );
  writeFileSync(
    join(scratch, "tsconfig.json"),
    JSON.stringify({ extends: "../tsconfig.json", include: ["*.regression.test.ts"] }),
  );
  const vitest = () =>
    run(bin("vitest"), ["run", "--root", scratch, "--config", join(scratch, "vitest.config.ts")]);

  moveIn("free-list-refusing.ts");
  const tsc = run(bin("tsc"), ["--noEmit", "-p", join(scratch, "tsconfig.json")]);
  expect(tsc.stdout + tsc.stderr).toBe("");
  expect(tsc.status).toBe(0);
  const failing = vitest();
  expect(failing.status, failing.stderr).toBe(1);
  const shown = failing.stdout + failing.stderr;
  expect(shown).toMatch(/regression: I10-no-spurious-oom, mine-buggy, seed 14/);
  expect(shown).toMatch(/invariant 10: /);
  expect(shown).toMatch(/✗ /); // the replay's steps, the failing one marked

  moveIn("free-list.ts");
  const passing = vitest();
  expect(passing.status, passing.stdout + passing.stderr).toBe(0);
  expect(passing.stdout).toMatch(/1 passed/);
});
