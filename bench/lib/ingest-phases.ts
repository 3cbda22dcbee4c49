// The two load shapes of the ingest benchmark, both through the real device API:
// - an open loop that holds N watches at 1 Hz (a batch every 10 s each, on a fixed schedule whatever
//   the server does), timing every batch from when it was due to its final ack;
// - a closed loop at saturation (each device sends its next request, one batch or an upload of several,
//   as soon as the previous is answered).
import { monitorEventLoopDelay } from "node:perf_hooks";
import type { TBenchDevice } from "./bench-database";
import { sendUntilSettled, sendUploadUntilSettled, type TDeviceClient } from "./device-clients";
import { formatCpu, type createCpuMeter } from "./machine";
import { createLatencyRecorder, formatMs, sleep, type TLatencySummary } from "./stats";

type TCpuMeter = ReturnType<typeof createCpuMeter>;

/** Plausible, deterministic readings: resting-range heart rate and low activity counts. */
export function makeHeartRateBatch(deviceIndex: number, batchIndex: number, samples: number): { bpm: number[]; activity: number[] } {
  const bpm = new Array<number>(samples);
  const activity = new Array<number>(samples);
  for (let index = 0; index < samples; index += 1) {
    bpm[index] = 58 + ((deviceIndex * 7 + batchIndex * 3 + index) % 37);
    activity[index] = (deviceIndex * 13 + batchIndex * 5 + index * 11) % 240;
  }
  return { bpm, activity };
}

type TCounters = {
  acked: number;
  stored: number;
  duplicate: number;
  rejected: number;
  retries: number;
  rejections: Map<string, number>;
  retryReasons: Map<string, number>;
};

const newCounters = (): TCounters => ({ acked: 0, stored: 0, duplicate: 0, rejected: 0, retries: 0, rejections: new Map(), retryReasons: new Map() });
// What the phase saw by its end; sends still failing afterwards (clients being closed) do not count.
const snapshot = (counters: TCounters): TCounters => ({ ...counters, rejections: new Map(counters.rejections), retryReasons: new Map(counters.retryReasons) });
const bump = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);

export type TLoadResult = {
  devices: number;
  windowMs: number;
  batchSamples: number;
  scheduledBatches: number;
  offeredSamplesPerSec: number;
  ackedSamplesInWindow: number;
  achievedSamplesPerSec: number;
  /** Batches given up on when the drain deadline passed (neither acked nor refused). */
  unsettled: number;
  drainMs: number;
  counters: TCounters;
  latency: TLatencySummary;
  /** The same, leaving out batches due in the first period (connections and JIT still warming up). */
  steadyLatency: TLatencySummary;
  /** How late the bench itself sent batches: a large value means the client, not the server, lagged. */
  sendLag: TLatencySummary;
  eventLoopP99Ms: number;
  /** Samples sent and samples acknowledged per device, for the stored-vs-sent check. */
  sentSamples: Int32Array;
  ackedSamples: Int32Array;
};

export const LOAD_SEQ_BASE = 0;

/**
 * Open loop: device i sends batch k at t0 + i·period/N + k·period, holding the `batchSamples` samples
 * of the period before it. Latency runs from that due time (not the moment the bench got round to
 * sending), so a server that falls behind cannot hide it by slowing the client down. A device sends
 * its batches in order, one at a time, as a watch's outbox does; retries count until the final ack.
 */
