/**
 * Sizes for the macro steps that draw many values (churn) from a seeded stream (src/core/random.ts),
 * so that a step is a pure function of its arguments and replays identically.
 */
import type { Geometry } from "../../src/core/geometry.ts";

/**
 * A request size biased like the generators' (sizes.ts): class edges k·A and k·A + 1, 0, T and
 * T + 1, and now and then a raw size. Without a geometry: 1 … 512.
 */
export function sizeFromStream(geometry: Geometry | undefined, random: () => number): number {
  if (geometry === undefined) return 1 + Math.floor(random() * 512);
  const { alignment: A, smallThreshold: T } = geometry;
  const r = random();
  const k = 1 + Math.floor(random() * (T / A));
  if (r < 0.45) return k * A;
  if (r < 0.8) return (k - 1) * A + 1;
  if (r < 0.86) return T;
  if (r < 0.9) return 0;
  if (r < 0.95) return T + 1;
  return T + 1 + Math.floor(random() * 4 * T);
}
