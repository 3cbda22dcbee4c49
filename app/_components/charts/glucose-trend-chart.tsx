"use client";

// The last 24 hours of CGM readings (GET /api/patients/{id}/glucose) against the time-in-range bands.
import { useEffect, useRef, useState } from "react";
import { createChart, formatIsoInZone, TIME_SERIES_OPTIONS, timeAxis, timeTooltipTitle, withGaps } from "./chart-setup";
import { GLUCOSE_BANDS, GLUCOSE_HIGH_MG_DL, GLUCOSE_LOW_MG_DL } from "./clinical-ranges";

const SPAN_MS = 24 * 3_600_000;
// CGMs read every 5 minutes; more than 15 minutes without a reading is a gap (three missed readings).
const MAX_GAP_MS = 15 * 60_000;

export function GlucoseTrendChart({ patientId, timeZone }: { patientId: string; timeZone: string }) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const [summary, setSummary] = useState("Loading…");

  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas) return;
    const toMs = Date.now();
    const fromMs = toMs - SPAN_MS;
    const chart = createChart(canvas, {
      type: "line",
      data: { datasets: [] },
      options: {
        ...TIME_SERIES_OPTIONS,
        scales: {
          x: timeAxis({ timeZone, tickStyle: "minutes", maxTicks: 7, minMs: fromMs, maxMs: toMs }),
          y: { type: "linear", suggestedMin: 40, suggestedMax: 250, title: { display: true, text: "Glucose (mg/dL)" } },
        },
        plugins: {
          legend: { display: false },
          bands: { items: GLUCOSE_BANDS },
          tooltip: { callbacks: { title: timeTooltipTitle(timeZone), label: (item) => `${item.parsed.y} mg/dL` } },
        },
      },
    });
    const aborter = new AbortController();
    fetch(`/api/patients/${encodeURIComponent(patientId)}/glucose?from=${new Date(fromMs).toISOString()}&to=${new Date(toMs).toISOString()}`, { signal: aborter.signal, credentials: "same-origin" })
      .then(async (response) => {
        if (!response.ok) throw new Error(String(response.status));
        const { readings } = (await response.json()) as { readings: { measuredAt: string; glucoseMgDl: number }[] };
        const points = readings.map((reading) => ({ x: Date.parse(reading.measuredAt), y: reading.glucoseMgDl }));
        chart.data.datasets = [
          { label: "Glucose (mg/dL)", data: withGaps(points, MAX_GAP_MS), borderColor: "#0b57a4", borderWidth: 2, pointRadius: 0, spanGaps: false, parsing: false },
        ];
        chart.update("none");
        if (points.length === 0) setSummary("No glucose readings in the last 24 hours.");
        else {
          const inRange = points.filter((point) => point.y >= GLUCOSE_LOW_MG_DL && point.y <= GLUCOSE_HIGH_MG_DL).length;
          const last = readings.at(-1)!;
          setSummary(
            `Latest ${last.glucoseMgDl} mg/dL at ${formatIsoInZone(Date.parse(last.measuredAt), timeZone)}; ${Math.round((inRange / points.length) * 100)}% of readings in the ${GLUCOSE_LOW_MG_DL}-${GLUCOSE_HIGH_MG_DL} mg/dL target range.`,
          );
        }
      })
      .catch((error: unknown) => {
        if (!aborter.signal.aborted) setSummary(`Could not load glucose readings (${error instanceof Error ? error.message : "error"}).`);
      });
    return () => {
      aborter.abort();
      chart.destroy();
    };
  }, [patientId, timeZone]);

  return (
    <section className="card" aria-labelledby="glucose-trend-heading">
      <h2 id="glucose-trend-heading">Glucose trend</h2>
      <p data-testid="glucose-summary">{summary}</p>
      <div className="chart-box">
        <canvas ref={canvasRef} role="img" aria-label={`Glucose over the last 24 hours. ${summary}`} />
      </div>
      <p className="hint">Last 24 hours from the glucose monitor. Bands: low below 70, target 70-180, high above 180 mg/dL.</p>
    </section>
  );
}
