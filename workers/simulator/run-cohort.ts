// Runs a cohort of virtual devices against a PulseGuard server, with progress and a summary.
import { createDeviceUploader, type TDeviceUploader, type TUploaderStats } from "./device-uploader";
import { createSimClock } from "./sim-clock";
import { createHttpTransport, createSocketTransport, type TTransport } from "./transports";
import { createVirtualCgm, type TVirtualCgm } from "./virtual-cgm";
import { createVirtualWatch, type TVirtualWatch } from "./virtual-watch";
import type { TWatchStripSource } from "./watch-strip-source";
import type { THeartRateOptions } from "../../lib/sim/heart-rate";
import type { TWatchScreenWeights } from "../../lib/detect/screen/screen-model";

export type TCohortDevice = { deviceId: string; token: string; kind: "WATCH" | "CGM"; patientId: string };

export type TCohortOptions = {
  baseUrl: string;
  devices: TCohortDevice[];
  transport: "http" | "socket";
  /** Simulated seconds per real second. */
  speedup: number;
  /** How much simulated time to generate; undefined runs until stopped. */
  durationSimMs?: number;
  seed: string;
  batchSeconds?: number;
  /** Per-device heart-rate settings (episodes, resting rate). */
  heartRateFor?: (device: TCohortDevice) => Partial<Omit<THeartRateOptions, "startEpochMs" | "seed">>;
  progressEveryMs?: number;
  onProgress?: (line: string) => void;
  /** Runs the tier-1 screen on every simulated watch too (same code and weights as the server). */
  watchScreen?: { weights: TWatchScreenWeights; escalateScore: number };
  /** Real recordings for the watches' ECG strips (startWatchStripSource); absent: synthetic strips. */
  ecgStrips?: TWatchStripSource;
};

export type TDeviceSummary = { deviceId: string; sentSamples: number; sentBatches: number; checksum: string } & TUploaderStats;

export type TCohortSummary = {
  devices: TDeviceSummary[];
  totals: { sentSamples: number; ackedSamples: number; stored: number; duplicate: number; rejected: number; retries: number; dropped: number };
  /** ECG strips the server asked the watches for, how many were delivered and how many were real recordings; seconds the on-watch screen flagged. */
  ecg: { requested: number; delivered: number; failed: number; realStrips: number; watchScreenHits: number };
};

const STRIP_SEND_ATTEMPTS = 3;

export type TCohort = {
  /** Resolves when the simulated duration is generated and every batch is acknowledged (or refused). */
  done: Promise<TCohortSummary>;
  summary(): TCohortSummary;
  /** Stops generating and sending; what is still buffered is reported as such. */
  stop(): Promise<TCohortSummary>;
};

type TMember = { device: TCohortDevice; transport: TTransport; uploader: TDeviceUploader; source: TVirtualWatch | TVirtualCgm };

