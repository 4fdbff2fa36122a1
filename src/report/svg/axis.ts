/** Axis ticks for the pictures: round steps (1, 2, 2.5, 5 × 10^k) and their labels. */
import { byteUnit } from "../../core/format.ts";

/** The round step that splits [0, max] into about `target` intervals. */
export function niceStep(max: number, target = 5): number {
  if (!(max > 0)) return 1;
  const raw = max / target;
  const power = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * power >= raw) return m * power;
  return 10 * power;
}

export interface Ticks {
  /** Tick values, from 0 to `top`. */
  readonly values: readonly number[];
  /** The axis end: the first tick at or above the data's maximum. */
  readonly top: number;
  readonly label: (value: number) => string;
  /** The unit, for the axis title. */
  readonly unit: string;
}

function ticksOf(max: number, scale: number, unit: string, format: (x: number) => string): Ticks {
  const step = niceStep(max / scale) * scale;
  const top = Math.max(step, Math.ceil(max / step - 1e-9) * step);
  const values: number[] = [];
  for (let k = 0; k * step <= top + step / 2; k++) values.push(k * step);
  return { values, top, unit, label: (v) => format(v / scale) };
}

const trim = (x: number) => String(Number(x.toFixed(2)));

/** Byte ticks in the binary unit that fits the maximum: B, KiB, MiB, GiB. */
export function byteTicks(maxBytes: number): Ticks {
  const unit = byteUnit(Math.max(1, maxBytes));
  return ticksOf(Math.max(1, maxBytes), unit.size, unit.name, trim);
}

/** Step-count ticks: 0, 250k, 500k, 1M … */
export function countTicks(max: number): Ticks {
  return ticksOf(Math.max(1, max), 1, "", (x) =>
    x >= 1e6 ? `${trim(x / 1e6)}M` : x >= 1e4 ? `${trim(x / 1e3)}k` : x.toLocaleString("en-US"),
  );
}
