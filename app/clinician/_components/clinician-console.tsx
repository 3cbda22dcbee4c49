"use client";

// The clinician console: live tiles for every patient on the clinician's care teams and the alert
// inbox, fed by one socket. Heart rate for all patients is subscribed in one request (patients:watch);
// alert pushes update the inbox; after a reconnect the inbox catches up from the last event it saw.
import { useEffect, useMemo, useRef, useState } from "react";
import type { TAlertEventView, TAlertView } from "@/lib/alerts/alert-views";
import type { TConsolePatient } from "@/lib/dashboards/get-clinician-console";
import type { TLiveHeartRate } from "@/lib/realtime/events";
import { describeCondition } from "../../_components/alert-labels";
import { acquireSocket, emitWithTimeout, releaseSocket, type TClientSocket } from "../../_components/realtime-socket";
import { AlertInbox } from "./alert-inbox";
import { ConsoleStore } from "./console-store";
import { PatientTile } from "./patient-tile";
import { createSoundCue, type TSoundCue } from "./sound-cue";

const WATCH_CHUNK = 500;
const STALE_CHECK_INTERVAL_MS = 5_000;

type TConnection = "connecting" | "live" | "offline";

declare global {
  interface Window {
    /** Read by bench/console.ts: how many pushes arrived and how many batched renders they cost. */
    __pulseguardConsole?: { counters: { messages: number; flushes: number }; watched: number };
  }
}

