// Server-only. The patient's own recent CGM readings, for their forecast client to build features from
// (the readings are stored in plaintext at ingest; the forecast itself is computed on ciphertexts).
import { z } from "zod";
import type { TActor } from "../auth/actor";
import type { TDb } from "../db/create-prisma-client";
import { assertPatientSelfOrThrow } from "../he/assert-patient-self";

export const ZRecentGlucoseQuerySchema = z.strictObject({
  /** How far back, in minutes; the forecast needs 60 min of history, 4 h is the longest event lookback. */
  minutes: z.coerce.number().int().min(5).max(240).default(70),
});
export type TRecentGlucoseQuery = z.infer<typeof ZRecentGlucoseQuerySchema>;

export async function getRecentGlucoseReadings(options: { db: TDb; actor: TActor; patientId: string; query: TRecentGlucoseQuery; now?: Date }) {
  const patient = await assertPatientSelfOrThrow(options);
  const now = options.now ?? new Date();
  const rows = await options.db.glucoseReading.findMany({
    where: { patientId: patient.id, measuredAt: { gte: new Date(now.getTime() - options.query.minutes * 60_000), lte: now } },
    orderBy: { measuredAt: "desc" },
    select: { measuredAt: true, glucoseMgDl: true },
    take: 500,
  });
  return rows.map((row) => ({ measuredAt: row.measuredAt.toISOString(), glucoseMgDl: row.glucoseMgDl }));
}
