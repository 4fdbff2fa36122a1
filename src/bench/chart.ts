/**
 * reports/bench-churn.svg: churn cost per allocator call against the live-set size, one line per
 * contender, both axes logarithmic (10^3 … 10^6 blocks; the contenders span four decades of
 * ns/op), a whisker per point from the fastest to the slowest repetition. Hand-written SVG with
 * the XML helpers of src/report/svg/xml.ts.
 */
import { element, svgDocument, text, tooltip } from "../report/svg/xml.ts";
import { CONTENDER_LABELS, type ContenderName } from "./workloads.ts";

export interface ChartPoint {
  readonly live: number;
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

export interface ChartSeries {
  readonly contender: ContenderName;
  readonly points: readonly ChartPoint[];
}

const COLORS: Readonly<Record<ContenderName, string>> = {
  bitmap: "#1f77b4",
  reference: "#d62728",
  mempool: "#9467bd",
  uint8array: "#ff7f0e",
  "slot-loop": "#2ca02c",
  "sqlite-dlmalloc": "#8c564b",
  "pyodide-mimalloc": "#e377c2",
  "pyodide-dlmalloc": "#7f7f7f",
};
const DASHES: Readonly<Record<ContenderName, string | undefined>> = {
  bitmap: undefined,
  reference: "6 3",
  mempool: "2 3",
  uint8array: "8 3 2 3",
  "slot-loop": "4 2",
  "sqlite-dlmalloc": "1 2",
  "pyodide-mimalloc": "5 2 1 2",
  "pyodide-dlmalloc": "3 1",
};

const WIDTH = 800;
const HEIGHT = 470;
const PLOT = { left: 78, right: 560, top: 48, bottom: 400 };

const superscript = (k: number): string => String(k).replace(/./g, (d) => "⁰¹²³⁴⁵⁶⁷⁸⁹"[Number(d)]!);
const fmtNs = (ns: number): string => (ns >= 100 ? ns.toFixed(0) : ns.toFixed(1));

export function churnChart(series: readonly ChartSeries[], subtitle: string): string {
  const all = series.flatMap((s) => s.points);
  const xMin = Math.floor(Math.log10(Math.min(...all.map((p) => p.live))));
  const xMax = Math.ceil(Math.log10(Math.max(...all.map((p) => p.live))));
  const yMin = Math.floor(Math.log10(Math.min(...all.map((p) => p.min))));
  const yMax = Math.ceil(Math.log10(Math.max(...all.map((p) => p.max))));
  const x = (live: number): number =>
    PLOT.left + ((Math.log10(live) - xMin) / Math.max(1, xMax - xMin)) * (PLOT.right - PLOT.left);
  const y = (ns: number): number =>
    PLOT.bottom - ((Math.log10(ns) - yMin) / Math.max(1, yMax - yMin)) * (PLOT.bottom - PLOT.top);

  const body: string[] = [];
  body.push(
    text(
      { x: WIDTH / 2, y: 22, "text-anchor": "middle", "font-size": 15, "font-weight": "bold" },
      "Churn: cost per allocator call against live-set size",
    ),
  );
  body.push(
    text({ x: WIDTH / 2, y: 38, "text-anchor": "middle", "font-size": 11, fill: "#555" }, subtitle),
  );

  // Grid and ticks: decades on both axes, with 2× and 5× minor lines on y.
  const grid: string[] = [];
  for (let k = yMin; k <= yMax; k++) {
    for (const m of k < yMax ? [1, 2, 5] : [1]) {
      const v = m * 10 ** k;
      const yy = y(v);
      grid.push(
        element("line", {
          x1: PLOT.left,
          y1: yy,
          x2: PLOT.right,
          y2: yy,
          stroke: m === 1 ? "#ccc" : "#eee",
        }),
      );
      grid.push(
        text(
          {
            x: PLOT.left - 6,
            y: yy + 4,
            "text-anchor": "end",
            "font-size": 11,
            fill: m === 1 ? "#222" : "#888",
          },
          v >= 1000 ? `${v / 1000} µs` : `${v} ns`,
        ),
      );
    }
  }
  for (let k = xMin; k <= xMax; k++) {
    const xx = x(10 ** k);
    grid.push(element("line", { x1: xx, y1: PLOT.top, x2: xx, y2: PLOT.bottom, stroke: "#ccc" }));
    grid.push(
      text(
        { x: xx, y: PLOT.bottom + 18, "text-anchor": "middle", "font-size": 12 },
        `10${superscript(k)}`,
      ),
    );
  }
  body.push(element("g", { class: "grid" }, ...grid));
  body.push(
    element("rect", {
      x: PLOT.left,
      y: PLOT.top,
      width: PLOT.right - PLOT.left,
      height: PLOT.bottom - PLOT.top,
      fill: "none",
      stroke: "#333",
    }),
  );
  body.push(
    text(
      {
        x: (PLOT.left + PLOT.right) / 2,
        y: PLOT.bottom + 40,
        "text-anchor": "middle",
        "font-size": 13,
      },
      "live blocks (log scale)",
    ),
  );
  body.push(
    text(
      {
        x: 18,
        y: (PLOT.top + PLOT.bottom) / 2,
        "text-anchor": "middle",
        "font-size": 13,
        transform: `rotate(-90 18 ${(PLOT.top + PLOT.bottom) / 2})`,
      },
      "ns per allocator call, CPU time (log scale)",
    ),
  );

  // One line per contender, a marker and a min–max whisker per point.
  for (const s of series) {
    const color = COLORS[s.contender];
    const label = CONTENDER_LABELS[s.contender];
    const path = s.points
      .map((p, i) => `${i === 0 ? "M" : "L"}${x(p.live).toFixed(1)},${y(p.median).toFixed(1)}`)
      .join(" ");
    const marks = s.points.map((p) =>
      element(
        "g",
        {},
        tooltip(
          `${label}, ${p.live.toLocaleString("en-US")} live: median ${fmtNs(p.median)} ns (min ${fmtNs(p.min)}, max ${fmtNs(p.max)})`,
        ),
        element("line", {
          x1: x(p.live),
          y1: y(p.min),
          x2: x(p.live),
          y2: y(p.max),
          stroke: color,
          "stroke-width": 1.5,
        }),
        element("circle", { cx: x(p.live), cy: y(p.median), r: 4, fill: color }),
      ),
    );
    body.push(
      element(
        "g",
        { class: "series", "data-contender": s.contender },
        element("path", {
          d: path,
          fill: "none",
          stroke: color,
          "stroke-width": 2,
          "stroke-dasharray": DASHES[s.contender],
        }),
        ...marks,
      ),
    );
  }

  // Legend.
  const legend: string[] = [];
  series.forEach((s, i) => {
    const ly = PLOT.top + 14 + i * 22;
    legend.push(
      element("line", {
        x1: PLOT.right + 18,
        y1: ly,
        x2: PLOT.right + 48,
        y2: ly,
        stroke: COLORS[s.contender],
        "stroke-width": 2,
        "stroke-dasharray": DASHES[s.contender],
      }),
    );
    legend.push(
      element("circle", { cx: PLOT.right + 33, cy: ly, r: 3.5, fill: COLORS[s.contender] }),
    );
    legend.push(
      text({ x: PLOT.right + 56, y: ly + 4, "font-size": 12 }, CONTENDER_LABELS[s.contender]),
    );
  });
  legend.push(
    text(
      {
        x: PLOT.right + 18,
        y: PLOT.top + 14 + series.length * 22 + 10,
        "font-size": 10,
        fill: "#555",
      },
      "whiskers: fastest–slowest run",
    ),
  );
  body.push(element("g", { class: "legend" }, ...legend));

  return svgDocument(
    WIDTH,
    HEIGHT,
    "allocheck npm run bench: churn ns/op against live-set size",
    body,
  );
}
