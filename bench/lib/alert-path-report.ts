// Where an alert's latency goes: the server's "alert path" traces (ALERT_PATH_TRACE=true, one log line
// per pushed alert with epoch-ms stage timestamps) joined with what the benchmark saw (batch sent, alert
// received), plus the server's long work ("alert path activity") and event loop delay in both processes.
// Both processes run on one machine, so their Date.now() clocks agree.
import { monitorEventLoopDelay } from "node:perf_hooks";
import { ALERT_PATH_STAGES } from "../../lib/alerts/alert-path-trace";
import { createLatencyRecorder, formatMs, formatTable } from "./stats";

type TStages = Record<string, number | undefined>;
type TActivity = { activity: string; startedAtMs: number; endedAtMs: number };
type TLoopWindow = { windowEndMs: number; p50Ms: number; p99Ms: number; maxMs: number };

const STAGES = ["sent", ...ALERT_PATH_STAGES, "received"] as const;
const LOOP_WINDOW_MS = 5_000;

export function createAlertPathCollector() {
  const traces = new Map<string, TStages>();
  const activities: TActivity[] = [];
  const serverLoop: TLoopWindow[] = [];
  const clientLoop: TLoopWindow[] = [];
  let live = { fromMs: 0, toMs: Number.POSITIVE_INFINITY };

  // The benchmark's own event loop: 1,000 sockets in one process can delay "received" by themselves.
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  const toMs = (ns: number) => ns / 1e6;
  const timer = setInterval(() => {
    clientLoop.push({ windowEndMs: Date.now(), p50Ms: toMs(histogram.percentile(50)), p99Ms: toMs(histogram.percentile(99)), maxMs: toMs(histogram.max) });
    histogram.reset();
  }, LOOP_WINDOW_MS);
  timer.unref();

  return {
    /** Fed every JSON line of the server log. */
    onLogEntry(entry: Record<string, unknown>) {
      if (entry.msg === "alert path" && typeof entry.alertId === "string") traces.set(entry.alertId, entry.stages as TStages);
      else if (entry.msg === "alert path activity") activities.push(entry as unknown as TActivity);
      else if (entry.msg === "event loop delay") serverLoop.push(entry as unknown as TLoopWindow);
    },
    stop() {
      clearInterval(timer);
      histogram.disable();
    },
    /** Event loop summaries cover this span only (setup, seeding and the history burst are not the path measured). */
    setLivePhase(fromMs: number, toMs: number) {
      live = { fromMs, toMs };
    },
    /** Everything collected, for a closer look after the run. */
    dump: () => ({ traces: Object.fromEntries(traces), activities, serverLoop, clientLoop, live }),
    /** Lines of the report; `alerts` are the delivered alerts with the benchmark's own timestamps. */
    report(alerts: { alertId: string; sentAtMs: number; receivedAtMs: number }[]): string[] {
      const rows = alerts
        .map((alert) => ({ ...alert, totalMs: alert.receivedAtMs - alert.sentAtMs, stages: { ...traces.get(alert.alertId), sent: alert.sentAtMs, received: alert.receivedAtMs } as TStages }))
        .filter((row) => traces.has(row.alertId))
        .sort((a, b) => b.totalMs - a.totalMs);
      const lines: string[] = [];
      lines.push(`alert path (server traces for ${rows.length} of ${alerts.length} delivered alerts; segment = time between consecutive stages)`);
      if (rows.length === 0) return lines;
      const slowCount = Math.max(3, Math.ceil(rows.length * 0.1));
      const slow = rows.slice(0, slowCount);

      const segmentsOf = (stages: TStages) => {
        const segments = new Map<string, number>();
        let previous: string | undefined;
        for (const stage of STAGES) {
          if (stages[stage] === undefined) continue;
          if (previous) segments.set(`${previous} -> ${stage}`, stages[stage]! - stages[previous]!);
          previous = stage;
        }
        return segments;
      };
      const summarize = (group: typeof rows) => {
        const bySegment = new Map<string, ReturnType<typeof createLatencyRecorder>>();
        for (const row of group) {
          for (const [segment, ms] of segmentsOf(row.stages)) {
            if (!bySegment.has(segment)) bySegment.set(segment, createLatencyRecorder());
            bySegment.get(segment)!.record(ms);
          }
        }
        return bySegment;
      };
      const all = summarize(rows);
      const slowest = summarize(slow);
      const table = [["segment", "all p50", "all p99", `slowest ${slow.length} p50`, "p99", "max"]];
      const order = [...all.keys()].sort((a, b) => STAGES.indexOf(a.split(" -> ")[0] as never) - STAGES.indexOf(b.split(" -> ")[0] as never));
      for (const segment of order) {
        const a = all.get(segment)!.summarize();
        const s = slowest.get(segment)?.summarize();
        table.push([segment, formatMs(a.p50Ms), formatMs(a.p99Ms), formatMs(s?.p50Ms ?? Number.NaN), formatMs(s?.p99Ms ?? Number.NaN), formatMs(s?.maxMs ?? Number.NaN)]);
      }
      lines.push(formatTable(table));

      const overlapping = (list: TActivity[], fromMs: number, toMs: number) => list.filter((activity) => activity.startedAtMs < toMs && activity.endedAtMs > fromMs);
      const loopMax = (windows: TLoopWindow[], fromMs: number, toMs: number) =>
        windows.filter((window) => window.windowEndMs > fromMs && window.windowEndMs - LOOP_WINDOW_MS < toMs).reduce((max, window) => Math.max(max, window.maxMs), 0);
      lines.push(`slowest alerts (largest segments; long server work overlapping the path; max event loop delay during it)`);
      for (const row of slow.slice(0, 10)) {
        const top = [...segmentsOf(row.stages)].sort((a, b) => b[1] - a[1]).slice(0, 3);
        const fromMs = row.sentAtMs;
        const toMs = row.receivedAtMs;
        const work = new Map<string, { count: number; ms: number }>();
        for (const activity of overlapping(activities, fromMs, toMs)) {
          const entry = work.get(activity.activity) ?? { count: 0, ms: 0 };
          entry.count += 1;
          entry.ms += Math.min(toMs, activity.endedAtMs) - Math.max(fromMs, activity.startedAtMs);
          work.set(activity.activity, entry);
        }
        // ECG strips still in the pool when this one was queued: the queue it waited behind.
        const queuedAt = row.stages.classifyQueued;
        const ecgAhead = queuedAt === undefined ? 0 : activities.filter((a) => a.activity === "ecg-classification" && a.startedAtMs < queuedAt && a.endedAtMs > queuedAt).length;
        lines.push(
          `  alert ${row.alertId}: ${formatMs(row.totalMs)} | ${top.map(([segment, ms]) => `${segment} ${formatMs(ms)}`).join(", ")}` +
            ` | ECG strips ahead ${ecgAhead} | work: ${[...work].map(([name, entry]) => `${name} x${entry.count} ${formatMs(entry.ms)}`).join(", ") || "-"}` +
            ` | loop max server ${formatMs(loopMax(serverLoop, fromMs, toMs))} bench ${formatMs(loopMax(clientLoop, fromMs, toMs))}`,
        );
      }
      const loopSummary = (windows: TLoopWindow[]) => {
        const p99 = createLatencyRecorder();
        let max = 0;
        for (const window of windows) {
          if (window.windowEndMs < live.fromMs || window.windowEndMs - LOOP_WINDOW_MS > live.toMs) continue;
          p99.record(window.p99Ms);
          max = Math.max(max, window.maxMs);
        }
        return `live-phase 5 s windows ${p99.count()}, median window p99 ${formatMs(p99.summarize().p50Ms)}, worst window p99 ${formatMs(p99.summarize().maxMs)}, max ${formatMs(max)}`;
      };
      lines.push(`event loop delay, server: ${loopSummary(serverLoop)}`);
      lines.push(`event loop delay, bench client: ${loopSummary(clientLoop)}`);
      const byKind = new Map<string, ReturnType<typeof createLatencyRecorder>>();
      for (const activity of activities) {
        if (!byKind.has(activity.activity)) byKind.set(activity.activity, createLatencyRecorder());
        byKind.get(activity.activity)!.record(activity.endedAtMs - activity.startedAtMs);
      }
      for (const [kind, recorder] of byKind) {
        const summary = recorder.summarize();
        const onPath = rows.filter((row) => activities.some((a) => a.activity === kind && a.startedAtMs < row.receivedAtMs && a.endedAtMs > row.sentAtMs));
        lines.push(`server work ${kind}${kind === "ecg-classification" ? " (queued -> done)" : " (>= 50 ms only)"}: n=${summary.count} p50 ${formatMs(summary.p50Ms)} p99 ${formatMs(summary.p99Ms)} max ${formatMs(summary.maxMs)}`);
        if (kind !== "ecg-classification") lines.push(`  alerts whose path overlapped ${kind}: ${onPath.length}${onPath.length ? `, latency max ${formatMs(Math.max(...onPath.map((row) => row.totalMs)))}` : ""}`);
      }
      return lines;
    },
  };
}