export function runCohort(options: TCohortOptions): TCohort {
  const clock = createSimClock({ speedup: options.speedup, durationSimMs: options.durationSimMs });
  const endSimMs = options.durationSimMs === undefined ? Number.POSITIVE_INFINITY : clock.startSimMs + options.durationSimMs;
  const batchSeconds = options.batchSeconds ?? 10;
  const ecg = { requested: 0, delivered: 0, failed: 0, realStrips: 0 };
  const members: TMember[] = options.devices.map((device) => {
    const transport =
      options.transport === "socket"
        ? createSocketTransport({ baseUrl: options.baseUrl, token: device.token })
        : createHttpTransport({ baseUrl: options.baseUrl, deviceId: device.deviceId, token: device.token });
    const uploader = createDeviceUploader({ transport });
    const boundedClock = { ...clock, nowSimMs: () => Math.min(clock.nowSimMs(), endSimMs) };
    const seed = `${options.seed}/${device.deviceId}`;
    const watch =
      device.kind === "WATCH"
        ? createVirtualWatch({ clock: boundedClock, uploader, batchSeconds, heartRate: { seed, ...options.heartRateFor?.(device) }, screen: options.watchScreen, stripSource: options.ecgStrips })
        : undefined;
    const source =
      watch ??
      createVirtualCgm({
        clock: boundedClock,
        uploader,
        seed,
        days: options.durationSimMs === undefined ? undefined : Math.ceil(options.durationSimMs / 86_400_000) + 1,
      });
    if (watch && transport.onEcgRequest && transport.sendStrip) {
      const sendStrip = transport.sendStrip;
      // The watch answers at once with a strip of its current state (a real watch would record 30 s first).
      transport.onEcgRequest((request) => {
        ecg.requested += 1;
        void (async () => {
          const { rhythm: _rhythm, stripSource, ...body } = await watch.recordStrip(request);
          if (stripSource === "real") ecg.realStrips += 1;
          for (let attempt = 1; attempt <= STRIP_SEND_ATTEMPTS; attempt += 1) {
            const result = await sendStrip(body);
            if (result.kind === "ack") return void (ecg.delivered += 1);
            if (result.kind === "rejected") break;
            await new Promise((resolve) => setTimeout(resolve, result.afterMs ?? 1_000));
          }
          ecg.failed += 1;
        })();
      });
    }
    return { device, transport, uploader, source };
  });

  const summary = (): TCohortSummary => {
    const devices = members.map(({ device, uploader, source }) => {
      const sent = source.sent();
      return { deviceId: device.deviceId, sentSamples: sent.count, sentBatches: sent.batches, checksum: sent.checksum, ...uploader.stats() };
    });
    const sum = (pick: (device: TDeviceSummary) => number) => devices.reduce((total, device) => total + pick(device), 0);
    return {
      devices,
      totals: {
        sentSamples: sum((d) => d.sentSamples),
        ackedSamples: sum((d) => d.samplesAcked),
        stored: sum((d) => d.stored),
        duplicate: sum((d) => d.duplicate),
        rejected: sum((d) => d.rejected),
        retries: sum((d) => d.retries),
        dropped: sum((d) => d.droppedFromBuffer),
      },
      ecg: { ...ecg, watchScreenHits: members.reduce((total, member) => total + ("screenHits" in member.source ? member.source.screenHits() : 0), 0) },
    };
  };

  const tickEveryMs = Math.max(50, Math.min(1000, (batchSeconds * 1000) / options.speedup / 2));
  const ticker = setInterval(() => {
    for (const member of members) member.source.tick();
  }, tickEveryMs);
  const progressTimer = options.onProgress
    ? setInterval(() => options.onProgress!(formatProgress(summary(), clock.nowSimMs() - clock.startSimMs, options.durationSimMs)), options.progressEveryMs ?? 5_000)
    : undefined;

  let stopped = false;
  const shutdown = () => {
    clearInterval(ticker);
    if (progressTimer) clearInterval(progressTimer);
    for (const member of members) {
      member.uploader.stop();
      member.transport.close();
    }
  };

  const done = (async () => {
    while (!stopped && clock.nowSimMs() < endSimMs) await new Promise((resolve) => setTimeout(resolve, tickEveryMs));
    for (const member of members) member.source.tick();
    clearInterval(ticker);
    await Promise.all(members.map((member) => member.uploader.drained()));
    const result = summary();
    shutdown();
    return result;
  })();

  return {
    done,
    summary,
    async stop() {
      stopped = true;
      shutdown();
      return summary();
    },
  };
}

function formatDuration(ms: number): string {
  const totalS = Math.floor(ms / 1000);
  const hours = Math.floor(totalS / 3600);
  const minutes = Math.floor((totalS % 3600) / 60);
  const seconds = totalS % 60;
  return `${hours}h${String(minutes).padStart(2, "0")}m${String(seconds).padStart(2, "0")}s`;
}

export function formatProgress(summary: TCohortSummary, elapsedSimMs: number, durationSimMs: number | undefined): string {
  const { totals } = summary;
  const buffered = summary.devices.reduce((total, device) => total + device.buffered, 0);
  const progress = durationSimMs ? ` (${Math.min(100, (100 * elapsedSimMs) / durationSimMs).toFixed(1)}%)` : "";
  return (
    `[sim ${formatDuration(elapsedSimMs)}${progress}] devices ${summary.devices.length} | samples sent ${totals.sentSamples} acked ${totals.ackedSamples}` +
    ` | batches stored ${totals.stored} dup ${totals.duplicate} rejected ${totals.rejected} | buffered ${buffered} | retries ${totals.retries}` +
    (summary.ecg.watchScreenHits > 0 ? ` | on-watch screen hits ${summary.ecg.watchScreenHits} s` : "") +
    (summary.ecg.requested > 0 ? ` | ECG strips asked ${summary.ecg.requested} sent ${summary.ecg.delivered}${summary.ecg.realStrips > 0 ? ` (${summary.ecg.realStrips} real recordings)` : ""}` : "")
  );
}
