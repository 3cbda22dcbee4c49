// Server-only. One alert with its timeline, for the drill-down; the read is audited like any other
// read of a patient's data by someone other than the patient.
import type { TUserActor } from "../auth/actor";
import { recordPatientReads } from "../audit/record-patient-reads";
import type { TDb } from "../db/create-prisma-client";
import { getAlertForActorOrThrow } from "./alert-scope";
import { toAlertEventView, toAlertView, type TAlertEventView, type TAlertView } from "./alert-views";

export async function getAlertDetail(options: { db: TDb; actor: TUserActor; alertId: string }): Promise<{ alert: TAlertView; events: TAlertEventView[] }> {
  const { db, actor } = options;
  const alert = await getAlertForActorOrThrow({ db, actor, alertId: options.alertId });
  const events = await db.alertEvent.findMany({ where: { alertId: alert.id }, orderBy: { id: "asc" } });
  await recordPatientReads({ db, actor, action: "alert.read", patients: [{ id: alert.patientId, hospitalId: alert.hospitalId }] });
  const audience = actor.role === "PATIENT" ? "patient" : "clinician";
  return { alert: toAlertView(alert), events: events.map((event) => toAlertEventView(event, alert, audience)) };
}
