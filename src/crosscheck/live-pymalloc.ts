/**
 * The live subject (spec/cpython-model.md §7.6): one python3 process running pymalloc_live.py,
 * which calls this interpreter's PyObject_Malloc / PyObject_Free / PyObject_Realloc through
 * ctypes. Calls go over a pipe in batches, as (op, slot, size) triples; the answers are the
 * addresses, one u64 per call. Pointers stay in the process, in a table of slots.
 *
 * The exchange is synchronous (two named pipes read and written with fs.readSync/writeSync), so
 * a fast-check property, a replay and the CLI call it like any function. Snapshots
 * (`sys._debugmallocstats()`) are written by the process to a file and parsed here.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseDebugMallocStats } from "./parse-debug-malloc-stats.ts";
import { ProbeError, type ObservedStats, type ProbeEnvironment } from "./probe.ts";

export const LIVE_PATH = fileURLToPath(new URL("./pymalloc_live.py", import.meta.url));

/** The calls of a batch: op codes of pymalloc_live.py's RUN. */
export const LIVE_OP = { malloc: 1, free: 2, realloc: 3, snapshot: 4 } as const;
export type LiveOp = (typeof LIVE_OP)[keyof typeof LIVE_OP];

const COMMAND = { run: 1, fill: 2, newArena: 3, freeAll: 4, cycle: 5, snapshot: 6, quit: 7 };
/** pymalloc_live.py's BATCH and SLOTS. */
export const LIVE_BATCH = 1 << 16;
export const LIVE_SLOTS = 1 << 17;
const MARK = "\n@@allocheck-snapshot\n";

export interface LiveEnvironment extends ProbeEnvironment {
  /** Where the OS will map the next arena (the probe's OsArenas), or null if not pinned. */
  readonly nextArena: number | null;
  /** [low, high): the stretch of addresses every arena of the run is mapped in. */
  readonly arenaRegion: readonly [number, number] | null;
}

/** A batch of calls: slot and size per call, as the pipe carries them. */
export class CallBatch {
  private data = new Uint32Array(3 * 1024);
  length = 0;
  push(op: LiveOp, slot: number, size: number): void {
    if (3 * this.length + 3 > this.data.length) {
      const grown = new Uint32Array(2 * this.data.length);
      grown.set(this.data);
      this.data = grown;
    }
    this.data.set([op, slot, size], 3 * this.length);
    this.length++;
  }
  op(i: number): LiveOp {
    return this.data[3 * i] as LiveOp;
  }
  slot(i: number): number {
    return this.data[3 * i + 1]!;
  }
  size(i: number): number {
    return this.data[3 * i + 2]!;
  }
  /** Triples i … j-1. */
  view(i: number, j: number): Uint32Array {
    return this.data.subarray(3 * i, 3 * j);
  }
}

export class LivePymalloc {
  private statsRead = 0;
  private calls = 0;
  private runMs = 0;
  private closed = false;

  private constructor(
    readonly python: string,
    readonly environment: LiveEnvironment,
    private readonly child: ChildProcess,
    private readonly dir: string,
    private readonly toChild: number,
    private readonly fromChild: number,
  ) {}

  /** Starts the process; a reason instead when there is no suitable CPython to start. */
  static start(python: string): LivePymalloc | { readonly skip: string } {
    const dir = mkdtempSync(join(tmpdir(), "allocheck-live-"));
    const [requests, answers, stats] = ["requests", "answers", "stats"].map((f) => join(dir, f));
    const made = spawnSync("mkfifo", [requests!, answers!]);
    if (made.status !== 0) {
      rmSync(dir, { recursive: true, force: true });
      return { skip: "mkfifo is not available: the live subject needs named pipes" };
    }
    const env = { ...process.env };
    // It would print the stats at every new arena, into the snapshots.
    delete env.PYTHONMALLOCSTATS;
    const child = spawn(
      "sh",
      [
        "-c",
        // Opens the pipes even when the interpreter is missing, so that this end never waits.
        'exec <"$3" >"$4"; command -v "$0" >/dev/null || exit 127; exec "$0" -S "$1" "$2"',
        python,
        LIVE_PATH,
        stats!,
        requests!,
        answers!,
      ],
      { stdio: ["ignore", "ignore", "inherit"], env },
    );
    child.unref();
    // Opens in the order the shell does (requests, then answers): each open waits for the other end.
    const toChild = openSync(requests!, "w");
    const fromChild = openSync(answers!, "r");
    const line = readLine(fromChild);
    if (line === "") {
      closeSync(toChild);
      closeSync(fromChild);
      rmSync(dir, { recursive: true, force: true });
      return { skip: `${python} could not run ${LIVE_PATH} (not found, or it failed at start)` };
    }
    const environment = JSON.parse(line) as LiveEnvironment;
    const live = new LivePymalloc(python, environment, child, dir, toChild, fromChild);
    if (environment.skip !== null) {
      live.close();
      return { skip: `${python} (Python ${environment.version}): ${environment.skip}` };
    }
    if (environment.nextArena === null) {
      live.close();
      return { skip: "the OS's arena placement could not be pinned (mmap probe unavailable)" };
    }
    return live;
  }

