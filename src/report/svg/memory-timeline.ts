/**
 * Mapped against live bytes over a scenario's time, as SVG: two polylines (mapped bytes, the
 * model RSS of spec/model.md §2; live requested bytes, tracemalloc's current, spec/stats.md §1),
 * with axes, ticks and labels in B/KiB/MiB, the scenario's phases as dashed markers, and a legend.
 *
 * Structure (the tests read it): `<polyline class="mapped">` and `<polyline class="live">`, one
 * point per time-series point.
 */
import type { SeriesPoint } from "../../scenarios/recorder.ts";
import { count } from "../../core/format.ts";
import { byteTicks, countTicks } from "./axis.ts";
import { element, num, svgDocument, text } from "./xml.ts";

export interface TimelineOptions {
  readonly title: string;
  readonly subtitle?: string;
  /** Marked points of the scenario (drawn from step > 0). */
  readonly phases?: readonly { readonly step: number; readonly label: string }[];
}

const WIDTH = 960;
const HEIGHT = 500;
const LEFT = 84;
const RIGHT = 32;
const TOP = 92;
const BOTTOM = 64;
export const MAPPED_COLOUR = "#1f66b4";
export const LIVE_COLOUR = "#e0731a";

export function memoryTimelineSvg(
  series: readonly SeriesPoint[],
  options: TimelineOptions,
): string {
  const plotW = WIDTH - LEFT - RIGHT;
  const plotH = HEIGHT - TOP - BOTTOM;
  const maxStep = series.reduce((m, p) => Math.max(m, p.step), 0);
  const maxBytes = series.reduce((m, p) => Math.max(m, p.mapped, p.live), 0);
  const xt = countTicks(maxStep);
  const yt = byteTicks(maxBytes);
  const sx = (step: number) => LEFT + (step / xt.top) * plotW;
  const sy = (bytes: number) => TOP + plotH - (bytes / yt.top) * plotH;

  const body: string[] = [];
  body.push(text({ x: 16, y: 26, "font-size": 16, "font-weight": "bold" }, options.title));
  if (options.subtitle)
    body.push(text({ x: 16, y: 46, "font-size": 12, fill: "#444" }, options.subtitle));

  // Grid, ticks and tick labels.
  const axis: string[] = [];
  for (const v of yt.values) {
    const y = sy(v);
    axis.push(element("line", { x1: LEFT, y1: y, x2: LEFT + plotW, y2: y, stroke: "#e6e6e6" }));
    axis.push(element("line", { x1: LEFT - 5, y1: y, x2: LEFT, y2: y, stroke: "#333" }));
    axis.push(
      text(
        { x: LEFT - 8, y: y + 4, "font-size": 11, "text-anchor": "end" },
        `${yt.label(v)} ${yt.unit}`,
      ),
    );
  }
  for (const v of xt.values) {
    const x = sx(v);
    axis.push(
      element("line", { x1: x, y1: TOP + plotH, x2: x, y2: TOP + plotH + 5, stroke: "#333" }),
    );
    axis.push(
      text({ x, y: TOP + plotH + 18, "font-size": 11, "text-anchor": "middle" }, xt.label(v)),
    );
  }
  axis.push(element("line", { x1: LEFT, y1: TOP, x2: LEFT, y2: TOP + plotH, stroke: "#333" }));
  axis.push(
    element("line", {
      x1: LEFT,
      y1: TOP + plotH,
      x2: LEFT + plotW,
      y2: TOP + plotH,
      stroke: "#333",
    }),
  );
  axis.push(
    text(
      { x: LEFT + plotW / 2, y: HEIGHT - 18, "font-size": 12, "text-anchor": "middle" },
      "allocator calls (malloc, free, realloc)",
    ),
  );
  axis.push(
    text(
      {
        x: 18,
        y: TOP + plotH / 2,
        "font-size": 12,
        "text-anchor": "middle",
        transform: `rotate(-90 18 ${num(TOP + plotH / 2)})`,
      },
      `bytes (${yt.unit})`,
    ),
  );
  body.push(element("g", { class: "axes" }, ...axis));

  // Phases: a dashed line and a label at the top, staggered so neighbours do not collide.
  const phases = (options.phases ?? []).filter((p) => p.step > 0);
  const markers = phases.map((p, k) => {
    const x = sx(p.step);
    const anchor = x > LEFT + plotW * 0.7 ? "end" : "start";
    return element(
      "g",
      { class: "phase" },
      element("line", {
        x1: x,
        y1: TOP - 4,
        x2: x,
        y2: TOP + plotH,
        stroke: "#888",
        "stroke-dasharray": "4 3",
      }),
      text(
        {
          x: anchor === "end" ? x - 4 : x + 4,
          y: TOP + 8 + (k % 3) * 13,
          "font-size": 10,
          fill: "#555",
          "text-anchor": anchor,
        },
        p.label,
      ),
    );
  });
  body.push(element("g", { class: "phases" }, ...markers));

  const points = (pick: (p: SeriesPoint) => number) =>
    series.map((p) => `${num(sx(p.step))},${num(sy(pick(p)))}`).join(" ");
  body.push(
    element("polyline", {
      class: "mapped",
      points: points((p) => p.mapped),
      fill: "none",
      stroke: MAPPED_COLOUR,
      "stroke-width": 2,
      "stroke-linejoin": "round",
    }),
  );
  body.push(
    element("polyline", {
      class: "live",
      points: points((p) => p.live),
      fill: "none",
      stroke: LIVE_COLOUR,
      "stroke-width": 2,
      "stroke-linejoin": "round",
    }),
  );

  // Legend, above the plot.
  const legend = [
    [MAPPED_COLOUR, "mapped bytes (arenas + raw blocks: the model RSS)"],
    [LIVE_COLOUR, "live bytes (requested by live blocks: tracemalloc's current)"],
  ] as const;
  body.push(
    element(
      "g",
      { class: "legend" },
      ...legend.map(([colour, label], k) =>
        element(
          "g",
          {},
          element("line", {
            x1: LEFT + k * 420,
            y1: 68,
            x2: LEFT + k * 420 + 24,
            y2: 68,
            stroke: colour,
            "stroke-width": 3,
          }),
          text({ x: LEFT + k * 420 + 30, y: 72, "font-size": 12 }, label),
        ),
      ),
    ),
  );
  body.push(
    text(
      { x: WIDTH - RIGHT, y: HEIGHT - 4, "font-size": 10, fill: "#777", "text-anchor": "end" },
      `${count(series.length)} points`,
    ),
  );
  return svgDocument(WIDTH, HEIGHT, options.title, body);
}
