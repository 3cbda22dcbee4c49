// Server-only. A patient's most recent ECG strips (ids and times only; the samples are read one strip
// at a time through getEcgStrip), with the ECG model's label where the strip answered a request.
import { z } from "zod";
import { getPatientForActorOrThrow } from "../auth/access-policy";
import type { TActor } from "../auth/actor";
import type { TDb } from "../db/create-prisma-client";

export type TEcgStripSummary = { id: string; recordedAt: string; label: string | null };

const ZResultSchema = z.object({ label: z.string() });

export async function listEcgStrips(options: { db: TDb; actor: TActor; patientId: string; limit?: number }): Promise<TEcgStripSummary[]> {
  const { db } = options;
  const patient = await getPatientForActorOrThrow({ db, actor: options.actor, patientId: options.patientId, action: "ecg_strip.list" });
  const strips = await db.ecgStrip.findMany({
    where: { patientId: patient.id },
    orderBy: { recordedAt: "desc" },
    take: Math.min(Math.max(options.limit ?? 10, 1), 50),
    select: { id: true, recordedAt: true },
  });
  const requests = await db.ecgRequest.findMany({
    where: { patientId: patient.id, stripId: { in: strips.map((strip) => strip.id) } },
    select: { stripId: true, result: true },
  });
  const labels = new Map(requests.map((request) => [request.stripId, ZResultSchema.safeParse(request.result).data?.label ?? null]));
  return strips.map((strip) => ({ id: strip.id, recordedAt: strip.recordedAt.toISOString(), label: labels.get(strip.id) ?? null }));
}
