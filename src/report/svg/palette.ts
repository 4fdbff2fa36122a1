/**
 * Colours for the heap map. A size class always gets the same hue, whatever else is in the heap
 * (the golden angle apart, so neighbouring classes differ); a pool's lightness shows how full it
 * is: pale when few of its blocks are live, deep when all are.
 */

const GOLDEN_ANGLE = 137.508;

export const EMPTY_POOL = "#e4e4e4";

export function classHue(sizeClass: number): number {
  return Math.round((sizeClass * GOLDEN_ANGLE + 200) % 360);
}

/** fill = live blocks / blocks per pool, in (0, 1]. */
export function poolColour(sizeClass: number, fill: number): string {
  const f = Math.min(1, Math.max(0, fill));
  return `hsl(${classHue(sizeClass)}, 70%, ${Math.round(82 - 46 * f)}%)`;
}
