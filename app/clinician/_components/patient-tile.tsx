"use client";

import Link from "next/link";
import { memo, useCallback, useEffect, useMemo, useRef, useState, useSyncExternalStore } from "react";
import type { TConsolePatient } from "@/lib/dashboards/get-clinician-console";
import { describeRhythm } from "../../_components/rhythm-labels";
import { SeverityBadge } from "../../_components/severity-badge";
import type { ConsoleStore, TTileLive } from "./console-store";

const NO_LIVE: TTileLive = { bpm: null, atMs: null, recent: [], isStale: true };

function createClock(timeZone: string): (ms: number) => string {
  try {
    const format = new Intl.DateTimeFormat("en-GB", { timeZone, hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23", timeZoneName: "short" });
    return (ms) => format.format(ms);
  } catch {
    return (ms) => new Date(ms).toISOString();
  }
}

// One IntersectionObserver for every tile: a tile scrolled out of view stops listening to live updates
// and catches up with the latest state when it comes back (useSyncExternalStore re-reads on resubscribe).
const visibilityCallbacks = new WeakMap<Element, (isVisible: boolean) => void>();
let sharedObserver: IntersectionObserver | null = null;

function observeVisibility(element: Element, onChange: (isVisible: boolean) => void): () => void {
  if (typeof IntersectionObserver === "undefined") {
    onChange(true);
    return () => undefined;
  }
  sharedObserver ??= new IntersectionObserver(
    (entries) => {
      for (const entry of entries) visibilityCallbacks.get(entry.target)?.(entry.isIntersecting);
    },
    { rootMargin: "300px 0px" },
  );
  visibilityCallbacks.set(element, onChange);
  sharedObserver.observe(element);
  return () => {
    sharedObserver?.unobserve(element);
    visibilityCallbacks.delete(element);
  };
}

const noSubscription = () => () => undefined;

/** One patient's tile. Subscribes to its own patient only, so a message for another patient costs it nothing. */
export const PatientTile = memo(function PatientTile({ patient, store }: { patient: TConsolePatient; store: ConsoleStore }) {
  const rootRef = useRef<HTMLLIElement>(null);
  const [isVisible, setIsVisible] = useState(false);
  useEffect(() => (rootRef.current ? observeVisibility(rootRef.current, setIsVisible) : undefined), []);
  const subscribe = useCallback((listener: () => void) => (isVisible ? store.subscribe(patient.id, listener) : noSubscription()), [store, patient.id, isVisible]);
  const live = useSyncExternalStore(subscribe, () => store.getLive(patient.id) ?? NO_LIVE, () => NO_LIVE);
  const alerts = useSyncExternalStore(subscribe, () => store.getAlertSummary(patient.id), () => store.getAlertSummary(patient.id));
  const clock = useMemo(() => createClock(patient.timeZone), [patient.timeZone]);
  const sparkRef = useRef<HTMLCanvasElement>(null);

  useEffect(() => {
    const canvas = sparkRef.current;
    const context = canvas?.getContext("2d");
    if (!canvas || !context) return;
    const { width, height } = canvas;
    context.clearRect(0, 0, width, height);
    const values = live.recent;
    if (values.length < 2) return;
    const finite = values.filter((value): value is number => value !== null);
    if (finite.length === 0) return;
    const low = Math.min(...finite, 50) - 5;
    const high = Math.max(...finite, 110) + 5;
    context.strokeStyle = "#a4161a";
    context.lineWidth = 1.5;
    context.beginPath();
    let isDrawing = false;
    values.forEach((value, index) => {
      // A missing reading lifts the pen: gaps stay gaps.
      if (value === null) {
        isDrawing = false;
        return;
      }
      const x = (index / (values.length - 1)) * width;
      const y = height - ((value - low) / (high - low)) * height;
      if (isDrawing) context.lineTo(x, y);
      else context.moveTo(x, y);
      isDrawing = true;
    });
    context.stroke();
  }, [live.recent]);

  const isCritical = alerts.worst === "CRITICAL";
  return (
    <li ref={rootRef} className={`tile${isCritical ? " tile-critical" : ""}${live.isStale ? " tile-stale" : ""}`} data-patient-id={patient.id}>
      <h3 className="tile-name">
        <Link href={`/patients/${patient.id}`}>{patient.displayName}</Link>
      </h3>
      <p className="tile-bpm" data-testid="tile-bpm">
        {live.bpm === null ? (
          <span className="hint">No live reading</span>
        ) : (
          <>
            <strong>{live.bpm}</strong> bpm
          </>
        )}
      </p>
      <canvas ref={sparkRef} className="tile-spark" width={160} height={32} aria-hidden="true" />
      <dl className="tile-facts">
        <div>
          <dt>Last seen</dt>
          <dd>
            {live.atMs === null ? "never" : clock(live.atMs)}
            {live.isStale && live.atMs !== null ? (
              <span className="tag">
                <span aria-hidden="true">⏸ </span>quiet
              </span>
            ) : null}
          </dd>
        </div>
        <div>
          <dt>Open alerts</dt>
          <dd>{alerts.count === 0 ? "None" : <>{alerts.count} {alerts.worst && <SeverityBadge severity={alerts.worst} />}</>}</dd>
        </div>
        <div>
          <dt>Rhythm (last ECG)</dt>
          <dd>{patient.rhythm ? describeRhythm(patient.rhythm.label) : "No ECG yet"}</dd>
        </div>
      </dl>
    </li>
  );
});
