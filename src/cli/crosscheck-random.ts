/**
 * `allocheck crosscheck --random [--runs N] [--seed S] [--python path]`: the property "the model
 * is the real pymalloc" (spec/cpython-model.md §7.6), and `allocheck replay` of the
 * counterexample it writes, model and pymalloc side by side.
 */
import { createAllocator } from "../allocators/create-allocator.ts";
import { isBuiltInAllocator } from "../../properties/run/built-in-allocators.ts";
import { CPYTHON_MODEL, type ModelFactory } from "../crosscheck/predict.ts";
import {
  divergenceMessage,
  formatSideBySide,
  replayRandomCounterexample,
  type RandomCounterexample,
} from "../crosscheck/random-counterexample.ts";
import { randomCrosscheck, type RandomCrosscheckReport } from "../crosscheck/random-crosscheck.ts";
import { integerFlag, UsageError, type ParsedArgs } from "./args.ts";

const fmt = (n: number) => n.toLocaleString("en-US");

export function runRandomCrosscheck(args: ParsedArgs): number {
  const runs = integerFlag(args, "runs", "crosscheck") ?? 100;
  if (runs < 1) throw new UsageError(`crosscheck: --runs ${runs}: use a positive integer`);
  const seed = integerFlag(args, "seed", "crosscheck");
  const report = randomCrosscheck({
    runs,
    ...(seed !== undefined ? { seed } : {}),
    ...(args.flags.python !== undefined ? { python: args.flags.python } : {}),
  });
  console.log(formatRandomReport(report));
  if (report.status === "skipped") return 0;
  return report.verdict === "pass" ? 0 : 1;
}

export function formatRandomReport(report: RandomCrosscheckReport): string {
  if (report.status === "skipped")
    return `allocheck crosscheck --random: skipped: ${report.reason}`;
  const env = report.environment;
  const lines = [
    `allocheck crosscheck --random: the CPython model against ${report.python} (CPython ${env.version}, ${env.pointerBits}-bit, pymalloc), geometry ${report.geometry.name}, seed ${report.seed}`,
    `${fmt(report.sequences)} sequences (${fmt(report.runs)} runs${report.sequences > report.runs ? " and shrinking" : ""}), ${fmt(report.realCalls)} real calls (${fmt(Math.round(report.realCalls / report.liveSeconds))} per second through the pipe), ${fmt(report.checkpoints)} checkpoints compared (every ${report.checkpointEvery} steps and at the end)`,
    `compared: ${fmt(report.addressesCompared)} addresses after normalisation and ${fmt(report.quantitiesCompared)} checkpoint quantities`,
    `reached, in sequences out of ${fmt(report.sequences)}: ${Object.entries(report.reached)
      .map(([state, n]) => `${state} ${fmt(n)}`)
      .join(", ")}`,
  ];
  const d = report.divergence;
  if (d !== undefined) {
    lines.push(
      `divergence after shrinking to ${d.sequence.steps.length} steps (path ${d.path}): ${divergenceMessage(d.comparison, report.geometry.poolSize)}`,
      d.reproduced
        ? "it diverges again in a fresh interpreter"
        : "it does not diverge again in a fresh interpreter: noise, not the model",
      "",
      formatSideBySide(d.comparison, d.sequence.steps, report.geometry.poolSize),
      "",
    );
    if (report.file !== undefined)
      lines.push(`wrote ${report.file}; replay: npx allocheck replay ${report.file}`);
  }
  if (report.inconclusive !== undefined)
    lines.push(
      `inconclusive: ${report.inconclusive} (twice in a row: the interpreter's own allocations)`,
    );
  const verdict =
    report.verdict === "pass"
      ? `every address equal after normalisation, every checkpoint equal`
      : report.verdict === "fail"
        ? "the model and pymalloc diverge"
        : "no verdict";
  lines.push(`verdict: ${report.verdict}: ${verdict} (${report.seconds.toFixed(1)} s)`);
  return lines.join("\n");
}

/** The model a counterexample names: the CPython model, or an allocheck allocator a test put in its place. */
function modelOf(c: RandomCounterexample): ModelFactory {
  if (c.model === "cpython") return CPYTHON_MODEL;
  const kind = c.model;
  if (isBuiltInAllocator(kind)) return (g) => createAllocator(kind, g);
  throw new UsageError(
    `replay: the counterexample's model "${c.model}" is not one of allocheck's allocators`,
  );
}

/** `allocheck replay` of a random cross-check counterexample: exit 1 when it still diverges. */
export function replayRandom(
  file: string,
  c: RandomCounterexample,
  python: string | undefined,
): number {
  console.log(
    `the ${c.model} model against pymalloc (recorded on CPython ${c.pythonVersion}), geometry ${c.geometry.name}, seed ${c.seed}, ${c.sequence.steps.length} steps`,
  );
  console.log(`recorded: ${c.message}\n`);
  const replayed = replayRandomCounterexample(
    c,
    python ?? process.env.ALLOCHECK_PYTHON ?? c.python,
    modelOf(c),
  );
  if (replayed.status === "skipped") {
    console.log(`cannot run it again here: ${replayed.reason}`);
    return 0;
  }
  console.log(formatSideBySide(replayed.comparison, c.sequence.steps, c.geometry.poolSize));
  console.log(
    replayed.diverges
      ? `\n${divergenceMessage(replayed.comparison, c.geometry.poolSize)}: the model and pymalloc still diverge (${file})`
      : "\nevery address and checkpoint equal: the counterexample passes now",
  );
  return replayed.diverges ? 1 : 0;
}
