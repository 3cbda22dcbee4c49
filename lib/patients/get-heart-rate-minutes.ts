// Server-only.
import { z } from "zod";
import { getPatientForActorOrThrow } from "../auth/access-policy";
import type { TActor } from "../auth/actor";
import type { TDb } from "../db/create-prisma-client";

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

export async function getHeartRateMinutes(options: { db: TDb; actor: TActor; patientId: string; query: THeartRateQuery }) {
  const patient = await getPatientForActorOrThrow({ ...options, action: "heart_rate.read" });
  const rows = await options.db.heartRateMinute.findMany({
    where: { patientId: patient.id, minute: { gte: new Date(options.query.from), lt: new Date(options.query.to) } },
    orderBy: { minute: "asc" },
  });
  return rows.map((row) => ({
    minute: row.minute.toISOString(),
    meanBpm: Math.round((row.sumBpm / row.samples) * 10) / 10,
    minBpm: row.minBpm,
    maxBpm: row.maxBpm,
    samples: row.samples,
  }));
}
