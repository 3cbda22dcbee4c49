"use client";

// Chart.js set up once for every chart on the site: only the pieces used (tree-shaken), a plugin that
// draws clinical ranges as labelled bands (text, not just colour), and time axes labelled with the
// time zone they are drawn in. No date adapter: x values are epoch milliseconds on a linear scale and
// ticks are formatted with Intl in an explicit IANA zone.
import {
  Chart,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  ScatterController,
  Tooltip,
  type ChartConfiguration,
  type ChartType,
  type Plugin,
} from "chart.js";

export type TBand = { yMin: number; yMax: number; label: string; color: string };

declare module "chart.js" {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars -- must match Chart.js's declaration to merge
  interface PluginOptionsByType<TType extends ChartType> {
    bands?: { items: TBand[] };
  }
}

const bandsPlugin: Plugin = {
  id: "bands",
  beforeDatasetsDraw(chart, _args, options: { items?: TBand[] }) {
    const items = options.items ?? [];
    const { ctx, chartArea, scales } = chart;
    const y = scales.y;
    if (!y || items.length === 0) return;
    ctx.save();
    for (const band of items) {
      const top = y.getPixelForValue(Math.min(band.yMax, y.max));
      const bottom = y.getPixelForValue(Math.max(band.yMin, y.min));
      if (!(bottom > top)) continue;
      ctx.fillStyle = band.color;
      ctx.fillRect(chartArea.left, top, chartArea.right - chartArea.left, bottom - top);
      // A dashed edge and a text label: the band reads without colour.
      ctx.strokeStyle = "rgba(27, 36, 48, 0.45)";
      ctx.setLineDash([4, 4]);
      ctx.beginPath();
      if (band.yMax < y.max) {
        ctx.moveTo(chartArea.left, top);
        ctx.lineTo(chartArea.right, top);
      }
      if (band.yMin > y.min) {
        ctx.moveTo(chartArea.left, bottom);
        ctx.lineTo(chartArea.right, bottom);
      }
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.fillStyle = "#3b4452";
      ctx.font = "11px system-ui, sans-serif";
      ctx.textBaseline = "top";
      ctx.fillText(band.label, chartArea.left + 4, top + 2);
    }
    ctx.restore();
  },
};

let registered = false;

export function ensureChartSetup(): void {
  if (registered) return;
  registered = true;
  Chart.register(LineController, ScatterController, LineElement, PointElement, LinearScale, Tooltip, Legend, Filler, bandsPlugin);
  Chart.defaults.font.family = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
  Chart.defaults.color = "#3b4452";
  // Live and frequently updated charts do not animate: motion costs frames and distracts.
  Chart.defaults.animation = false;
}

export function createChart(canvas: HTMLCanvasElement, config: ChartConfiguration): Chart {
  ensureChartSetup();
  return new Chart(canvas, config);
}

export { Chart };

/** "Europe/Berlin, UTC+01:00" for the axis title: the zone's name and its offset at that instant. */
export function describeTimeZone(timeZone: string, atMs: number = Date.now()): string {
  try {
    const parts = new Intl.DateTimeFormat("en-US", { timeZone, timeZoneName: "longOffset" }).formatToParts(atMs);
    const offset = parts.find((part) => part.type === "timeZoneName")?.value ?? "GMT";
    return `${timeZone}, ${offset === "GMT" ? "UTC+00:00" : offset.replace("GMT", "UTC")}`;
  } catch {
    return "UTC";
  }
}

export type TTickStyle = "seconds" | "minutes" | "days";

export function createTimeFormatter(timeZone: string, style: TTickStyle): (ms: number) => string {
  const options: Intl.DateTimeFormatOptions =
    style === "seconds"
      ? { hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" }
      : style === "minutes"
        ? { hour: "2-digit", minute: "2-digit", hourCycle: "h23" }
        : { weekday: "short", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23" };
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat("en-GB", { ...options, timeZone });
  } catch {
    format = new Intl.DateTimeFormat("en-GB", { ...options, timeZone: "UTC" });
  }
  return (ms) => format.format(ms);
}

// Tooltips and text readouts use the same ISO-with-offset format as <Timestamp>.
import { formatIsoInZone } from "../format-iso-in-zone";
export { formatIsoInZone };

/** What every time-series chart shares: no aspect lock, pre-sorted data, tooltips for the nearest time. */
export const TIME_SERIES_OPTIONS = {
  maintainAspectRatio: false,
  normalized: true,
  interaction: { mode: "nearest", axis: "x", intersect: false },
} as const satisfies ChartConfiguration<"line">["options"];

/** The x axis of a time series: epoch ms on a linear scale, titled with the zone, ticks formatted in it. */
export function timeAxis(options: { timeZone: string; tickStyle: TTickStyle; maxTicks: number; minMs?: number; maxMs?: number; zoneAtMs?: number }) {
  const formatTick = createTimeFormatter(options.timeZone, options.tickStyle);
  return {
    type: "linear" as const,
    ...(options.minMs === undefined ? {} : { min: options.minMs }),
    ...(options.maxMs === undefined ? {} : { max: options.maxMs }),
    title: { display: true, text: `Time (${describeTimeZone(options.timeZone, options.zoneAtMs)})` },
    ticks: { callback: (value: number | string) => formatTick(Number(value)), maxTicksLimit: options.maxTicks },
  };
}

/** Tooltip title: the hovered point's time, ISO with offset in the chart's zone. */
export function timeTooltipTitle(timeZone: string) {
  return (items: { parsed: { x: number | null } }[]) => (items[0] ? formatIsoInZone(items[0].parsed.x ?? 0, timeZone) : "");
}

/** Inserts a null between points further apart than maxGapMs, so Chart.js (spanGaps false) breaks the line there. */
export function withGaps<T extends { x: number; y: number | null }>(points: T[], maxGapMs: number): { x: number; y: number | null }[] {
  const out: { x: number; y: number | null }[] = [];
  for (let index = 0; index < points.length; index += 1) {
    const point = points[index]!;
    const previous = points[index - 1];
    if (previous && point.x - previous.x > maxGapMs) out.push({ x: previous.x + 1, y: null });
    out.push({ x: point.x, y: point.y });
  }
  return out;
}
