"use client";

import Link from "next/link";
import { useCallback, useId, useState, useSyncExternalStore, type FormEvent } from "react";
import type { TAlertView } from "@/lib/alerts/alert-views";
import { describeCondition, describeStatus, OUTCOME_LABELS, SOURCE_LABELS } from "../../_components/alert-labels";
import { emitWithTimeout, type TClientSocket } from "../../_components/realtime-socket";
import { SeverityBadge } from "../../_components/severity-badge";
import { INBOX_KEY, type ConsoleStore } from "./console-store";

const SNOOZE_OPTIONS_MIN = [15, 30, 60, 120];

export function AlertInbox({
  store,
  socket,
  patientNames,
  timeZone,
  onAnnounce,
}: {
  store: ConsoleStore;
  socket: TClientSocket | null;
  patientNames: Map<string, string>;
  timeZone: string;
  onAnnounce: (message: string) => void;
}) {
  const subscribe = useCallback((listener: () => void) => store.subscribe(INBOX_KEY, listener), [store]);
  const alerts = useSyncExternalStore(subscribe, () => store.getInbox(), () => store.getInbox());
  return (
    <section className="card inbox" aria-labelledby="inbox-heading">
      <h2 id="inbox-heading">
        Alert inbox <span className="count">({alerts.length} active)</span>
      </h2>
      {alerts.length === 0 ? (
        <p>No active alerts.</p>
      ) : (
        <ul className="inbox-list" aria-label="Active alerts, most severe first">
          {alerts.map((alert) => (
            <InboxItem key={alert.id} alert={alert} store={store} socket={socket} patientName={patientNames.get(alert.patientId) ?? "Patient (escalated to your hospital)"} timeZone={timeZone} onAnnounce={onAnnounce} />
          ))}
        </ul>
      )}
    </section>
  );
}

function formatTime(iso: string, timeZone: string): string {
  try {
    return new Intl.DateTimeFormat("en-GB", { timeZone, day: "2-digit", month: "short", hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23", timeZoneName: "short" }).format(Date.parse(iso));
  } catch {
    return iso;
  }
}

function InboxItem({
  alert,
  store,
  socket,
  patientName,
  timeZone,
  onAnnounce,
}: {
  alert: TAlertView;
  store: ConsoleStore;
  socket: TClientSocket | null;
  patientName: string;
  timeZone: string;
  onAnnounce: (message: string) => void;
}) {
  const id = useId();
  const [panel, setPanel] = useState<"none" | "snooze" | "resolve">("none");
  const [isBusy, setIsBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const condition = describeCondition(alert.condition);

  async function act(event: "alert:acknowledge" | "alert:snooze" | "alert:resolve", payload: Record<string, unknown>, done: string) {
    if (!socket) return;
    setIsBusy(true);
    setError(null);
    const result = await emitWithTimeout<TAlertView>(socket, event, { alertId: alert.id, ...payload });
    setIsBusy(false);
    if (result.ok) {
      store.applyAlert(result.data);
      setPanel("none");
      onAnnounce(`${condition} alert for ${patientName} ${done}.`);
    } else setError(result.error.message);
  }

  function handleSnooze(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    void act("alert:snooze", { minutes: Number(data.get("minutes")), reason: String(data.get("reason") ?? "") }, "snoozed");
  }

  function handleResolve(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const note = String(data.get("note") ?? "").trim();
    void act("alert:resolve", { outcome: String(data.get("outcome")), ...(note ? { note } : {}) }, "resolved");
  }

  return (
    <li className={`inbox-item inbox-${alert.severity.toLowerCase()}`} data-alert-id={alert.id} aria-labelledby={`${id}-title`}>
      <div className="inbox-head">
        <SeverityBadge severity={alert.severity} />
        <h3 id={`${id}-title`} className="inbox-title">
          {condition} — <Link href={`/patients/${alert.patientId}?alert=${alert.id}#evidence`}>{patientName}</Link>
        </h3>
      </div>
      <p className="inbox-meta">
        <span data-testid="alert-status">{describeStatus(alert)}</span> · {SOURCE_LABELS[alert.source]} · opened {formatTime(alert.openedAt, timeZone)}
        {alert.hitCount > 1 ? ` · ${alert.hitCount} detections` : ""}
        {alert.snoozedUntil && Date.parse(alert.snoozedUntil) > Date.now() ? ` · snoozed until ${formatTime(alert.snoozedUntil, timeZone)}` : ""}
      </p>
      <div className="inbox-actions">
        {alert.status === "OPEN" && (
          <button type="button" className="button button-small" disabled={isBusy} onClick={() => void act("alert:acknowledge", {}, "acknowledged")}>
            Acknowledge
          </button>
        )}
        <button type="button" className="button button-small button-quiet" aria-expanded={panel === "snooze"} aria-controls={`${id}-snooze`} onClick={() => setPanel(panel === "snooze" ? "none" : "snooze")}>
          Snooze…
        </button>
        <button type="button" className="button button-small button-quiet" aria-expanded={panel === "resolve"} aria-controls={`${id}-resolve`} onClick={() => setPanel(panel === "resolve" ? "none" : "resolve")}>
          Resolve…
        </button>
      </div>
      {panel === "snooze" && (
        <form id={`${id}-snooze`} className="inline-form" onSubmit={handleSnooze}>
          <div className="field">
            <label htmlFor={`${id}-minutes`}>Snooze for</label>
            <select id={`${id}-minutes`} name="minutes" defaultValue="30">
              {SNOOZE_OPTIONS_MIN.map((minutes) => (
                <option key={minutes} value={minutes}>
                  {minutes} minutes
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor={`${id}-reason`}>Reason (required)</label>
            <input id={`${id}-reason`} name="reason" required minLength={3} maxLength={500} />
          </div>
          <button type="submit" className="button button-small" disabled={isBusy}>
            Snooze
          </button>
        </form>
      )}
      {panel === "resolve" && (
        <form id={`${id}-resolve`} className="inline-form" onSubmit={handleResolve}>
          <div className="field">
            <label htmlFor={`${id}-outcome`}>Outcome</label>
            <select id={`${id}-outcome`} name="outcome" defaultValue="TRUE_EVENT">
              {Object.entries(OUTCOME_LABELS).map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor={`${id}-note`}>Note (optional)</label>
            <input id={`${id}-note`} name="note" maxLength={2000} />
          </div>
          <button type="submit" className="button button-small" disabled={isBusy}>
            Resolve
          </button>
        </form>
      )}
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
    </li>
  );
}
