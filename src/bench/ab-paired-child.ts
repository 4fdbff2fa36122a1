/**
 * One round of `npm run bench:ab -- --paired` (ab.ts): the bitmap allocators of both checkouts in
 * one process, each under its own copy of this checkout's churn loop (churn.ts imported once per
 * side, with a query that makes it a module of its own, so each loop's call sites see one
 * allocator class), their samples alternating. A noisy neighbour then slows both sides of a pair
 * alike, and the ratio of a pair holds where the ratio of two processes does not (this host's
 * processes are bimodal: 43 against 70 ns/op for the same code). Prints one JSON line: each
 * side's CPU ns per call per sample.
 *
 *   tsx src/bench/ab-paired-child.ts before=<checkout> after=<checkout> <live> <samples> <steps>
 *
 * The two sides may come in either order: ab.ts alternates it by round, so that neither side is
 * always the one made (and laid out in memory) first.
 */
import { checkoutBitmap, sampleChurns } from "./ab-checkout.ts";
import type { Churn } from "./churn.ts";
import { randomStreams } from "./random-streams.ts";

const [first, second, liveArg, samplesArg, stepsArg] = process.argv.slice(2);
const live = Number(liveArg);

/** The side `name=checkout`'s churn: the checkout's allocator under a churn loop of its own. */
async function churnOf(side: string): Promise<{ name: string; churn: Churn }> {
  const [name, checkout] = side.split(/=(.*)/s) as [string, string];
  const bitmap = await checkoutBitmap(checkout);
  const loop = new URL(`./churn.ts?side=${name}`, import.meta.url).href;
  const { Churn: SideChurn } = (await import(loop)) as { Churn: typeof Churn };
  const churn = new SideChurn(
    bitmap.create(),
    live,
    randomStreams(0xab + live, bitmap.threshold, live),
  );
  return { name, churn };
}

// Made, filled and warmed up in the order given; sampled first-given first in even samples.
const sides = [await churnOf(first!), await churnOf(second!)];
const nsPerCall = sampleChurns(
  sides.map((s) => s.churn),
  live,
  Number(samplesArg),
  Number(stepsArg),
);
const of = (name: string): number[] => nsPerCall[sides.findIndex((s) => s.name === name)]!;
console.log(JSON.stringify({ live, before: of("before"), after: of("after") }));
