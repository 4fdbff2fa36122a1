/**
 * One side of `npm run bench:ab` (ab.ts): the bitmap allocator of the checkout at argv[2] under
 * this checkout's churn loop, random streams and clocks, so only the allocator differs between
 * the two sides. Prints one JSON line: the CPU ns per call of each sample.
 *
 *   tsx src/bench/ab-child.ts <checkout> <live> <samples> <steps per sample> [mixed]
 *
 * With `mixed`, the same process also churns a second heap whose requests are 10% raw (the bench's
 * mixed cells, workloads.ts), its samples interleaved with the small churn's (in turns, the first
 * of each turn alternating): `mixedNsPerCall`, and the ratio of the two comes from one process,
 * so a noisy neighbour hits both alike.
 */
import { checkoutBitmap, sampleChurns } from "./ab-checkout.ts";
import { Churn } from "./churn.ts";
import { randomStreams } from "./random-streams.ts";
import { LARGE_MAX, LARGE_SHARE } from "./workloads.ts";

const [checkout, liveArg, samplesArg, stepsArg, mixedArg] = process.argv.slice(2);
const live = Number(liveArg);
const bitmap = await checkoutBitmap(checkout!);

const churns = [
  new Churn(bitmap.create(), live, randomStreams(0xab + live, bitmap.threshold, live)),
];
if (mixedArg === "mixed")
  churns.push(
    new Churn(
      bitmap.create(),
      live,
      randomStreams(0xab + live, bitmap.threshold, live, { share: LARGE_SHARE, max: LARGE_MAX }),
    ),
  );
const nsPerCall = sampleChurns(churns, live, Number(samplesArg), Number(stepsArg));
console.log(JSON.stringify({ live, nsPerCall: nsPerCall[0], mixedNsPerCall: nsPerCall[1] }));