export async function runLoadPhase(options: {
  clients: TDeviceClient[];
  devices: TBenchDevice[];
  seconds: number;
  batchSamples: number;
  intervalMs: number;
  drainTimeoutMs: number;
  progressEveryMs: number;
  cpu: TCpuMeter;
  print: (line: string) => void;
  /** Cancels every send still in flight (closes the clients), for when the drain deadline passes. */
  abortClients: () => void;
}): Promise<TLoadResult> {
  const { clients, devices, batchSamples, intervalMs } = options;
  const count = devices.length;
  const periodMs = batchSamples * intervalMs;
  const windowMs = options.seconds * 1000;
  const latency = createLatencyRecorder();
  const steadyLatency = createLatencyRecorder();
  const sendLag = createLatencyRecorder();
  const counters = newCounters();
  const sentSamples = new Int32Array(count);
  const ackedSamples = new Int32Array(count);
  const queues: { seq: number; dueAt: number; body: unknown }[][] = devices.map(() => []);
  const pumping = new Uint8Array(count);
  const pumps = new Set<Promise<void>>();
  let stopped = false;
  let queued = 0;
  let ackedSamplesInWindow = 0;
  let scheduled = 0;

  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  options.cpu.reset();

  const t0 = performance.now() + 50;
  const wallT0 = Date.now() + 50;
  // Due times relative to t0, so the end-of-window comparison is exact (no float drift from t0).
  const dueOffsetMs = (n: number) => ((n % count) * periodMs) / count + Math.floor(n / count) * periodMs;
  const dueAt = (n: number) => t0 + dueOffsetMs(n);

  const pump = async (deviceIndex: number) => {
    const queue = queues[deviceIndex]!;
    while (queue.length > 0) {
      const head = queue[0]!;
      sendLag.record(performance.now() - head.dueAt);
      const outcome = await sendUntilSettled(clients[deviceIndex]!, head.body, {
        isStopped: () => stopped,
        onRetry: (reason) => {
          counters.retries += 1;
          bump(counters.retryReasons, reason);
        },
      });
      if (outcome.kind === "abandoned") return;
      const ackAt = performance.now();
      queue.shift();
      queued -= 1;
      if (outcome.kind === "ack") {
        latency.record(ackAt - head.dueAt);
        if (head.dueAt - t0 >= periodMs) steadyLatency.record(ackAt - head.dueAt);
        ackedSamples[deviceIndex] = (ackedSamples[deviceIndex] ?? 0) + batchSamples;
        counters.acked += 1;
        counters[outcome.status] += 1;
        if (ackAt - t0 <= windowMs) ackedSamplesInWindow += batchSamples;
      } else if (outcome.kind === "rejected") {
        counters.rejected += 1;
        bump(counters.rejections, `${outcome.code}: ${outcome.message}`);
      }
    }
  };

  const enqueue = (n: number) => {
    const deviceIndex = n % count;
    const seq = LOAD_SEQ_BASE + Math.floor(n / count);
    const due = dueAt(n);
    const startedAtMs = Math.round(wallT0 + dueOffsetMs(n) - periodMs);
    const { bpm, activity } = makeHeartRateBatch(deviceIndex, seq, batchSamples);
    queues[deviceIndex]!.push({ seq, dueAt: due, body: { seq, startedAt: new Date(startedAtMs).toISOString(), intervalMs, bpm, activity } });
    queued += 1;
    scheduled += 1;
    sentSamples[deviceIndex] = (sentSamples[deviceIndex] ?? 0) + batchSamples;
    if (!pumping[deviceIndex]) {
      pumping[deviceIndex] = 1;
      const running = pump(deviceIndex).finally(() => {
        pumping[deviceIndex] = 0;
        pumps.delete(running);
      });
      pumps.add(running);
    }
  };

  let progressFrom = 0;
  const progress = (label: string) => {
    const recent = latency.summarize(progressFrom);
    progressFrom = latency.count();
    const elapsedS = Math.max(0, (performance.now() - t0) / 1000);
    options.print(
      `  ${label} t=${elapsedS.toFixed(0).padStart(3)}s  batches due ${scheduled}  acked ${counters.acked}  waiting ${queued}  retries ${counters.retries}` +
        `  ack p50 ${formatMs(recent.p50Ms)} p99 ${formatMs(recent.p99Ms)} (last ${recent.count})  bench loop p99 ${formatMs(loopDelay.percentile(99) / 1e6)}` +
        `  ${formatCpu(options.cpu.sample())}`,
    );
  };
  const progressTimer = setInterval(() => progress("load "), options.progressEveryMs);

  try {
    let next = 0;
    await new Promise<void>((resolve) => {
      const tick = () => {
        const now = performance.now();
        while (dueOffsetMs(next) < windowMs && dueAt(next) <= now) enqueue(next++);
        if (dueOffsetMs(next) >= windowMs) return resolve();
        setTimeout(tick, Math.min(20, Math.max(1, dueAt(next) - now)));
      };
      setTimeout(tick, Math.max(0, t0 - performance.now()));
    });

    const drainStart = performance.now();
    while (queued > 0 && performance.now() - drainStart < options.drainTimeoutMs) await sleep(50);
    const drainMs = performance.now() - drainStart;
    const unsettled = queued;
    stopped = true;
    // A batch never acknowledged waited at least until now: counted so, it keeps the percentiles honest
    // (leaving it out would make a collapsing server look fast).
    const gaveUpAt = performance.now();
    for (const queue of queues) {
      for (const pending of queue) {
        latency.record(gaveUpAt - pending.dueAt);
        if (pending.dueAt - t0 >= periodMs) steadyLatency.record(gaveUpAt - pending.dueAt);
      }
    }
    const settledCounters = snapshot(counters);
    if (unsettled > 0) options.abortClients();
    await Promise.race([Promise.all([...pumps]), sleep(20_000)]);
    clearInterval(progressTimer);
    progress("load ");
    loopDelay.disable();

    return {
      devices: count,
      windowMs,
      batchSamples,
      scheduledBatches: scheduled,
      offeredSamplesPerSec: (scheduled * batchSamples) / (windowMs / 1000),
      ackedSamplesInWindow,
      achievedSamplesPerSec: ackedSamplesInWindow / (windowMs / 1000),
      unsettled,
      drainMs,
      counters: settledCounters,
      latency: latency.summarize(),
      steadyLatency: steadyLatency.summarize(),
      sendLag: sendLag.summarize(),
      eventLoopP99Ms: loopDelay.percentile(99) / 1e6,
      sentSamples,
      ackedSamples,
    };
  } finally {
    stopped = true;
    clearInterval(progressTimer);
    loopDelay.disable();
  }
}

