"use client";

// One patient's heart rate as it arrives over socket.io. Pushes are buffered and drawn at most four
// times a second in an animation frame, whatever the message rate.
import { useEffect, useRef, useState } from "react";
import type { TLiveHeartRate } from "@/lib/realtime/events";
import { acquireSocket, emitWithTimeout, releaseSocket } from "../realtime-socket";
import { createChart, formatIsoInZone, TIME_SERIES_OPTIONS, timeAxis, timeTooltipTitle, type Chart } from "./chart-setup";
import { HEART_RATE_BANDS } from "./clinical-ranges";

const WINDOW_MS = 10 * 60_000;
const MIN_DRAW_INTERVAL_MS = 250;
// The watch marks a missing sample with 0 bpm (lib/ingest BPM_GAP).
const BPM_GAP = 0;

type TStatus = "connecting" | "live" | "refused" | "offline";

export function LiveHeartRateChart({ patientId, timeZone }: { patientId: string; timeZone: string }) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const [status, setStatus] = useState<TStatus>("connecting");
  const [latest, setLatest] = useState<{ bpm: number; atMs: number } | null>(null);

  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas) return;
    const points: { x: number; y: number | null }[] = [];
    const chart: Chart = createChart(canvas, {
      type: "line",
      data: { datasets: [{ label: "Heart rate (bpm)", data: points, borderColor: "#a4161a", borderWidth: 2, pointRadius: 0, spanGaps: false, parsing: false }] },
      options: {
        ...TIME_SERIES_OPTIONS,
        scales: {
          x: timeAxis({ timeZone, tickStyle: "seconds", maxTicks: 6, minMs: Date.now() - WINDOW_MS, maxMs: Date.now() }),
          y: { type: "linear", suggestedMin: 40, suggestedMax: 130, title: { display: true, text: "Heart rate (bpm)" } },
        },
        plugins: {
          legend: { display: false },
          bands: { items: HEART_RATE_BANDS },
          tooltip: { callbacks: { title: timeTooltipTitle(timeZone), label: (item) => `${item.parsed.y} bpm` } },
        },
      },
    });

    const pending: TLiveHeartRate[] = [];
    let frame = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let lastDrawMs = 0;
    const draw = () => {
      frame = 0;
      lastDrawMs = performance.now();
      let newest: { bpm: number; atMs: number } | null = null;
      for (const push of pending.splice(0)) {
        const startMs = Date.parse(push.startedAt);
        const lastX = points.at(-1)?.x;
        // A jump in time since the last batch is a gap in the line, not a straight segment across it.
        if (lastX !== undefined && startMs - lastX > push.intervalMs * 3) points.push({ x: lastX + 1, y: null });
        push.bpm.forEach((bpm, index) => {
          const x = startMs + index * push.intervalMs;
          points.push({ x, y: bpm === BPM_GAP ? null : bpm });
          if (bpm !== BPM_GAP && (!newest || x >= newest.atMs)) newest = { bpm, atMs: x };
        });
      }
      points.sort((a, b) => a.x - b.x);
      const cutoff = (points.at(-1)?.x ?? 0) - WINDOW_MS;
      const firstKept = points.findIndex((point) => point.x >= cutoff);
      if (firstKept > 0) points.splice(0, firstKept);
      // The axis always spans the last 10 minutes up to the newest sample (or now), so an empty or
      // sparse chart still reads as a time window.
      const endMs = Math.max(points.at(-1)?.x ?? 0, Date.now() - 5_000);
      chart.options.scales!.x!.min = endMs - WINDOW_MS;
      chart.options.scales!.x!.max = endMs;
      chart.update("none");
      if (newest) setLatest(newest);
    };
    const schedule = () => {
      if (frame || timer) return;
      const waitMs = Math.max(0, lastDrawMs + MIN_DRAW_INTERVAL_MS - performance.now());
      timer = setTimeout(() => {
        timer = undefined;
        frame = requestAnimationFrame(draw);
      }, waitMs);
    };

    const socket = acquireSocket();
    const onHeartRate = (push: TLiveHeartRate) => {
      if (push.patientId !== patientId) return;
      pending.push(push);
      schedule();
    };
    const watch = async () => {
      const result = await emitWithTimeout(socket, "patient:watch", { patientId });
      setStatus(result.ok ? "live" : "refused");
    };
    const onDisconnect = () => setStatus("offline");
    socket.on("patient:heart-rate", onHeartRate);
    socket.on("connect", watch);
    socket.on("disconnect", onDisconnect);
    if (socket.connected) void watch();
    return () => {
      socket.off("patient:heart-rate", onHeartRate);
      socket.off("connect", watch);
      socket.off("disconnect", onDisconnect);
      void emitWithTimeout(socket, "patient:unwatch", { patientId }, 2_000);
      releaseSocket();
      if (frame) cancelAnimationFrame(frame);
      if (timer) clearTimeout(timer);
      chart.destroy();
    };
  }, [patientId, timeZone]);

  const statusText: Record<TStatus, string> = {
    connecting: "Connecting…",
    live: "Live",
    refused: "Live data is not available for this patient.",
    offline: "Connection lost, reconnecting…",
  };

  return (
    <section className="card" aria-labelledby="live-heart-rate-heading">
      <h2 id="live-heart-rate-heading">Live heart rate</h2>
      <p className="live-readout">
        <span className="live-status" data-status={status}>
          <span aria-hidden="true">{status === "live" ? "● " : "○ "}</span>
          {statusText[status]}
        </span>{" "}
        <span data-testid="live-bpm">
          {latest ? (
            <>
              <strong className="live-value">{latest.bpm}</strong> bpm at <time dateTime={new Date(latest.atMs).toISOString()}>{formatIsoInZone(latest.atMs, timeZone)}</time>
            </>
          ) : (
            "Waiting for the watch…"
          )}
        </span>
      </p>
      <div className="chart-box">
        <canvas
          ref={canvasRef}
          role="img"
          aria-label={latest ? `Heart rate over the last 10 minutes; latest ${latest.bpm} bpm.` : "Heart rate over the last 10 minutes; no readings yet."}
        />
      </div>
      <p className="hint">Last 10 minutes, one point per second. Shaded bands: below 50 bpm and above 100 bpm at rest. Breaks in the line are missing readings.</p>
    </section>
  );
}