  /** Real calls made so far (RUN batches only: not the ballast). */
  get realCalls(): number {
    return this.calls;
  }

  /** Seconds spent in RUN batches: the pipe both ways and the calls (checkpoints included). */
  get runSeconds(): number {
    return this.runMs / 1000;
  }

  /** Runs the calls; the address each malloc/realloc returned (0 for free and snapshot). */
  run(batch: CallBatch): Float64Array {
    const started = performance.now();
    const out = new Float64Array(batch.length);
    for (let i = 0; i < batch.length; i += LIVE_BATCH) {
      const j = Math.min(batch.length, i + LIVE_BATCH);
      out.set(this.request(COMMAND.run, batch.view(i, j)), i);
    }
    this.calls += batch.length;
    this.runMs += performance.now() - started;
    return out;
  }

  /** Permanent ballast: `count` blocks of `size` per pair, never freed. */
  fill(pairs: readonly (readonly [size: number, count: number])[]): void {
    if (pairs.length === 0) return;
    this.request(COMMAND.fill, new Uint32Array(pairs.flatMap(([s, n]) => [s, n, 0])));
  }

  /** Ballast of `size` until a block lands in the arena the OS maps next; that block is freed. */
  newArena(size: number, cap: number): { readonly address: number; readonly blocks: number } {
    const [address, blocks] = this.request(COMMAND.newArena, new Uint32Array([size, cap, 0]));
    return { address: address!, blocks: blocks! };
  }

  /** Frees every slot below `slots`, then a snapshot. */
  freeAll(slots: number): void {
    this.request(COMMAND.freeAll, new Uint32Array([slots, 0, 0]));
  }

  /**
   * `count` blocks of `size`, the last freed first, then the others; then a snapshot. Returns
   * the last block's address.
   */
  cycle(size: number, count: number): number {
    return this.request(COMMAND.cycle, new Uint32Array([size, count, 0]))[1]!;
  }

  snapshot(): void {
    this.request(COMMAND.snapshot, new Uint32Array(0));
  }

  /** The snapshots taken since the last call, parsed, in order. */
  takeSnapshots(): ObservedStats[] {
    const fd = openSync(join(this.dir, "stats"), "r");
    const chunks: Buffer[] = [];
    try {
      for (;;) {
        const chunk = Buffer.alloc(1 << 16);
        const n = readSync(fd, chunk, 0, chunk.length, this.statsRead);
        if (n === 0) break;
        this.statsRead += n;
        chunks.push(chunk.subarray(0, n));
      }
    } finally {
      closeSync(fd);
    }
    return Buffer.concat(chunks)
      .toString("latin1")
      .split(MARK)
      .slice(1)
      .map((part) => parseDebugMallocStats(part));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      writeSync(this.toChild, Buffer.from(new Uint32Array([COMMAND.quit, 0]).buffer));
    } catch {
      // The process is gone already.
    }
    closeSync(this.toChild);
    closeSync(this.fromChild);
    if (this.child.exitCode === null) this.child.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private request(command: number, triples: Uint32Array): Float64Array {
    if (this.closed) throw new ProbeError("the live pymalloc process is closed");
    const n = triples.length / 3;
    const message = new Uint32Array(2 + triples.length);
    message[0] = command;
    message[1] = n;
    message.set(triples, 2);
    writeAll(this.toChild, new Uint8Array(message.buffer));
    const head = readExactly(this.fromChild, 8);
    const count = Number(new BigUint64Array(head.buffer, head.byteOffset, 1)[0]);
    const body = readExactly(this.fromChild, 8 * count);
    const words = new BigUint64Array(body.buffer, body.byteOffset, count);
    const out = new Float64Array(count);
    for (let i = 0; i < count; i++) out[i] = Number(words[i]);
    return out;
  }
}

function writeAll(fd: number, bytes: Uint8Array): void {
  let sent = 0;
  while (sent < bytes.length) sent += writeSync(fd, bytes, sent, bytes.length - sent);
}

function readExactly(fd: number, n: number): Uint8Array {
  const buffer = new Uint8Array(Math.max(n, 8));
  let got = 0;
  while (got < n) {
    const k = readSync(fd, buffer, got, n - got, null);
    if (k === 0) throw new ProbeError("the live pymalloc process ended (see its stderr above)");
    got += k;
  }
  return buffer;
}

function readLine(fd: number): string {
  const bytes: number[] = [];
  const one = new Uint8Array(1);
  for (;;) {
    if (readSync(fd, one, 0, 1, null) === 0) return "";
    if (one[0] === 10) return Buffer.from(bytes).toString("utf8");
    bytes.push(one[0]!);
  }
}
