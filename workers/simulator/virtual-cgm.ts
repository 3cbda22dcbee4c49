// A simulated continuous glucose monitor: one reading every 5 simulated minutes, uploaded as it is
// taken (a CGM syncs each reading to its phone app), with a sequence number fixed by the reading's time.
import { CGM_READING_INTERVAL_MIN, createGlucoseSimulation, glucoseReadingsFor } from "../../lib/sim/glucose";
import type { TDeviceUploader } from "./device-uploader";
import { createSampleChecksum } from "./sample-checksum";
import type { TSimClock } from "./sim-clock";

const READING_INTERVAL_MS = CGM_READING_INTERVAL_MIN * 60_000;
// The glucose model runs ahead in whole days; 90 is its longest simulation.
const MAX_SIMULATED_DAYS = 90;

export type TVirtualCgm = { tick(): void; sent(): { count: number; checksum: string; batches: number } };

export function createVirtualCgm(options: { clock: TSimClock; uploader: TDeviceUploader; seed: string; utcOffsetMinutes?: number; days?: number }): TVirtualCgm {
  const startMs = Math.ceil(options.clock.startSimMs / READING_INTERVAL_MS) * READING_INTERVAL_MS;
  const simulation = createGlucoseSimulation({
    seed: options.seed,
    startEpochMs: startMs,
    days: Math.min(MAX_SIMULATED_DAYS, options.days ?? MAX_SIMULATED_DAYS),
    utcOffsetMinutes: options.utcOffsetMinutes ?? 0,
  });
  const checksum = createSampleChecksum();
  let nextMin = 0;
  let batches = 0;
  return {
    tick() {
      const nowMin = Math.floor((options.clock.nowSimMs() - startMs) / 60_000);
      if (nowMin < nextMin) return;
      const readings = glucoseReadingsFor(simulation, nextMin, nowMin + 1);
      nextMin = nowMin + 1;
      for (const reading of readings) {
        const measuredAtMs = startMs + reading.tMin * 60_000;
        const seq = Math.floor(measuredAtMs / READING_INTERVAL_MS) % 2_147_483_647;
        checksum.add(measuredAtMs, reading.glucoseMgDl);
        options.uploader.enqueue({
          kind: "glucose",
          seq,
          samples: 1,
          body: { seq, readings: [{ measuredAt: new Date(measuredAtMs).toISOString(), glucoseMgDl: reading.glucoseMgDl }] },
        });
        batches += 1;
      }
    },
    sent: () => ({ ...checksum.value(), batches }),
  };
}