export type TThroughputResult = {
  devices: number;
  batchSamples: number;
  uploadBatches: number;
  measuredMs: number;
  measuredSamples: number;
  samplesPerSec: number;
  counters: TCounters;
  latency: TLatencySummary;
  sentSamples: Int32Array;
  ackedSamples: Int32Array;
};

export const THROUGHPUT_SEQ_BASE = 1_000_000;

/**
 * Closed loop at saturation: every device sends back-to-back batches of consecutive samples starting
 * `startedAtMs` (days in the past, so nothing is refused as future), `uploadBatches` per request, each
 * request as soon as the previous is answered: a fleet draining its offline buffers. Acks in the first
 * `warmupSeconds` are not counted; samplesPerSec = samples acked in the measured window / its length.
 * Latency is per request.
 */
export async function runThroughputPhase(options: {
  clients: TDeviceClient[];
  devices: TBenchDevice[];
  seconds: number;
  warmupSeconds: number;
  batchSamples: number;
  /** Batches per request: 1 sends each alone ("heart-rate:batch"), more sends uploads ("heart-rate:batches"). */
  uploadBatches: number;
  intervalMs: number;
  startedAtMs: number;
  maxBatchesPerDevice: number;
  progressEveryMs: number;
  cpu: TCpuMeter;
  print: (line: string) => void;
  /** Cancels every send still in flight (closes the clients), when the last acks do not come. */
  abortClients: () => void;
}): Promise<TThroughputResult> {
  const { clients, devices, batchSamples, intervalMs, uploadBatches } = options;
  const latency = createLatencyRecorder();
  const counters = newCounters();
  const sentSamples = new Int32Array(devices.length);
  const ackedSamples = new Int32Array(devices.length);
  const t0 = performance.now();
  const measureFrom = t0 + options.warmupSeconds * 1000;
  const endAt = measureFrom + options.seconds * 1000;
  let measuredSamples = 0;
  let stopped = false;
  options.cpu.reset();

  let progressFrom = 0;
  let lastProgressAt = t0;
  let lastProgressSamples = 0;
  let totalAckedSamples = 0;
  const progress = () => {
    const now = performance.now();
    const recent = latency.summarize(progressFrom);
    progressFrom = latency.count();
    const rate = ((totalAckedSamples - lastProgressSamples) * 1000) / (now - lastProgressAt);
    lastProgressAt = now;
    lastProgressSamples = totalAckedSamples;
    const phase = now < measureFrom ? "warm-up" : "measure";
    options.print(
      `  ${phase} t=${((now - t0) / 1000).toFixed(0).padStart(3)}s  ${Math.round(rate).toLocaleString("en-US")} samples/s  acked ${counters.acked} batches  retries ${counters.retries}` +
        `  ack p50 ${formatMs(recent.p50Ms)} p99 ${formatMs(recent.p99Ms)}  ${formatCpu(options.cpu.sample())}`,
    );
  };
  const progressTimer = setInterval(progress, options.progressEveryMs);

  const retryOptions = {
    isStopped: () => stopped,
    onRetry: (reason: string) => {
      counters.retries += 1;
      bump(counters.retryReasons, reason);
    },
  };
  const runDevice = async (deviceIndex: number) => {
    const client = clients[deviceIndex]!;
    for (let batchIndex = 0; batchIndex < options.maxBatchesPerDevice && performance.now() < endAt; batchIndex += uploadBatches) {
      const bodies = [];
      for (let index = batchIndex; index < Math.min(batchIndex + uploadBatches, options.maxBatchesPerDevice); index += 1) {
        const seq = THROUGHPUT_SEQ_BASE + index;
        const { bpm, activity } = makeHeartRateBatch(deviceIndex, seq, batchSamples);
        bodies.push({ seq, startedAt: new Date(options.startedAtMs + index * batchSamples * intervalMs).toISOString(), intervalMs, bpm, activity });
      }
      const sentAt = performance.now();
      sentSamples[deviceIndex] = (sentSamples[deviceIndex] ?? 0) + bodies.length * batchSamples;
      // One batch per request as a live watch sends; several as a watch draining its buffer does.
      const outcomes = uploadBatches === 1 ? [await sendUntilSettled(client, bodies[0], retryOptions)] : await sendUploadUntilSettled(client, bodies, retryOptions);
      const ackAt = performance.now();
      latency.record(ackAt - sentAt);
      for (const outcome of outcomes) {
        if (outcome.kind === "ack") {
          ackedSamples[deviceIndex] = (ackedSamples[deviceIndex] ?? 0) + batchSamples;
          counters.acked += 1;
          counters[outcome.status] += 1;
          totalAckedSamples += batchSamples;
          if (ackAt >= measureFrom && ackAt <= endAt) measuredSamples += batchSamples;
        } else if (outcome.kind === "rejected") {
          counters.rejected += 1;
          bump(counters.rejections, `${outcome.code}: ${outcome.message}`);
        }
      }
      if (outcomes.some((outcome) => outcome.kind === "abandoned")) return;
    }
  };

  try {
    const running = devices.map((_, index) => runDevice(index));
    await sleep(Math.max(0, endAt - performance.now()));
    // Batches in flight at the end still get their acks (and are checked later), but no longer count.
    const allDone = Promise.all(running).then(() => true);
    if (!(await Promise.race([allDone, sleep(30_000).then(() => false)]))) {
      stopped = true;
      options.abortClients();
      await Promise.race([allDone, sleep(20_000)]);
    }
    stopped = true;
    clearInterval(progressTimer);
    progress();
    return {
      devices: devices.length,
      batchSamples,
      uploadBatches,
      measuredMs: endAt - measureFrom,
      measuredSamples,
      samplesPerSec: measuredSamples / ((endAt - measureFrom) / 1000),
      counters: snapshot(counters),
      latency: latency.summarize(),
      sentSamples,
      ackedSamples,
    };
  } finally {
    stopped = true;
    clearInterval(progressTimer);
  }
}