export function ClinicianConsole({ patients }: { patients: TConsolePatient[] }) {
  const store = useMemo(
    () => new ConsoleStore(patients.map((patient) => ({ patientId: patient.id, watchLastSeenAt: patient.watchLastSeenAt, activeAlerts: patient.activeAlerts, worstSeverity: patient.worstSeverity }))),
    [patients],
  );
  const patientNames = useMemo(() => new Map(patients.map((patient) => [patient.id, patient.displayName])), [patients]);
  const [socket, setSocket] = useState<TClientSocket | null>(null);
  const [connection, setConnection] = useState<TConnection>("connecting");
  const [watchError, setWatchError] = useState<string | null>(null);
  const [criticalBanner, setCriticalBanner] = useState<{ alert: TAlertView; key: string } | null>(null);
  const [announcement, setAnnouncement] = useState("");
  const [isSoundOn, setIsSoundOn] = useState(false);
  const [timeZone, setTimeZone] = useState("UTC");
  const soundRef = useRef<TSoundCue | null>(null);
  const namesRef = useRef(patientNames);
  namesRef.current = patientNames;

  useEffect(() => setTimeZone(Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC"), []);

  useEffect(() => {
    const client = acquireSocket();
    setSocket(client);
    let lastEventId: bigint | null = null;
    const ids = patients.map((patient) => patient.id);
    window.__pulseguardConsole = { counters: store.counters, watched: 0 };

    const noteEvent = (event: TAlertEventView) => {
      const eventId = BigInt(event.eventId);
      if (lastEventId === null || eventId > lastEventId) lastEventId = eventId;
    };
    const onAlertEvent = (event: TAlertEventView) => {
      noteEvent(event);
      store.applyAlert(event.alert);
      if (event.alert.severity === "CRITICAL" && (event.type === "opened" || event.type === "escalated")) {
        setCriticalBanner({ alert: event.alert, key: event.eventId });
        soundRef.current?.play();
      }
    };
    const onHeartRate = (push: TLiveHeartRate) => store.pushHeartRate(push);

    const catchUp = async () => {
      if (lastEventId !== null) {
        for (;;) {
          const result = await emitWithTimeout<{ events: TAlertEventView[]; hasMore: boolean }>(client, "alerts:sync", { afterEventId: lastEventId.toString() });
          if (!result.ok) break;
          for (const event of result.data.events) {
            noteEvent(event);
            store.applyAlert(event.alert);
          }
          if (!result.data.hasMore) return;
        }
      }
      // No event seen yet (or the catch-up failed): the current list is the truth.
      const response = await fetch("/api/alerts?status=ACTIVE&limit=500", { credentials: "same-origin" }).catch(() => null);
      if (response?.ok) store.replaceAlerts(((await response.json()) as { alerts: TAlertView[] }).alerts);
    };
    const onConnect = async () => {
      setConnection("live");
      let watched = 0;
      for (let start = 0; start < ids.length; start += WATCH_CHUNK) {
        const result = await emitWithTimeout<{ patientIds: string[] }>(client, "patients:watch", { patientIds: ids.slice(start, start + WATCH_CHUNK) });
        if (result.ok) watched += result.data.patientIds.length;
        else setWatchError("Live heart rate could not be started for some patients. Reload the page to try again.");
      }
      if (window.__pulseguardConsole) window.__pulseguardConsole.watched = watched;
      await catchUp();
    };
    const onDisconnect = () => setConnection("offline");

    client.on("alert:event", onAlertEvent);
    client.on("patient:heart-rate", onHeartRate);
    client.on("connect", onConnect);
    client.on("disconnect", onDisconnect);
    if (client.connected) void onConnect();
    const staleTimer = setInterval(() => store.checkStale(), STALE_CHECK_INTERVAL_MS);
    return () => {
      clearInterval(staleTimer);
      client.off("alert:event", onAlertEvent);
      client.off("patient:heart-rate", onHeartRate);
      client.off("connect", onConnect);
      client.off("disconnect", onDisconnect);
      releaseSocket();
      store.dispose();
    };
  }, [patients, store]);

  useEffect(() => () => soundRef.current?.close(), []);

  function toggleSound() {
    if (isSoundOn) {
      soundRef.current?.close();
      soundRef.current = null;
      setIsSoundOn(false);
      return;
    }
    // Created inside the click: browsers allow audio only after a user gesture.
    soundRef.current = createSoundCue();
    soundRef.current?.play();
    setIsSoundOn(soundRef.current !== null);
  }

  const banner = criticalBanner;
  return (
    <div className="console">
      <div className="console-bar">
        <p className="live-status" data-status={connection === "live" ? "live" : "offline"} data-testid="console-connection">
          <span aria-hidden="true">{connection === "live" ? "● " : "○ "}</span>
          {connection === "live" ? "Live" : connection === "connecting" ? "Connecting…" : "Connection lost, reconnecting…"}
        </p>
        <button type="button" className="button button-small button-quiet" aria-pressed={isSoundOn} onClick={toggleSound}>
          {isSoundOn ? "Sound on for critical alerts (turn off)" : "Enable sound for critical alerts"}
        </button>
      </div>
      {watchError && <p className="form-error">{watchError}</p>}
      <div role="alert" className={banner ? "critical-banner" : undefined} data-testid="critical-banner">
        {banner && (
          <>
            <strong>
              <span aria-hidden="true">‼ </span>Critical alert:
            </strong>{" "}
            {describeCondition(banner.alert.condition)} for {namesRef.current.get(banner.alert.patientId) ?? "a patient of your hospital"}.{" "}
            <button type="button" className="button button-small button-quiet" onClick={() => setCriticalBanner(null)}>
              Dismiss
            </button>
          </>
        )}
      </div>
      <p className="visually-hidden" aria-live="polite">
        {announcement}
      </p>
      <div className="console-layout">
        <AlertInbox store={store} socket={socket} patientNames={patientNames} timeZone={timeZone} onAnnounce={setAnnouncement} />
        <section aria-labelledby="patients-heading" className="console-patients">
          <h2 id="patients-heading">
            Your patients <span className="count">({patients.length})</span>
          </h2>
          {patients.length === 0 ? (
            <p className="card">You are not on any patient&apos;s care team yet.</p>
          ) : (
            <ul className="tile-grid">
              {patients.map((patient) => (
                <PatientTile key={patient.id} patient={patient} store={store} />
              ))}
            </ul>
          )}
        </section>
      </div>
    </div>
  );
}
