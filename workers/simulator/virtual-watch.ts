// A simulated watch: it samples heart rate and activity once per simulated second and hands a batch to
// its uploader every batchSeconds, exactly as the device API expects it.
import { createHeartRateStream, type THeartRateOptions } from "../../lib/sim/heart-rate";
import type { TDeviceUploader } from "./device-uploader";
import { createSampleChecksum } from "./sample-checksum";
import type { TSimClock } from "./sim-clock";

export const DEFAULT_BATCH_SECONDS = 10;

export type TVirtualWatch = {
  /** Generates and enqueues every batch whose window has ended by the simulated now. */
  tick(): void;
  sent(): { count: number; checksum: string; batches: number };
};

export function createVirtualWatch(options: {
  clock: TSimClock;
  uploader: TDeviceUploader;
  heartRate: Omit<THeartRateOptions, "startEpochMs">;
  batchSeconds?: number;
}): TVirtualWatch {
  const batchSeconds = options.batchSeconds ?? DEFAULT_BATCH_SECONDS;
  const batchMs = batchSeconds * 1000;
  // Windows are aligned to the batch length, so the same window always gets the same sequence number:
  // a restarted simulator re-sending a batch is recognised as a retry, not new data.
  let windowStartMs = Math.floor(options.clock.startSimMs / batchMs) * batchMs;
  const stream = createHeartRateStream({ ...options.heartRate, startEpochMs: windowStartMs });
  const checksum = createSampleChecksum();
  let batches = 0;

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
  };
}
