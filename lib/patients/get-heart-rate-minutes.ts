// Server-only.
import { z } from "zod";
import { getPatientForActorOrThrow } from "../auth/access-policy";
import type { TActor } from "../auth/actor";
import type { TDb } from "../db/create-prisma-client";
import { BPM_GAP, readHeartRateBatches } from "../ingest";

// A week of minutes is 10,080 rows: the longest range a dashboard asks for at minute resolution.
export const MAX_RANGE_MS = 7 * 24 * 60 * 60_000;

export const ZHeartRateQuerySchema = z
  .strictObject({
    from: z.iso.datetime({ offset: true }),
    to: z.iso.datetime({ offset: true }),
  })
  .refine((q) => Date.parse(q.to) > Date.parse(q.from), { path: ["to"], message: "must be after from" })
  .refine((q) => Date.parse(q.to) - Date.parse(q.from) <= MAX_RANGE_MS, { path: ["to"], message: "range is at most 7 days" });
export type THeartRateQuery = z.infer<typeof ZHeartRateQuerySchema>;

/**
 * Per-minute heart rate (mean, min, max, number of readings; gaps not counted) of one patient over all
 * their watches, for minutes with at least one reading. Computed from the stored samples themselves
 * (staged batches and compacted hourly chunks): a week is at most ~170 chunks per watch, a few
 * milliseconds to decode, so no per-minute rollup rows are stored (they alone cost ~220 KB per
 * patient-day, more than the target for all heart-rate storage).
 */
export async function getHeartRateMinutes(options: { db: TDb; actor: TActor; patientId: string; query: THeartRateQuery }) {
  const patient = await getPatientForActorOrThrow({ ...options, action: "heart_rate.read" });
  const fromMs = Date.parse(options.query.from);
  const toMs = Date.parse(options.query.to);
  const batches = await readHeartRateBatches({ db: options.db, patientId: patient.id, fromMs, toMs });
  const minutes = new Map<number, { samples: number; sumBpm: number; minBpm: number; maxBpm: number }>();
  for (const batch of batches) {
    batch.bpm.forEach((bpm, index) => {
      if (bpm === BPM_GAP) return;
      const atMs = batch.startedAtMs + index * batch.intervalMs;
      if (atMs < fromMs || atMs >= toMs) return;
      const minuteMs = atMs - (((atMs % 60_000) + 60_000) % 60_000);
      const minute = minutes.get(minuteMs);
      if (minute) {
        minute.samples += 1;
        minute.sumBpm += bpm;
        if (bpm < minute.minBpm) minute.minBpm = bpm;
        if (bpm > minute.maxBpm) minute.maxBpm = bpm;
      } else {
        minutes.set(minuteMs, { samples: 1, sumBpm: bpm, minBpm: bpm, maxBpm: bpm });
      }
    });
  }
  return [...minutes.entries()]
    .sort(([left], [right]) => left - right)
    .map(([minuteMs, row]) => ({
      minute: new Date(minuteMs).toISOString(),
      meanBpm: Math.round((row.sumBpm / row.samples) * 10) / 10,
      minBpm: row.minBpm,
      maxBpm: row.maxBpm,
      samples: row.samples,
    }));
}
