// A simulated watch: it samples heart rate and activity once per simulated second and hands a batch to
// its uploader every batchSeconds, exactly as the device API expects it.
import type { TEcgRequestMessage } from "../../lib/detect/service/ecg-strip-upload";
import { encodeEcgSamples, generateEcgStrip } from "../../lib/sim/ecg";
import { getEcgRhythmForState } from "../../lib/sim/ecg-rhythm-for-state";
import type { TEpisodeType } from "../../lib/sim/episodes";
import { createHeartRateStream, type THeartRateOptions } from "../../lib/sim/heart-rate";
import { createWatchScreen } from "../../lib/detect/screen/create-watch-screen";
import type { TWatchScreenWeights } from "../../lib/detect/screen/screen-model";
import type { TEcgStripBody } from "./transports";
import type { TDeviceUploader } from "./device-uploader";
import { createSampleChecksum } from "./sample-checksum";
import type { TSimClock } from "./sim-clock";
import type { TWatchStripSource } from "./watch-strip-source";

export const DEFAULT_BATCH_SECONDS = 10;

export type TVirtualWatch = {
  /** Generates and enqueues every batch whose window has ended by the simulated now. */
  tick(): void;
  sent(): { count: number; checksum: string; batches: number };
  /** Seconds the on-watch screen scored at or above its escalation threshold (0 without a screen). */
  screenHits(): number;
  /**
   * Records a strip of what the heart is doing now (the simulation's ground truth), as asked: a real
   * recording of that rhythm when the watch has a strip source that has one, else a synthetic strip.
   */
  recordStrip(request: TEcgRequestMessage): Promise<TEcgStripBody & { rhythm: string; stripSource: "real" | "synthetic" }>;
};

/** Readings behind the rate a recorded strip runs at: the last 10 s, as the watch displays it. */
const STRIP_RATE_WINDOW_S = 10;

export function createVirtualWatch(options: {
  clock: TSimClock;
  uploader: TDeviceUploader;
  heartRate: Omit<THeartRateOptions, "startEpochMs">;
  batchSeconds?: number;
  /**
   * The tier-1 screen running on the watch itself, with the same code and weights as the server's: a
   * real watch screens locally (and could prompt its wearer); here it counts its hits for the summary.
   */
  screen?: { weights: TWatchScreenWeights; escalateScore: number };
  /** Real recordings to answer ECG requests with; absent: synthetic strips. */
  stripSource?: TWatchStripSource;
}): TVirtualWatch {
  const batchSeconds = options.batchSeconds ?? DEFAULT_BATCH_SECONDS;
  const batchMs = batchSeconds * 1000;
  // Windows are aligned to the batch length, so the same window always gets the same sequence number:
  // a restarted simulator re-sending a batch is recognised as a retry, not new data.
  let windowStartMs = Math.floor(options.clock.startSimMs / batchMs) * batchMs;
  const stream = createHeartRateStream({ ...options.heartRate, startEpochMs: windowStartMs });
  const checksum = createSampleChecksum();
  let batches = 0;
  let latestTruth: TEpisodeType | null = null;
  let latestAtMs = windowStartMs;
  const recentBpm: number[] = [];
  const screen = options.screen ? createWatchScreen({ weights: options.screen.weights }) : undefined;
  let screenHits = 0;

  return {
    tick() {
      while (windowStartMs + batchMs <= options.clock.nowSimMs()) {
        const bpm: number[] = [];
        const activity: number[] = [];
        for (let second = 0; second < batchSeconds; second += 1) {
          const sample = stream.next();
          bpm.push(sample.bpm);
          activity.push(sample.activity);
          checksum.add(windowStartMs + second * 1000, sample.bpm);
          latestTruth = sample.truth;
          latestAtMs = windowStartMs + second * 1000;
          const scored = screen?.push({ bpm: sample.bpm, activity: sample.activity, atMs: latestAtMs });
          if (scored && options.screen && scored.score >= options.screen.escalateScore) screenHits += 1;
          if (sample.bpm > 0) recentBpm.push(sample.bpm);
          if (recentBpm.length > STRIP_RATE_WINDOW_S) recentBpm.shift();
        }
        const seq = Math.floor(windowStartMs / batchMs) % 2_147_483_647;
        options.uploader.enqueue({
          kind: "heart-rate",
          seq,
          samples: batchSeconds,
          body: { seq, startedAt: new Date(windowStartMs).toISOString(), intervalMs: 1000, bpm, activity },
        });
        batches += 1;
        windowStartMs += batchMs;
      }
    },
    sent: () => ({ ...checksum.value(), batches }),
    screenHits: () => screenHits,
    async recordStrip(request) {
      const sorted = [...recentBpm].sort((a, b) => a - b);
      const bpm = sorted[Math.floor(sorted.length / 2)] ?? 0;
      const { rhythm, heartRateBpm } = getEcgRhythmForState({ truth: latestTruth, bpm });
      // Captured before any await: the strip is of the state the watch was in when asked.
      const recordedAt = new Date(latestAtMs).toISOString();
      const seed = `${options.heartRate.seed}:${request.requestId}`;
      // A real strip keeps its recording's own rate and length (the server takes 100-1000 Hz, 10-60 s).
      const real = await options.stripSource?.recordRealStrip({ rhythm, heartRateBpm, key: seed });
      const strip = real ?? generateEcgStrip({ seed, rhythm, heartRateBpm, durationS: request.durationS, sampleRateHz: request.sampleRateHz });
      return {
        requestId: request.requestId,
        recordedAt,
        sampleRateHz: strip.sampleRateHz,
        samplesLe16: encodeEcgSamples(strip.samples),
        rhythm,
        stripSource: real ? "real" : "synthetic",
      };
    },
  };
}
