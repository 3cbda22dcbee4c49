"use client";

// A single-lead ECG strip (GET /api/patients/{id}/ecg-strips/{stripId}) in millivolts against seconds,
// with the beats the QRS detector found marked on it. The strip scrolls sideways on narrow screens so
// 30 s keep a readable scale (about 40 px per second).
import { useEffect, useId, useRef, useState } from "react";
import type { TEcgStripView } from "@/lib/patients/get-ecg-strip";
import type { TEcgStripSummary } from "@/lib/patients/list-ecg-strips";
import { describeRhythm } from "../rhythm-labels";
import { createChart, formatIsoInZone } from "./chart-setup";

export function EcgStripViewer({
  patientId,
  timeZone,
  strips,
  headingId,
  title = "ECG strips",
}: {
  patientId: string;
  timeZone: string;
  strips: TEcgStripSummary[];
  headingId?: string;
  title?: string;
}) {
  const generatedId = useId();
  const heading = headingId ?? `${generatedId}-heading`;
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const [stripId, setStripId] = useState(strips[0]?.id ?? null);
  const [strip, setStrip] = useState<TEcgStripView | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!stripId) return;
    const aborter = new AbortController();
    setError(null);
    fetch(`/api/patients/${encodeURIComponent(patientId)}/ecg-strips/${encodeURIComponent(stripId)}`, { signal: aborter.signal, credentials: "same-origin" })
      .then(async (response) => {
        if (!response.ok) throw new Error(response.status === 404 ? "not found" : `HTTP ${response.status}`);
        setStrip(((await response.json()) as { strip: TEcgStripView }).strip);
      })
      .catch((caught: unknown) => {
        if (!aborter.signal.aborted) setError(`Could not load the strip (${caught instanceof Error ? caught.message : "error"}).`);
      });
    return () => aborter.abort();
  }, [patientId, stripId]);

  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas || !strip) return;
    const rate = strip.sampleRateHz;
    const trace = strip.samplesUv.map((uv, index) => ({ x: index / rate, y: uv / 1000 }));
    const beats = strip.beatTimesS.map((timeS) => ({ x: timeS, y: (strip.samplesUv[Math.min(strip.samplesUv.length - 1, Math.round(timeS * rate))] ?? 0) / 1000 }));
    const chart = createChart(canvas, {
      type: "line",
      data: {
        datasets: [
          { label: "ECG (mV)", data: trace, borderColor: "#1b2430", borderWidth: 1, pointRadius: 0, parsing: false, spanGaps: false },
          {
            type: "scatter",
            label: "Detected beat (R peak)",
            data: beats,
            pointStyle: "triangle",
            pointRotation: 180,
            pointRadius: 6,
            backgroundColor: "#a4161a",
            borderColor: "#a4161a",
            parsing: false,
          },
        ],
      },
      options: {
        maintainAspectRatio: false,
        normalized: true,
        scales: {
          // ECG paper convention: a major grid line every 0.2 s and 0.5 mV.
          x: { type: "linear", min: 0, max: strip.samplesUv.length / rate, title: { display: true, text: "Time from start of strip (s)" }, ticks: { stepSize: 1 }, grid: { color: "rgba(164, 22, 26, 0.15)" } },
          y: { type: "linear", title: { display: true, text: "Voltage (mV)" }, ticks: { stepSize: 0.5 }, grid: { color: "rgba(164, 22, 26, 0.15)" } },
        },
        plugins: { legend: { display: true }, tooltip: { enabled: false } },
      },
    });
    return () => chart.destroy();
  }, [strip]);

  const selected = strips.find((item) => item.id === stripId);
  return (
    <section className="card" aria-labelledby={heading}>
      <h2 id={heading}>{title}</h2>
      {strips.length === 0 ? (
        <p>No ECG strips have been recorded yet. The watch records one when its screen sees something unusual.</p>
      ) : (
        <>
          {strips.length > 1 && (
            <div className="field inline-field">
              <label htmlFor={`${generatedId}-select`}>Strip</label>
              <select id={`${generatedId}-select`} value={stripId ?? ""} onChange={(event) => setStripId(event.target.value)}>
                {strips.map((item) => (
                  <option key={item.id} value={item.id}>
                    {formatIsoInZone(Date.parse(item.recordedAt), timeZone)}
                    {item.label ? ` — ${describeRhythm(item.label)}` : ""}
                  </option>
                ))}
              </select>
            </div>
          )}
          {error && <p className="form-error">{error}</p>}
          {strip && (
            <dl className="facts" data-testid="ecg-facts">
              <div>
                <dt>Recorded ({timeZone})</dt>
                <dd>{formatIsoInZone(Date.parse(strip.recordedAt), timeZone)}</dd>
              </div>
              <div>
                <dt>Beats detected</dt>
                <dd>
                  {strip.beatTimesS.length}
                  {strip.heartRateBpm !== null ? ` (${strip.heartRateBpm} bpm)` : ""}
                </dd>
              </div>
              <div>
                <dt>ECG model reading</dt>
                <dd>{strip.classification ? `${describeRhythm(strip.classification.label)}, ${Math.round(strip.classification.confidence * 100)}% confident` : selected?.label ? describeRhythm(selected.label) : "Not classified"}</dd>
              </div>
              <div>
                <dt>Signal quality</dt>
                <dd>{strip.isUsable ? "Readable" : "Not readable"}{strip.signalToNoise !== null ? ` (signal-to-noise ${strip.signalToNoise})` : ""}</dd>
              </div>
            </dl>
          )}
          <div className="ecg-scroll" tabIndex={0} role="region" aria-label="ECG strip, scrolls sideways">
            <div className="ecg-box">
              <canvas
                ref={canvasRef}
                role="img"
                aria-label={strip ? `ECG strip of ${Math.round(strip.samplesUv.length / strip.sampleRateHz)} seconds with ${strip.beatTimesS.length} detected beats marked by triangles.` : "ECG strip loading."}
              />
            </div>
          </div>
          <p className="hint">Single lead, {strip?.sampleRateHz ?? 250} Hz. Triangles mark the beats the detector found.</p>
        </>
      )}
    </section>
  );
}
