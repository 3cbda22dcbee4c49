"use client";

// The heart-rate window an alert was raised on (alert evidence `heartRate`), with the watch's activity
// level drawn on a second axis so "fast but exercising" and "fast at rest" look different.
import { useEffect, useRef } from "react";
import { createChart, TIME_SERIES_OPTIONS, timeAxis, timeTooltipTitle } from "./chart-setup";
import { HEART_RATE_BANDS } from "./clinical-ranges";

const BPM_GAP = 0;

export type THeartRateWindow = { startedAt: string; intervalMs: number; bpm: number[]; activity?: number[] };

export function HeartRateWindowChart({ window: hr, timeZone, label }: { window: THeartRateWindow; timeZone: string; label: string }) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas) return;
    const startMs = Date.parse(hr.startedAt);
    const bpm = hr.bpm.map((value, index) => ({ x: startMs + index * hr.intervalMs, y: value === BPM_GAP ? null : value }));
    const activity = (hr.activity ?? []).map((value, index) => ({ x: startMs + index * hr.intervalMs, y: value }));
    const chart = createChart(canvas, {
      type: "line",
      data: {
        datasets: [
          { label: "Heart rate (bpm)", data: bpm, borderColor: "#a4161a", borderWidth: 2, pointRadius: 0, spanGaps: false, parsing: false, yAxisID: "y" },
          ...(activity.length > 0
            ? [{ label: "Activity (watch level)", data: activity, borderColor: "#4a5565", borderDash: [6, 4], borderWidth: 1.5, pointRadius: 0, spanGaps: false, parsing: false as const, yAxisID: "activity" }]
            : []),
        ],
      },
      options: {
        ...TIME_SERIES_OPTIONS,
        scales: {
          x: timeAxis({ timeZone, tickStyle: "seconds", maxTicks: 6, zoneAtMs: startMs }),
          y: { type: "linear", suggestedMin: 40, suggestedMax: 140, title: { display: true, text: "Heart rate (bpm)" } },
          activity: { type: "linear", position: "right", min: 0, suggestedMax: 3, display: activity.length > 0, title: { display: true, text: "Activity level" }, grid: { drawOnChartArea: false } },
        },
        plugins: {
          bands: { items: HEART_RATE_BANDS },
          tooltip: { callbacks: { title: timeTooltipTitle(timeZone) } },
        },
      },
    });
    return () => chart.destroy();
  }, [hr, timeZone]);
  return (
    <div className="chart-box">
      <canvas ref={canvasRef} role="img" aria-label={label} />
    </div>
  );
}
