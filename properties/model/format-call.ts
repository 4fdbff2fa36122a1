/**
 * How calls and steps are written in messages and replays, once: `malloc(48) → 0x1030`,
 * `free(0x1030)`, `realloc(null, 8) → 0x1040`, `free(0x10) throws invalid-pointer`.
 */
import { AllocatorError, hex } from "../../src/core/errors.ts";
import type { Call, PlannedCall, Step } from "./call.ts";
import { formatOp } from "./ops.ts";

/** Calls a step summary shows before "… (N calls)" (and all a step keeps unless asked: call.ts). */
export const CALLS_SHOWN = 4;

/** `malloc(48)`, `realloc(0x1030, 8)`, `free(null)`: the call with its arguments. */
export function formatCallArguments(call: PlannedCall): string {
  const args =
    call.kind === "malloc"
      ? `${call.n}`
      : call.kind === "realloc"
        ? `${hex(call.p!)}, ${call.n}`
        : hex(call.p!);
  return `${call.kind}(${args})`;
}

/** "TypeError: boom"; an AllocatorError's message starts with its code. */
export function formatError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** The call and its outcome, as a replay prints it. */
export function formatCall(call: Call): string {
  const outcome =
    call.error !== undefined
      ? call.error instanceof AllocatorError
        ? `throws ${call.error.code}`
        : "throws"
      : call.outOfMemoryError !== undefined
        ? "throws (out of memory: null)"
        : call.result === undefined
          ? ""
          : call.result === null
            ? "→ null"
            : `→ ${hex(call.result)}`;
  return `${formatCallArguments(call)} ${outcome}`.trim();
}

/** "malloc(48): malloc(48) → 0x1030" style lines for replays: the operation and its calls. */
export function formatStep(step: Step): string {
  const shown = step.calls.slice(0, CALLS_SHOWN).map(formatCall);
  const more = step.callCount > CALLS_SHOWN ? ` … (${step.callCount} calls)` : "";
  return `${formatOp(step.op)}: ${shown.join("; ")}${more}`;
}
