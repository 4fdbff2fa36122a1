/**
 * The parent side of `npm run bench`: one child process per contender (child.ts), requests sent
 * one at a time. For each cell every contender prepares, then the repetitions interleave:
 * repetition r runs each contender once, in an order rotated by r, so drift in the machine's
 * speed (another tenant, thermal, the GC) spreads over all contenders instead of one.
 */
import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { ChildAnswer, ChildRequest, Prepared } from "./child.ts";
import type { Elapsed } from "./timing.ts";
import type { Cell, ContenderName } from "./workloads.ts";

const CHILD = fileURLToPath(new URL("./child.ts", import.meta.url));

export class ContenderProcess {
  private readonly child: ChildProcess;
  private pending: ((answer: ChildAnswer) => void) | undefined;

  constructor(readonly contender: ContenderName) {
    this.child = fork(CHILD, [contender], {
      execArgv: ["--import", "tsx", "--expose-gc"],
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    this.child.on("message", (answer: ChildAnswer) => {
      const resolve = this.pending;
      this.pending = undefined;
      resolve?.(answer);
    });
    this.child.on("exit", (code) => {
      if (this.pending !== undefined)
        this.pending({ error: `the ${contender} process exited with code ${code}` });
    });
  }

  request(request: ChildRequest): Promise<ChildAnswer> {
    return new Promise((resolve, reject) => {
      this.pending = (answer) =>
        "error" in answer
          ? reject(new Error(`${this.contender}: ${answer.error}`))
          : resolve(answer);
      this.child.send(request);
    });
  }

  close(): void {
    this.child.disconnect();
  }
}

export interface CellSamples {
  /** Per contender, one entry per repetition in repetition order: nanoseconds per allocator call. */
  readonly cpuNsPerOp: Partial<Record<ContenderName, number[]>>;
  readonly wallNsPerOp: Partial<Record<ContenderName, number[]>>;
  readonly opsPerRun: Partial<Record<ContenderName, number>>;
  /** The bitmap allocator's heap in a churn cell (arenas, metadata bytes). */
  readonly heap?: Prepared["heap"];
}

export async function measureCell(
  cell: Cell,
  processes: ReadonlyMap<ContenderName, ContenderProcess>,
  repetitions: number,
): Promise<CellSamples> {
  const cpuNsPerOp: Partial<Record<ContenderName, number[]>> = {};
  const wallNsPerOp: Partial<Record<ContenderName, number[]>> = {};
  const opsPerRun: Partial<Record<ContenderName, number>> = {};
  let heap: Prepared["heap"];
  for (const contender of cell.contenders) {
    const prepared = (await processes.get(contender)!.request({ prepare: cell })) as Prepared;
    heap ??= prepared.heap;
    cpuNsPerOp[contender] = [];
    wallNsPerOp[contender] = [];
  }
  const order = cell.contenders;
  for (let r = 0; r < repetitions; r++) {
    for (let i = 0; i < order.length; i++) {
      const contender = order[(i + r) % order.length]!;
      const answer = (await processes.get(contender)!.request({ run: true })) as Elapsed & {
        ops: number;
      };
      cpuNsPerOp[contender]!.push(answer.cpuNs / answer.ops);
      wallNsPerOp[contender]!.push(answer.wallNs / answer.ops);
      opsPerRun[contender] = answer.ops;
    }
  }
  for (const contender of cell.contenders)
    await processes.get(contender)!.request({ finish: true });
  return { cpuNsPerOp, wallNsPerOp, opsPerRun, ...(heap !== undefined ? { heap } : {}) };
}
