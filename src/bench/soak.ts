/**
 * `npm run soak` (issue 16 item 5): memory stays flat over long runs. For each allocator kind, in
 * its own process, SOAK_OPERATIONS random operations on cpython-3.12: malloc (sizes uniform in
 * 0 … 4096, so most are raw), realloc and free of a random live block, the live set swinging
 * from 0 up to SOAK_PEAK and back five times. Every tenth of the run (10^6 operations; forced GC first: run with
 * `node --expose-gc`, as the npm script does) it prints RSS, the live blocks and the simulated
 * OS's records (spec/model.md §2: the event log's window, the raw slabs), and runs `check()`.
 * At the end it frees what is left.
 *
 * Targets, printed met or missed, exit 1 when one is missed: RSS after the last operation within
 * 10% of RSS after the first swing, 2·10^6 (both at the end of a swing: about nothing live); the end state at the
 * floor (spec/invariants.md, invariant 6: no block, mapped bytes one arena when the rule keeps
 * one, else none); `check()` passing.
 *
 *   npm run soak                          # the three kinds, 10^7 operations each (~1 min)
 *   npm run soak -- --kind bitmap --operations 3000000
 */
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { createAllocator, type AllocatorKind } from "../allocators/create-allocator.ts";
import { AddressSpace } from "../core/address-space.ts";
import { geometries } from "../core/geometry.ts";
import { mulberry32 } from "../core/random.ts";

const GEOMETRY = "cpython-3.12";
const SOAK_OPERATIONS = 10_000_000;
const SOAK_PEAK = 200_000;
const SWINGS = 5;
/** Samples per run: every 10^6 operations of a 10^7 run. */
const SAMPLES = 10;
const MAX_SIZE = 4096;
/** The share of realloc among operations; malloc and free share the rest by the swing's phase. */
const REALLOC_SHARE = 0.1;
/** RSS after the last operation may exceed RSS after the first swing (2·10^6 of 10^7) by this share. */
const RSS_TOLERANCE = 0.1;
const SEED = 20261204;
const KINDS: readonly AllocatorKind[] = ["bitmap", "cpython", "reference"];

const MiB = 2 ** 20;
const mib = (bytes: number): string => `${(bytes / MiB).toFixed(1)} MiB`;

