/** The machine and Node version, as every report quotes them. */
import { arch, cpus, platform, totalmem } from "node:os";

export function machineDescription(): string {
  const cpu = cpus();
  return `${cpu[0]?.model.trim() ?? "unknown CPU"} × ${cpu.length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, ${platform()} ${arch()}, Node ${process.version}`;
}
