/**
 * A Stryker test runner that runs the mutation test set (test-set.ts) in its own process, with no
 * test framework between mutants (spec/audit.md §3). Stryker starts it in a child process (two at
 * a time) with the sandbox as working directory; `init` imports the test files once, with their
 * `vitest` import mapped to vitest-shim.ts, which collects each test as a named function
 * (loader-hooks.mjs, which also stops Stryker's coverage counting while a mutant runs). Then:
 *
 *   dryRun     every test once, each under its own `__stryker__.currentTestId`, so the
 *              instrumented sources record which mutants each test reaches (perTest coverage);
 *   mutantRun  sets `__stryker__.activeMutant` (the mutant schemata Stryker compiled into the
 *              sources switch on it at run time) and runs the tests Stryker names, cheapest first,
 *              stopping at the first failure; a mutant that loops past Stryker's hit limit is a
 *              Timeout, and one that blocks the process is killed and restarted by Stryker.
 *
 * Test names (`<describe> > <test>`, with their fixed seeds) and ids (testId) are the same in every
 * run, so Stryker's incremental file can match them. Only mutants run at test time are testable here
 * (nothing is reloaded between mutants), hence `ignoreStatic` in stryker.config.json.
 * The plugin declaration, which Stryker loads without a TypeScript loader, is allocheck-runner.mjs.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { register } from "node:module";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { INSTRUMENTER_CONSTANTS, type MutantCoverage } from "@stryker-mutator/api/core";
import {
  DryRunStatus,
  TestStatus,
  determineHitLimitReached,
  toMutantRunResult,
  type DryRunOptions,
  type DryRunResult,
  type MutantRunOptions,
  type MutantRunResult,
  type TestResult,
} from "@stryker-mutator/api/test-runner";
import { MUTATION_PROFILE, MUTATION_SETUP_FILE, MUTATION_TEST_FILES } from "./test-set.ts";
import type { CollectedTest } from "./vitest-shim.ts";

const SHIM_URL = new URL("./vitest-shim.ts", import.meta.url).href;

/** The module hooks: the test files' `vitest` is the shim; no coverage counting in mutant runs. */
const HOOKS_URL = new URL("./loader-hooks.mjs", import.meta.url).href;

/** `globalThis.__stryker__`, which the instrumented sources read and write. */
interface StrykerNamespace {
  activeMutant?: string | undefined;
  currentTestId?: string | undefined;
  mutantCoverage?: MutantCoverage;
  hitCount?: number | undefined;
  hitLimit?: number | undefined;
  /** Statements left before `onTicks` reads the clock (loader-hooks.mjs counts them down). */
  ticksLeft?: number;
  onTicks?: () => void;
}

/**
 * A test of a mutant run is stopped as a Timeout when it runs past DEADLINE_FACTOR × its dry-run
 * time + DEADLINE_MARGIN_MS (a mutant that loops forever would otherwise hold a runner until
 * Stryker's own timeout, the sum of all its tests' times, and then cost a restart). The dry run
 * counts coverage and took 124 s where the mutant runs took 18 s (loader-hooks.mjs), so a test is
 * stopped only after about 20 times its unmutated time: a slow but finite mutant, or a loaded
 * machine, is not a Timeout. The clock is read every TICKS_PER_CLOCK_READ instrumented statements.
 */
const DEADLINE_FACTOR = 3;
/**
 * Where the dry run leaves each test's time, in the sandbox: Stryker runs the dry run in one of
 * its runner processes, and the others (and any restarted one) read the times from here. Without
 * them a runner neither orders the tests nor sets deadlines (a first run that took every time as
 * 0 ms stopped 118 finite mutants as Timeouts).
 */
const DRY_RUN_TIMES = ".allocheck-dry-run-times.json";
const DEADLINE_MARGIN_MS = 2000;
const TICKS_PER_CLOCK_READ = 1 << 14;

interface Timed extends CollectedTest {
  readonly id: string;
  readonly fileName: string;
  /** Milliseconds the test took in the dry run: the order of a mutant's tests (cheapest first). */
  dryRunMs: number;
  readonly rank: number;
}

/**
 * A test's id: 12 hex digits of the SHA-1 of its file and full name, so the same in every run, and
 * short, because the incremental file lists the ids of the tests that cover each of ~1000 mutants.
 */
function testId(t: CollectedTest): string {
  return createHash("sha1").update(`${t.file}#${t.name}`).digest("hex").slice(0, 12);
}

const QUIET = ["log", "info", "warn", "debug"] as const;

export class InProcessRunner {
  private tests: Timed[] = [];
  private readonly ns: StrykerNamespace;
  private deadline = Infinity;
  private pastDeadline: Timed | undefined;

  constructor(
    private readonly root = process.cwd(),
    private readonly testFiles = MUTATION_TEST_FILES,
    private readonly setupFile = MUTATION_SETUP_FILE,
  ) {
    const g = globalThis as unknown as Record<string, StrykerNamespace | undefined>;
    this.ns = g[INSTRUMENTER_CONSTANTS.NAMESPACE] ??= {};
    this.ns.onTicks = () => {
      this.ns.ticksLeft = TICKS_PER_CLOCK_READ;
      if (performance.now() <= this.deadline) return;
      this.pastDeadline ??= this.current;
      throw new Error("allocheck runner: the test ran past its deadline");
    };
  }

