/**
 * Declares the allocheck test runner to Stryker (`"testRunner": "allocheck"` in
 * stryker.config.json; spec/audit.md §3). Plain JavaScript because Stryker's main process loads
 * plugins without a TypeScript loader; the runner itself, in-process-runner.ts, is imported in the
 * runner's child process, which Stryker starts with `--import tsx` (testRunnerNodeArgs).
 */
import { PluginKind, declareClassPlugin } from "@stryker-mutator/api/plugin";

class AllocheckTestRunner {
  static inject = [];

  /** @type {import("./in-process-runner.ts").InProcessRunner | undefined} */
  runner;

  capabilities() {
    // Nothing is reloaded between mutants: static mutants are ignored (ignoreStatic).
    return { reloadEnvironment: false };
  }

  async init() {
    const { InProcessRunner } = await import("./in-process-runner.ts");
    this.runner = new InProcessRunner();
    await this.runner.init();
  }

  /** @param {import("@stryker-mutator/api/test-runner").DryRunOptions} options */
  dryRun(options) {
    return this.#ready().dryRun(options);
  }

  /** @param {import("@stryker-mutator/api/test-runner").MutantRunOptions} options */
  mutantRun(options) {
    return this.#ready().mutantRun(options);
  }

  #ready() {
    if (this.runner === undefined) throw new Error("the allocheck test runner was not initialised");
    return this.runner;
  }
}

export const strykerPlugins = [
  declareClassPlugin(PluginKind.TestRunner, "allocheck", AllocheckTestRunner),
];
