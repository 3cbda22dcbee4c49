"use client";

// The console's live state outside React. Socket messages are only queued here; at most four times a
// second, inside an animation frame, the queue is applied and only the tiles whose patient changed are
// told to re-render. With 200 patients streaming, the grid itself never re-renders for a message.
import type { TAlertView } from "@/lib/alerts/alert-views";
import type { TLiveHeartRate } from "@/lib/realtime/events";

export const MIN_FLUSH_INTERVAL_MS = 250;
// Points kept per tile for its sparkline: the last two minutes at 1 Hz.
const SPARKLINE_POINTS = 120;
// A watch that sent nothing for two minutes is flagged on its tile (the server raises a stale-device
// alert later, after STALE_DEVICE_AFTER_MIN).
export const STALE_AFTER_MS = 2 * 60_000;
const BPM_GAP = 0;

export type TTileLive = { bpm: number | null; atMs: number | null; recent: (number | null)[]; isStale: boolean };
export type TTileAlerts = { count: number; worst: TAlertView["severity"] | null };

const SEVERITY_RANK: Record<TAlertView["severity"], number> = { WARNING: 0, URGENT: 1, CRITICAL: 2 };
const EMPTY_ALERTS: TTileAlerts = { count: 0, worst: null };
export const INBOX_KEY = "inbox";

export class ConsoleStore {
  private readonly live = new Map<string, TTileLive>();
  private readonly alertSummaries = new Map<string, TTileAlerts>();
  private readonly activeAlerts = new Map<string, TAlertView>();
  private readonly resolvedIds = new Set<string>();
  private inbox: TAlertView[] = [];
  private readonly listeners = new Map<string, Set<() => void>>();
  private pending: TLiveHeartRate[] = [];
  private readonly dirty = new Set<string>();
  private frame = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private lastFlushMs = 0;
  /** Messages received and flushes done, for the console's own status line and the benchmark. */
  readonly counters = { messages: 0, flushes: 0 };

  constructor(initial: { patientId: string; watchLastSeenAt: string | null; activeAlerts: number; worstSeverity: TAlertView["severity"] | null }[]) {
    const nowMs = Date.now();
    for (const patient of initial) {
      const atMs = patient.watchLastSeenAt ? Date.parse(patient.watchLastSeenAt) : null;
      this.live.set(patient.patientId, { bpm: null, atMs, recent: [], isStale: atMs === null || nowMs - atMs > STALE_AFTER_MS });
      this.alertSummaries.set(patient.patientId, { count: patient.activeAlerts, worst: patient.worstSeverity });
    }
  }

