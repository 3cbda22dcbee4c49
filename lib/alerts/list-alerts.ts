// Server-only. The alert inbox: alerts this actor may see, newest first, with optional filters.
import { z } from "zod";
import type { TUserActor } from "../auth/actor";
import { recordPatientReads } from "../audit/record-patient-reads";
import type { TDb } from "../db/create-prisma-client";
import { alertScopeFor } from "./alert-scope";
import { toAlertView, type TAlertView } from "./alert-views";

export const ZListAlertsQuerySchema = z.strictObject({
  status: z.enum(["OPEN", "ACKNOWLEDGED", "RESOLVED", "ACTIVE"]).optional(),
  patientId: z.uuid().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export type TListAlertsQuery = z.infer<typeof ZListAlertsQuerySchema>;

export async function listAlerts(options: { db: TDb; actor: TUserActor; query: TListAlertsQuery }): Promise<TAlertView[]> {
  const { db, actor, query } = options;
  const status = query.status === "ACTIVE" ? { in: ["OPEN" as const, "ACKNOWLEDGED" as const] } : query.status;
  const alerts = await db.alert.findMany({
    where: { AND: [alertScopeFor(actor), status ? { status } : {}, query.patientId ? { patientId: query.patientId } : {}] },
    orderBy: { id: "desc" },
    take: query.limit,
  });
  const patients = new Map(alerts.map((alert) => [alert.patientId, { id: alert.patientId, hospitalId: alert.hospitalId }]));
  await recordPatientReads({ db, actor, action: "alert.list", patients: [...patients.values()] });
  return alerts.map(toAlertView);
}
