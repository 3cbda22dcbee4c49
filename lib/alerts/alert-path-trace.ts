// Server-only. Opt-in stage timestamps along an alert's path (ALERT_PATH_TRACE=true), to find where its
// latency goes: heart-rate batch received, ingest commit, screen hit, ECG request written and sent, strip
// received and stored, classification, the raise transaction, the audience query, the emit. One log line
// per pushed alert ("alert path") with ids and epoch-ms timestamps, never a reading. Alongside: the event
// loop delay every few seconds and database work long enough to hold up an alert ("alert path activity").
// Off by default: each call is then one boolean check and nothing is kept.
import { monitorEventLoopDelay } from "node:perf_hooks";
import { getConfig } from "../config";
import { getLogger } from "../log/logger";

export const ALERT_PATH_STAGES = [
  "batchReceived",
  "flushStarted",
  "ingestCommitted",
  "screened",
  "requestInsertStarted",
  "requestStored",
  "ecgRequested",
  "stripReceived",
  "stripStored",
  "classifyQueued",
  "classifyDone",
  "requestAnswered",
  "alertActionStarted",
  "raiseStarted",
  "txStarted",
  "txLocked",
  "txCommitted",
  "audienceDone",
  "emitted",
] as const;
export type TAlertPathStage = (typeof ALERT_PATH_STAGES)[number];

export type TAlertPathTrace = {
  mark(stage: TAlertPathStage, atMs?: number): void;
  /** Logs the path once, when the alert has been pushed. */
  finish(ids: { alertId: string; requestId?: string; isNew: boolean }): void;
};

/** Long work that can hold the one PGlite connection, a lock or the ECG pool while an alert waits. */
export type TAlertPathActivity = "ingest-flush" | "heart-rate-compaction" | "alert-sweep" | "ecg-classification";

/** Shorter work is not reported: it cannot explain a tail of hundreds of milliseconds. */
const ACTIVITY_REPORT_MIN_MS = 50;
const EVENT_LOOP_REPORT_EVERY_MS = 5_000;

type TTraceSink = (fields: Record<string, unknown>, msg: string) => void;

let enabled: boolean | undefined;
let sink: TTraceSink = (fields, msg) => getLogger().info(fields, msg);

export function isAlertPathTraceOn(): boolean {
  enabled ??= getConfig().ALERT_PATH_TRACE;
  return enabled;
}

/** Overrides ALERT_PATH_TRACE and where the lines go (tests); `undefined` goes back to the config and the logger. */
export function configureAlertPathTrace(options: { enabled?: boolean; sink?: TTraceSink }): void {
  enabled = options.enabled;
  sink = options.sink ?? ((fields, msg) => getLogger().info(fields, msg));
}

/** Undefined when tracing is off, so callers write `trace?.mark(...)`. */
export function startAlertPathTrace(initial: Partial<Record<TAlertPathStage, number>> = {}): TAlertPathTrace | undefined {
  if (!isAlertPathTraceOn()) return undefined;
  const stages: Partial<Record<TAlertPathStage, number>> = { ...initial };
  let isFinished = false;
  return {
    mark(stage, atMs = Date.now()) {
      stages[stage] = atMs;
    },
    finish(ids) {
      if (isFinished) return;
      isFinished = true;
      sink({ ...ids, stages }, "alert path");
    },
  };
}

export function traceAlertPathActivity(activity: TAlertPathActivity, startedAtMs: number, detail: Record<string, number> = {}): void {
  if (!isAlertPathTraceOn()) return;
  const endedAtMs = Date.now();
  // Every classification is reported: the benchmark counts the strips an alert's strip queued behind.
  if (activity !== "ecg-classification" && endedAtMs - startedAtMs < ACTIVITY_REPORT_MIN_MS) return;
  sink({ activity, startedAtMs, endedAtMs, ...detail }, "alert path activity");
}

/** Reports the event loop delay of this process every few seconds while tracing is on; returns a stop. */
export function startEventLoopDelayReport(): () => void {
  if (!isAlertPathTraceOn()) return () => {};
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  const timer = setInterval(() => {
    const toMs = (ns: number) => Math.round(ns / 1e5) / 10;
    sink({ windowEndMs: Date.now(), p50Ms: toMs(histogram.percentile(50)), p99Ms: toMs(histogram.percentile(99)), maxMs: toMs(histogram.max) }, "event loop delay");
    histogram.reset();
  }, EVENT_LOOP_REPORT_EVERY_MS);
  timer.unref();
  return () => {
    clearInterval(timer);
    histogram.disable();
  };
}