/** One kind's soak, in this process; returns whether every target was met. */
function soak(kind: AllocatorKind, operations: number, peak: number): boolean {
  const gc = (globalThis as { gc?: () => void }).gc;
  const sampleRss = (): number => {
    gc?.();
    return process.memoryUsage().rss;
  };
  const g = geometries[GEOMETRY];
  const a = createAllocator(kind, GEOMETRY);
  const space = a.addressSpace as AddressSpace;
  const rng = mulberry32(SEED);
  const live = new Float64Array(peak);
  let count = 0;
  let growing = true;
  // Net growth per operation so that one swing (up and down) takes operations / SWINGS.
  const drift = (2 * peak * SWINGS) / operations;
  const mallocShare = (1 - REALLOC_SHARE + drift) / 2;
  const freeShare = (1 - REALLOC_SHARE - drift) / 2;
  const sampleEvery = Math.ceil(operations / SAMPLES);
  const firstSwing = Math.round(operations / SWINGS);
  const rss: number[] = [];
  let rssAfterFirstSwing = NaN;
  console.log(
    `soak ${kind}: ${operations.toLocaleString("en-US")} operations on ${GEOMETRY}, sizes 0 … ${MAX_SIZE}, live 0 ↔ ${peak.toLocaleString("en-US")} ${SWINGS} times, seed ${SEED}${gc === undefined ? "; no forced GC (run with node --expose-gc)" : "; GC forced before each sample"}`,
  );
  for (let op = 1; op <= operations; op++) {
    if (growing && count === peak) growing = false;
    if (!growing && count === 0) growing = true;
    const r = rng();
    const up = growing ? mallocShare : freeShare;
    const size = Math.floor(rng() * (MAX_SIZE + 1));
    if (count < peak && (count === 0 || r < up)) {
      const p = a.malloc(size);
      if (p === null) throw new Error(`soak ${kind}: out of memory at operation ${op}`);
      live[count++] = p;
    } else if (r < up + REALLOC_SHARE) {
      const i = Math.floor(rng() * count);
      const q = a.realloc(live[i]!, size);
      if (q === null) throw new Error(`soak ${kind}: realloc out of memory at operation ${op}`);
      live[i] = q;
    } else {
      const i = Math.floor(rng() * count);
      a.free(live[i]!);
      live[i] = live[--count]!;
    }
    if (op % sampleEvery === 0 || op === operations || op === firstSwing) {
      a.check();
      const now = sampleRss();
      rss.push(now);
      if (op === firstSwing) rssAfterFirstSwing = now;
      console.log(
        `  ${op.toLocaleString("en-US").padStart(12)} ops: RSS ${mib(now).padStart(10)}, live ${count.toLocaleString("en-US").padStart(7)} (raw ${space.liveRawBlocks.toLocaleString("en-US")}), mapped ${mib(a.stats().mappedBytes.current)}, events ${space.eventsLogged.toLocaleString("en-US")} (${(space.eventsLogged - space.eventsTrimmed).toLocaleString("en-US")} kept), raw slabs ${mib(space.rawSlabBytes)}`,
      );
    }
  }
  for (let i = 0; i < count; i++) a.free(live[i]!);
  a.check();
  const end = a.stats();
  const floor = g.keepEmptyArena && end.arenas.allocatedTotal > 0 ? g.arenaSize : 0;
  const atFloor =
    end.blocks.small === 0 && end.blocks.raw === 0 && end.mappedBytes.current === floor;
  const reference = rssAfterFirstSwing;
  const last = rss.at(-1)!;
  const flat = last <= reference * (1 + RSS_TOLERANCE);
  const met = (ok: boolean): string => (ok ? "met" : "MISSED");
  console.log(
    `  RSS after ${operations.toLocaleString("en-US")} ops ${mib(last)} against ${mib(reference)} after ${firstSwing.toLocaleString("en-US")} (one swing): ${((100 * (last - reference)) / reference).toFixed(1)}% (target ≤ +${100 * RSS_TOLERANCE}%): ${met(flat)}`,
  );
  console.log(
    `  end state: ${end.blocks.small + end.blocks.raw} blocks, ${end.mappedBytes.current} bytes mapped, floor ${floor}: ${met(atFloor)}; check() passed`,
  );
  return flat && atFloor;
}

const { values } = parseArgs({
  options: {
    kind: { type: "string" },
    operations: { type: "string" },
  },
  strict: true,
});

if (values.kind !== undefined) {
  const kind = values.kind as AllocatorKind;
  if (!KINDS.includes(kind)) {
    console.error(`soak: --kind must be one of ${KINDS.join(", ")}`);
    process.exit(2);
  }
  const operations = Number(values.operations ?? SOAK_OPERATIONS);
  if (!(Number.isSafeInteger(operations) && operations >= SAMPLES * SWINGS)) {
    console.error(`soak: --operations must be an integer >= ${SAMPLES * SWINGS}`);
    process.exit(2);
  }
  // A shorter run keeps the swing's slope: its peak shrinks with it.
  const peak = Math.min(SOAK_PEAK, Math.round((SOAK_PEAK * operations) / SOAK_OPERATIONS));
  process.exit(soak(kind, operations, Math.max(1, peak)) ? 0 : 1);
}

// The parent: each kind in its own process, so each RSS is that kind's alone.
let failed = 0;
for (const kind of KINDS) {
  // The reference allocator scans its pools per malloc, but most requests here are raw and at
  // most ~2·10^4 small blocks are live: it runs the whole count too (22 s against 15 s here).
  const operations = Number(values.operations ?? SOAK_OPERATIONS);
  try {
    execFileSync(
      process.execPath,
      [
        ...process.execArgv,
        fileURLToPath(import.meta.url),
        "--kind",
        kind,
        "--operations",
        String(operations),
      ],
      { stdio: "inherit" },
    );
  } catch {
    failed++;
  }
}
console.log(failed === 0 ? "soak: every target met" : `soak: ${failed} kind(s) missed a target`);
process.exit(failed === 0 ? 0 : 1);
