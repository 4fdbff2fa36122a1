/**
 * The memory of 10^6 live raw blocks (issue 19 item 1): `node --expose-gc --import tsx
 * src/bench/raw-memory.ts [checkout] [count]` maps `count` (10^6) raw blocks through the bitmap
 * allocator of the checkout (default this one) on cpython-3.12, in two shapes: 1-byte blocks
 * (malloc(0): the cost of the records alone) and the mixed cells' raw sizes (uniform in
 * 513 … 4096, workloads.ts), each written in full so its pages are resident. After a full GC it prints, per shape, the growth of RSS and of the
 * JavaScript heap plus ArrayBuffers, in bytes per block and beside the bytes asked for. Run each
 * checkout in its own process: the figures are the process's own.
 */
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { Allocator } from "../core/allocator.ts";
import { mulberry32 } from "../core/random.ts";
import { GEOMETRY, LARGE_MAX } from "./workloads.ts";

const [checkoutArg, countArg] = process.argv.slice(2);
const checkout = path.resolve(checkoutArg ?? ".");
const count = Number(countArg ?? 1e6);
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) {
  console.error("raw-memory: run with node --expose-gc");
  process.exit(2);
}
const { createAllocator } = (await import(
  pathToFileURL(path.join(checkout, "src/allocators/create-allocator.ts")).href
)) as { createAllocator: (kind: "bitmap", geometry: string) => Allocator };

interface Footprint {
  rss: number;
  heapAndBuffers: number;
}
function footprint(): Footprint {
  gc!();
  gc!();
  const m = process.memoryUsage();
  return { rss: m.rss, heapAndBuffers: m.heapUsed + m.external }; // external counts ArrayBuffers
}

const MiB = 2 ** 20;
function measure(label: string, size: (i: number) => number): void {
  const a = createAllocator("bitmap", GEOMETRY);
  const blocks = new Float64Array(count);
  const before = footprint();
  let asked = 0;
  for (let i = 0; i < count; i++) {
    const n = size(i);
    asked += Math.max(n, 1);
    blocks[i] = a.malloc(n)!;
    a.bytes(blocks[i]!).fill(0xa5); // written, so every page of it is resident
  }
  const after = footprint();
  const rss = after.rss - before.rss;
  const heap = after.heapAndBuffers - before.heapAndBuffers;
  console.log(
    `${label}: ${count.toLocaleString("en-US")} live raw blocks, ${(asked / MiB).toFixed(0)} MiB asked for; ` +
      `RSS +${(rss / MiB).toFixed(0)} MiB (${(rss / count).toFixed(0)} B per block, ${((rss - asked) / count).toFixed(0)} B over the bytes asked), ` +
      `heap + ArrayBuffers +${(heap / MiB).toFixed(0)} MiB (${((heap - asked) / count).toFixed(0)} B per block over the bytes asked)`,
  );
  for (let i = 0; i < count; i++) a.free(blocks[i]!);
}

console.log(`raw-memory: ${checkout}, ${GEOMETRY}, node ${process.version}`);
measure("malloc(0) (1 byte each)", () => 0);
const rng = mulberry32(0x5a);
const threshold = 512;
measure(
  `uniform ${threshold + 1} … ${LARGE_MAX} B`,
  () => threshold + 1 + Math.floor(rng() * (LARGE_MAX - threshold)),
);
