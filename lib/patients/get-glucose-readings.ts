// Server-only. A patient's CGM readings over a time range, for the glucose trend chart. Readable by
// whoever the access policy lets read the patient (the encrypted forecast is a separate, patient-only path).
import { z } from "zod";
import { getPatientForActorOrThrow } from "../auth/access-policy";
import type { TActor } from "../auth/actor";
import type { TDb } from "../db/create-prisma-client";

// A week of 5-minute CGM readings is ~2,000 rows; the cap leaves room for 1-minute sensors over a day.
const MAX_RANGE_MS = 7 * 24 * 60 * 60_000;
const MAX_ROWS = 10_080;

export const ZGlucoseQuerySchema = z
  .strictObject({
    from: z.iso.datetime({ offset: true }),
    to: z.iso.datetime({ offset: true }),
  })
  .refine((q) => Date.parse(q.to) > Date.parse(q.from), { path: ["to"], message: "must be after from" })
  .refine((q) => Date.parse(q.to) - Date.parse(q.from) <= MAX_RANGE_MS, { path: ["to"], message: "range is at most 7 days" });
export type TGlucoseQuery = z.infer<typeof ZGlucoseQuerySchema>;

export type TGlucosePoint = { measuredAt: string; glucoseMgDl: number };

export async function getGlucoseReadings(options: { db: TDb; actor: TActor; patientId: string; query: TGlucoseQuery }): Promise<TGlucosePoint[]> {
  const patient = await getPatientForActorOrThrow({ db: options.db, actor: options.actor, patientId: options.patientId, action: "glucose.read" });
  const rows = await options.db.glucoseReading.findMany({
    where: { patientId: patient.id, measuredAt: { gte: new Date(options.query.from), lt: new Date(options.query.to) } },
    orderBy: { measuredAt: "asc" },
    select: { measuredAt: true, glucoseMgDl: true },
    take: MAX_ROWS,
  });
  return rows.map((row) => ({ measuredAt: row.measuredAt.toISOString(), glucoseMgDl: row.glucoseMgDl }));
}
