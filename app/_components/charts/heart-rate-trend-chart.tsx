"use client";

// Day and week heart-rate trends from the per-minute rollups (GET /api/patients/{id}/heart-rate):
// the mean line with the min-max range shaded. A week is drawn in 15-minute buckets.
import { useEffect, useRef, useState } from "react";
import { createChart, TIME_SERIES_OPTIONS, timeAxis, timeTooltipTitle, withGaps, type Chart } from "./chart-setup";
import { HEART_RATE_BANDS } from "./clinical-ranges";

type TMinute = { minute: string; meanBpm: number; minBpm: number; maxBpm: number; samples: number };
type TRange = "day" | "week";

const RANGES: Record<TRange, { label: string; spanMs: number; bucketMs: number }> = {
  day: { label: "Last 24 hours", spanMs: 24 * 3_600_000, bucketMs: 60_000 },
  week: { label: "Last 7 days", spanMs: 7 * 24 * 3_600_000, bucketMs: 15 * 60_000 },
};

function bucketize(minutes: TMinute[], bucketMs: number) {
  const buckets = new Map<number, { sum: number; samples: number; min: number; max: number }>();
  for (const row of minutes) {
    const atMs = Date.parse(row.minute);
    const key = atMs - (atMs % bucketMs);
    const bucket = buckets.get(key) ?? { sum: 0, samples: 0, min: Infinity, max: -Infinity };
    bucket.sum += row.meanBpm * row.samples;
    bucket.samples += row.samples;
    bucket.min = Math.min(bucket.min, row.minBpm);
    bucket.max = Math.max(bucket.max, row.maxBpm);
    buckets.set(key, bucket);
  }
  return [...buckets.entries()]
    .sort(([a], [b]) => a - b)
    .map(([x, bucket]) => ({ x, mean: Math.round((bucket.sum / bucket.samples) * 10) / 10, min: bucket.min, max: bucket.max }));
}

export function HeartRateTrendChart({ patientId, timeZone }: { patientId: string; timeZone: string }) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const chartRef = useRef<Chart | null>(null);
  const [range, setRange] = useState<TRange>("day");
  const [summary, setSummary] = useState<string>("Loading…");

  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas) return;
    const { spanMs, bucketMs } = RANGES[range];
    const chart = createChart(canvas, {
      type: "line",
      data: { datasets: [] },
      options: {
        ...TIME_SERIES_OPTIONS,
        scales: {
          x: timeAxis({ timeZone, tickStyle: range === "day" ? "minutes" : "days", maxTicks: 7 }),
          y: { type: "linear", suggestedMin: 40, suggestedMax: 130, title: { display: true, text: "Heart rate (bpm)" } },
        },
        plugins: {
          legend: { display: true, labels: { filter: (item) => item.text !== "Lowest" } },
          bands: { items: HEART_RATE_BANDS },
          tooltip: { callbacks: { title: timeTooltipTitle(timeZone) } },
        },
      },
    });
    chartRef.current = chart;
    const aborter = new AbortController();
    const toMs = Date.now();
    const fromMs = toMs - spanMs;
    const url = `/api/patients/${encodeURIComponent(patientId)}/heart-rate?from=${new Date(fromMs).toISOString()}&to=${new Date(toMs).toISOString()}`;
    setSummary("Loading…");
    fetch(url, { signal: aborter.signal, credentials: "same-origin" })
      .then(async (response) => {
        if (!response.ok) throw new Error(String(response.status));
        const { minutes } = (await response.json()) as { minutes: TMinute[] };
        const rows = bucketize(minutes, bucketMs);
        // Two missing buckets in a row break the line: no interpolation across lost data.
        const maxGapMs = bucketMs * 2;
        chart.data.datasets = [
          { label: "Lowest", data: withGaps(rows.map((row) => ({ x: row.x, y: row.min })), maxGapMs), borderWidth: 0, pointRadius: 0, spanGaps: false, parsing: false },
          {
            label: "Range (min-max)",
            data: withGaps(rows.map((row) => ({ x: row.x, y: row.max })), maxGapMs),
            borderWidth: 0,
            pointRadius: 0,
            backgroundColor: "rgba(164, 22, 26, 0.18)",
            fill: "-1",
            spanGaps: false,
            parsing: false,
          },
          { label: "Mean (bpm)", data: withGaps(rows.map((row) => ({ x: row.x, y: row.mean })), maxGapMs), borderColor: "#a4161a", borderWidth: 2, pointRadius: 0, spanGaps: false, parsing: false },
        ];
        chart.options.scales!.x!.min = fromMs;
        chart.options.scales!.x!.max = toMs;
        chart.update("none");
        if (rows.length === 0) setSummary("No heart-rate readings in this period.");
        else {
          const means = rows.map((row) => row.mean);
          const mean = means.reduce((sum, value) => sum + value, 0) / means.length;
          setSummary(`Average ${Math.round(mean)} bpm; lowest ${Math.min(...rows.map((row) => row.min))} bpm, highest ${Math.max(...rows.map((row) => row.max))} bpm.`);
        }
      })
      .catch((error: unknown) => {
        if (!aborter.signal.aborted) setSummary(`Could not load the trend (${error instanceof Error ? error.message : "error"}).`);
      });
    return () => {
      aborter.abort();
      chart.destroy();
      chartRef.current = null;
    };
  }, [patientId, timeZone, range]);

  return (
    <section className="card" aria-labelledby="heart-rate-trend-heading">
      <h2 id="heart-rate-trend-heading">Heart-rate trend</h2>
      <div className="segmented" role="group" aria-label="Period">
        {(Object.keys(RANGES) as TRange[]).map((key) => (
          <button key={key} type="button" className="segment" aria-pressed={range === key} onClick={() => setRange(key)}>
            {RANGES[key].label}
          </button>
        ))}
      </div>
      <p data-testid="trend-summary">{summary}</p>
      <div className="chart-box">
        <canvas ref={canvasRef} role="img" aria-label={`Heart-rate trend, ${RANGES[range].label.toLowerCase()}. ${summary}`} />
      </div>
      <p className="hint">
        {range === "day" ? "Per-minute mean" : "15-minute mean"} with the lowest-to-highest range shaded. Gaps are periods without readings.
      </p>
    </section>
  );
}