  private current: Timed | undefined;
  /** Whether the tests carry their dry-run times (this process ran the dry run, or read them). */
  private timed = false;

  private readDryRunTimes(): void {
    const file = resolve(this.root, DRY_RUN_TIMES);
    if (!existsSync(file)) return;
    const times = JSON.parse(readFileSync(file, "utf8")) as Record<string, number>;
    for (const t of this.tests) t.dryRunMs = times[t.id] ?? 0;
    this.timed = true;
  }

  async init(): Promise<void> {
    process.env.ALLOCHECK_PROFILE = MUTATION_PROFILE;
    register(HOOKS_URL, { data: { shimUrl: SHIM_URL } });
    const shim = (await import(SHIM_URL)) as typeof import("./vitest-shim.ts");
    await import(pathToFileURL(resolve(this.root, this.setupFile)).href);
    for (const file of this.testFiles)
      await shim.collectFrom(file, () => import(pathToFileURL(resolve(this.root, file)).href));
    this.tests = shim.collectedTests().map((t, rank) => ({
      ...t,
      id: testId(t),
      fileName: resolve(this.root, t.file),
      dryRunMs: 0,
      rank,
    }));
  }

  async dryRun(options: DryRunOptions): Promise<DryRunResult> {
    const coverage = (this.ns.mutantCoverage ??= { static: {}, perTest: {} });
    const results: TestResult[] = [];
    for (const t of this.tests) {
      this.ns.currentTestId = t.id;
      const result = await this.runOne(t);
      t.dryRunMs = result.timeSpentMs;
      results.push(result);
      if (result.status === TestStatus.Failed && !options.disableBail) break;
    }
    this.ns.currentTestId = undefined;
    const times = Object.fromEntries(this.tests.map((t) => [t.id, t.dryRunMs]));
    writeFileSync(resolve(this.root, DRY_RUN_TIMES), JSON.stringify(times));
    this.timed = true;
    return { status: DryRunStatus.Complete, tests: results, mutantCoverage: coverage };
  }

  async mutantRun(options: MutantRunOptions): Promise<MutantRunResult> {
    if (!this.timed) this.readDryRunTimes();
    const wanted = options.testFilter === undefined ? undefined : new Set(options.testFilter);
    const chosen = this.tests
      .filter((t) => wanted === undefined || wanted.has(t.id))
      .sort((a, b) => a.dryRunMs - b.dryRunMs || a.rank - b.rank);
    this.ns.activeMutant = options.activeMutant.id;
    this.ns.hitLimit = options.hitLimit;
    this.ns.hitCount = options.hitLimit === undefined ? undefined : 0;
    this.ns.ticksLeft = TICKS_PER_CLOCK_READ;
    this.pastDeadline = undefined;
    const results: TestResult[] = [];
    try {
      for (const t of chosen) {
        this.current = t;
        this.deadline = this.timed
          ? performance.now() + DEADLINE_FACTOR * t.dryRunMs + DEADLINE_MARGIN_MS
          : Infinity;
        const result = await this.runOne(t);
        results.push(result);
        if (this.pastDeadline !== undefined) break;
        if (result.status === TestStatus.Failed && !options.disableBail) break;
      }
    } finally {
      this.ns.activeMutant = undefined;
      this.deadline = Infinity;
      this.current = undefined;
    }
    // Set by onTicks, inside a test (TypeScript cannot see that it changed).
    const past = this.pastDeadline as Timed | undefined;
    const timedOut =
      determineHitLimitReached(this.ns.hitCount, options.hitLimit) ??
      (past === undefined
        ? undefined
        : {
            status: DryRunStatus.Timeout,
            reason: `past the deadline of "${past.name}" (${DEADLINE_FACTOR} × its ${past.dryRunMs.toFixed(0)} ms in the dry run + ${DEADLINE_MARGIN_MS} ms)`,
          });
    this.ns.hitCount = undefined;
    return toMutantRunResult(timedOut ?? { status: DryRunStatus.Complete, tests: results });
  }

  /** One test, its console output dropped (the tests print summaries for people). */
  private async runOne(t: Timed): Promise<TestResult> {
    const saved = QUIET.map((k) => console[k]);
    for (const k of QUIET) console[k] = () => {};
    const base = { id: t.id, name: t.name, fileName: t.fileName };
    const started = performance.now();
    try {
      await t.body();
      return { ...base, status: TestStatus.Success, timeSpentMs: performance.now() - started };
    } catch (e) {
      return {
        ...base,
        status: TestStatus.Failed,
        // The error without its stack: the results are committed, and a stack holds machine paths.
        failureMessage: e instanceof Error ? `${e.name}: ${e.message}` : String(e),
        timeSpentMs: performance.now() - started,
      };
    } finally {
      QUIET.forEach((k, i) => (console[k] = saved[i]!));
    }
  }
}