  subscribe(key: string, listener: () => void): () => void {
    let set = this.listeners.get(key);
    if (!set) this.listeners.set(key, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }

  getLive(patientId: string): TTileLive | undefined {
    return this.live.get(patientId);
  }

  getAlertSummary(patientId: string): TTileAlerts {
    return this.alertSummaries.get(patientId) ?? EMPTY_ALERTS;
  }

  getInbox(): TAlertView[] {
    return this.inbox;
  }

  pushHeartRate(push: TLiveHeartRate): void {
    this.counters.messages += 1;
    this.pending.push(push);
    this.schedule();
  }

  /** The latest state of one alert (from a push or an action's answer): resolved ones leave the inbox. */
  applyAlert(alert: TAlertView): void {
    // Resolved is final: a push that overtook the resolve answer must not bring the alert back.
    if (this.resolvedIds.has(alert.id)) return;
    if (alert.status === "RESOLVED") {
      this.resolvedIds.add(alert.id);
      this.activeAlerts.delete(alert.id);
    } else this.activeAlerts.set(alert.id, alert);
    this.refreshSummary(alert.patientId);
    this.dirty.add(INBOX_KEY);
    this.schedule();
  }

  /** Replaces the active alerts with a fresh list (first connect, reconnect without a known event id). */
  replaceAlerts(alerts: TAlertView[]): void {
    const patients = new Set([...this.activeAlerts.values()].map((alert) => alert.patientId));
    this.activeAlerts.clear();
    for (const alert of alerts) if (alert.status !== "RESOLVED" && !this.resolvedIds.has(alert.id)) this.activeAlerts.set(alert.id, alert);
    for (const alert of alerts) patients.add(alert.patientId);
    for (const patientId of patients) this.refreshSummary(patientId);
    this.dirty.add(INBOX_KEY);
    this.schedule();
  }

  /** Re-checks which watches went quiet; called every few seconds, touches only tiles that changed. */
  checkStale(nowMs = Date.now()): void {
    for (const [patientId, entry] of this.live) {
      const isStale = entry.atMs === null || nowMs - entry.atMs > STALE_AFTER_MS;
      if (isStale !== entry.isStale) {
        this.live.set(patientId, { ...entry, isStale });
        this.dirty.add(patientId);
      }
    }
    if (this.dirty.size > 0) this.schedule();
  }

  dispose(): void {
    if (this.frame) cancelAnimationFrame(this.frame);
    if (this.timer) clearTimeout(this.timer);
    this.listeners.clear();
  }

  private refreshSummary(patientId: string): void {
    let count = 0;
    let worst: TAlertView["severity"] | null = null;
    for (const alert of this.activeAlerts.values()) {
      if (alert.patientId !== patientId) continue;
      count += 1;
      if (!worst || SEVERITY_RANK[alert.severity] > SEVERITY_RANK[worst]) worst = alert.severity;
    }
    this.alertSummaries.set(patientId, { count, worst });
    this.dirty.add(patientId);
  }

  private schedule(): void {
    if (this.frame || this.timer) return;
    const waitMs = Math.max(0, this.lastFlushMs + MIN_FLUSH_INTERVAL_MS - performance.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.frame = requestAnimationFrame(() => this.flush());
    }, waitMs);
  }

  private flush(): void {
    this.frame = 0;
    this.lastFlushMs = performance.now();
    this.counters.flushes += 1;
    const byPatient = new Map<string, TLiveHeartRate[]>();
    for (const push of this.pending) {
      const list = byPatient.get(push.patientId);
      if (list) list.push(push);
      else byPatient.set(push.patientId, [push]);
    }
    this.pending = [];
    const nowMs = Date.now();
    for (const [patientId, pushes] of byPatient) {
      const previous = this.live.get(patientId) ?? { bpm: null, atMs: null, recent: [], isStale: true };
      const recent = previous.recent.slice();
      let { bpm, atMs } = previous;
      pushes.sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt));
      for (const push of pushes) {
        const startMs = Date.parse(push.startedAt);
        push.bpm.forEach((value, index) => {
          const sampleMs = startMs + index * push.intervalMs;
          recent.push(value === BPM_GAP ? null : value);
          if (atMs === null || sampleMs >= atMs) {
            atMs = sampleMs;
            if (value !== BPM_GAP) bpm = value;
          }
        });
      }
      if (recent.length > SPARKLINE_POINTS) recent.splice(0, recent.length - SPARKLINE_POINTS);
      this.live.set(patientId, { bpm, atMs, recent, isStale: atMs === null || nowMs - atMs > STALE_AFTER_MS });
      this.dirty.add(patientId);
    }
    if (this.dirty.has(INBOX_KEY)) this.inbox = sortInbox([...this.activeAlerts.values()]);
    const keys = [...this.dirty];
    this.dirty.clear();
    for (const key of keys) this.listeners.get(key)?.forEach((listener) => listener());
  }
}

function sortInbox(alerts: TAlertView[]): TAlertView[] {
  return alerts.sort((a, b) => {
    const bySeverity = SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity];
    if (bySeverity !== 0) return bySeverity;
    const byStatus = Number(a.status === "ACKNOWLEDGED") - Number(b.status === "ACKNOWLEDGED");
    if (byStatus !== 0) return byStatus;
    return Date.parse(b.openedAt) - Date.parse(a.openedAt);
  });
}
